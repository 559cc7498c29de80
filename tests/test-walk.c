/* SPDX-License-Identifier: MIT */
/*
 * Introspection (paths /<kind>/walk/<case>): marena_owns() says 1 exactly
 * for memory the arena handed out and still holds, and marena_walk()
 * reports every block in use, the current one first, whose filled bytes
 * add up to marena_used(). On growing arenas of every backend.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#define BLOCK 1024u

static void
open_growing(struct subject *s, const void *kind)
{
    marena_options_t options = {0};

    options.block_size = BLOCK;
    options.flags = MARENA_GROW;
    subject_open_ex(s, kind, options);
}

struct census {
    size_t blocks, filled, dedicated, current_first;
    const void *first_start;
    size_t stop_after; /* nonzero: return 7 from that visit on */
};

static int
count_block(void *ctx, const marena_block_info_t *block)
{
    struct census *census = ctx;

    if (census->blocks == 0) {
        census->current_first = (size_t)block->is_current;
        census->first_start = block->start;
    } else {
        test_assert_size(block->is_current, ==, 0);
    }
    test_assert_size(block->filled, <=, block->size);
    census->blocks++;
    census->filled += block->filled;
    census->dedicated += (size_t)block->is_dedicated;
    return census->stop_after != 0 && census->blocks >= census->stop_after ? 7 : 0;
}

static struct census
walk(const marena_t *arena)
{
    struct census census = {0};

    test_assert_size(marena_walk(arena, count_block, &census), ==, 0);
    return census;
}

static void
test_owns(const void *data)
{
    unsigned char variable[16];
    /* The other arena lives in a buffer of its own: the static test pool
     * is the growing subject's in a build without backends. */
    static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_CONTROL_SIZE + 256];
    marena_options_t options = {0};
    struct subject s;

    if (!pool_holds(160 << 10))
        return;
    open_growing(&s, data);
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    marena_t *other = marena_create_ex(&options);
    test_assert_nonnull(other);
    unsigned char *q = marena_alloc(other, 8);
    test_assert_size(marena_owns(s.arena, q), ==, 0);
    test_assert_size(marena_owns(s.arena, variable), ==, 0);
    test_assert_size(marena_owns(s.arena, NULL), ==, 0);
    test_assert_size(marena_owns(NULL, q), ==, 0);

    unsigned char *p = marena_alloc_aligned(s.arena, 100, 1);
    test_assert_size(marena_owns(s.arena, p), ==, 1);
    test_assert_size(marena_owns(s.arena, p + 99), ==, 1);
    test_assert_size(marena_owns(s.arena, p + 100), ==, 0); /* not handed out */
    test_assert_size(marena_owns(s.arena, p - 1), ==, 0);   /* before the first */

    /* Across blocks: the old block's unused tail is not held. */
    size_t rest = marena_remaining(s.arena);
    unsigned char *filler = marena_alloc_aligned(s.arena, rest - 10, 1);
    test_assert_nonnull(filler);
    unsigned char *next = marena_alloc_aligned(s.arena, 20, 1); /* a new block */
    test_assert_size(marena_owns(s.arena, filler + rest - 11), ==, 1);
    test_assert_size(marena_owns(s.arena, filler + rest - 10), ==, 0);
    test_assert_size(marena_owns(s.arena, next), ==, 1);
    test_assert_size(marena_owns(s.arena, p), ==, 1);
    unsigned char *big = marena_alloc(s.arena, 64 * BLOCK); /* a block of its own */
    test_assert_size(marena_owns(s.arena, big + 64 * BLOCK - 1), ==, 1);

    /* Given back: not held. */
    test_assert_size(marena_pop(s.arena, next, 20), ==, 1);
    test_assert_size(marena_owns(s.arena, next), ==, 0);
    marena_reset(s.arena);
    test_assert_size(marena_owns(s.arena, p), ==, 0);
    test_assert_size(marena_owns(s.arena, big), ==, 0);
    marena_destroy(other);
    subject_close(&s);
}

static void
test_walk(const void *data)
{
    struct subject s;

    if (!pool_holds(160 << 10))
        return;
    open_growing(&s, data);
    struct census census = walk(s.arena);
    test_assert_size(census.blocks, ==, 1);
    test_assert_size(census.filled, ==, 0);
    test_assert_size(census.current_first, ==, 1);

    marena_mark_t mark = marena_mark(s.arena);
    for (int i = 0; i < 100; i++)
        test_assert_nonnull(marena_alloc_aligned(s.arena, 100, (size_t)1 << (i % 5)));
    unsigned char *big = marena_alloc(s.arena, 64 * BLOCK);
    test_assert_nonnull(big);
    census = walk(s.arena);
    test_assert_size(census.blocks, >, 2);
    test_assert_size(census.filled, ==, marena_used(s.arena));
    test_assert_size(census.dedicated, ==, 1);
    test_assert_size(census.current_first, ==, 1);

    /* A nonzero return stops the walk and is returned. */
    struct census stop = {0};
    stop.stop_after = 2;
    test_assert_size(marena_walk(s.arena, count_block, &stop), ==, 7);
    test_assert_size(stop.blocks, ==, 2);
    test_assert_size(marena_walk(s.arena, NULL, NULL), ==, 0);
    test_assert_size(marena_walk(NULL, count_block, &stop), ==, 0);

    marena_rewind(s.arena, mark);
    census = walk(s.arena);
    test_assert_size(census.blocks, ==, 1);
    test_assert_size(census.filled, ==, marena_used(s.arena));
    subject_close(&s);
}

int
main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"walk/owns", test_owns},
        {"walk/blocks", test_walk},
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
    return test_run();
}
