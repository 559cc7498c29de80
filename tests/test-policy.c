/* SPDX-License-Identifier: MIT */
/*
 * The numbers the documentation gives, at their boundaries (paths
 * /policy/<case>), on the counting backend, which grants exactly what it
 * is asked for, so every block size can be read off capacity():
 * - growth: the next ordinary block is the current one doubled, capped at
 *   max_block_size, which is at least the first block; a request takes an
 *   ordinary block while it fits one (exactly), a block of its own beyond;
 * - creation: block_size 0 means MARENA_DEFAULT_BLOCK_SIZE, any other
 *   value is rounded up to MARENA_ALIGNMENT; the largest capacity is still
 *   asked of the backend, one more is refused before it; a reservation
 *   costs two backend calls (reserve, first commit); marena_create_ex(NULL)
 *   gives an arena on the default backend;
 * - lifetime: a cleanup registered first thing runs at destroy; a budget
 *   of MARENA_RETAIN_BYTES below a large first block decommits nothing in
 *   an arena that is not a reservation.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"
/* The block header's size, to ask for the largest block exactly. */
#include "layout.h"

#define HEADER \
    ((sizeof(struct marena_block) + MARENA_ALIGNMENT - 1) & \
     ~(size_t)(MARENA_ALIGNMENT - 1))

#define BLOCK 1024u

struct counted {
    struct counting_backend counter;
    marena_t *arena;
};

static void
open_counted(struct counted *c, size_t block_size, size_t max_block_size, unsigned flags)
{
    marena_options_t options = {0};

    counting_init(&c->counter);
    options.backend = &counting_backend;
    options.backend_ctx = &c->counter;
    options.block_size = block_size;
    options.max_block_size = max_block_size;
    options.flags = flags;
    c->arena = marena_create_ex(&options);
    test_assert_nonnull(c->arena);
}

static void
close_counted(struct counted *c)
{
    marena_destroy(c->arena);
    test_assert_size(c->counter.out, ==, 0);
    test_assert_size(c->counter.mismatches, ==, 0);
}

/* Fills the current block, then takes one byte more: returns the usable
 * size of the block that came. */
static size_t
next_block(marena_t *arena)
{
    size_t before = marena_capacity(arena);

    if (marena_remaining(arena) > 0)
        test_assert_nonnull(marena_alloc_aligned(arena, marena_remaining(arena), 1));
    test_assert_nonnull(marena_alloc_aligned(arena, 1, 1));
    return marena_capacity(arena) - before;
}

/* Doubling from a first block that is no power of two, up to a cap that
 * is odd: 3000 (rounded to 3008), 6016, then the cap (rounded up). */
static void
test_doubling_to_cap(const void *data)
{
    const size_t cap = 2 * 3008 + 1;
    struct counted c;

    (void)data;
    if (!pool_holds(32 << 10))
        return;
    open_counted(&c, 3000, cap, MARENA_GROW);
    size_t first = marena_capacity(c.arena);
    test_assert_size(first, ==,
                     (3000 + MARENA_ALIGNMENT - 1) & ~(size_t)(MARENA_ALIGNMENT - 1));
    test_assert_size(next_block(c.arena), ==, 2 * first);
    size_t capped = next_block(c.arena);
    test_assert_size(capped, >=, cap);
    test_assert_size(capped, <, cap + MARENA_ALIGNMENT);
    test_assert_size(next_block(c.arena), ==, capped);
    close_counted(&c);
}

/* A first block larger than max_block_size raises the cap to it. */
static void
test_cap_at_least_first(const void *data)
{
    struct counted c;

    (void)data;
    if (!pool_holds(24 << 10))
        return;
    open_counted(&c, 4 * BLOCK, BLOCK, MARENA_GROW);
    test_assert_size(next_block(c.arena), ==, 4 * BLOCK);
    test_assert_size(next_block(c.arena), ==, 4 * BLOCK);
    close_counted(&c);
}

/* A request of exactly the next ordinary block's size takes an ordinary
 * block (which becomes the current one, full); one byte more gets a block
 * of its own behind the current one. */
static void
test_ordinary_or_dedicated(const void *data)
{
    struct counted c;

    (void)data;
    if (!pool_holds(16 << 10))
        return;
    open_counted(&c, BLOCK, 0, MARENA_GROW);
    unsigned char *small = marena_alloc_aligned(c.arena, 10, 1);
    test_assert_nonnull(marena_alloc_aligned(c.arena, 2 * BLOCK, 1));
    test_assert_size(marena_remaining(c.arena), ==, 0);
    test_assert_size(stats_of(c.arena).blocks, ==, 2);
    close_counted(&c);

    open_counted(&c, BLOCK, 0, MARENA_GROW);
    small = marena_alloc_aligned(c.arena, 10, 1);
    test_assert_nonnull(marena_alloc_aligned(c.arena, 2 * BLOCK + 1, 1));
    test_assert_addr(marena_alloc_aligned(c.arena, 1, 1), ==, small + 10);
    test_assert_size(stats_of(c.arena).blocks, ==, 2);
    close_counted(&c);

    /* The padding a large alignment may need counts: 2 * BLOCK bytes
     * aligned to 4 * MARENA_ALIGNMENT do not fit an ordinary block. */
    open_counted(&c, BLOCK, 0, MARENA_GROW);
    small = marena_alloc_aligned(c.arena, 10, 1);
    test_assert_nonnull(marena_alloc_aligned(c.arena, 2 * BLOCK, 4 * MARENA_ALIGNMENT));
    test_assert_addr(marena_alloc_aligned(c.arena, 1, 1), ==, small + 10);
    close_counted(&c);
}

/* block_size: 0 is the default, 1 is one aligned unit; the largest
 * capacity is asked of the backend (which cannot give it), one more is
 * refused before. */
static void
test_block_sizes(const void *data)
{
    struct counted c;
    marena_options_t options = {0};

    (void)data;
    open_counted(&c, 1, 0, 0);
    test_assert_size(marena_capacity(c.arena), ==, MARENA_ALIGNMENT);
    close_counted(&c);
    if (pool_holds(MARENA_DEFAULT_BLOCK_SIZE + 1024)) {
        open_counted(&c, 0, 0, 0);
        test_assert_size(marena_capacity(c.arena), ==, MARENA_DEFAULT_BLOCK_SIZE);
        close_counted(&c);
    }

    counting_init(&c.counter);
    options.backend = &counting_backend;
    options.backend_ctx = &c.counter;
    options.block_size = MARENA_MAX_CAPACITY;
    test_assert_null(marena_create_ex(&options));
    test_assert_size(c.counter.calls, ==, 1);
    options.block_size = MARENA_MAX_CAPACITY + 1;
    test_assert_null(marena_create_ex(&options));
    test_assert_size(c.counter.calls, ==, 1);
}

#if MARENA_HAVE_DEFAULT_BACKEND
/* NULL options: a fixed arena of MARENA_DEFAULT_BLOCK_SIZE on the
 * default backend. */
static void
test_null_options(const void *data)
{
    marena_t *arena = marena_create_ex(NULL);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_size(marena_capacity(arena), >=, MARENA_DEFAULT_BLOCK_SIZE);
    test_assert_nonnull(marena_alloc(arena, MARENA_DEFAULT_BLOCK_SIZE));
    test_assert_null(marena_alloc(arena, MARENA_DEFAULT_BLOCK_SIZE));
    marena_destroy(arena);
}
#endif

/* A reservation is two backend calls: reserve, then the first commit. */
static void
test_reserve_calls(const void *data)
{
    struct reserving_backend reserving;
    marena_options_t options = {0};

    (void)data;
    if (!pool_holds(3 * MARENA_COMMIT_STEP))
        return;
    reserving_init(&reserving, 0);
    options.backend = &reserving_backend;
    options.backend_ctx = &reserving;
    options.block_size = 2 * MARENA_COMMIT_STEP;
    options.flags = MARENA_RESERVE;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    test_assert_size(stats_of(arena).backend_calls, ==, 2);
    test_assert_size(reserving.commits, ==, 1);
    marena_destroy(arena);
}

#if MARENA_HAVE_CLEANUPS
static void
count_run(void *data)
{
    ++*(size_t *)data;
}

/* A cleanup registered while nothing is handed out still runs, at reset
 * and at destroy. */
static void
test_first_cleanup(const void *data)
{
    size_t runs = 0;
    struct counted c;

    (void)data;
    open_counted(&c, BLOCK, 0, 0);
    test_assert_size(marena_add_cleanup(c.arena, count_run, &runs), ==, 0);
    marena_reset(c.arena);
    test_assert_size(runs, ==, 1);
    test_assert_size(marena_add_cleanup(c.arena, count_run, &runs), ==, 0);
    close_counted(&c);
    test_assert_size(runs, ==, 2);
}
#endif

/* MARENA_RETAIN_BYTES with a budget below a first block larger than a
 * commit step: an arena that is not a reservation has nothing to
 * decommit (its backend has no decommit). */
static void
test_retain_bytes_large_first(const void *data)
{
    struct counted c;

    (void)data;
    if (!pool_holds(4 * MARENA_COMMIT_STEP))
        return;
    open_counted(&c, 2 * MARENA_COMMIT_STEP, 0, MARENA_GROW);
    test_assert_nonnull(marena_alloc(c.arena, MARENA_COMMIT_STEP));
    test_assert_nonnull(marena_alloc(c.arena, MARENA_COMMIT_STEP + MARENA_ALIGNMENT));
    marena_reset_ex(c.arena, MARENA_RETAIN_BYTES, 0);
    test_assert_size(marena_used(c.arena), ==, 0);
    test_assert_size(marena_capacity(c.arena), ==, 2 * MARENA_COMMIT_STEP);
    close_counted(&c);
}

/* The largest block growth asks a backend for: its usable bytes plus a
 * header fit PTRDIFF_MAX; one aligned unit more is refused before any
 * call. The counting backend cannot grant either. */
static void
test_largest_block(const void *data)
{
    const size_t largest = (size_t)PTRDIFF_MAX - HEADER - MARENA_ALIGNMENT;
    struct counted c;

    (void)data;
    open_counted(&c, BLOCK, 0, MARENA_GROW);
    size_t calls = c.counter.calls;
    test_assert_null(marena_alloc_aligned(c.arena, largest, 1));
    test_assert_size(c.counter.calls, ==, calls + 1);
    test_assert_null(marena_alloc_aligned(c.arena, largest + 1, 1));
    test_assert_null(marena_alloc_aligned(c.arena, largest + MARENA_ALIGNMENT, 1));
    test_assert_size(c.counter.calls, ==, calls + 1);
    close_counted(&c);
}

/* A refused grant is released at once: two backend calls. */
static void
test_refused_grant_calls(const void *data)
{
    struct counted c;

    (void)data;
    if (!pool_holds(8 << 10))
        return;
    open_counted(&c, BLOCK, 0, MARENA_GROW);
    size_t calls = stats_of(c.arena).backend_calls;
    c.counter.shortfall = 1;
    test_assert_null(marena_alloc(c.arena, 2 * BLOCK));
    test_assert_size(stats_of(c.arena).backend_calls, ==, calls + 2);
    test_assert_size(c.counter.releases, ==, 1);
    c.counter.shortfall = 0;
    close_counted(&c);
}

/* A caller's buffer holds nothing from the backend: a limit of exactly
 * the next block's bytes lets it grow once. */
static void
test_limit_of_buffer(const void *data)
{
    static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_CONTROL_SIZE + BLOCK];
    struct counting_backend counter;
    marena_options_t options = {0};

    (void)data;
    if (!pool_holds(8 << 10))
        return;
    counting_init(&counter);
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    options.flags = MARENA_GROW;
    options.limit = HEADER + 2 * BLOCK;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    size_t first = marena_capacity(arena);
    test_assert_size(first, ==, BLOCK);
    test_assert_nonnull(marena_alloc_aligned(arena, first, 1));
    test_assert_nonnull(marena_alloc_aligned(arena, 1, 1));
    test_assert_size(stats_of(arena).backend_bytes, ==, options.limit);
    marena_destroy(arena);
    test_assert_size(counter.out, ==, 0);
}

/* A limit that leaves no room for another block (less than a header)
 * allows no ordinary block: a request that a spare can hold gets the
 * spare as a block of its own, with no backend call, and the current
 * block stays current. */
static void
test_limit_full_spare(const void *data)
{
    struct counted c;

    (void)data;
    if (!pool_holds(16 << 10))
        return;
    open_counted(&c, BLOCK, 0, MARENA_GROW);
    test_assert_size(next_block(c.arena), ==, 2 * BLOCK);
    marena_reset_ex(c.arena, MARENA_RETAIN_ALL, 0);
    marena_stats_t before = stats_of(c.arena);
    test_assert_size(before.spare_blocks, ==, 1);
    test_assert_size(marena_set_limit(c.arena, before.backend_bytes + 1), ==, 0);
    test_assert_nonnull(marena_alloc_aligned(c.arena, BLOCK, 1));
    test_assert_size(marena_remaining(c.arena), ==, 0);
    test_assert_nonnull(marena_alloc_aligned(c.arena, 1, 1));
    test_assert_size(marena_remaining(c.arena), ==, 0);
    marena_stats_t after = stats_of(c.arena);
    test_assert_size(after.spare_blocks, ==, 0);
    test_assert_size(after.blocks, ==, 2);
    test_assert_size(after.backend_calls, ==, before.backend_calls);
    close_counted(&c);
}

/* MARENA_RETAIN_ADAPTIVE keeps a spare while the estimate exceeds the
 * first block's usable bytes by as little as one: a cycle of 16 F + 16
 * usable bytes (F: the first block's) halves to F + 1 after four cycles
 * within the first block, which still keep the spare; the fifth gives it
 * back. */
static void
test_adaptive_one_byte_beyond(const void *data)
{
    struct counted c;

    (void)data;
    if (!pool_holds(64 << 10))
        return;
    open_counted(&c, BLOCK, 0, MARENA_GROW);
    size_t first = marena_capacity(c.arena);
    test_assert_nonnull(marena_alloc(c.arena, 15 * first + 16)); /* its own */
    test_assert_size(marena_capacity(c.arena), ==, 16 * first + 16);
    marena_reset(c.arena);
    test_assert_size(stats_of(c.arena).spare_blocks, ==, 1);
    for (int cycle = 1; cycle <= 4; cycle++) {
        test_assert_nonnull(marena_alloc_aligned(c.arena, 1, 1));
        marena_reset(c.arena);
        test_assert_size(stats_of(c.arena).spare_blocks, ==, 1);
    }
    test_assert_nonnull(marena_alloc_aligned(c.arena, 1, 1));
    marena_reset(c.arena);
    test_assert_size(stats_of(c.arena).spare_blocks, ==, 0);
    test_assert_size(marena_capacity(c.arena), ==, first);
    close_counted(&c);
}

#if MARENA_HAVE_MARKS
/* A rewind keeps a block of exactly max_block_size as a spare, and gives
 * a larger one (of its own) back. */
static void
test_rewind_keeps_max_size(const void *data)
{
    struct counted c;

    (void)data;
    if (!pool_holds(32 << 10))
        return;
    open_counted(&c, BLOCK, 2 * BLOCK, MARENA_GROW);
    marena_mark_t mark = marena_mark(c.arena);
    test_assert_size(next_block(c.arena), ==, 2 * BLOCK);
    test_assert_nonnull(marena_alloc(c.arena, 3 * BLOCK)); /* its own */
    marena_rewind(c.arena, mark);
    marena_stats_t stats = stats_of(c.arena);
    test_assert_size(stats.spare_blocks, ==, 1);
    test_assert_size(stats.capacity, ==, BLOCK + 2 * BLOCK);
    close_counted(&c);
}

/* Growth after a rewind reuses the spares in the order it took them: with
 * blocks of one size (the cap), a scope's second pass through the same
 * requests gets the very addresses of its first. */
static void
test_rewind_reuses_in_order(const void *data)
{
    unsigned char *first_pass[4];
    struct counted c;

    (void)data;
    if (!pool_holds(32 << 10))
        return;
    open_counted(&c, BLOCK, 2 * BLOCK, MARENA_GROW);
    test_assert_nonnull(marena_alloc_aligned(c.arena, 10, 1));
    marena_mark_t mark = marena_mark(c.arena);
    for (int pass = 0; pass < 2; pass++) {
        size_t calls = c.counter.calls;

        for (size_t i = 0; i < 4; i++) {
            test_assert_nonnull(
                marena_alloc_aligned(c.arena, marena_remaining(c.arena), 1));
            unsigned char *p = marena_alloc_aligned(c.arena, BLOCK, 1);
            test_assert_nonnull(p);
            if (pass == 0)
                first_pass[i] = p;
            else
                test_assert_addr(p, ==, first_pass[i]);
        }
        if (pass == 1)
            test_assert_size(c.counter.calls, ==, calls);
        marena_rewind(c.arena, mark);
        test_assert_size(stats_of(c.arena).spare_blocks, ==, 4);
    }
    close_counted(&c);
}
#endif

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_doubling_to_cap, NULL, "/policy/grow/doubling-to-cap");
    test_add(test_cap_at_least_first, NULL, "/policy/grow/cap-at-least-first");
    test_add(test_ordinary_or_dedicated, NULL, "/policy/grow/ordinary-or-dedicated");
    test_add(test_block_sizes, NULL, "/policy/create/block-sizes");
#if MARENA_HAVE_DEFAULT_BACKEND
    test_add(test_null_options, NULL, "/policy/create/null-options");
#endif
    test_add(test_reserve_calls, NULL, "/policy/create/reserve-calls");
#if MARENA_HAVE_CLEANUPS
    test_add(test_first_cleanup, NULL, "/policy/cleanups/first");
#endif
    test_add(test_retain_bytes_large_first, NULL,
             "/policy/reset/retain-bytes-large-first");
    test_add(test_largest_block, NULL, "/policy/grow/largest-block");
    test_add(test_refused_grant_calls, NULL, "/policy/grow/refused-grant-calls");
    test_add(test_limit_of_buffer, NULL, "/policy/limit/buffer");
    test_add(test_limit_full_spare, NULL, "/policy/limit/full-spare");
    test_add(test_adaptive_one_byte_beyond, NULL,
             "/policy/reset/adaptive-one-byte-beyond");
#if MARENA_HAVE_MARKS
    test_add(test_rewind_keeps_max_size, NULL, "/policy/rewind/keeps-max-size");
    test_add(test_rewind_reuses_in_order, NULL, "/policy/rewind/reuses-in-order");
#endif
    return test_run();
}
