/* SPDX-License-Identifier: MIT */
/*
 * Builders (paths /<kind>/builder/<case>): appended bytes come back as one
 * NUL-terminated string; the object grows in place while it is the last
 * allocation and moves when it is not; it can fill a fixed arena; a failed
 * append changes nothing; finish gives back what it did not use; abandon
 * gives everything back when it can; NULL arguments answer -1, NULL or 0.
 */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "harness.h"
#include "subjects.h"

#define CAPACITY 4096u

/* Bytes to append, shared by the tests that need many (Cortex-M0 RAM is
 * 16 KiB); each fills what it uses first. */
static char bytes[CAPACITY];
#define FAILED_MOVE_PIECE ((size_t)2000)

static void
test_append_finish(const void *data)
{
    marena_builder_t b;
    struct subject s;
    size_t length = 99;

    subject_open(&s, data, CAPACITY);
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_length(&b), ==, 0);
    test_assert_size(marena_builder_append(&b, "hello", 5), ==, 0);
    test_assert_size(marena_builder_append(&b, NULL, 0), ==, 0);
    /* NULL data that the inline append cannot see coming: refused,
     * though it would fit the room. */
    const char *volatile nothing = NULL;
    test_assert_size(marena_builder_append(&b, nothing, 2), ==, -1);
    test_assert_size(marena_builder_length(&b), ==, 5);
    test_assert_size(marena_builder_append(&b, ", ", 2), ==, 0);
    test_assert_size(marena_builder_append(&b, "world", 5), ==, 0);
    test_assert_size(marena_builder_length(&b), ==, 12);
    char *text = marena_builder_finish(&b, &length);
    test_assert_nonnull(text);
    test_assert(strcmp(text, "hello, world") == 0);
    test_assert_size(length, ==, 12);
    /* Finish gave back the capacity it did not use: the string ends where
     * the arena stands. */
    test_assert_size(marena_used(s.arena), ==, 13);
    test_assert_size(marena_builder_length(&b), ==, 0);

    /* An empty builder finishes as "". */
    text = marena_builder_finish(&b, NULL);
    test_assert_nonnull(text);
    test_assert_size(text[0], ==, 0);
    subject_close(&s);
}

/* Growing in place while last: the object's address stays; when
 * something else comes between, it moves with its bytes. */
static void
test_in_place_and_move(const void *data)
{
    marena_builder_t b;
    struct subject s;
    char piece[37];

    subject_open(&s, data, CAPACITY);
    memset(piece, 'x', sizeof(piece));
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_append(&b, "a", 1), ==, 0);
    for (int i = 0; i < 20; i++)
        test_assert_size(marena_builder_append(&b, piece, sizeof(piece)), ==, 0);
    char *other = marena_alloc_aligned(s.arena, 5, 1); /* now it is not last */
    test_assert_nonnull(other);
    memcpy(other, "OTHER", 5);
    test_assert_size(marena_builder_append(&b, "z", 1), ==, 0); /* moves */
    size_t length;
    char *text = marena_builder_finish(&b, &length);
    test_assert_nonnull(text);
    test_assert_size(length, ==, 1 + 20 * sizeof(piece) + 1);
    test_assert_size(text[0], ==, 'a');
    test_assert_size(text[length - 1], ==, 'z');
    test_assert_size(text[length], ==, 0);
    for (size_t i = 1; i + 1 < length; i++)
        test_assert_size(text[i], ==, 'x');
    test_assert(memcmp(other, "OTHER", 5) == 0);
    subject_close(&s);
}

/* In a fixed arena, a builder fills it to the last byte (the NUL), when
 * doubling no longer fits; one byte more fails and changes nothing. */
static void
test_fills_fixed_arena(const void *data)
{
    marena_builder_t b;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    size_t room = marena_remaining(s.arena);
    marena_builder_begin(&b, s.arena);
    for (size_t i = 0; i + 1 < room; i++)
        test_assert_size(marena_builder_append(&b, "y", 1), ==, 0);
    test_assert_size(marena_remaining(s.arena), ==, 0);
    struct snapshot before = snapshot_of(s.arena);
    test_assert_size(marena_builder_append(&b, "y", 1), ==, -1);
    assert_unchanged(s.arena, before);
    test_assert_size(marena_builder_length(&b), ==, room - 1);
#if MARENA_HAVE_ERRORS
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EFULL);
#endif
    size_t length;
    char *text = marena_builder_finish(&b, &length);
    test_assert_nonnull(text);
    test_assert_size(length, ==, room - 1);
    test_assert_size(text[length], ==, 0);
    subject_close(&s);
}

/* The first capacity is 256 bytes and it doubles while the object is the
 * last allocation: marena_used() counts the capacity held (the object
 * ends where the arena stands), and finish gives back what is unused. */
static void
test_capacity_doubles(const void *data)
{
    marena_builder_t b;
    struct subject s;
    char piece[256];

    subject_open(&s, data, CAPACITY);
    memset(piece, 'c', sizeof(piece));
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_used(s.arena), ==, 0); /* nothing allocated yet */
    test_assert_size(marena_builder_append(&b, piece, 1), ==, 0);
    test_assert_size(marena_used(s.arena), ==, 256);
    test_assert_size(marena_builder_append(&b, piece, 254), ==, 0);
    test_assert_size(marena_used(s.arena), ==, 256); /* 255 and the NUL fit */
    test_assert_size(marena_builder_append(&b, piece, 1), ==, 0);
    test_assert_size(marena_used(s.arena), ==, 512);
    test_assert_size(marena_builder_append(&b, piece, 256), ==, 0);
    test_assert_size(marena_used(s.arena), ==, 1024);
    size_t length;
    char *text = marena_builder_finish(&b, &length);
    test_assert_size(length, ==, 512);
    test_assert_size(marena_used(s.arena), ==, 513);
    test_assert_addr(marena_alloc_aligned(s.arena, 1, 1), ==, text + 513);
    for (size_t i = 0; i < length; i++)
        test_assert_size(text[i], ==, 'c');
    test_assert_size(text[length], ==, 0);

    /* A first piece larger than 256 takes what it needs; then it doubles. */
    size_t used = marena_used(s.arena);
    char big[1000];
    memset(big, 'd', sizeof(big));
    test_assert_size(marena_builder_append(&b, big, sizeof(big)), ==, 0);
    test_assert_size(marena_used(s.arena), ==, used + 1001);
    test_assert_size(marena_builder_append(&b, "e", 1), ==, 0);
    test_assert_size(marena_used(s.arena), ==, used + 2002);
    text = marena_builder_finish(&b, &length);
    test_assert_size(length, ==, 1001);
    test_assert_size(marena_used(s.arena), ==, used + 1002);
    test_assert_size(text[999], ==, 'd');
    test_assert_size(text[1000], ==, 'e');
    test_assert_size(text[1001], ==, 0);

    /* An empty builder's "" takes one byte. */
    used = marena_used(s.arena);
    text = marena_builder_finish(&b, &length);
    test_assert_nonnull(text);
    test_assert_size(length, ==, 0);
    test_assert_size(text[0], ==, 0);
    test_assert_size(marena_used(s.arena), ==, used + 1);
    subject_close(&s);
}

/* When doubling does not fit what is left but the request does, the
 * object takes just the request; a doubling that fits exactly is taken. */
static void
test_takes_just_the_request(const void *data)
{
    marena_builder_t b;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    memset(bytes, 'p', sizeof(bytes));
    if (marena_remaining(s.arena) % 2 != 0)
        test_assert_nonnull(marena_alloc_aligned(s.arena, 1, 1));
    size_t base = marena_used(s.arena), room = marena_remaining(s.arena);
    test_assert_size(room, >=, 2048);

    /* Doubling would pass the end: the request is taken. */
    marena_builder_begin(&b, s.arena);
    size_t first = room / 2 + 9; /* capacity first + 1 */
    test_assert_size(marena_builder_append(&b, bytes, first), ==, 0);
    test_assert_size(marena_used(s.arena), ==, base + first + 1);
    test_assert_size(marena_builder_append(&b, bytes, 1), ==, 0);
    test_assert_size(marena_used(s.arena), ==, base + first + 2);
    test_assert_size(marena_remaining(s.arena), ==, room - first - 2);
    test_assert_size(marena_builder_length(&b), ==, first + 1);
    marena_builder_abandon(&b);
    test_assert_size(marena_used(s.arena), ==, base);

    /* Doubling to exactly the end of the block: doubled. */
    size_t half = room / 2;
    test_assert_size(marena_builder_append(&b, bytes, half - 1), ==, 0);
    test_assert_size(marena_used(s.arena), ==, base + half);
    test_assert_size(marena_builder_append(&b, bytes, 1), ==, 0);
    test_assert_size(marena_remaining(s.arena), ==, 0);
    test_assert_size(marena_used(s.arena), ==, base + room);
    size_t length;
    char *text = marena_builder_finish(&b, &length);
    test_assert_size(length, ==, half);
    test_assert_size(text[half - 1], ==, 'p');
    test_assert_size(text[half], ==, 0);
    test_assert_size(marena_used(s.arena), ==, base + half + 1);
    subject_close(&s);
}

/* An object that is not the last cannot count its own capacity as room:
 * when doubling does not fit what is left, it moves taking just the
 * request. */
static void
test_moves_taking_the_request(const void *data)
{
    marena_builder_t b;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    memset(bytes, 'q', sizeof(bytes));
    size_t room = marena_remaining(s.arena);
    size_t first = room / 3;
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_append(&b, bytes, first), ==, 0);
    char *other = marena_alloc_aligned(s.arena, 1, 1); /* now it is not last */
    test_assert_nonnull(other);
    *other = 'O';
    size_t left = marena_remaining(s.arena);
    test_assert_size(left, ==, room - first - 2);
    test_assert_size(marena_builder_append(&b, "r", 1), ==, 0); /* moves */
    test_assert_size(marena_remaining(s.arena), ==, left - (first + 2));
    size_t length;
    char *text = marena_builder_finish(&b, &length);
    test_assert_addr(text, ==, other + 1);
    test_assert_size(length, ==, first + 1);
    test_assert_size(text[first - 1], ==, 'q');
    test_assert_size(text[first], ==, 'r');
    test_assert_size(text[first + 1], ==, 0);
    test_assert_size(*other, ==, 'O');
    subject_close(&s);
}

/* Finishing an object that is no longer the last allocation keeps its
 * capacity (nothing after it moves) and its bytes. */
static void
test_finish_not_last(const void *data)
{
    marena_builder_t b;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_append(&b, "abc", 3), ==, 0);
    char *other = marena_alloc_aligned(s.arena, 4, 1);
    test_assert_nonnull(other);
    memcpy(other, "XYZ", 4);
    size_t used = marena_used(s.arena);
    size_t length;
    char *text = marena_builder_finish(&b, &length);
    test_assert(strcmp(text, "abc") == 0);
    test_assert_size(length, ==, 3);
    test_assert_size(marena_used(s.arena), ==, used);
    test_assert_addr(other, ==, text + 256);
    test_assert(strcmp(other, "XYZ") == 0);
    test_assert_addr(marena_alloc_aligned(s.arena, 1, 1), ==, other + 4);

    /* A single byte moves with the object too. */
    char big[300];
    memset(big, 'b', sizeof(big));
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_append(&b, "a", 1), ==, 0);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 1, 1));
    test_assert_size(marena_builder_append(&b, big, sizeof(big)), ==, 0); /* moves */
    text = marena_builder_finish(&b, &length);
    test_assert_size(length, ==, 1 + sizeof(big));
    test_assert_size(text[0], ==, 'a');
    test_assert_size(text[1], ==, 'b');
    test_assert_size(text[sizeof(big)], ==, 'b');
    test_assert_size(text[length], ==, 0);
    subject_close(&s);
}

/* Abandon gives the bytes back when the object is the last allocation. */
static void
test_abandon(const void *data)
{
    marena_builder_t b;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc(s.arena, 8));
    size_t used = marena_used(s.arena);
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_append(&b, "abcdef", 6), ==, 0);
    marena_builder_abandon(&b);
    test_assert_size(marena_used(s.arena), ==, used);
    test_assert_size(marena_builder_length(&b), ==, 0);
    /* Not the last: the bytes stay used, the builder is empty again. */
    test_assert_size(marena_builder_append(&b, "abcdef", 6), ==, 0);
    test_assert_nonnull(marena_alloc(s.arena, 8));
    used = marena_used(s.arena);
    marena_builder_abandon(&b);
    test_assert_size(marena_used(s.arena), ==, used);
    test_assert_size(marena_builder_length(&b), ==, 0);
    marena_builder_abandon(NULL);
    subject_close(&s);
}

/* An append larger than any block fails as a request the fixed arena has
 * no room for (one failure), changing neither the builder nor the arena;
 * one whose length with the NUL overflows is bad input (one failure each,
 * MARENA_EINVAL). The library function is called (not the macro): the
 * data is never read. */
static void
test_too_large(const void *data)
{
    marena_builder_t b;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_append(&b, "abc", 3), ==, 0);
    struct snapshot before = snapshot_of(s.arena);
    size_t failed = stats_of(s.arena).failed;
    test_assert_size((marena_builder_append)(&b, "x", SIZE_MAX - 1 - 3), ==, -1);
    assert_unchanged(s.arena, before);
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EFULL);
    test_assert_size(stats_of(s.arena).failed, ==, failed + 1);
    test_assert_size((marena_builder_append)(&b, "x", SIZE_MAX - 3), ==, -1);
    test_assert_size(marena_last_error(s.arena), ==, MARENA_EINVAL);
    test_assert_size(stats_of(s.arena).failed, ==, failed + 2);
    test_assert_size((marena_builder_append)(&b, "x", SIZE_MAX), ==, -1);
    test_assert_size(stats_of(s.arena).failed, ==, failed + 3);
    assert_unchanged(s.arena, before);
    test_assert_size(marena_builder_length(&b), ==, 3);
    char *text = marena_builder_finish(&b, NULL);
    test_assert(strcmp(text, "abc") == 0);
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

/* In a growing arena whose backend refuses, an append that would move the
 * object to a new block fails once (one on_oom, one failed request) and
 * changes neither the builder nor the arena; once the backend gives
 * memory again, the same append moves the object with its bytes. */
static void
test_failed_move(const void *data)
{
    const struct arena_kind *kind = data;
    marena_options_t options = {0};
    marena_builder_t b;
    struct subject s;
    size_t oom_calls = 0;

    if (kind_backend(kind) != &counting_backend && !kind->buffered)
        return; /* only the counting backend can be made to refuse */
    options.block_size = 1024;
    options.flags = MARENA_GROW;
    options.on_oom = count_oom;
    options.oom_data = &oom_calls;
    subject_open_ex(&s, kind, options);
    memset(bytes, 'm', FAILED_MOVE_PIECE);
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_append(&b, "start", 5), ==, 0);
    s.counter.fail_from = s.counter.calls + 1;
    marena_stats_t before = stats_of(s.arena);
    size_t calls = s.counter.calls;

    test_assert_size(marena_builder_append(&b, bytes, FAILED_MOVE_PIECE), ==, -1);
    test_assert_size(s.counter.calls, ==, calls + 1);
    test_assert_size(oom_calls, ==, 1);
    test_assert_size(marena_last_error(s.arena), ==, MARENA_ENOMEM);
    marena_stats_t after = stats_of(s.arena);
    test_assert_size(after.failed, ==, before.failed + 1);
    test_assert_size(after.used, ==, before.used);
    test_assert_size(after.allocations, ==, before.allocations);
    test_assert_size(after.blocks, ==, before.blocks);
    test_assert_size(marena_builder_length(&b), ==, 5);

    s.counter.fail_from = 0;
    test_assert_size(marena_builder_append(&b, bytes, FAILED_MOVE_PIECE), ==, 0);
    test_assert_size(stats_of(s.arena).allocations, ==, before.allocations + 1);
    size_t length;
    char *text = marena_builder_finish(&b, &length);
    test_assert_size(length, ==, 5 + FAILED_MOVE_PIECE);
    test_assert(memcmp(text, "start", 5) == 0);
    for (size_t i = 5; i < length; i++)
        test_assert_size(text[i], ==, 'm');
    test_assert_size(text[length], ==, 0);
    test_assert_size(oom_calls, ==, 1);
    subject_close(&s);
}

/* Abandoning an object that is not the last is no failed call: the last
 * error stays as it was. */
static void
test_abandon_not_last(const void *data)
{
    marena_builder_t b;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_append(&b, "abc", 3), ==, 0);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 8, 1));
    struct snapshot before = snapshot_of(s.arena);
    size_t failed = stats_of(s.arena).failed;
    marena_builder_abandon(&b);
    assert_unchanged(s.arena, before);
    test_assert_size(marena_last_error(s.arena), ==, MARENA_OK);
    test_assert_size(stats_of(s.arena).failed, ==, failed);
    test_assert_size(marena_builder_length(&b), ==, 0);
    /* Abandoning an empty builder changes nothing either. */
    marena_builder_abandon(&b);
    assert_unchanged(s.arena, before);
    test_assert_size(marena_last_error(s.arena), ==, MARENA_OK);
    subject_close(&s);
}

static void
test_bad_input(const void *data)
{
    marena_builder_t b, nowhere;

    (void)data;
    marena_builder_begin(NULL, NULL);
    marena_builder_begin(&nowhere, NULL);
    test_assert_size(marena_builder_append(NULL, "x", 1), ==, -1);
    /* The same with a NULL the compiler cannot see. */
    marena_builder_t *volatile no_builder = NULL;
    test_assert_size(marena_builder_append(no_builder, "x", 1), ==, -1);
    test_assert_size(marena_builder_append(&nowhere, "x", 1), ==, -1);
    test_assert_size(marena_builder_append(&nowhere, "x", 0), ==, -1);
    test_assert_null(marena_builder_finish(NULL, NULL));
    test_assert_null(marena_builder_finish(&nowhere, NULL));
    test_assert_size(marena_builder_length(NULL), ==, 0);
    marena_builder_begin(&b, nowhere.arena);
    test_assert_size(marena_builder_length(&b), ==, 0);
#if MARENA_HAVE_STDIO
    test_assert_size(marena_builder_appendf(&nowhere, "%d", 1), ==, -1);
    test_assert_size(marena_builder_appendf(NULL, "%d", 1), ==, -1);
#endif
}

#if MARENA_HAVE_STDIO
static void
test_appendf(const void *data)
{
    marena_builder_t b;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    marena_builder_begin(&b, s.arena);
    test_assert_size(marena_builder_appendf(&b, "%s=%d", "x", 42), ==, 0);
    test_assert_size(marena_builder_appendf(&b, ";%05u", 7u), ==, 0);
    test_assert_size(marena_builder_appendf(&b, NULL), ==, -1);
    /* Formatting nothing succeeds and appends nothing. */
    test_assert_size(marena_builder_appendf(&b, "%s", ""), ==, 0);
    test_assert_size(marena_builder_length(&b), ==, 10);
    /* A format that does not encode (a wide character the C locale has no
     * byte for, where the C library says so) fails, appending nothing. */
    if (snprintf(NULL, 0, "%ls", L"\x100") < 0) {
        size_t failed = stats_of(s.arena).failed;

        test_assert_size(marena_builder_appendf(&b, "%ls", L"\x100"), ==, -1);
        test_assert_size(marena_builder_length(&b), ==, 10);
        test_assert_size(marena_last_error(s.arena), ==, MARENA_EINVAL);
        test_assert_size(stats_of(s.arena).failed, ==, failed + 1);
        /* With no builder, or one on no arena, there is nothing to note. */
        marena_builder_t none;

        marena_builder_begin(&none, NULL);
        test_assert_size(marena_builder_appendf(&none, "%ls", L"\x100"), ==, -1);
        test_assert_size(marena_builder_appendf(NULL, "%ls", L"\x100"), ==, -1);
    }
    test_assert_size(marena_builder_appendf(&b, "%c", '!'), ==, 0);
    size_t length;
    char *text = marena_builder_finish(&b, &length);
    test_assert(strcmp(text, "x=42;00007!") == 0);
    test_assert_size(length, ==, 11);
    subject_close(&s);
}
#endif

/* In a growing arena a builder grows past the first block; its growth is
 * geometric, so appending many small pieces costs few moves. */
static void
test_growing(const void *data)
{
    marena_options_t options = {0};
    marena_builder_t b;
    struct subject s;

    if (!pool_holds(256 << 10))
        return;
    options.block_size = 1024;
    options.flags = MARENA_GROW;
    subject_open_ex(&s, data, options);
    marena_builder_begin(&b, s.arena);
    for (int i = 0; i < 10000; i++)
        test_assert_size(marena_builder_append(&b, "0123456789", 10), ==, 0);
    size_t length;
    char *text = marena_builder_finish(&b, &length);
    test_assert_size(length, ==, 100000);
    test_assert_size(text[99999], ==, '9');
    test_assert_size(text[100000], ==, 0);
    /* Geometric growth: the bytes used are within a small factor. */
    test_assert_size(marena_used(s.arena), <, 4 * length);
    subject_close(&s);
}

int
main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"builder/append-finish", test_append_finish},
        {"builder/in-place-and-move", test_in_place_and_move},
        {"builder/fills-fixed-arena", test_fills_fixed_arena},
        {"builder/abandon", test_abandon},
        {"builder/capacity-doubles", test_capacity_doubles},
        {"builder/takes-just-the-request", test_takes_just_the_request},
        {"builder/moves-taking-the-request", test_moves_taking_the_request},
        {"builder/finish-not-last", test_finish_not_last},
        {"builder/failed-move", test_failed_move},
        {"builder/too-large", test_too_large},
        {"builder/abandon-not-last", test_abandon_not_last},
#if MARENA_HAVE_STDIO
        {"builder/appendf", test_appendf},
#endif
        {"builder/growing", test_growing},
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
    test_add(test_bad_input, NULL, "/builder/bad-input");
    return test_run();
}
