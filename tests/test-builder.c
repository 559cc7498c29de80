/* SPDX-License-Identifier: MIT */
/*
 * Builders (paths /<kind>/builder/<case>): appended bytes come back as one
 * NUL-terminated string; the object grows in place while it is the last
 * allocation and moves when it is not; it can fill a fixed arena; a failed
 * append changes nothing; finish gives back what it did not use; abandon
 * gives everything back when it can; NULL arguments answer -1, NULL or 0.
 */
#include <string.h>

#include "harness.h"
#include "subjects.h"

#define CAPACITY 4096u

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

static void
test_bad_input(const void *data)
{
    marena_builder_t b, nowhere;

    (void)data;
    marena_builder_begin(NULL, NULL);
    marena_builder_begin(&nowhere, NULL);
    test_assert_size(marena_builder_append(NULL, "x", 1), ==, -1);
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
    char *text = marena_builder_finish(&b, NULL);
    test_assert(strcmp(text, "x=42;00007") == 0);
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
