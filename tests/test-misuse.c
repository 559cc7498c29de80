/* SPDX-License-Identifier: MIT */
/*
 * Misuse (paths /misuse/<what>/<call>): what the documentation says a
 * debug build catches, case by case. A debug build (MARENA_DEBUG) must
 * abort with a message naming the function and the mistake, checked in a
 * child process; a release build must answer as documented (NULL, 0, or
 * nothing) and leave the arena as it was.
 *
 * - a destroyed arena, used or destroyed again: every exported function
 *   that takes an arena (the arena lives in a caller's buffer, so its
 *   control block is still there to be read; a release build answers NULL
 *   or 0, and destroying it twice gives nothing back twice);
 * - marena_realloc() and marena_pop() with a pointer that is not an
 *   allocation of the arena (another arena's, a variable, above the
 *   cursor, a range that wraps the address space to end at the cursor);
 * - marena_alloc_or_abort() with bad input, which is not out of memory.
 *
 * Stale marks are in test-marks.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#define CAPACITY 256u

/* Two buffers, for the arena under test and another one: small, so that
 * the suite fits the smallest board's RAM. */
static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_STATIC_OVERHEAD + CAPACITY];
static _Alignas(
    MARENA_ALIGNMENT) unsigned char other_buffer[MARENA_STATIC_OVERHEAD + CAPACITY];

/* A misuse: `run` commits it on `arena` (p: an allocation of 16 bytes at
 * its cursor, `other`: an allocation of another arena) and returns 1 when
 * a release build answered as documented. */
struct misuse {
    const char *path;
    const char *message; /* what a debug build says, as a glob */
    int destroyed;       /* run on a destroyed arena */
    int (*run)(marena_t *arena, unsigned char *p, unsigned char *other);
};

/* ---- a destroyed arena ---- */

static int
alloc_inline(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_alloc(arena, 8) == NULL;
}

static int
alloc_exported(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return (marena_alloc_aligned)(arena, 8, 8) == NULL;
}

static int
calloc_inline(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_calloc(arena, 2, 8) == NULL;
}

static int
reset(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    marena_reset(arena);
    return marena_used(arena) == 0;
}

static int
reset_ex(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    marena_reset_ex(arena, MARENA_RETAIN_ALL, 0);
    return marena_capacity(arena) == 0;
}

static int
destroy_again(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    marena_destroy(arena);
    return marena_alloc(arena, 1) == NULL;
}

static int
used(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_used(arena) == 0;
}

static int
remaining(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_remaining(arena) == 0;
}

static int
capacity(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_capacity(arena) == 0;
}

#if MARENA_HAVE_MARKS
static int
mark(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    marena_rewind(arena, marena_mark(arena));
    return marena_used(arena) == 0;
}

/* A mark test_misuse() took before the arena was destroyed. */
static marena_mark_t taken;

static int
rewind_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    marena_rewind(arena, taken);
    return marena_used(arena) == 0;
}
#endif

#if MARENA_HAVE_REALLOC
static int
realloc_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)other;
    return marena_realloc(arena, p, 16, 32) == NULL;
}

static int
pop_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)other;
    return marena_pop(arena, p, 16) == 0;
}
#endif

#if MARENA_HAVE_STRINGS
static int
strdup_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_strdup(arena, "x") == NULL;
}
#endif

#if MARENA_HAVE_STDIO
static int
sprintf_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_sprintf(arena, "%d", 1) == NULL;
}
#endif

#if MARENA_HAVE_CLEANUPS
static void
never(void *data)
{
    (void)data;
    test_assert_message(0, "a cleanup of a destroyed arena ran");
}

static int
add_cleanup_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_add_cleanup(arena, never, NULL) == -1;
}
#endif

#if MARENA_HAVE_INTROSPECTION
static int
owns_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)other;
    return marena_owns(arena, p) == 0;
}

/* A destroyed arena holds nothing: whatever it shows has no room. */
static int
visit_empty(void *ctx, const marena_block_info_t *block)
{
    (void)ctx;
    test_assert_size(block->filled, ==, 0);
    test_assert_size(block->size, ==, 0);
    return 0;
}

static int
walk_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_walk(arena, visit_empty, NULL) == 0;
}
#endif

#if MARENA_HAVE_STATS
static int
stats_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    marena_stats_t stats;

    (void)p, (void)other;
    marena_stats(arena, &stats);
    return stats.capacity == 0 && stats.used == 0;
}
#endif

#if MARENA_HAVE_ERRORS
static int
last_error_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_last_error(arena) == MARENA_OK;
}
#endif

#if MARENA_HAVE_GROWTH
static int
limit_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_limit(arena) == 0;
}

static int
set_limit_destroyed(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    marena_set_limit(arena, 1u << 20);
    return marena_alloc(arena, 8) == NULL;
}
#endif

/* ---- pointers that are not the arena's ---- */

#if MARENA_HAVE_REALLOC
static unsigned char not_an_allocation[64];

static int
realloc_variable(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_realloc(arena, not_an_allocation, 16, 32) == NULL;
}

static int
realloc_other_arena(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p;
    return marena_realloc(arena, other, 16, 8) == NULL;
}

static int
realloc_above_cursor(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)other;
    return marena_realloc(arena, p + 32, 16, 8) == NULL;
}

/* [p + 32, p + 32 + size) wraps the address space and ends at the cursor,
 * p + 16: it must not be taken for the last allocation. */
static int
realloc_wrapping(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)other;
    return marena_realloc(arena, p + 32, SIZE_MAX - 15, 8) == NULL;
}

/* p is the arena's, but p + size runs past what it handed out. */
static int
realloc_past_cursor(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)other;
    return marena_realloc(arena, p, 4096, 8) == NULL;
}

static int
pop_variable(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p, (void)other;
    return marena_pop(arena, not_an_allocation, 16) == 0;
}

static int
pop_other_arena(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)p;
    return marena_pop(arena, other, 16) == 0;
}

static int
pop_wrapping(marena_t *arena, unsigned char *p, unsigned char *other)
{
    (void)other;
    return marena_pop(arena, p + 32, SIZE_MAX - 15) == 0;
}
#endif

static const struct misuse misuses[] = {
    {"destroyed/alloc", "*marena_alloc: the arena was destroyed*", 1, alloc_inline},
    {"destroyed/alloc-exported", "*marena_alloc: the arena was destroyed*", 1,
     alloc_exported},
    {"destroyed/calloc", "*marena_alloc: the arena was destroyed*", 1, calloc_inline},
    {"destroyed/reset", "*marena_reset*: the arena was destroyed*", 1, reset},
    {"destroyed/reset-ex", "*marena_reset_ex: the arena was destroyed*", 1, reset_ex},
    {"destroyed/destroy", "*marena_destroy: the arena was destroyed*", 1, destroy_again},
    {"destroyed/used", "*marena_used: the arena was destroyed*", 1, used},
    {"destroyed/remaining", "*marena_remaining: the arena was destroyed*", 1, remaining},
    {"destroyed/capacity", "*marena_capacity: the arena was destroyed*", 1, capacity},
#if MARENA_HAVE_MARKS
    {"destroyed/mark", "*marena_mark: the arena was destroyed*", 1, mark},
    {"destroyed/rewind", "*marena_rewind: the arena was destroyed*", 1, rewind_destroyed},
#endif
#if MARENA_HAVE_REALLOC
    {"destroyed/realloc", "*marena_realloc: the arena was destroyed*", 1,
     realloc_destroyed},
    {"destroyed/pop", "*marena_pop: the arena was destroyed*", 1, pop_destroyed},
#endif
#if MARENA_HAVE_STRINGS
    {"destroyed/strdup", "*marena_alloc: the arena was destroyed*", 1, strdup_destroyed},
#endif
#if MARENA_HAVE_STDIO
    {"destroyed/sprintf", "*marena_vsprintf: the arena was destroyed*", 1,
     sprintf_destroyed},
#endif
#if MARENA_HAVE_CLEANUPS
    {"destroyed/add-cleanup", "*marena_add_cleanup: the arena was destroyed*", 1,
     add_cleanup_destroyed},
#endif
#if MARENA_HAVE_INTROSPECTION
    {"destroyed/owns", "*marena_owns: the arena was destroyed*", 1, owns_destroyed},
    {"destroyed/walk", "*marena_walk: the arena was destroyed*", 1, walk_destroyed},
#endif
#if MARENA_HAVE_STATS
    {"destroyed/stats", "*marena_stats: the arena was destroyed*", 1, stats_destroyed},
#endif
#if MARENA_HAVE_ERRORS
    {"destroyed/last-error", "*marena_last_error: the arena was destroyed*", 1,
     last_error_destroyed},
#endif
#if MARENA_HAVE_GROWTH
    {"destroyed/limit", "*marena_limit: the arena was destroyed*", 1, limit_destroyed},
    {"destroyed/set-limit", "*marena_set_limit: the arena was destroyed*", 1,
     set_limit_destroyed},
#endif
#if MARENA_HAVE_REALLOC
    {"foreign/realloc-variable", "*marena_realloc: the pointer and size are not*", 0,
     realloc_variable},
    {"foreign/realloc-other-arena", "*marena_realloc: the pointer and size are not*", 0,
     realloc_other_arena},
    {"foreign/realloc-above-cursor", "*marena_realloc: the pointer and size are not*", 0,
     realloc_above_cursor},
    {"foreign/realloc-wrapping", "*marena_realloc: the pointer and size are not*", 0,
     realloc_wrapping},
    {"foreign/realloc-past-cursor", "*marena_realloc: the pointer and size are not*", 0,
     realloc_past_cursor},
    {"foreign/pop-variable", "*marena_pop: the pointer is not from this arena*", 0,
     pop_variable},
    {"foreign/pop-other-arena", "*marena_pop: the pointer is not from this arena*", 0,
     pop_other_arena},
    {"foreign/pop-wrapping", "*marena_pop: the pointer is not from this arena*", 0,
     pop_wrapping},
#endif
};

static void
test_misuse(const void *data)
{
    const struct misuse *misuse = data;
    marena_options_t options = {0}, other_options = {0};
    marena_t *arena, *other;
    unsigned char *p, *q;

    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    other_options.buffer = other_buffer;
    other_options.buffer_size = sizeof(other_buffer);
    arena = marena_create_ex(&options);
    other = marena_create_ex(&other_options);
    test_assert_nonnull(arena);
    test_assert_nonnull(other);
    test_assert_nonnull(marena_alloc(arena, 16));
    p = marena_alloc_aligned(arena, 16, 1);
    q = marena_alloc(other, 16);
    test_assert_nonnull(p);
    test_assert_nonnull(q);
#if MARENA_HAVE_MARKS
    taken = marena_mark(arena);
#endif
    if (misuse->destroyed)
        marena_destroy(arena);
#if MARENA_DEBUG
    if (test_in_child()) {
        misuse->run(arena, p, q);
        return;
    }
    assert_misuse(misuse->message);
#else
    struct snapshot before = snapshot_of(arena);

    test_assert_message(misuse->run(arena, p, q), misuse->path);
    assert_unchanged(arena, before);
#if MARENA_HAVE_ERRORS
    /* A pointer that is not the arena's is bad input. */
    if (!misuse->destroyed)
        test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
#endif
#endif
    if (!misuse->destroyed)
        marena_destroy(arena);
    marena_destroy(other);
}

/* Bad input is not a shortage of memory: on_oom is not called and the
 * message says so (a debug and a release build alike). */
static void
on_oom_says(marena_t *arena, size_t size, size_t align, void *data)
{
    (void)arena, (void)size, (void)align, (void)data;
    test_assert_message(0, "on_oom ran");
}

static void
test_alloc_or_abort_bad_input(const void *data)
{
    marena_options_t options = {0};

    (void)data;
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    options.on_oom = on_oom_says;
    marena_t *arena = marena_create_ex(&options);

    test_assert_nonnull(arena);
    if (test_in_child()) {
        marena_alloc_or_abort(arena, 0);
        return;
    }
    /* No leading '*': nothing (on_oom's assertion) may come first. */
    assert_misuse("marena: marena_alloc_or_abort: invalid request*");
    marena_destroy(arena);
}

static void
say_oom(marena_t *arena, size_t size, size_t align, void *data)
{
    (void)arena, (void)size, (void)align, (void)data;
    fputs("on_oom ran\n", stderr);
}

/* A valid request that cannot be served: on_oom, then "out of memory". */
static void
test_alloc_or_abort_out_of_memory(const void *data)
{
    marena_options_t options = {0};

    (void)data;
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    options.on_oom = say_oom;
    marena_t *arena = marena_create_ex(&options);

    test_assert_nonnull(arena);
    test_assert_nonnull(marena_alloc_or_abort(arena, 8));
    if (test_in_child()) {
        marena_alloc_or_abort(arena, 2 * CAPACITY);
        return;
    }
    assert_misuse("on_oom ran*marena_alloc_or_abort: out of memory*");
    marena_destroy(arena);
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    for (size_t i = 0; i < sizeof(misuses) / sizeof(misuses[0]); i++)
        test_add(test_misuse, &misuses[i], "/misuse/%s", misuses[i].path);
    test_add(test_alloc_or_abort_bad_input, NULL, "/misuse/alloc-or-abort/bad-input");
    test_add(test_alloc_or_abort_out_of_memory, NULL,
             "/misuse/alloc-or-abort/out-of-memory");
    return test_run();
}
