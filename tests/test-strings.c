/* SPDX-License-Identifier: MIT */
/*
 * Strings and copies: marena_strdup(), marena_strndup(), marena_memdup(),
 * and, when the build has stdio, marena_sprintf()/marena_vsprintf() and
 * marena_stats_format(). Run once per backend the build has (paths
 * /<backend>/strings/<case>).
 *
 * Strings are packed with alignment 1, memdup keeps MARENA_ALIGNMENT, and a
 * failed call must leave the arena exactly as it was (`snapshot` and
 * `assert_unchanged`, as in test-core.c).
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#if MARENA_HAVE_STDIO
#include <stdio.h>
#include <wchar.h>
#if defined(__GLIBC__)
#include <printf.h>
#endif
#endif

#define CAPACITY 4096u

/* Asserts that s is exactly the NUL-terminated string want. */
static void
assert_string(const char *s, const char *want)
{
    size_t length = strlen(want);

    test_assert_nonnull(s);
    test_assert(memcmp(s, want, length) == 0);
    test_assert_size(s[length], ==, 0);
}

/* Allocates with alignment 1 until exactly `left` bytes remain. */
static void
leave_remaining(marena_t *arena, size_t left)
{
    size_t remaining = marena_remaining(arena);

    test_assert_size(remaining, >=, left);
    if (remaining > left)
        test_assert_nonnull(marena_alloc_aligned(arena, remaining - left, 1));
    test_assert_size(marena_remaining(arena), ==, left);
}

/* A growing arena of the kind with 1 KiB blocks. */
static void
open_growing(struct subject *s, const struct arena_kind *kind)
{
    marena_options_t options = {0};

    options.block_size = 1024;
    options.flags = MARENA_GROW;
    subject_open_ex(s, kind, options);
}

/* ---------------------------------------------------------------- strdup */

static void
test_strdup(const void *data)
{
    static const char source[] = "hello, arena";
    struct subject s;
    size_t used;

    subject_open(&s, data, CAPACITY);
    /* Misalign the cursor: strings need no alignment. */
    test_assert_nonnull(marena_alloc_aligned(s.arena, 1, 1));
    used = marena_used(s.arena);
    char *copy = marena_strdup(s.arena, source);
    assert_string(copy, source);
    test_assert_addr(copy, !=, source);
    test_assert_size(marena_used(s.arena), ==, used + sizeof(source));

    /* Packed: two copies of "abc" are exactly strlen + 1 apart. */
    char *first = marena_strdup(s.arena, "abc");
    char *second = marena_strdup(s.arena, "abc");
    assert_string(first, "abc");
    assert_string(second, "abc");
    test_assert_addr(second, ==, first + 4);
    test_assert_size(marena_used(s.arena), ==, used + sizeof(source) + 8);

    /* The empty string takes its NUL. */
    char *empty = marena_strdup(s.arena, "");
    assert_string(empty, "");
    test_assert_addr(empty, ==, second + 4);
    test_assert_size(marena_used(s.arena), ==, used + sizeof(source) + 9);

    /* The copy is independent of the source. */
    char buffer[8] = "mutable";
    char *independent = marena_strdup(s.arena, buffer);
    buffer[0] = 'M';
    assert_string(independent, "mutable");
    subject_close(&s);
}

static void
test_strdup_null(const void *data)
{
    struct subject s;
    struct snapshot before;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_strdup(s.arena, "x"));
    before = snapshot_of(s.arena);
    test_assert_null(marena_strdup(s.arena, NULL));
    test_assert_null(marena_strndup(s.arena, NULL, 0));
    test_assert_null(marena_strndup(s.arena, NULL, 5));
    test_assert_null(marena_strndup(s.arena, NULL, SIZE_MAX));
    test_assert_null(marena_memdup(s.arena, NULL, 0));
    test_assert_null(marena_memdup(s.arena, NULL, 16));
    test_assert_null(marena_memdup(s.arena, "abc", 0));
    assert_unchanged(s.arena, before);

    /* A NULL arena answers NULL whatever the rest. */
    test_assert_null(marena_strdup(NULL, "abc"));
    test_assert_null(marena_strdup(NULL, NULL));
    test_assert_null(marena_strndup(NULL, "abc", 2));
    test_assert_null(marena_memdup(NULL, "abc", 3));
    subject_close(&s);
}

/* A string longer than what remains in a fixed arena: NULL, unchanged. */
static void
test_strdup_too_small(const void *data)
{
    struct subject s;
    struct snapshot before;

    subject_open(&s, data, CAPACITY);
    leave_remaining(s.arena, 5);
    before = snapshot_of(s.arena);
    test_assert_null(marena_strdup(s.arena, "hello")); /* needs 6 */
    test_assert_null(marena_strndup(s.arena, "hello world", 5));
    test_assert_null(marena_strndup(s.arena, "hello world", SIZE_MAX));
    test_assert_null(marena_memdup(s.arena, "0123456789abcdef", 6));
    assert_unchanged(s.arena, before);

    /* Exactly what remains fits, and then nothing does. */
    assert_string(marena_strdup(s.arena, "hell"), "hell");
    test_assert_size(marena_remaining(s.arena), ==, 0);
    before = snapshot_of(s.arena);
    test_assert_null(marena_strdup(s.arena, ""));
    test_assert_null(marena_strndup(s.arena, "abc", 0));
    test_assert_null(marena_memdup(s.arena, "a", 1));
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

/* A string longer than a whole block of a growing arena. */
static void
test_strdup_growing(const void *data)
{
    static char big[5000];
    struct subject s;

    if (!pool_holds(10 << 10))
        return;
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    open_growing(&s, data);
    char *copy = marena_strdup(s.arena, big);
    assert_string(copy, big);
    char *prefix = marena_strndup(s.arena, big, 3000);
    test_assert_nonnull(prefix);
    test_assert_size(strlen(prefix), ==, 3000);
    test_assert(memcmp(prefix, big, 3000) == 0);
    test_assert_size(marena_used(s.arena), ==, sizeof(big) + 3001);
    subject_close(&s);
}

/* --------------------------------------------------------------- strndup */

static void
test_strndup(const void *data)
{
    struct subject s;
    size_t used;
    char *copy;

    subject_open(&s, data, CAPACITY);
    used = marena_used(s.arena);

    copy = marena_strndup(s.arena, "hello", 3); /* shorter */
    assert_string(copy, "hel");
    test_assert_size(marena_used(s.arena), ==, used + 4);

    copy = marena_strndup(s.arena, "hello", 5); /* equal */
    assert_string(copy, "hello");
    test_assert_size(marena_used(s.arena), ==, used + 10);

    copy = marena_strndup(s.arena, "hello", 100); /* longer: stops at NUL */
    assert_string(copy, "hello");
    test_assert_size(marena_used(s.arena), ==, used + 16);

    copy = marena_strndup(s.arena, "hello", SIZE_MAX);
    assert_string(copy, "hello");
    test_assert_size(marena_used(s.arena), ==, used + 22);

    copy = marena_strndup(s.arena, "hello", 0); /* nothing: "" */
    assert_string(copy, "");
    test_assert_size(marena_used(s.arena), ==, used + 23);

    copy = marena_strndup(s.arena, "", 10);
    assert_string(copy, "");
    test_assert_size(marena_used(s.arena), ==, used + 24);

    /* An embedded NUL ends the copy. */
    static const char embedded[] = {'a', 'b', '\0', 'c', 'd'};
    copy = marena_strndup(s.arena, embedded, sizeof(embedded));
    assert_string(copy, "ab");
    test_assert_size(marena_used(s.arena), ==, used + 27);
    subject_close(&s);
}

/* A buffer of exactly n bytes with no NUL: the copy takes all n and reads
 * no further (a stack array: AddressSanitizer catches an over-read). */
static void
test_strndup_unterminated(const void *data)
{
    const char raw[4] = {'w', 'x', 'y', 'z'};
    struct subject s;
    size_t used;

    subject_open(&s, data, CAPACITY);
    used = marena_used(s.arena);
    char *copy = marena_strndup(s.arena, raw, sizeof(raw));
    assert_string(copy, "wxyz");
    test_assert_size(marena_used(s.arena), ==, used + 5);
    copy = marena_strndup(s.arena, raw, 2);
    assert_string(copy, "wx");
    test_assert_size(marena_used(s.arena), ==, used + 8);
    subject_close(&s);
}

#if MARENA_HAVE_MMAP_BACKEND
/* The same with the source at the very end of readable memory: a reserved
 * range whose first step is committed, so the byte after the source is
 * inaccessible and any read past n faults, in every build. The source
 * comes from the mmap backend's own reserve/commit; the copies go into the
 * arena under test. */
static void
test_strndup_guard_page(const void *data)
{
    const marena_backend_t *mmap_backend = &marena_backend_mmap;
    struct subject s;
    size_t granted = 0;
    unsigned char *range, *edge;

    range = mmap_backend->reserve(NULL, 2 * MARENA_COMMIT_STEP, &granted);
    test_assert_nonnull(range);
    test_assert_size(granted, >=, 2 * MARENA_COMMIT_STEP);
    test_assert_size(mmap_backend->commit(NULL, range, MARENA_COMMIT_STEP), ==, 0);
    edge = range + MARENA_COMMIT_STEP; /* first inaccessible byte */

    subject_open(&s, data, CAPACITY);
    memcpy(edge - 6, "guards", 6);
    assert_string(marena_strndup(s.arena, (char *)edge - 6, 6), "guards");
    assert_string(marena_strndup(s.arena, (char *)edge - 6, 3), "gua");
    unsigned char *copy = marena_memdup(s.arena, edge - 6, 6);
    test_assert_nonnull(copy);
    test_assert(memcmp(copy, "guards", 6) == 0);
    /* A terminated string at the edge with a larger n stops at the NUL. */
    memcpy(edge - 4, "abc", 4);
    assert_string(marena_strndup(s.arena, (char *)edge - 4, 1000), "abc");
    assert_string(marena_strdup(s.arena, (char *)edge - 4), "abc");
    subject_close(&s);

    mmap_backend->release(NULL, range, granted);
}
#endif

/* ---------------------------------------------------------------- memdup */

static void
test_memdup(const void *data)
{
    static const unsigned char bytes[13] = {
        0x00, 0xff, 0x10, 0x00, 0x7f, 0x80, 0x01, 0x02, 0x00, 0xaa, 0x55, 0x00, 0x33,
    };
    struct subject s;
    size_t used;

    subject_open(&s, data, CAPACITY);
    for (int round = 0; round < 4; round++) {
        /* A misaligned cursor first: the copy is aligned anyway. */
        test_assert_nonnull(marena_alloc_aligned(s.arena, 1, 1));
        used = marena_used(s.arena);
        unsigned char *copy = marena_memdup(s.arena, bytes, sizeof(bytes));

        test_assert_nonnull(copy);
        test_assert(is_aligned(copy, MARENA_ALIGNMENT));
        test_assert(memcmp(copy, bytes, sizeof(bytes)) == 0);
        test_assert_addr(copy, !=, bytes);
        test_assert_size(marena_used(s.arena), >=, used + sizeof(bytes));
        test_assert_size(marena_used(s.arena), <,
                         used + sizeof(bytes) + MARENA_ALIGNMENT);
    }
    /* One byte, and a copy of arena memory into the same arena. */
    unsigned char *one = marena_memdup(s.arena, "z", 1);
    test_assert_nonnull(one);
    test_assert_size(one[0], ==, 'z');
    test_assert(is_aligned(one, MARENA_ALIGNMENT));
    subject_close(&s);
}

/* ----------------------------------------------------------------- stdio */

#if MARENA_HAVE_STDIO
/* marena_vsprintf() through a variadic wrapper, as callers use it. */
static char *
format_v(marena_t *arena, const char *fmt, ...) MARENA_PRINTF(2, 3);

static char *
format_v(marena_t *arena, const char *fmt, ...)
{
    va_list args;
    char *text;

    va_start(args, fmt);
    text = marena_vsprintf(arena, fmt, args);
    va_end(args);
    return text;
}

/* What marena_sprintf() must produce, formatted by the C library. */
static char expected[256];

static void
test_sprintf(const void *data)
{
    struct subject s;
    size_t used;
    char *text;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 3, 1));

    used = marena_used(s.arena);
    text = marena_sprintf(s.arena, "%d|%s|%zu|%x|%%|%-4s|%05.1f", -42, "str",
                          (size_t)SIZE_MAX, 0xbeefu, "ab", 3.25);
    snprintf(expected, sizeof(expected), "%d|%s|%zu|%x|%%|%-4s|%05.1f", -42, "str",
             (size_t)SIZE_MAX, 0xbeefu, "ab", 3.25);
    assert_string(text, expected);
    test_assert_size(marena_used(s.arena), ==, used + strlen(expected) + 1);

    used = marena_used(s.arena);
    text = format_v(s.arena, "[%3d] %s=%zu", 7, "key", (size_t)12345);
    assert_string(text, "[  7] key=12345");
    test_assert_size(marena_used(s.arena), ==, used + sizeof("[  7] key=12345"));

    /* The empty result takes its NUL. */
    used = marena_used(s.arena);
    assert_string(marena_sprintf(s.arena, "%s", ""), "");
    test_assert_size(marena_used(s.arena), ==, used + 1);
    subject_close(&s);
}

static void
test_sprintf_null(const void *data)
{
    /* Through a variable, so the compiler does not see the NULL. */
    const char *volatile null_format = NULL;
    struct subject s;
    struct snapshot before;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 3, 1));
    before = snapshot_of(s.arena);
    test_assert_null(marena_sprintf(s.arena, null_format, 1));
    test_assert_null(format_v(s.arena, null_format, 1));
    assert_unchanged(s.arena, before);
    test_assert_null(marena_sprintf(NULL, "%d", 1));
    test_assert_null(format_v(NULL, "%s", "x"));
    test_assert_null(marena_sprintf(NULL, null_format, 1));
    subject_close(&s);
}

/* A result that fits the current block is formatted where the arena
 * stands and committed with one bump of exactly strlen + 1. */
static void
test_sprintf_in_place(const void *data)
{
    struct subject s;
    size_t used;
    char *next, *text;

    subject_open(&s, data, CAPACITY);
    for (int i = 0; i < 20; i++) {
        next = marena_alloc_aligned(s.arena, 1, 1);
        test_assert_nonnull(next);
        used = marena_used(s.arena);
        text = marena_sprintf(s.arena, "item %d of %s", i, "twenty");
        test_assert_addr(text, ==, next + 1);
        snprintf(expected, sizeof(expected), "item %d of %s", i, "twenty");
        assert_string(text, expected);
        test_assert_size(marena_used(s.arena), ==, used + strlen(expected) + 1);
    }
    /* Back to back, the results are packed. */
    char *first = marena_sprintf(s.arena, "%s", "abc");
    char *second = format_v(s.arena, "%c%c%c", 'd', 'e', 'f');
    assert_string(first, "abc");
    assert_string(second, "def");
    test_assert_addr(second, ==, first + 4);
    subject_close(&s);
}

/* In a growing arena with 1 KiB blocks the same holds while the result
 * fits the current block. */
static void
test_sprintf_in_place_growing(const void *data)
{
    struct subject s;
    size_t used;

    open_growing(&s, data);
    char *next = marena_alloc_aligned(s.arena, 1, 1);
    test_assert_nonnull(next);
    used = marena_used(s.arena);
    char *text = marena_sprintf(s.arena, "%0*d", 500, 9);
    test_assert_addr(text, ==, next + 1);
    test_assert_size(strlen(text), ==, 500);
    test_assert_size(marena_used(s.arena), ==, used + 501);
    subject_close(&s);
}

/* Results larger than what the current block has left, and larger than a
 * whole block, come out correct and complete in a growing arena. */
static void
test_sprintf_larger_than_block(const void *data)
{
    enum { BIG = 100000 };
    static char big[BIG + 1];
    struct subject s;
    size_t used;
    char *text;

    if (!pool_holds(300 << 10))
        return;
    memset(big, 'b', BIG);
    big[BIG] = '\0';
    for (size_t i = 0; i < BIG; i += 997)
        big[i] = (char)('A' + i % 26); /* not all one byte */

    open_growing(&s, data);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 1000, 1));

    /* More than the current block has left, less than the next block. */
    used = marena_used(s.arena);
    text = marena_sprintf(s.arena, "<%.*s>", 1500, big);
    test_assert_nonnull(text);
    test_assert_size(strlen(text), ==, 1502);
    test_assert_size(text[0], ==, '<');
    test_assert(memcmp(text + 1, big, 1500) == 0);
    test_assert_size(text[1501], ==, '>');
    test_assert_size(marena_used(s.arena), ==, used + 1503);

    /* Far more than a block: a block of its own. */
    used = marena_used(s.arena);
    text = marena_sprintf(s.arena, "%s!", big);
    test_assert_nonnull(text);
    test_assert_size(strlen(text), ==, BIG + 1);
    test_assert(memcmp(text, big, BIG) == 0);
    test_assert_size(text[BIG], ==, '!');
    test_assert_size(marena_used(s.arena), ==, used + BIG + 2);

    /* The same through vsprintf, whose va_list must survive the first
     * (too short) pass, and a padded number of that width. */
    used = marena_used(s.arena);
    text = format_v(s.arena, "%s%d", big, 12345);
    test_assert_nonnull(text);
    test_assert_size(strlen(text), ==, BIG + 5);
    test_assert(memcmp(text, big, BIG) == 0);
    test_assert(memcmp(text + BIG, "12345", 6) == 0);
    test_assert_size(marena_used(s.arena), ==, used + BIG + 6);

    text = format_v(s.arena, "%0*d", BIG, 7);
    test_assert_nonnull(text);
    test_assert_size(strlen(text), ==, BIG);
    for (size_t i = 0; i + 1 < BIG; i++)
        if (text[i] != '0')
            test_assert_size(i, ==, BIG); /* fails, naming the index */
    test_assert_size(text[BIG - 1], ==, '7');

    /* Small results go on in the ordinary block after all that. */
    assert_string(marena_sprintf(s.arena, "%d", 5), "5");
    subject_close(&s);
}

/* In a fixed arena a result that does not fit is NULL and the arena is
 * unchanged; one that only just fits leaves nothing. */
static void
test_sprintf_too_small(const void *data)
{
    struct subject s;
    struct snapshot before;

    subject_open(&s, data, CAPACITY);
    leave_remaining(s.arena, 10);
    before = snapshot_of(s.arena);
    test_assert_null(marena_sprintf(s.arena, "%s", "0123456789")); /* 11 */
    test_assert_null(marena_sprintf(s.arena, "%0*d", 5000, 1));
    test_assert_null(format_v(s.arena, "%s%s", "01234", "56789"));
    assert_unchanged(s.arena, before);

    /* The failed passes scribbled only on free memory: all 10 bytes
     * still serve. */
    char *text = marena_sprintf(s.arena, "%d", 123456789);
    assert_string(text, "123456789");
    test_assert_size(marena_remaining(s.arena), ==, 0);

    /* Full: even "" needs its NUL. */
    before = snapshot_of(s.arena);
    test_assert_null(marena_sprintf(s.arena, "%s", ""));
    test_assert_null(marena_sprintf(s.arena, "x"));
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

/* A result of exactly remaining - 1 characters fits; one more does not. */
static void
test_sprintf_exact_fit(const void *data)
{
    struct subject s;
    struct snapshot before;
    size_t remaining;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 7, 1));
    remaining = marena_remaining(s.arena);
    test_assert_size(remaining, >, 2);

    before = snapshot_of(s.arena);
    test_assert_null(marena_sprintf(s.arena, "%0*d", (int)remaining, 3));
    test_assert_null(format_v(s.arena, "%0*d", (int)remaining, 3));
    assert_unchanged(s.arena, before);

    char *text = marena_sprintf(s.arena, "%0*d", (int)(remaining - 1), 3);
    test_assert_nonnull(text);
    test_assert_size(strlen(text), ==, remaining - 1);
    test_assert_size(text[0], ==, '0');
    test_assert_size(text[remaining - 2], ==, '3');
    test_assert_size(marena_remaining(s.arena), ==, 0);
    test_assert_size(marena_used(s.arena), ==, before.used + remaining);
    subject_close(&s);
}

/* The same edge in a growing arena: remaining - 1 characters fit in place;
 * remaining characters (the NUL does not fit) go to a new block. */
static void
test_sprintf_exact_fit_growing(const void *data)
{
    struct subject s;
    size_t remaining, used;
    char *next, *text;

    open_growing(&s, data);
    next = marena_alloc_aligned(s.arena, 100, 1);
    test_assert_nonnull(next);
    remaining = marena_remaining(s.arena);
    used = marena_used(s.arena);

    text = marena_sprintf(s.arena, "%0*d", (int)remaining, 4);
    test_assert_nonnull(text);
    test_assert_size(strlen(text), ==, remaining);
    test_assert_size(text[remaining - 1], ==, '4');
    test_assert_addr(text, !=, next + 100); /* not where it could not fit */
    test_assert_size(marena_used(s.arena), ==, used + remaining + 1);
    subject_close(&s);

    open_growing(&s, data);
    next = marena_alloc_aligned(s.arena, 100, 1);
    test_assert_nonnull(next);
    remaining = marena_remaining(s.arena);
    text = format_v(s.arena, "%0*d", (int)(remaining - 1), 4);
    test_assert_addr(text, ==, next + 100);
    test_assert_size(strlen(text), ==, remaining - 1);
    test_assert_size(marena_remaining(s.arena), ==, 0);
    subject_close(&s);
}

/* A format that does not encode (a wide string no multibyte character
 * stands for) fails like any bad request: NULL, MARENA_EINVAL, counted as
 * failed, and the arena unchanged. */
static void
test_sprintf_encoding_error(const void *data)
{
    static const wchar_t lone_surrogate[] = {(wchar_t)0xD800, 0};
    struct subject s;
    struct snapshot before;

    if (snprintf(NULL, 0, "%ls", lone_surrogate) >= 0)
        return; /* this C library writes something for it */
    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 3, 1));
    before = snapshot_of(s.arena);
#if MARENA_HAVE_STATS
    size_t failed = stats_of(s.arena).failed;
#endif
    test_assert_null(marena_sprintf(s.arena, "x%lsy", lone_surrogate));
#if MARENA_HAVE_ERRORS
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EINVAL);
#endif
#if MARENA_HAVE_STATS
    test_assert_size(stats_of(s.arena).failed, ==, failed + 1);
#endif
    test_assert_null(format_v(s.arena, "%d%ls", 1, lone_surrogate));
#if MARENA_HAVE_STATS
    test_assert_size(stats_of(s.arena).failed, ==, failed + 2);
#endif
    assert_unchanged(s.arena, before);
    /* The arena goes on serving. */
    assert_string(marena_sprintf(s.arena, "%s", "ok"), "ok");
    subject_close(&s);
}

#if defined(__GLIBC__)
/* A result that fits is formatted once (the documented one pass), one
 * that does not fit twice: counted with a conversion of our own
 * (glibc's register_printf_specifier), %Y, which writes "pass", or
 * nothing for a 0. */
static int passes;

static int
count_pass(FILE *stream, const struct printf_info *info, const void *const *args)
{
    (void)info;
    passes++;
    if (*(const int *)args[0] == 0)
        return 0; /* an empty conversion */
    return fputs("pass", stream) < 0 ? -1 : 4;
}

static int
count_pass_arginfo(const struct printf_info *info, size_t n, int *types, int *sizes)
{
    (void)info;
    if (n > 0) {
        types[0] = PA_INT;
        sizes[0] = (int)sizeof(int);
    }
    return 1;
}

static void
test_sprintf_one_pass(const void *data)
{
    /* Not a literal: the compiler does not know the conversion. */
    const char *volatile counted = "<%Y>";
    const char *volatile alone = "%Y";
    struct subject s;
    char *text;

    if (register_printf_specifier('Y', count_pass, count_pass_arginfo) != 0)
        return;
    subject_open(&s, data, CAPACITY);
    passes = 0;
    text = marena_sprintf(s.arena, counted, 1);
    assert_string(text, "<pass>");
    test_assert_size(passes, ==, 1);
    passes = 0;
    assert_string(format_v(s.arena, counted, 1), "<pass>");
    test_assert_size(passes, ==, 1);
    /* The empty string too. */
    passes = 0;
    assert_string(marena_sprintf(s.arena, counted, 0), "<>");
    assert_string(marena_sprintf(s.arena, alone, 0), "");
    test_assert_size(passes, ==, 2);

    /* Exactly filling the block: still one pass. */
    leave_remaining(s.arena, 7);
    passes = 0;
    text = marena_sprintf(s.arena, counted, 1);
    assert_string(text, "<pass>");
    test_assert_size(passes, ==, 1);
    test_assert_size(marena_remaining(s.arena), ==, 0);
    subject_close(&s);

    /* One byte short in a growing arena: formatted again elsewhere. */
    open_growing(&s, data);
    leave_remaining(s.arena, 6);
    passes = 0;
    assert_string(marena_sprintf(s.arena, counted, 1), "<pass>");
    test_assert_size(passes, ==, 2);
    subject_close(&s);
}
#endif /* __GLIBC__ */

#if MARENA_HAVE_MMAP_BACKEND && MARENA_HAVE_GROWTH
/* A reserve/commit arena grows in place: a result longer than what is
 * committed is committed for and packed right after the last allocation,
 * odd address and all. */
static void
test_sprintf_reserve(const void *data)
{
    marena_options_t options = {0};
    size_t used;

    (void)data;
    options.backend = &marena_backend_mmap;
    options.block_size = (size_t)8 * MARENA_COMMIT_STEP;
    options.flags = MARENA_RESERVE;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    char *first = marena_alloc_aligned(arena, 1, 1);
    test_assert_nonnull(first);
    used = marena_used(arena);
    char *text = marena_sprintf(arena, "%0*d", (int)MARENA_COMMIT_STEP + 10, 5);
    test_assert_addr(text, ==, first + 1);
    test_assert_size(strlen(text), ==, MARENA_COMMIT_STEP + 10);
    test_assert_size(text[MARENA_COMMIT_STEP + 9], ==, '5');
    test_assert_size(marena_used(arena), ==, used + MARENA_COMMIT_STEP + 11);
    /* And the next one right after it. */
    text = format_v(arena, "%s", "next");
    test_assert_addr(text, ==, first + 1 + MARENA_COMMIT_STEP + 11);
    assert_string(text, "next");
#if MARENA_HAVE_STATS
    test_assert_size(stats_of(arena).blocks, ==, 1);
#endif
    marena_destroy(arena);
}
#endif

/* marena_stats_format(): the full length whatever the buffer, always
 * NUL-terminated within it, and the counts it reports. */
static void
test_stats_format(const void *data)
{
    char full[512], small[16], scratch[4];
    size_t length, used;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc(s.arena, 10));
    test_assert_nonnull(marena_alloc(s.arena, 20));
    test_assert_nonnull(marena_strdup(s.arena, "three"));
    test_assert_null(marena_alloc(s.arena, 1u << 30)); /* one failure */
    used = marena_used(s.arena);

    length = marena_stats_format(s.arena, full, sizeof(full));
    test_assert_size(length, >, 0);
    test_assert_size(length, <, sizeof(full));
    test_assert_size(strlen(full), ==, length);
    test_assert_nonnull(strstr(full, "allocations"));
    test_assert_nonnull(strstr(full, "; 3 allocations, 1 failed;"));
    test_assert_size(marena_used(s.arena), ==, used); /* only looked */

    /* Truncated: same return value, a NUL-terminated prefix. */
    memset(small, 'X', sizeof(small));
    test_assert_size(marena_stats_format(s.arena, small, sizeof(small)), ==, length);
    test_assert_size(small[sizeof(small) - 1], ==, 0);
    test_assert_size(strlen(small), ==, sizeof(small) - 1);
    test_assert(memcmp(small, full, sizeof(small) - 1) == 0);

    memset(scratch, 'X', sizeof(scratch));
    test_assert_size(marena_stats_format(s.arena, scratch, 1), ==, length);
    test_assert_size(scratch[0], ==, 0);
    test_assert_size(scratch[1], ==, 'X'); /* nothing beyond size */

    /* Size 0: nothing written, the length still returned. */
    test_assert_size(marena_stats_format(s.arena, NULL, 0), ==, length);
    test_assert_size(marena_stats_format(s.arena, scratch + 1, 0), ==, length);
    test_assert_size(scratch[1], ==, 'X');

    /* A NULL arena formats zeros. */
    length = marena_stats_format(NULL, full, sizeof(full));
    test_assert_size(length, >, 0);
    test_assert_size(strlen(full), ==, length);
    test_assert_nonnull(strstr(full, "used 0 of 0 in "));
    test_assert_nonnull(strstr(full, "; 0 allocations, 0 failed;"));
    test_assert_size(marena_stats_format(NULL, NULL, 0), ==, length);
    subject_close(&s);
}
/* The whole text, for figures whose human form every build writes the
 * same (libbsd's humanize_number() scales from 10000, the built-in format
 * from 1024: below 1024 and above 10 K they agree). */
static void
test_stats_format_text(const void *data)
{
    static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_CONTROL_SIZE + 65536];
    char text[200];

    (void)data;
    if (!pool_holds(70 << 10))
        return;
    /* A fixed arena in a caller buffer: no backend, in every build. */
    marena_options_t options = {0};

    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    test_assert_nonnull(marena_alloc_aligned(arena, 512, 1));
    marena_stats_format(arena, text, sizeof(text));
    test_assert_message(strcmp(text, "used 512 of 64K in 1 blocks (0 spare), peak 512; "
                                     "1 allocations, 0 failed; backend 0, 0 calls") == 0,
                        text);
    test_assert_nonnull(marena_alloc_aligned(arena, 400, 1));
    test_assert_null(marena_alloc(arena, 100000));
    marena_reset(arena);
    test_assert_nonnull(marena_alloc_aligned(arena, 1000, 1));
    marena_stats_format(arena, text, sizeof(text));
    test_assert_message(strcmp(text, "used 1000 of 64K in 1 blocks (0 spare), peak 1000; "
                                     "3 allocations, 1 failed; backend 0, 0 calls") == 0,
                        text);
    test_assert_nonnull(marena_alloc_aligned(arena, 40 * 1024, 1));
    marena_stats_format(arena, text, sizeof(text));
    test_assert_message(strcmp(text, "used 41K of 64K in 1 blocks (0 spare), peak 41K; "
                                     "4 allocations, 1 failed; backend 0, 0 calls") == 0,
                        text);
    marena_destroy(arena);
#if MARENA_HAVE_DEFAULT_BACKEND
    /* Mebibytes, from the backend. */
    arena = marena_create((size_t)16 << 20);
    test_assert_nonnull(arena);
    marena_stats_format(arena, text, sizeof(text));
    test_assert_message(strcmp(text,
                               "used 0 of 16M in 1 blocks (0 spare), peak 0; "
                               "0 allocations, 0 failed; backend 16M, 1 calls") == 0,
                        text);
    marena_destroy(arena);
#endif
}

/* Sizes on either side of each step of the human form: libbsd's
 * humanize_number() writes whole bytes up to 9999 and scales by 1024 from
 * there; the built-in format scales from 1024 and keeps one decimal below
 * 10 of a unit. */
static void
test_stats_format_sizes(const void *data)
{
    static _Alignas(
        MARENA_ALIGNMENT) unsigned char buffer[MARENA_CONTROL_SIZE + (2u << 20)];
    static const struct {
        size_t used;
        const char *human;
    } steps[] = {
        {1, "1"},
        {1023, "1023"},
#if TEST_HAVE_LIBBSD
        {1024, "1024"},
        {1536, "1536"},
        {9999, "9999"},
        {10000, "9.8K"},
        {10239, "10K"},
        {10240, "10K"},
        {10752, "11K"},
        {102400, "100K"},
        {1048575, "1024K"},
        {1048576, "1024K"},
        {1100905, "1075K"},
        {1572864, "1536K"},
#else
        {1024, "1.0K"},
        {1536, "1.5K"},
        {9999, "9.8K"},
        {10239, "10.0K"},
        {10240, "10K"},
        {11264, "11K"},
        {102400, "100K"},
        {1048575, "1024K"},
        {1048576, "1.0M"},
        {1100905, "1.0M"}, /* 1.04990 MiB */
        {1572864, "1.5M"},
#endif
    };
    char text[200], want[200];

    (void)data;
    if (!pool_holds((size_t)3 << 20))
        return;
    marena_options_t options = {0};

    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    test_assert_size(marena_capacity(arena), ==, (size_t)2 << 20);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        size_t used = marena_used(arena);

        test_assert_size(steps[i].used, >, used);
        test_assert_nonnull(marena_alloc_aligned(arena, steps[i].used - used, 1));
        snprintf(want, sizeof(want),
                 "used %s of %s in 1 blocks (0 spare), peak %s; "
                 "%zu allocations, 0 failed; backend 0, 0 calls",
                 steps[i].human, TEST_HAVE_LIBBSD ? "2048K" : "2.0M", steps[i].human,
                 i + 1);
        test_assert_size(marena_stats_format(arena, text, sizeof(text)), ==,
                         strlen(want));
        test_assert_message(strcmp(text, want) == 0, text);
    }
    marena_destroy(arena);
}
#endif /* MARENA_HAVE_STDIO */

int
main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"strings/strdup", test_strdup},
        {"strings/null", test_strdup_null},
        {"strings/too-small", test_strdup_too_small},
        {"strings/growing", test_strdup_growing},
        {"strings/strndup", test_strndup},
        {"strings/strndup-unterminated", test_strndup_unterminated},
#if MARENA_HAVE_MMAP_BACKEND
        {"strings/strndup-guard-page", test_strndup_guard_page},
#endif
        {"strings/memdup", test_memdup},
#if MARENA_HAVE_STDIO
        {"strings/sprintf", test_sprintf},
        {"strings/sprintf-null", test_sprintf_null},
        {"strings/sprintf-in-place", test_sprintf_in_place},
        {"strings/sprintf-in-place-growing", test_sprintf_in_place_growing},
        {"strings/sprintf-larger-than-block", test_sprintf_larger_than_block},
        {"strings/sprintf-too-small", test_sprintf_too_small},
        {"strings/sprintf-exact-fit", test_sprintf_exact_fit},
        {"strings/sprintf-exact-fit-growing", test_sprintf_exact_fit_growing},
        {"strings/sprintf-encoding-error", test_sprintf_encoding_error},
#if defined(__GLIBC__)
        {"strings/sprintf-one-pass", test_sprintf_one_pass},
#endif
        {"strings/stats-format", test_stats_format},
#endif
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
#if MARENA_HAVE_STDIO
    test_add(test_stats_format_text, NULL, "/strings/stats-format-text");
    test_add(test_stats_format_sizes, NULL, "/strings/stats-format-sizes");
#if MARENA_HAVE_MMAP_BACKEND && MARENA_HAVE_GROWTH
    test_add(test_sprintf_reserve, NULL, "/strings/sprintf-reserve");
#endif
#endif
    return test_run();
}
