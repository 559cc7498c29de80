/* SPDX-License-Identifier: MIT */
/*
 * The mmap backend: page rounding becomes capacity, a large arena costs
 * nothing until touched (MAP_NORESERVE), and an impossible one fails cleanly.
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
    marena_t *arena = marena_create_with(&marena_backend_mmap, NULL,
                                         MARENA_MAX_CAPACITY);

    (void)data;
    if (sizeof(void *) >= 8)
        test_assert_null(arena);
    else if (arena != NULL)
        test_assert_size(marena_capacity(arena), >=, MARENA_MAX_CAPACITY);
    marena_destroy(arena);
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_page_rounding, NULL, "/mmap/create/page-rounding");
    test_add(test_large, NULL, "/mmap/create/large");
    test_add(test_impossible, NULL, "/mmap/create/impossible");
    return test_run();
}
