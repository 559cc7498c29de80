/* SPDX-License-Identifier: MIT */
/*
 * marena_stats(): every field against what the test did, on every backend;
 * with the counting backend, the backend figures against what the backend
 * itself saw.
 */
#include <string.h>

#include "harness.h"
#include "subjects.h"

static void
test_counts(const void *data)
{
    struct subject s;

    subject_open(&s, data, 4096);
    marena_stats_t stats = stats_of(s.arena);
    test_assert_size(stats.used, ==, 0);
    test_assert_size(stats.peak, ==, 0);
    test_assert_size(stats.allocations, ==, 0);
    test_assert_size(stats.failed, ==, 0);
    test_assert_size(stats.blocks, ==, 1);
    test_assert_size(stats.spare_blocks, ==, 0);
    test_assert_size(stats.capacity, ==, marena_capacity(s.arena));

    test_assert_nonnull(marena_alloc(s.arena, 10));
    test_assert_nonnull(marena_alloc_aligned(s.arena, 10, 64));
    test_assert_nonnull(marena_calloc(s.arena, 3, 4));
    test_assert_null(marena_alloc(s.arena, 0));
    test_assert_null(marena_alloc(s.arena, SIZE_MAX));
    test_assert_null(marena_calloc(s.arena, SIZE_MAX, 2));
    stats = stats_of(s.arena);
    test_assert_size(stats.allocations, ==, 3);
    test_assert_size(stats.failed, ==, 3);
    test_assert_size(stats.used, ==, marena_used(s.arena));
    /* A caller's buffer is not the backend's. */
    if (!s.kind->buffered)
        test_assert_size(stats.backend_bytes, >=, stats.capacity + MARENA_CONTROL_SIZE);
    subject_close(&s);
}

/* peak is the highest used since creation, through every way used falls. */
static void
test_peak(const void *data)
{
    struct subject s;

    subject_open(&s, data, 4096);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 1000, 1));
    marena_reset(s.arena);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 200, 1));
    test_assert_size(stats_of(s.arena).peak, ==, 1000);

    marena_mark_t mark = marena_mark(s.arena);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 1500, 1));
    marena_rewind(s.arena, mark);
    test_assert_size(stats_of(s.arena).peak, ==, 1700);

    unsigned char *p = marena_alloc_aligned(s.arena, 1600, 1);
    test_assert_nonnull(marena_realloc(s.arena, p, 1600, 10));
    test_assert_size(stats_of(s.arena).peak, ==, 1800);
    test_assert_size(marena_pop(s.arena, p, 10), ==, 1);
    test_assert_size(stats_of(s.arena).used, ==, 200);
    test_assert_size(stats_of(s.arena).peak, ==, 1800);
    subject_close(&s);
}

/* With the counting backend: bytes held and calls made, exactly. */
static void
test_backend_figures(const void *data)
{
    marena_options_t options = {0};
    struct subject s;

    if (!pool_holds(116 << 10))
        return;
    options.block_size = 512;
    options.flags = MARENA_GROW;
    subject_open_ex(&s, data, options);
    for (int i = 0; i < 100; i++) {
        test_assert_nonnull(marena_alloc(s.arena, 64 + (size_t)i));
        marena_stats_t stats = stats_of(s.arena);
        test_assert_size(stats.backend_bytes, ==, counting_bytes_out(&s.counter));
        test_assert_size(stats.backend_calls, ==, s.counter.calls + s.counter.releases);
    }
    test_assert_nonnull(marena_alloc(s.arena, 100000));
    marena_reset_ex(s.arena, MARENA_RETAIN_BYTES, 4096);
    marena_stats_t stats = stats_of(s.arena);
    test_assert_size(stats.backend_bytes, ==, counting_bytes_out(&s.counter));
    test_assert_size(stats.backend_calls, ==, s.counter.calls + s.counter.releases);
    /* The first block is the backend's too, unless it is a buffer. */
    test_assert_size(stats.blocks, ==, s.counter.out + (s.kind->buffered ? 1 : 0));
    subject_close(&s);
}

static void
test_null(const void *data)
{
    marena_stats_t stats;
    struct subject s;

    memset(&stats, 0xff, sizeof(stats));
    marena_stats(NULL, &stats);
    test_assert_size(stats.used, ==, 0);
    test_assert_size(stats.blocks, ==, 0);
    test_assert_size(stats.reserved[2], ==, 0);
    subject_open(&s, data, 64);
    marena_stats(s.arena, NULL);
    subject_close(&s);
}

int
main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"stats/counts", test_counts},
        {"stats/peak", test_peak},
        {"stats/null", test_null},
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
    for (size_t k = 0; arena_kinds[k] != NULL; k++)
        if (kind_backend(arena_kinds[k]) == &counting_backend || arena_kinds[k]->buffered)
            test_add(test_backend_figures, arena_kinds[k], "/%s/stats/backend",
                     arena_kinds[k]->name);
    return test_run();
}
