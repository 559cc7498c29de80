/* SPDX-License-Identifier: MIT */
/*
 * The static backend: arenas inside caller buffers of any alignment, the
 * buffers it must refuse, and what destroy leaves behind.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

/* Bytes from p up to the next MARENA_ALIGNMENT boundary. */
static size_t
padding_of(const unsigned char *p)
{
    return (size_t)(0u - (uintptr_t)p) & (MARENA_ALIGNMENT - 1);
}

static void
test_invalid_buffers(const void *data)
{
    size_t size;
    unsigned char *pool = static_pool(&size);

    (void)data;
    test_assert_null(marena_create_static(NULL, 4096));
    test_assert_null(marena_create_static(pool, 0));
    test_assert_null(marena_create_static(pool, 1));
    /* Buffers whose end would wrap the address space; never touched. */
    test_assert_null(marena_create_static((void *)(UINTPTR_MAX - 100), 1000));
    test_assert_null(marena_create_static((void *)(UINTPTR_MAX - 4095), 4096));
    test_assert_null(marena_create_static(pool, SIZE_MAX));
}

/* For every misalignment of the buffer: control block plus padding is too
 * small, and so is anything short of one more aligned unit (capacity ends
 * at an aligned address); that unit gives an arena of capacity
 * MARENA_ALIGNMENT; and MARENA_STATIC_OVERHEAD + n always gives at least n. */
static void
test_minimum_size(const void *data)
{
    size_t size;
    unsigned char *pool = static_pool(&size);

    (void)data;
    for (size_t offset = 0; offset < MARENA_ALIGNMENT; offset++) {
        unsigned char *buffer = pool + offset;
        size_t minimum = padding_of(buffer) + MARENA_CONTROL_SIZE;
        marena_t *arena;

        test_assert_null(marena_create_static(buffer, minimum));
        test_assert_null(marena_create_static(buffer, minimum + 1));
        test_assert_null(marena_create_static(buffer, minimum + MARENA_ALIGNMENT - 1));
        arena = marena_create_static(buffer, minimum + MARENA_ALIGNMENT);
        test_assert_nonnull(arena);
        test_assert_size(marena_capacity(arena), ==, MARENA_ALIGNMENT);
        test_assert_nonnull(marena_alloc_aligned(arena, MARENA_ALIGNMENT, 1));
        test_assert_null(marena_alloc_aligned(arena, 1, 1));
        marena_destroy(arena);

        for (size_t n = 1; n <= 100; n += 33) {
            arena = marena_create_static(buffer, MARENA_STATIC_OVERHEAD + n);
            test_assert_nonnull(arena);
            test_assert_size(marena_capacity(arena), >=, n);
            marena_destroy(arena);
        }
    }
}

/* The control block and every allocation lie inside the buffer, and the
 * capacity runs from the control block to the buffer's last aligned byte. */
static void
test_inside_buffer(const void *data)
{
    size_t size;
    unsigned char *buffer = static_pool(&size) + 5;
    const size_t length = 1000;
    marena_t *arena = marena_create_static(buffer, length);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_addr(arena, >=, buffer);
    test_assert_addr((unsigned char *)arena + MARENA_CONTROL_SIZE, <=, buffer + length);
    uintptr_t aligned_end =
        (uintptr_t)(buffer + length) & ~(uintptr_t)(MARENA_ALIGNMENT - 1);
    test_assert_size(marena_capacity(arena), ==,
                     aligned_end - (uintptr_t)(buffer + padding_of(buffer)) -
                         MARENA_CONTROL_SIZE);
    unsigned char *all = marena_alloc_aligned(arena, marena_capacity(arena), 1);
    test_assert_nonnull(all);
    test_assert_addr(all, ==, (unsigned char *)arena + MARENA_CONTROL_SIZE);
    test_assert_addr(all + marena_capacity(arena), ==, aligned_end);
    marena_destroy(arena);
}

/* Two arenas in the two halves of one buffer: filling one to the last byte
 * leaves the other's data and accounting alone. */
static void
test_adjacent_halves(const void *data)
{
    size_t size;
    unsigned char *buffer = static_pool(&size);
    const size_t half = 777;
    marena_t *low = marena_create_static(buffer, half);
    marena_t *high = marena_create_static(buffer + half, half);

    (void)data;
    test_assert_nonnull(low);
    test_assert_nonnull(high);
    unsigned char *kept = marena_alloc(high, 64);
    test_assert_nonnull(kept);
    memset(kept, 0x3c, 64);
    size_t high_used = marena_used(high);

    size_t low_remaining = marena_remaining(low);
    unsigned char *all = marena_alloc_aligned(low, low_remaining, 1);
    test_assert_nonnull(all);
    test_assert_addr(all + low_remaining, <=, buffer + half);
    memset(all, 0xff, low_remaining);
    test_assert_null(marena_alloc_aligned(low, 1, 1));
    marena_reset(low);

    test_assert_size(marena_used(high), ==, high_used);
    for (size_t i = 0; i < 64; i++)
        test_assert_size(kept[i], ==, 0x3c);
    test_assert_nonnull(marena_alloc_aligned(high, marena_remaining(high), 1));
    marena_destroy(low);
    marena_destroy(high);
}

/* Destroy hands the buffer back: data stays (only the control block is
 * wiped), a stale handle gets NULL and 0 (a debug build aborts), destroying
 * it again does nothing, and the buffer can be used for a new arena at
 * once. */
static void
test_destroy(const void *data)
{
    size_t size;
    unsigned char *buffer = static_pool(&size);
    marena_t *arena = marena_create_static(buffer, 512);

    (void)data;
    test_assert_nonnull(arena);
    unsigned char *p = marena_alloc(arena, 32);
    test_assert_nonnull(p);
    memset(p, 0x77, 32);
    marena_destroy(arena);

#if MARENA_DEBUG
    /* Debug builds catch the stale handle (test-misuse.c has every call). */
    if (test_in_child()) {
        marena_alloc(arena, 1);
        return;
    }
    assert_misuse("*marena_alloc: the arena was destroyed*");
#else
    test_assert_null(marena_alloc(arena, 1));
    test_assert_null(marena_alloc_aligned(arena, 1, 1));
    test_assert_size(marena_capacity(arena), ==, 0);
    test_assert_size(marena_remaining(arena), ==, 0);
    test_assert_size(marena_used(arena), ==, 0);
    marena_destroy(arena); /* twice: nothing to give back */
    test_assert_null(marena_alloc(arena, 1));
#endif
    for (size_t i = 0; i < 32; i++)
        test_assert_size(p[i], ==, 0x77);

    arena = marena_create_static(buffer, 512);
    test_assert_nonnull(arena);
    test_assert_addr(marena_alloc(arena, 32), ==, p);
    marena_destroy(arena);
}

/* Buffers at the very top of the address space, too small to hold the
 * control block: refused without being touched (they are not memory; a
 * size check that wrapped around would write the control block there and
 * crash). */
static void
test_top_of_address_space(const void *data)
{
    static const size_t below_top[] = {MARENA_ALIGNMENT, MARENA_ALIGNMENT + 3,
                                       MARENA_CONTROL_SIZE / 2, MARENA_CONTROL_SIZE - 1};

    (void)data;
    for (size_t i = 0; i < sizeof(below_top) / sizeof(below_top[0]); i++) {
        void *start = (void *)(UINTPTR_MAX - below_top[i]);

        for (size_t size = 0; size <= below_top[i]; size++)
            test_assert_null(marena_create_static(start, size));
        test_assert_null(marena_create_static(start, below_top[i] + 2)); /* wraps */
    }
}

#if MARENA_HAVE_ERRORS
/* A static arena is fixed: it never grows. A request no block could hold
 * (its size plus alignment padding overflows) fails as MARENA_EFULL, the
 * reason of a fixed arena, not as MARENA_ENOMEM, that of a growing one;
 * so does a request the arena has no room left for. */
static void
test_fixed(const void *data)
{
    size_t size;
    marena_t *arena = marena_create_static(static_pool(&size), 1024);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_null(marena_alloc_aligned(arena, SIZE_MAX, 4 * MARENA_ALIGNMENT));
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
    test_assert_null(marena_alloc_aligned(arena, SIZE_MAX - 3, 1));
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
    test_assert_nonnull(marena_alloc_aligned(arena, marena_remaining(arena), 1));
    test_assert_null(marena_alloc_aligned(arena, 1, 2 * MARENA_ALIGNMENT));
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
    test_assert_size(marena_used(arena), ==, marena_capacity(arena));
    marena_destroy(arena);
}
#endif

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_invalid_buffers, NULL, "/static/create/invalid");
    test_add(test_minimum_size, NULL, "/static/create/minimum-size");
    test_add(test_inside_buffer, NULL, "/static/create/inside-buffer");
    test_add(test_adjacent_halves, NULL, "/static/create/adjacent-halves");
    test_add(test_destroy, NULL, "/static/destroy/stale-handle");
    test_add(test_top_of_address_space, NULL, "/static/create/top-of-address-space");
#if MARENA_HAVE_ERRORS
    test_add(test_fixed, NULL, "/static/alloc/fixed");
#endif
    return test_run();
}
