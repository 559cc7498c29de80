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

/* The redzone build option (tests/meson.build passes it). */
#ifndef TEST_REDZONE
#define TEST_REDZONE 0
#endif

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

static void
count_oom(marena_t *arena, size_t size, size_t align, void *data)
{
    (void)arena;
    (void)size;
    (void)align;
    ++*(size_t *)data;
}

/* A request the fixed arena has no room for: the last error is
 * MARENA_EFULL, whatever it was. */
static void
fail_full(marena_t *arena)
{
    test_assert_null(marena_alloc_aligned(arena, 2 * CAPACITY, 1));
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
}

/* Sizes of 0 are bad input (MARENA_EINVAL, a failed request, no on_oom);
 * a resize to the same size keeps the pointer and the arena as they
 * were, last allocation or not. */
static void
test_bad_and_same_sizes(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *first = marena_alloc_aligned(s.arena, 100, 1);
    unsigned char *last = marena_alloc_aligned(s.arena, 100, 1);
    memset(first, 1, 100);
    memset(last, 2, 100);
    struct snapshot before = snapshot_of(s.arena);
    marena_stats_t stats = stats_of(s.arena);

    test_assert_null(marena_realloc(s.arena, last, 100, 0));
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EINVAL);
    test_assert_size(stats_of(s.arena).failed, ==, stats.failed + 1);
    fail_full(s.arena);
    test_assert_null(marena_realloc(s.arena, last, 0, 10));
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EINVAL);
    fail_full(s.arena);
    test_assert_null(marena_realloc(s.arena, first, 0, 10));
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EINVAL);
    fail_full(s.arena);
    test_assert_null(marena_realloc_aligned(s.arena, first, 100, 10, 6));
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EINVAL);
    test_assert_size(stats_of(s.arena).failed, ==, stats.failed + 4 + 3);
    assert_unchanged(s.arena, before);

    test_assert_addr(marena_realloc(s.arena, first, 100, 100), ==, first);
    test_assert_addr(marena_realloc(s.arena, last, 100, 100), ==, last);
    assert_unchanged(s.arena, before);
    test_assert_size(stats_of(s.arena).allocations, ==, stats.allocations);
    assert_filled(first, 100, 1);
    assert_filled(last, 100, 2);
    test_assert_addr(marena_alloc_aligned(s.arena, 1, 1), ==, last + 100);
    subject_close(&s);
}

/* Growing fails once: the last allocation that cannot grow in place is
 * moved, and when that fails too, on_oom runs once and the reason is the
 * full arena; the old allocation and the arena are as they were. */
static void
test_grow_fails_once(const void *data)
{
    const struct arena_kind *kind = data;
    marena_options_t options = {0};
    struct subject s;
    size_t oom_calls = 0;

    options.block_size = 1024;
    options.on_oom = count_oom;
    options.oom_data = &oom_calls;
    subject_open_ex(&s, kind, options);
    unsigned char *first = marena_alloc_aligned(s.arena, 100, 1);
    unsigned char *last = marena_alloc_aligned(s.arena, 100, 1);
    memset(first, 1, 100);
    memset(last, 2, 100);
    size_t room = marena_remaining(s.arena);
    struct snapshot before = snapshot_of(s.arena);
    size_t failed = stats_of(s.arena).failed;

    test_assert_null(marena_realloc(s.arena, last, 100, 100 + room + 1));
    test_assert_size(oom_calls, ==, 1);
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EFULL);
    test_assert_size(stats_of(s.arena).failed, ==, failed + 1);
    assert_unchanged(s.arena, before);
    test_assert_null(marena_realloc(s.arena, first, 100, room + 1));
    test_assert_size(oom_calls, ==, 2);
    test_assert_size(stats_of(s.arena).failed, ==, failed + 2);
    assert_unchanged(s.arena, before);
    assert_filled(first, 100, 1);
    assert_filled(last, 100, 2);

    /* Just what is left: the last grows in place, anything else moves. */
    test_assert_addr(marena_realloc(s.arena, last, 100, 100 + room), ==, last);
    test_assert_size(marena_remaining(s.arena), ==, 0);
    test_assert_size(oom_calls, ==, 2);
    subject_close(&s);
}

/* What a resize gives back and what it grows into count for the peak. */
static void
test_peak(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *p = marena_alloc_aligned(s.arena, 100, 1);
    test_assert_addr(marena_realloc(s.arena, p, 100, 1000), ==, p);
    test_assert_addr(marena_realloc(s.arena, p, 1000, 10), ==, p);
    marena_stats_t stats = stats_of(s.arena);
    test_assert_size(stats.used, ==, 10);
    test_assert_size(stats.peak, ==, 1000);
    test_assert_addr(marena_realloc(s.arena, p, 10, 2000), ==, p);
    test_assert_size(marena_pop(s.arena, p, 2000), ==, 1);
    stats = stats_of(s.arena);
    test_assert_size(stats.used, ==, 0);
    test_assert_size(stats.peak, ==, 2000);
    subject_close(&s);
}

#if MARENA_HAVE_GROWTH
/* In a reservation, the last allocation grows in place past what is
 * committed: more is committed for it. When that commit fails, it would
 * move, for which the reservation has no room: NULL, nothing changed. */
static void
test_grow_in_reservation(const void *data)
{
    struct reserving_backend reserving;
    marena_options_t options = {0};

    (void)data;
    if (!pool_holds(5 * MARENA_COMMIT_STEP))
        return;
    reserving_init(&reserving, 0);
    options.backend = &reserving_backend;
    options.backend_ctx = &reserving;
    options.block_size = 4 * MARENA_COMMIT_STEP;
    options.flags = MARENA_RESERVE;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    size_t committed = reserving.committed;
    unsigned char *p = marena_alloc_aligned(arena, 100, 1);
    memset(p, 8, 100);
    size_t size = 2 * MARENA_COMMIT_STEP;
    test_assert_addr(marena_realloc(arena, p, 100, size), ==, p);
    test_assert_size(reserving.committed, >, committed);
    test_assert_size(marena_used(arena), ==, size);
    assert_filled(p, 100, 8);
    p[size - 1] = 9;

    committed = reserving.committed;
    reserving.fail_commit_at = reserving.commits + 1;
    test_assert_null(marena_realloc(arena, p, size, 3 * MARENA_COMMIT_STEP));
    test_assert_size(reserving.committed, ==, committed);
    test_assert_size(marena_used(arena), ==, size);
    test_assert_size(p[size - 1], ==, 9);
    /* The next commit succeeds: in place again. */
    test_assert_addr(marena_realloc(arena, p, size, 3 * MARENA_COMMIT_STEP), ==, p);
    test_assert_size(reserving.committed, >, committed);
    test_assert_size(marena_used(arena), ==, 3 * MARENA_COMMIT_STEP);
    test_assert_size(p[size - 1], ==, 9);
    marena_destroy(arena);
}
#endif

/* A pop of anything but the last allocation is bad input: 0, and the
 * reason is MARENA_EINVAL. */
static void
test_pop_not_last(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *first = marena_alloc_aligned(s.arena, 30, 1);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 50, 1));
    struct snapshot before = snapshot_of(s.arena);
    test_assert_size(marena_last_error(s.arena), ==, MARENA_OK);
    test_assert_size(marena_pop(s.arena, first, 30), ==, 0);
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EINVAL);
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

#if MARENA_HAVE_MMAP_BACKEND && MARENA_HAVE_GROWTH
/* An allocation that moves gives the new one its old bytes and reads
 * nothing past them: the last allocation of a full block, before a guard
 * page, moves to a new block without a fault. */
static void
test_move_reads_no_further(const void *data)
{
    marena_options_t options = {0};

    (void)data;
    options.backend = &marena_backend_mmap_guarded;
    options.block_size = 1000;
    options.flags = MARENA_GROW;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    /* A tracked arena keeps its red zone after the allocation. */
    size_t size = marena_remaining(arena) - (TEST_ASAN ? TEST_REDZONE : 0);
    unsigned char *p = marena_alloc_aligned(arena, size, 1);
    test_assert_nonnull(p);
    memset(p, 0x3c, size);
    unsigned char *q = marena_realloc(arena, p, size, 2 * size);
    test_assert_nonnull(q);
    test_assert_addr(q, !=, p);
    assert_filled(q, size, 0x3c);
    marena_destroy(arena);
}
#endif

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
        {"realloc/bad-and-same-sizes", test_bad_and_same_sizes},
        {"realloc/grow-fails-once", test_grow_fails_once},
        {"realloc/peak", test_peak},
        {"pop/not-last", test_pop_not_last},
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
#if MARENA_HAVE_MMAP_BACKEND && MARENA_HAVE_GROWTH
    test_add(test_move_reads_no_further, NULL,
             "/mmap-guarded/realloc/move-reads-no-further");
#endif
#if MARENA_HAVE_GROWTH
    test_add(test_grow_in_reservation, NULL, "/reserving/realloc/grow-in-reservation");
#endif
    return test_run();
}
