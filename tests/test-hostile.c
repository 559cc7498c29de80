/* SPDX-License-Identifier: MIT */
/*
 * Every hostile value the API can be handed, one row each with the result
 * the documentation promises: NULL (or 0, or -1), and the arena exactly as
 * it was. Misuse that cannot be answered that way (a foreign or stale
 * mark) aborts in debug builds; test-marks.c covers it.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

struct row {
    const char *what; /* the call and its documented result */
    int ok;           /* did the call give that result? */
};

static void
check_rows(const struct row *rows, size_t count)
{
    for (size_t i = 0; i < count; i++)
        test_assert_message(rows[i].ok, rows[i].what);
}

#define ROWS(rows) check_rows((rows), sizeof(rows) / sizeof((rows)[0]))

static void
test_allocation(const void *data)
{
    const size_t huge_align = SIZE_MAX / 2 + 1;
    struct subject s;

    subject_open(&s, data, 4096);
    char *p = marena_alloc(s.arena, 8);
    test_assert_nonnull(p);
    struct snapshot before = snapshot_of(s.arena);
#if MARENA_HAVE_STATS
    size_t failed = stats_of(s.arena).failed;
#endif

    const struct row rows[] = {
        {"alloc(0) -> NULL", marena_alloc(s.arena, 0) == NULL},
        {"alloc(SIZE_MAX) -> NULL", marena_alloc(s.arena, SIZE_MAX) == NULL},
        {"alloc(SIZE_MAX - 3) -> NULL", marena_alloc(s.arena, SIZE_MAX - 3) == NULL},
        {"alloc(PTRDIFF_MAX + 1) -> NULL",
         marena_alloc(s.arena, (size_t)PTRDIFF_MAX + 1) == NULL},
        {"alloc_aligned(1, 0) -> NULL", marena_alloc_aligned(s.arena, 1, 0) == NULL},
        {"alloc_aligned(1, 3) -> NULL", marena_alloc_aligned(s.arena, 1, 3) == NULL},
        {"alloc_aligned(1, 48) -> NULL", marena_alloc_aligned(s.arena, 1, 48) == NULL},
        {"alloc_aligned(1, SIZE_MAX) -> NULL",
         marena_alloc_aligned(s.arena, 1, SIZE_MAX) == NULL},
        {"alloc_aligned(1, SIZE_MAX/2+1) -> NULL",
         marena_alloc_aligned(s.arena, 1, huge_align) == NULL},
        {"alloc_aligned(SIZE_MAX - 3, 16) -> NULL",
         marena_alloc_aligned(s.arena, SIZE_MAX - 3, 16) == NULL},
        {"alloc_aligned(SIZE_MAX, SIZE_MAX/2+1) -> NULL",
         marena_alloc_aligned(s.arena, SIZE_MAX, huge_align) == NULL},
        {"alloc_slow(0, 8) -> NULL", marena_alloc_slow(s.arena, 0, 8) == NULL},
        {"calloc(SIZE_MAX, 2) -> NULL", marena_calloc(s.arena, SIZE_MAX, 2) == NULL},
        {"calloc(2, SIZE_MAX) -> NULL", marena_calloc(s.arena, 2, SIZE_MAX) == NULL},
        {"calloc(SIZE_MAX/2+1, 2) (wraps to 0) -> NULL",
         marena_calloc(s.arena, huge_align, 2) == NULL},
        {"calloc(SIZE_MAX, SIZE_MAX) -> NULL",
         marena_calloc(s.arena, SIZE_MAX, SIZE_MAX) == NULL},
        {"calloc(0, 8) -> NULL", marena_calloc(s.arena, 0, 8) == NULL},
        {"calloc_aligned(1, 1, 0) -> NULL",
         marena_calloc_aligned(s.arena, 1, 1, 0) == NULL},
        {"MARENA_NEW_ARRAY(long, SIZE_MAX/4) -> NULL",
         MARENA_NEW_ARRAY(s.arena, long, SIZE_MAX / 4) == NULL},
#if MARENA_HAVE_REALLOC
        {"realloc(p, 8, SIZE_MAX) -> NULL",
         marena_realloc(s.arena, p, 8, SIZE_MAX) == NULL},
        {"realloc(p, 8, 0) -> NULL", marena_realloc(s.arena, p, 8, 0) == NULL},
        {"realloc(NULL, 0, 0) -> NULL", marena_realloc(s.arena, NULL, 0, 0) == NULL},
        {"pop(p, SIZE_MAX) -> 0", marena_pop(s.arena, p, SIZE_MAX) == 0},
        {"pop(NULL, 8) -> 0", marena_pop(s.arena, NULL, 8) == 0},
        {"pop(p + 1, 8) -> 0", marena_pop(s.arena, p + 1, 8) == 0},
#endif
#if MARENA_HAVE_STRINGS
        {"memdup(NULL, 4) -> NULL", marena_memdup(s.arena, NULL, 4) == NULL},
        {"memdup(p, 0) -> NULL", marena_memdup(s.arena, p, 0) == NULL},
        {"strdup(NULL) -> NULL", marena_strdup(s.arena, NULL) == NULL},
        {"strndup(NULL, 3) -> NULL", marena_strndup(s.arena, NULL, 3) == NULL},
#endif
#if MARENA_HAVE_STDIO
        {"sprintf(NULL format) -> NULL", marena_sprintf(s.arena, NULL) == NULL},
#endif
#if MARENA_HAVE_CLEANUPS
        {"add_cleanup(NULL fn) -> -1", marena_add_cleanup(s.arena, NULL, NULL) == -1},
#endif
    };
    ROWS(rows);
    assert_unchanged(s.arena, before);
#if MARENA_HAVE_STATS
    test_assert_size(stats_of(s.arena).failed, >, failed);
#endif
    subject_close(&s);
}

static void
test_null_arena(const void *data)
{
    long object;

    (void)data;
    (void)object;
    const struct row rows[] = {
        {"alloc(NULL, 8) -> NULL", marena_alloc(NULL, 8) == NULL},
        {"alloc_aligned(NULL, 8, 8) -> NULL", marena_alloc_aligned(NULL, 8, 8) == NULL},
        {"alloc_slow(NULL, 8, 8) -> NULL", marena_alloc_slow(NULL, 8, 8) == NULL},
        {"calloc(NULL, 1, 8) -> NULL", marena_calloc(NULL, 1, 8) == NULL},
        {"MARENA_NEW(NULL, int) -> NULL", MARENA_NEW((marena_t *)NULL, int) == NULL},
#if MARENA_HAVE_REALLOC
        {"realloc(NULL arena, p, 1, 2) -> NULL",
         marena_realloc(NULL, &object, 1, 2) == NULL},
        {"pop(NULL arena) -> 0", marena_pop(NULL, &object, 1) == 0},
#endif
#if MARENA_HAVE_STRINGS
        {"strdup(NULL arena) -> NULL", marena_strdup(NULL, "x") == NULL},
        {"memdup(NULL arena) -> NULL", marena_memdup(NULL, "x", 1) == NULL},
#endif
#if MARENA_HAVE_CLEANUPS
        {"add_cleanup(NULL arena) -> -1", marena_add_cleanup(NULL, NULL, NULL) == -1},
#endif
        {"used(NULL) -> 0", marena_used(NULL) == 0},
        {"remaining(NULL) -> 0", marena_remaining(NULL) == 0},
        {"capacity(NULL) -> 0", marena_capacity(NULL) == 0},
#if MARENA_HAVE_MARKS
        {"scope_begin(NULL).arena -> NULL", marena_scope_begin(NULL).arena == NULL},
#endif
    };
    ROWS(rows);
    marena_reset(NULL);
    marena_reset_ex(NULL, MARENA_RETAIN_ALL, 0);
    marena_destroy(NULL);
#if MARENA_HAVE_STATS
    marena_stats_t stats;
    marena_stats(NULL, &stats);
    test_assert_size(stats.used, ==, 0);
#endif
}

static void
test_creation(const void *data)
{
    static unsigned char buffer[4096];
    marena_options_t reserved = {0}, flags = {0}, both = {0}, size = {0}, limit = {0},
                     tiny = {0}, grow = {0}, reserve = {0}, vtable = {0}, wipe = {0};
    static const marena_backend_t unused_backend = {.name = "unused"};

    (void)data;
    reserved.reserved[3] = buffer;
    flags.flags = 0x8000u;
    both.flags = MARENA_RESERVE | MARENA_GROW;
    size.block_size = SIZE_MAX;
    limit.block_size = 4096;
    limit.limit = 1;
    tiny.buffer = buffer;
    tiny.buffer_size = MARENA_CONTROL_SIZE;
    grow.buffer = buffer;
    grow.buffer_size = sizeof(buffer);
    grow.flags = MARENA_GROW;
    reserve.flags = MARENA_RESERVE;
    vtable.backend = &unused_backend;
    wipe.buffer = buffer;
    wipe.buffer_size = sizeof(buffer);
    wipe.flags = MARENA_WIPE;
    (void)wipe;
    (void)grow;
    (void)reserve;
    (void)vtable;
    const struct row rows[] = {
#if MARENA_HAVE_STATIC_BACKEND
        {"create_static(NULL, 4096) -> NULL", marena_create_static(NULL, 4096) == NULL},
        {"create_static(buffer, 0) -> NULL", marena_create_static(buffer, 0) == NULL},
        {"create_static(buffer, SIZE_MAX) (wraps) -> NULL",
         marena_create_static(buffer, SIZE_MAX) == NULL},
        {"create_static(UINTPTR_MAX - 15, 16) (wraps) -> NULL",
         marena_create_static((void *)(UINTPTR_MAX - 15), 16) == NULL},
        {"create_static(buffer, control block size) -> NULL",
         marena_create_static(buffer, MARENA_CONTROL_SIZE) == NULL},
#endif
#if MARENA_HAVE_BACKENDS
        {"create_with(NULL backend) -> NULL", marena_create_with(NULL, NULL, 64) == NULL},
        {"create_with(counting, 0) -> NULL",
         marena_create_with(&counting_backend, NULL, 0) == NULL},
        {"create_with(counting, SIZE_MAX) -> NULL",
         marena_create_with(&counting_backend, NULL, SIZE_MAX) == NULL},
        {"create_with(counting, MARENA_MAX_CAPACITY + 1) -> NULL",
         marena_create_with(&counting_backend, NULL, MARENA_MAX_CAPACITY + 1) == NULL},
#endif
        {"create_ex(reserved field set) -> NULL", marena_create_ex(&reserved) == NULL},
        {"create_ex(unknown flag) -> NULL", marena_create_ex(&flags) == NULL},
        {"create_ex(RESERVE | GROW) -> NULL", marena_create_ex(&both) == NULL},
        {"create_ex(block_size SIZE_MAX) -> NULL", marena_create_ex(&size) == NULL},
        {"create_ex(limit below the first block) -> NULL",
         marena_create_ex(&limit) == NULL},
        {"create_ex(buffer without room) -> NULL", marena_create_ex(&tiny) == NULL},
#if !MARENA_HAVE_GROWTH
        /* Without the growth option every arena is one block: the flags
         * that ask for more are refused, even with a buffer. */
        {"create_ex(GROW) without growth -> NULL", marena_create_ex(&grow) == NULL},
        {"create_ex(RESERVE) without growth -> NULL", marena_create_ex(&reserve) == NULL},
#endif
#if !MARENA_HAVE_BACKENDS
        /* Without backends only buffers make arenas. */
        {"create_ex(backend, no buffer) without backends -> NULL",
         marena_create_ex(&vtable) == NULL},
#endif
#if !MARENA_HAVE_DEFAULT_BACKEND
        {"create_ex(NULL) without a default backend -> NULL",
         marena_create_ex(NULL) == NULL},
#endif
#if !MARENA_HAVE_WIPE
        {"create_ex(WIPE) without the wipe option -> NULL",
         marena_create_ex(&wipe) == NULL},
#endif
    };
    ROWS(rows);
}

int
main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"hostile/allocation", test_allocation},
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
    test_add(test_null_arena, NULL, "/hostile/null-arena");
    test_add(test_creation, NULL, "/hostile/creation");
    return test_run();
}
