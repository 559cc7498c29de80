/* SPDX-License-Identifier: MIT */
/*
 * The mmap backend: page rounding becomes capacity, a large arena costs
 * nothing until touched (MAP_NORESERVE), an impossible one fails cleanly,
 * and reserve/commit arenas (MARENA_RESERVE) grow in place, contiguously,
 * committing as they go and decommitting on request.
 */
#include <stdint.h>
#include <unistd.h>

#include "harness.h"
#include "subjects.h"

static void
test_page_rounding(const void *data)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    marena_t *arena = marena_create_with(&marena_backend_mmap, NULL, 100);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_size((uintptr_t)arena % page, ==, 0);
    test_assert_size((marena_capacity(arena) + MARENA_CONTROL_SIZE) % page, ==, 0);
    test_assert_size(marena_capacity(arena), ==, page - MARENA_CONTROL_SIZE);
    /* All of the rounding is usable. */
    test_assert_nonnull(marena_alloc_aligned(arena, marena_capacity(arena), 1));
    marena_destroy(arena);
}

static void
test_large(const void *data)
{
    const size_t gib = (size_t)1 << 30;
    marena_t *arena = marena_create_with(&marena_backend_mmap, NULL, gib);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_size(marena_capacity(arena), >=, gib);
    unsigned char *first = marena_alloc(arena, 16);
    unsigned char *last = marena_alloc_aligned(arena, 16, (size_t)1 << 29);
    test_assert_nonnull(first);
    test_assert_nonnull(last);
    first[0] = 1;
    last[15] = 2;
    test_assert_size(first[0] + last[15], ==, 3);
    marena_destroy(arena);
}

/* The largest capacity the core lets through: mmap cannot map it on a 64-bit
 * target and create fails cleanly; a 32-bit target might, and must then give
 * all of it. */
static void
test_impossible(const void *data)
{
    marena_t *arena = marena_create_with(&marena_backend_mmap, NULL, MARENA_MAX_CAPACITY);

    (void)data;
    if (sizeof(void *) >= 8)
        test_assert_null(arena);
    else if (arena != NULL)
        test_assert_size(marena_capacity(arena), >=, MARENA_MAX_CAPACITY);
    marena_destroy(arena);
}

static marena_options_t
reserving(size_t size, size_t limit)
{
    marena_options_t options = {0};

    options.backend = &marena_backend_mmap;
    options.block_size = size;
    options.limit = limit;
    options.flags = MARENA_RESERVE;
    return options;
}

/* 64 GiB of address space on 64-bit targets (256 MiB elsewhere, and 1 GiB
 * under Valgrind, which cannot map more): the arena never chains or moves;
 * memory is committed step by step. */
static void
test_reserve_contiguous(const void *data)
{
    const size_t reserve = sizeof(void *) < 8 ? (size_t)256 << 20
                           : under_valgrind() ? (size_t)1 << 30
                                              : (size_t)64 << 30;
    const size_t piece = 256 * 1024;
    marena_options_t options = reserving(reserve, 0);
    marena_t *arena = marena_create_ex(&options);
    unsigned char *first, *previous;

    (void)data;
    test_assert_nonnull(arena);
    test_assert_size(stats_of(arena).backend_bytes, ==, MARENA_COMMIT_STEP);
    first = previous = marena_alloc_aligned(arena, piece, 1);
    test_assert_nonnull(first);
    for (int i = 1; i < 64; i++) {
        unsigned char *p = marena_alloc_aligned(arena, piece, 1);

        test_assert_addr(p, ==, previous + piece);
        p[0] = p[piece - 1] = (unsigned char)i;
        previous = p;
    }
    marena_stats_t stats = stats_of(arena);
    test_assert_size(stats.blocks, ==, 1);
    test_assert_size(stats.used, ==, 64 * piece);
    test_assert_size(stats.backend_bytes % MARENA_COMMIT_STEP, ==, 0);
    test_assert_size(stats.backend_bytes, >=, 64 * piece + MARENA_CONTROL_SIZE);
    test_assert_size(stats.backend_bytes, <,
                     64 * piece + MARENA_CONTROL_SIZE + MARENA_COMMIT_STEP);
    test_assert_size(stats.capacity + MARENA_CONTROL_SIZE, ==, stats.backend_bytes);
    marena_destroy(arena);
}

/* Reset keeps what is committed; a byte budget decommits the rest. */
static void
test_reserve_decommit(const void *data)
{
    marena_options_t options = reserving((size_t)64 << 20, 0);
    marena_t *arena = marena_create_ex(&options);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_nonnull(marena_alloc(arena, (size_t)8 << 20));
    size_t committed = stats_of(arena).backend_bytes;
    marena_reset(arena);
    test_assert_size(stats_of(arena).backend_bytes, ==, committed);

    marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
    test_assert_size(stats_of(arena).backend_bytes, ==, MARENA_COMMIT_STEP);
    marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
    test_assert_size(stats_of(arena).backend_bytes, ==, MARENA_COMMIT_STEP);
    /* Committed again on demand, and usable. */
    unsigned char *p = marena_alloc(arena, (size_t)2 << 20);
    test_assert_nonnull(p);
    p[0] = p[((size_t)2 << 20) - 1] = 1;
    marena_reset_ex(arena, MARENA_RETAIN_BYTES, 3 * MARENA_COMMIT_STEP);
    test_assert_size(stats_of(arena).backend_bytes, ==, 3 * MARENA_COMMIT_STEP);
    marena_destroy(arena);
}

static void
test_reserve_limit(const void *data)
{
    const size_t limit = (size_t)1 << 20;
    marena_options_t options = reserving((size_t)64 << 20, limit);
    marena_t *arena = marena_create_ex(&options);

    (void)data;
    test_assert_nonnull(arena);
    while (marena_alloc_aligned(arena, 1000, 1) != NULL)
        continue;
    marena_stats_t stats = stats_of(arena);
    test_assert_size(stats.backend_bytes, <=, limit);
    test_assert_size(stats.used, >, limit - MARENA_COMMIT_STEP - MARENA_CONTROL_SIZE);
    test_assert_size(stats.capacity, <=, limit);
    marena_destroy(arena);
}

/* The most recent allocation grows in place past committed memory. */
static void
test_reserve_realloc(const void *data)
{
    marena_options_t options = reserving((size_t)16 << 20, 0);
    marena_t *arena = marena_create_ex(&options);

    (void)data;
    test_assert_nonnull(arena);
    unsigned char *p = marena_alloc_aligned(arena, 1000, 1);
    p[999] = 9;
    test_assert_addr(marena_realloc(arena, p, 1000, (size_t)1 << 20), ==, p);
    p[((size_t)1 << 20) - 1] = 9;
    test_assert_size(p[999], ==, 9);
    marena_mark_t mark = marena_mark(arena);
    test_assert_nonnull(marena_alloc(arena, (size_t)4 << 20));
    marena_rewind(arena, mark);
    test_assert_size(marena_used(arena), ==, (size_t)1 << 20);
    /* Beyond the reservation: NULL, unchanged. */
    test_assert_null(marena_alloc(arena, (size_t)16 << 20));
    test_assert_null(marena_realloc(arena, p, (size_t)1 << 20, (size_t)17 << 20));
    test_assert_size(marena_used(arena), ==, (size_t)1 << 20);
    marena_destroy(arena);
}

/* Reserve needs a backend that can, and excludes growth and buffers. */
static void
test_reserve_invalid(const void *data)
{
    static const marena_backend_t no_reserve = {.name = "no-reserve"};
    static unsigned char buffer[4096];
    marena_options_t options = reserving((size_t)1 << 20, 0);

    (void)data;
    options.flags = MARENA_RESERVE | MARENA_GROW;
    test_assert_null(marena_create_ex(&options));
    options.flags = MARENA_RESERVE;
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    test_assert_null(marena_create_ex(&options));
    options.buffer = NULL;
    options.buffer_size = 0;
    options.backend = &no_reserve;
    test_assert_null(marena_create_ex(&options));
#if MARENA_HAVE_HEAP_BACKEND
    options.backend = &marena_backend_heap;
    test_assert_null(marena_create_ex(&options));
#endif
    /* Too small a limit for the first commit step. */
    options = reserving((size_t)1 << 20, MARENA_COMMIT_STEP - 1);
    test_assert_null(marena_create_ex(&options));
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_page_rounding, NULL, "/mmap/create/page-rounding");
    test_add(test_large, NULL, "/mmap/create/large");
    test_add(test_impossible, NULL, "/mmap/create/impossible");
    test_add(test_reserve_contiguous, NULL, "/mmap/reserve/contiguous");
    test_add(test_reserve_decommit, NULL, "/mmap/reserve/decommit");
    test_add(test_reserve_limit, NULL, "/mmap/reserve/limit");
    test_add(test_reserve_realloc, NULL, "/mmap/reserve/realloc-and-rewind");
    test_add(test_reserve_invalid, NULL, "/mmap/reserve/invalid");
    return test_run();
}
