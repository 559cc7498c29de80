/* SPDX-License-Identifier: MIT */
/*
 * marena_realloc() and marena_pop(), on every backend: NULL allocates,
 * shrinking never moves, the most recent allocation grows in place while
 * its block has room, anything else moves with its contents, and a failure
 * leaves the old allocation and the arena as they were.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#define CAPACITY 4096u

static void
assert_filled(const unsigned char *p, size_t size, unsigned char value)
{
    for (size_t i = 0; i < size; i++)
        test_assert_size(p[i], ==, value);
}

static void
test_null_pointer(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    void *p = marena_realloc(s.arena, NULL, 0, 24);
    test_assert_nonnull(p);
    test_assert_size((uintptr_t)p % MARENA_ALIGNMENT, ==, 0);
    test_assert_size(marena_used(s.arena), ==, 24);
    test_assert_null(marena_realloc(s.arena, NULL, 0, 0));
    test_assert_null(marena_realloc(NULL, p, 24, 48));
    subject_close(&s);
}

static void
test_shrink(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *first = marena_alloc_aligned(s.arena, 100, 1);
    unsigned char *last = marena_alloc_aligned(s.arena, 100, 1);
    memset(first, 1, 100);
    memset(last, 2, 100);
    size_t used = marena_used(s.arena);

    /* Not the most recent: same pointer, nothing given back. */
    test_assert_addr(marena_realloc(s.arena, first, 100, 40), ==, first);
    test_assert_size(marena_used(s.arena), ==, used);
    /* The most recent: same pointer, the tail goes back to the arena. */
    test_assert_addr(marena_realloc(s.arena, last, 100, 40), ==, last);
    test_assert_size(marena_used(s.arena), ==, used - 60);
    test_assert_addr(marena_alloc_aligned(s.arena, 1, 1), ==, last + 40);
    /* What a shrink gives back is no longer the caller's (ASan and memcheck
     * would report reading it): only the new sizes are checked. */
    assert_filled(first, 40, 1);
    assert_filled(last, 40, 2);
    subject_close(&s);
}

static void
test_grow_in_place(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *p = marena_alloc(s.arena, 100);
    memset(p, 3, 100);
    size_t used = marena_used(s.arena);

    test_assert_addr(marena_realloc(s.arena, p, 100, 300), ==, p);
    test_assert_size(marena_used(s.arena), ==, used + 200);
    assert_filled(p, 100, 3);
    /* To exactly the end of the block. */
    size_t all = 300 + marena_remaining(s.arena);
    test_assert_addr(marena_realloc(s.arena, p, 300, all), ==, p);
    test_assert_size(marena_remaining(s.arena), ==, 0);
    subject_close(&s);
}

static void
test_grow_moves(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *p = marena_alloc_aligned(s.arena, 100, 1);
    memset(p, 4, 100);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 1, 1));

    unsigned char *q = marena_realloc(s.arena, p, 100, 200);
    test_assert_nonnull(q);
    test_assert_addr(q, !=, p);
    test_assert_size((uintptr_t)q % MARENA_ALIGNMENT, ==, 0);
    assert_filled(q, 100, 4);
    assert_filled(p, 100, 4);
    subject_close(&s);
}

/* No room anywhere in a fixed arena: NULL, old allocation intact. */
static void
test_grow_fails(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *p = marena_alloc_aligned(s.arena, 100, 1);
    memset(p, 5, 100);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 1, 1));
    size_t used = marena_used(s.arena), capacity = marena_capacity(s.arena);

    test_assert_null(marena_realloc(s.arena, p, 100, capacity));
    test_assert_null(marena_realloc(s.arena, p, 100, SIZE_MAX));
    test_assert_size(marena_used(s.arena), ==, used);
    assert_filled(p, 100, 5);
    /* The most recent allocation, grown past the block: same. */
    unsigned char *last = marena_alloc_aligned(s.arena, 10, 1);
    memset(last, 6, 10);
    used = marena_used(s.arena);
    test_assert_null(marena_realloc(s.arena, last, 10, capacity));
    test_assert_size(marena_used(s.arena), ==, used);
    assert_filled(last, 10, 6);
    test_assert_null(marena_realloc(s.arena, last, 10, 0));
    test_assert_size(marena_used(s.arena), ==, used);
    subject_close(&s);
}

/* In a growing arena the most recent allocation, out of room, moves to a
 * new block with its contents. */
static void
test_grow_across_blocks(const void *data)
{
    marena_options_t options = {0};
    struct subject s;

    options.block_size = 1024;
    options.flags = MARENA_GROW;
    subject_open_ex(&s, data, options);
    size_t size = marena_remaining(s.arena) - 8;
    unsigned char *p = marena_alloc_aligned(s.arena, size, 1);
    memset(p, 7, size);

    unsigned char *q = marena_realloc(s.arena, p, size, 3 * size);
    test_assert_nonnull(q);
    test_assert_addr(q, !=, p);
    assert_filled(q, size, 7);
    subject_close(&s);
}

/* marena_realloc_aligned(): a moved allocation keeps its alignment; in
 * place it keeps its address; bad alignments are refused. */
static void
test_realloc_aligned(const void *data)
{
    const size_t align = 256;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *p = marena_realloc_aligned(s.arena, NULL, 0, 40, align);
    test_assert_nonnull(p);
    test_assert(is_aligned(p, align));
    memset(p, 7, 40);
    /* The last allocation grows in place. */
    test_assert_addr(marena_realloc_aligned(s.arena, p, 40, 80, align), ==, p);
    /* Not the last any more: it moves, to an address aligned as asked. */
    test_assert_nonnull(marena_alloc_aligned(s.arena, 3, 1));
    unsigned char *q = marena_realloc_aligned(s.arena, p, 80, 200, align);
    test_assert_nonnull(q);
    test_assert(q != p);
    test_assert(is_aligned(q, align));
    assert_filled(q, 40, 7);
    /* Shrinking never moves. */
    test_assert_addr(marena_realloc_aligned(s.arena, q, 200, 10, align), ==, q);
    struct snapshot before = snapshot_of(s.arena);
    test_assert_null(marena_realloc_aligned(s.arena, q, 10, 20, 3));
    test_assert_null(marena_realloc_aligned(s.arena, q, 10, 20, 0));
    test_assert_null(marena_realloc_aligned(s.arena, NULL, 0, 20, 24));
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

static void
test_pop(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *first = marena_alloc_aligned(s.arena, 30, 1);
    unsigned char *last = marena_alloc_aligned(s.arena, 50, 1);
    size_t used = marena_used(s.arena);

    test_assert_size(marena_pop(s.arena, first, 30), ==, 0);
    test_assert_size(marena_pop(s.arena, last, 49), ==, 0);
    test_assert_size(marena_pop(s.arena, NULL, 50), ==, 0);
    test_assert_size(marena_pop(s.arena, last, 0), ==, 0);
    test_assert_size(marena_pop(NULL, last, 50), ==, 0);
    test_assert_size(marena_used(s.arena), ==, used);

    test_assert_size(marena_pop(s.arena, last, 50), ==, 1);
    test_assert_size(marena_used(s.arena), ==, used - 50);
    test_assert_size(marena_pop(s.arena, first, 30), ==, 1);
    test_assert_size(marena_used(s.arena), ==, 0);
    test_assert_addr(marena_alloc_aligned(s.arena, 1, 1), ==, first);
    subject_close(&s);
}

int
main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"realloc/null-pointer", test_null_pointer},
        {"realloc/shrink", test_shrink},
        {"realloc/grow-in-place", test_grow_in_place},
        {"realloc/grow-moves", test_grow_moves},
        {"realloc/grow-fails", test_grow_fails},
        {"realloc/grow-across-blocks", test_grow_across_blocks},
        {"realloc/aligned", test_realloc_aligned},
        {"pop/last", test_pop},
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
    return test_run();
}
