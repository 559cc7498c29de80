/* SPDX-License-Identifier: MIT */
/*
 * The inline fast path (paths /inline/<case>): every valid request that
 * fits the current block is served by the code marena.h inlines into the
 * caller, without a call into the library; everything else goes to
 * marena_alloc_slow(). Likewise a reset of an arena that is one plain
 * block is inline, and anything else calls marena_reset(). Results alone
 * cannot tell the two apart (the library gives the same answers), so this
 * program interposes marena_alloc_slow() and marena_reset(): the inline
 * code calls them through the PLT of the shared library, these
 * definitions take those calls, count them and forward them to the
 * library's (dlsym(RTLD_NEXT)). Built only against a shared library.
 * Arenas that ASan or memcheck track trap the fast path on purpose
 * (README, "Hardening"): the tests skip there.
 */
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#define CAPACITY 4096u

typedef void *(*slow_fn)(marena_t *, size_t, size_t);
typedef void (*reset_fn)(marena_t *);

static size_t slow_calls, reset_calls;

/* The library's definition of `name`, into *function. */
static void
library(const char *name, void *function, size_t size)
{
    void *symbol = dlsym(RTLD_NEXT, name);

    test_assert_nonnull(symbol);
    memcpy(function, &symbol, size);
}

void *
marena_alloc_slow(marena_t *arena, size_t size, size_t align)
{
    static slow_fn slow;

    if (slow == NULL)
        library("marena_alloc_slow", &slow, sizeof(slow));
    slow_calls++;
    return slow(arena, size, align);
}

void(marena_reset)(marena_t *arena)
{
    static reset_fn reset;

    if (reset == NULL)
        library("marena_reset", &reset, sizeof(reset));
    reset_calls++;
    reset(arena);
}

static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_STATIC_OVERHEAD + CAPACITY];

/* A fresh fixed arena in `buffer`; NULL (the test skipped) when the tools
 * track it. */
static marena_t *
open_untracked(void)
{
    marena_options_t options = {0};
    marena_t *arena;

    if (TEST_ASAN || under_valgrind()) {
        test_skip("tracked arenas take the slow path on purpose");
        return NULL;
    }
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    slow_calls = 0;
    reset_calls = 0;
    return arena;
}

/* An alignment the compiler cannot see. */
static size_t
runtime(size_t align)
{
    volatile size_t hidden = align;

    return hidden;
}

/* Constant alignments: marena_alloc(), MARENA_NEW, calloc, alignments up
 * to MARENA_ALIGNMENT, up to the last byte of the block. */
static void
test_constant(const void *data)
{
    marena_t *arena = open_untracked();

    (void)data;
    if (arena == NULL)
        return;
    test_assert_nonnull(marena_alloc(arena, 1));
    test_assert_nonnull(marena_alloc(arena, 100));
    test_assert_nonnull(MARENA_NEW(arena, double));
    test_assert_nonnull(MARENA_NEW_ARRAY(arena, int, 7));
    test_assert_nonnull(marena_calloc(arena, 3, 5));
    test_assert_nonnull(marena_alloc_aligned(arena, 3, 1));
    test_assert_nonnull(marena_alloc_aligned(arena, 3, 2));
    test_assert_nonnull(marena_alloc_aligned(arena, 3, 4));
    test_assert_nonnull(marena_alloc_aligned(arena, 3, 8));
    test_assert_nonnull(marena_alloc_aligned(arena, 3, MARENA_ALIGNMENT));
    /* The cursor stands 3 bytes past an aligned address and the end is
     * aligned: what remains, less the padding, fits exactly. */
    size_t rest = marena_remaining(arena) & ~(size_t)(MARENA_ALIGNMENT - 1);
    test_assert_nonnull(marena_alloc(arena, rest));
    test_assert_size(marena_remaining(arena), ==, 0);
    test_assert_size(slow_calls, ==, 0);
    marena_destroy(arena);
}

/* Runtime alignments, small and large, up to the last byte. */
static void
test_runtime(const void *data)
{
    marena_t *arena = open_untracked();

    (void)data;
    if (arena == NULL)
        return;
    for (size_t align = 1; align <= 512; align *= 2) {
        unsigned char *p = marena_alloc_aligned(arena, 5, runtime(align));

        test_assert_nonnull(p);
        test_assert_size((uintptr_t)p % align, ==, 0);
    }
    test_assert_nonnull(marena_calloc_aligned(arena, 2, 3, runtime(64)));
    test_assert_nonnull(marena_alloc_aligned(arena, marena_remaining(arena), runtime(1)));
    test_assert_size(slow_calls, ==, 0);
    marena_destroy(arena);
}

/* What the inline path must leave to the library: bad input, a request
 * that does not fit (by one byte), a NULL arena. */
static void
test_leaves_to_library(const void *data)
{
    marena_t *arena = open_untracked();

    (void)data;
    if (arena == NULL)
        return;
    size_t rest = marena_remaining(arena);
    test_assert_null(marena_alloc(arena, 0));
    test_assert_size(slow_calls, ==, 1);
    test_assert_null(marena_alloc_aligned(arena, 8, runtime(3)));
    test_assert_size(slow_calls, ==, 2);
    test_assert_null(marena_alloc(arena, rest + 1));
    test_assert_size(slow_calls, ==, 3);
    test_assert_null(marena_alloc_aligned(arena, rest + 1, runtime(1)));
    test_assert_size(slow_calls, ==, 4);
    test_assert_null(marena_alloc((marena_t *)NULL, 8));
    test_assert_size(slow_calls, ==, 5);
    test_assert_nonnull(marena_alloc_aligned(arena, rest, 1));
    test_assert_size(slow_calls, ==, 5);
    marena_destroy(arena);
}

/* The exported functions, called through pointers as a language binding
 * or an allocator hook calls them: they bump first too (unless the
 * library was built for size), and leave the rest to the library. */
static void
test_exported(const void *data)
{
    void *(*volatile alloc_aligned)(marena_t *, size_t, size_t) = marena_alloc_aligned;
    void *(*volatile alloc)(marena_t *, size_t) = marena_alloc;
    marena_t *arena = open_untracked();
    size_t expected_slow = TEST_EXPORTS_BUMP ? 0 : 3;

    (void)data;
    if (arena == NULL)
        return;
    unsigned char *p = alloc_aligned(arena, 5, 64);
    test_assert_nonnull(p);
    test_assert_size((uintptr_t)p % 64, ==, 0);
    unsigned char *q = alloc(arena, 1);
    test_assert_addr(
        q, ==, p + 5 + (MARENA_ALIGNMENT - 5 % MARENA_ALIGNMENT) % MARENA_ALIGNMENT);
    size_t rest = marena_remaining(arena);
    test_assert_nonnull(alloc_aligned(arena, rest, 1));
    test_assert_size(slow_calls, ==, expected_slow);
    test_assert_size(marena_remaining(arena), ==, 0);
    test_assert_null(alloc_aligned(arena, 1, 1));
    test_assert_null(alloc(arena, 0));
    test_assert_null(alloc_aligned(arena, 8, 3));
    test_assert_size(slow_calls, ==, expected_slow + 3);
#if MARENA_HAVE_STATS
    marena_stats_t stats;
    marena_stats(arena, &stats);
    test_assert_size(stats.allocations, ==, 3);
    test_assert_size(stats.failed, ==, 3);
#endif
    marena_destroy(arena);
}

#if MARENA_HAVE_CLEANUPS
static void
count_cleanup(void *data)
{
    ++*(size_t *)data;
}
#endif

/* A reset of an arena that is one plain block happens inline, exactly
 * (used, peak, marks); one with something to do calls the library, and
 * afterwards the arena is plain again. */
static void
test_reset(const void *data)
{
    marena_t *arena = open_untracked();

    (void)data;
    if (arena == NULL)
        return;
    unsigned char *first = marena_alloc_aligned(arena, 10, 1);
    marena_reset(arena);
    for (size_t i = 1; i <= 20; i++) {
        test_assert_addr(marena_alloc_aligned(arena, 10 * i, 1), ==, first);
        marena_reset(arena);
        test_assert_size(marena_used(arena), ==, 0);
    }
    test_assert_size(reset_calls, ==, 0);
#if MARENA_HAVE_STATS
    test_assert_size(stats_of(arena).peak, ==, 200);
#endif
#if MARENA_HAVE_MARKS
    marena_mark_t mark = marena_mark(arena);
    marena_reset(arena);
    test_assert_size(mark.resets + 1, ==, marena_mark(arena).resets);
#endif
#if MARENA_HAVE_CLEANUPS
    size_t ran = 0;
    test_assert_size(marena_add_cleanup(arena, count_cleanup, &ran), ==, 0);
    marena_reset(arena);
    test_assert_size(ran, ==, 1);
    test_assert_size(reset_calls, ==, 1);
    marena_reset(arena);
    test_assert_size(reset_calls, ==, 1);
#endif
    size_t calls = reset_calls;
    marena_reset((marena_t *)NULL); /* the library answers NULL */
    test_assert_size(reset_calls, ==, calls + 1);
    marena_destroy(arena);
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_constant, NULL, "/inline/constant-alignment");
    test_add(test_runtime, NULL, "/inline/runtime-alignment");
    test_add(test_leaves_to_library, NULL, "/inline/leaves-to-library");
    test_add(test_exported, NULL, "/inline/exported");
    test_add(test_reset, NULL, "/inline/reset");
    return test_run();
}
