/* SPDX-License-Identifier: MIT */
/*
 * Scratch arenas (paths /scratch/<case>): marena_scratch_begin() hands out
 * a scope on the first of the calling thread's scratch arenas that is not
 * among the conflicts, marena_scope_end() rewinds it, and
 * marena_scratch_release() destroys the thread's set.
 *
 * Every test ends with marena_scratch_release(), so Valgrind and
 * LeakSanitizer see no leak. The per-thread test takes its thread from the
 * harness (test_thread_start).
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "marena.h"

/* The first block of a scratch arena, as src/scratch.c makes it. */
#define SCRATCH_FIRST_BLOCK ((size_t)64 * 1024)

static void
test_begin_end(const void *data)
{
    marena_scope_t scope, again;
    size_t used;

    (void)data;
    scope = marena_scratch_begin(NULL, 0);
    test_assert_nonnull(scope.arena);
    used = marena_used(scope.arena);
    test_assert_size(used, ==, 0); /* a fresh thread's scratch */
    test_assert_size(marena_capacity(scope.arena), >=, SCRATCH_FIRST_BLOCK);

    char *text = marena_strdup(scope.arena, "scratch");
    test_assert_nonnull(text);
    test_assert_nonnull(marena_alloc(scope.arena, 1000));
    test_assert_size(marena_used(scope.arena), >, used + 1000);
    marena_scope_end(scope);
    test_assert_size(marena_used(scope.arena), ==, used);

    /* Without conflicts the same arena comes back, and a non-NULL list of
     * zero conflicts is no list at all. */
    again = marena_scratch_begin(NULL, 0);
    test_assert_addr(again.arena, ==, scope.arena);
    marena_scope_end(again);
    again = marena_scratch_begin(&scope.arena, 0);
    test_assert_addr(again.arena, ==, scope.arena);
    marena_scope_end(again);
    marena_scratch_release();
}

/* A scope that begins with allocations already in the arena rewinds to
 * where it began, not to empty. */
static void
test_end_rewinds_to_begin(const void *data)
{
    marena_scope_t outer, inner;
    size_t used;

    (void)data;
    outer = marena_scratch_begin(NULL, 0);
    test_assert_nonnull(outer.arena);
    char *kept = marena_strdup(outer.arena, "kept");
    test_assert_nonnull(kept);
    used = marena_used(outer.arena);

    inner = marena_scratch_begin(NULL, 0); /* the same arena, nested */
    test_assert_addr(inner.arena, ==, outer.arena);
    void *first = marena_alloc(inner.arena, 100);
    test_assert_nonnull(first);
    for (int i = 0; i < 100; i++)
        test_assert_nonnull(marena_alloc(inner.arena, 100));
    marena_scope_end(inner);
    test_assert_size(marena_used(outer.arena), ==, used);
    test_assert(strcmp(kept, "kept") == 0);

    /* What the scope had is reused: the next allocation lands where the
     * inner scope's first one did. */
    test_assert_addr(marena_alloc(outer.arena, 100), ==, first);
    marena_scope_end(outer);
    test_assert_size(marena_used(outer.arena), ==, 0);
    marena_scratch_release();
}

static void
test_conflicts(const void *data)
{
    static unsigned char unrelated_buffer[MARENA_STATIC_OVERHEAD + 64];
    marena_scope_t first, second, none, again;
    marena_t *both[2], *mixed[3];
    size_t used_first, used_second;

    (void)data;
    first = marena_scratch_begin(NULL, 0);
    test_assert_nonnull(first.arena);
    test_assert_nonnull(marena_alloc(first.arena, 32));

    /* The caller's arena as a conflict: the other one. */
    second = marena_scratch_begin(&first.arena, 1);
    test_assert_nonnull(second.arena);
    test_assert_addr(second.arena, !=, first.arena);
    test_assert_nonnull(marena_alloc(second.arena, 48));

    /* Both conflict: no arena, and ending that scope does nothing. */
    both[0] = first.arena;
    both[1] = second.arena;
    used_first = marena_used(first.arena);
    used_second = marena_used(second.arena);
    none = marena_scratch_begin(both, 2);
    test_assert_null(none.arena);
    marena_scope_end(none);
    test_assert_size(marena_used(first.arena), ==, used_first);
    test_assert_size(marena_used(second.arena), ==, used_second);

    /* The order of the conflicts does not matter. */
    both[0] = second.arena;
    both[1] = first.arena;
    none = marena_scratch_begin(both, 2);
    test_assert_null(none.arena);

    /* Only the second conflicts: the first comes back. */
    again = marena_scratch_begin(&second.arena, 1);
    test_assert_addr(again.arena, ==, first.arena);
    marena_scope_end(again);

    /* Arenas that are not scratch arenas, and NULLs, conflict with none. */
#if MARENA_HAVE_STATIC_BACKEND
    mixed[0] = marena_create_static(unrelated_buffer, sizeof(unrelated_buffer));
    test_assert_nonnull(mixed[0]);
#else
    (void)unrelated_buffer;
    mixed[0] = NULL;
#endif
    mixed[1] = NULL;
    mixed[2] = first.arena;
    again = marena_scratch_begin(mixed, 2);
    test_assert_addr(again.arena, ==, first.arena);
    marena_scope_end(again);
    again = marena_scratch_begin(mixed, 3);
    test_assert_addr(again.arena, ==, second.arena);
    marena_scope_end(again);
    marena_destroy(mixed[0]);

    marena_scope_end(second);
    test_assert_size(marena_used(second.arena), ==, 0);
    marena_scope_end(first);
    test_assert_size(marena_used(first.arena), ==, 0);
    marena_scratch_release();
}

/* The pattern scratch arenas exist for: a function that returns its result
 * in its caller's arena, which is itself a scratch arena, and takes
 * scratch memory of its own for temporaries. */
static char *
join_words(marena_t *out, const char *const *words, size_t count)
{
    marena_scope_t temp = marena_scratch_begin(&out, 1);
    size_t *lengths, total = 0;
    char *result, *at;

    test_assert_nonnull(temp.arena);
    test_assert_addr(temp.arena, !=, out);
    lengths = marena_alloc(temp.arena, count * sizeof(*lengths));
    test_assert_nonnull(lengths);
    for (size_t i = 0; i < count; i++) {
        lengths[i] = strlen(words[i]);
        total += lengths[i] + 1;
        /* Scribble over scratch memory: it must not be the caller's. */
        test_assert_nonnull(marena_calloc(temp.arena, 1, 512));
    }
    /* A third level that passes both arenas finds none left. */
    marena_t *busy[2] = {out, temp.arena};
    marena_scope_t third = marena_scratch_begin(busy, 2);
    test_assert_null(third.arena);
    marena_scope_end(third);

    result = marena_alloc_aligned(out, total, 1);
    test_assert_nonnull(result);
    at = result;
    for (size_t i = 0; i < count; i++) {
        memcpy(at, words[i], lengths[i]);
        at += lengths[i];
        *at++ = i + 1 < count ? ' ' : '\0';
    }
    marena_scope_end(temp);
    test_assert_size(marena_used(temp.arena), ==, 0);
    return result;
}

static void
test_nested(const void *data)
{
    static const char *const words[] = {"one", "two", "three", "four"};
    marena_scope_t scope;

    (void)data;
    scope = marena_scratch_begin(NULL, 0);
    test_assert_nonnull(scope.arena);
    char *before = marena_strdup(scope.arena, "caller's data");
    test_assert_nonnull(before);
    char *joined = join_words(scope.arena, words, 4);
    test_assert(strcmp(joined, "one two three four") == 0);
    test_assert(strcmp(before, "caller's data") == 0);
    /* Twice: the callee's scratch was rewound and is reused. */
    char *again = join_words(scope.arena, words, 2);
    test_assert(strcmp(again, "one two") == 0);
    test_assert(strcmp(joined, "one two three four") == 0);
    marena_scope_end(scope);
    test_assert_size(marena_used(scope.arena), ==, 0);
    marena_scratch_release();
}

/* Scratch arenas grow: far more than their first block, all usable, and
 * the scope's end gives it all back. */
static void
test_grows(const void *data)
{
    enum { CHUNKS = 24, CHUNK = 40000 };
    unsigned char *chunks[CHUNKS];
    marena_scope_t scope;
    size_t used;

    (void)data;
    scope = marena_scratch_begin(NULL, 0);
    test_assert_nonnull(scope.arena);
    used = marena_used(scope.arena);
    for (size_t i = 0; i < CHUNKS; i++) {
        chunks[i] = marena_alloc(scope.arena, CHUNK);
        test_assert_nonnull(chunks[i]);
        memset(chunks[i], (int)i + 1, CHUNK);
    }
    /* One request larger than any ordinary block. */
    unsigned char *huge = marena_alloc(scope.arena, (size_t)3 << 20);
    test_assert_nonnull(huge);
    memset(huge, 0xee, (size_t)3 << 20);

    for (size_t i = 0; i < CHUNKS; i++) {
        test_assert_size(chunks[i][0], ==, i + 1);
        test_assert_size(chunks[i][CHUNK - 1], ==, i + 1);
    }
    test_assert_size(marena_used(scope.arena), >=,
                     used + CHUNKS * (size_t)CHUNK + ((size_t)3 << 20));
    test_assert_size(marena_capacity(scope.arena), >, 4 * SCRATCH_FIRST_BLOCK);
    marena_scope_end(scope);
    test_assert_size(marena_used(scope.arena), ==, used);

    /* And it serves again after the rewind. */
    scope = marena_scratch_begin(NULL, 0);
    test_assert_nonnull(marena_alloc(scope.arena, 2 * SCRATCH_FIRST_BLOCK));
    marena_scope_end(scope);
    marena_scratch_release();
}

/* Release destroys the thread's arenas; the next begin creates fresh
 * ones. Releasing twice, or with none created, is harmless. */
static void
test_release(const void *data)
{
    marena_scope_t scope;

    (void)data;
    marena_scratch_release();
    marena_scratch_release();

    scope = marena_scratch_begin(NULL, 0);
    test_assert_nonnull(scope.arena);
    test_assert_nonnull(marena_alloc(scope.arena, 100));
    marena_scope_end(scope);
    test_assert_nonnull(marena_alloc(scope.arena, 100)); /* left in use */
    marena_scratch_release();

    scope = marena_scratch_begin(NULL, 0);
    test_assert_nonnull(scope.arena);
    test_assert_size(marena_used(scope.arena), ==, 0);
    marena_scope_end(scope);
    marena_scratch_release();
    marena_scratch_release();

    /* Both arenas go, the second too: each comes back fresh. */
    scope = marena_scratch_begin(NULL, 0);
    marena_scope_t second = marena_scratch_begin(&scope.arena, 1);
    test_assert_nonnull(second.arena);
    marena_scope_end(second);
    test_assert_nonnull(marena_alloc(second.arena, 100)); /* left in use */
    test_assert_nonnull(marena_alloc(scope.arena, 100));
    marena_scope_end(scope);
    marena_scratch_release();
    scope = marena_scratch_begin(NULL, 0);
    second = marena_scratch_begin(&scope.arena, 1);
    test_assert_nonnull(second.arena);
    test_assert_size(marena_used(scope.arena), ==, 0);
    test_assert_size(marena_used(second.arena), ==, 0);
    marena_scope_end(second);
    marena_scope_end(scope);
    marena_scratch_release();
}

/* ------------------------------------------------------------ per thread */

struct thread_report {
    uintptr_t arenas[2]; /* the thread's two scratch arenas */
    size_t used_at_begin[2];
    int third_was_null;
    int data_intact;
};

static void *
scratch_thread(void *data)
{
    struct thread_report *report = data;
    marena_scope_t first, second, third;

    first = marena_scratch_begin(NULL, 0);
    second = marena_scratch_begin(&first.arena, 1);
    report->arenas[0] = (uintptr_t)first.arena;
    report->arenas[1] = (uintptr_t)second.arena;
    report->used_at_begin[0] = marena_used(first.arena);
    report->used_at_begin[1] = marena_used(second.arena);
    marena_t *both[2] = {first.arena, second.arena};
    third = marena_scratch_begin(both, 2);
    report->third_was_null = third.arena == NULL;

    char *a = marena_strdup(first.arena, "thread first");
    char *b = marena_strdup(second.arena, "thread second");
    report->data_intact = a != NULL && b != NULL && strcmp(a, "thread first") == 0 &&
                          strcmp(b, "thread second") == 0;
    marena_scope_end(second);
    marena_scope_end(first);
    marena_scratch_release();
    return NULL;
}

static void
test_per_thread(const void *data)
{
    struct thread_report report;
    marena_scope_t first, second;
    test_thread *thread;

    (void)data;
    memset(&report, 0, sizeof(report));
    first = marena_scratch_begin(NULL, 0);
    second = marena_scratch_begin(&first.arena, 1);
    test_assert_nonnull(first.arena);
    test_assert_nonnull(second.arena);
    char *mine = marena_strdup(first.arena, "main thread");
    test_assert_nonnull(mine);
    test_assert_nonnull(marena_alloc(second.arena, 4096));

    /* The other thread, while this one's scopes are open and in use. */
    thread = test_thread_start(scratch_thread, &report);
    test_thread_join(thread);

    test_assert_size(report.arenas[0], !=, 0);
    test_assert_size(report.arenas[1], !=, 0);
    test_assert_size(report.arenas[0], !=, report.arenas[1]);
    test_assert_size(report.arenas[0], !=, (uintptr_t)first.arena);
    test_assert_size(report.arenas[0], !=, (uintptr_t)second.arena);
    test_assert_size(report.arenas[1], !=, (uintptr_t)first.arena);
    test_assert_size(report.arenas[1], !=, (uintptr_t)second.arena);
    /* Its arenas were fresh although this thread's are in use. */
    test_assert_size(report.used_at_begin[0], ==, 0);
    test_assert_size(report.used_at_begin[1], ==, 0);
    test_assert(report.third_was_null);
    test_assert(report.data_intact);

    /* Ours are untouched by its use and its release. */
    test_assert(strcmp(mine, "main thread") == 0);
    test_assert_size(marena_used(second.arena), >=, 4096);
    marena_scope_end(second);
    marena_scope_end(first);
    test_assert_size(marena_used(first.arena), ==, 0);
    test_assert_size(marena_used(second.arena), ==, 0);
    marena_scratch_release();
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_begin_end, NULL, "/scratch/begin-end");
    test_add(test_end_rewinds_to_begin, NULL, "/scratch/end-rewinds-to-begin");
    test_add(test_conflicts, NULL, "/scratch/conflicts");
    test_add(test_nested, NULL, "/scratch/nested");
    test_add(test_grows, NULL, "/scratch/grows");
    test_add(test_release, NULL, "/scratch/release");
    test_add(test_per_thread, NULL, "/scratch/per-thread");
    return test_run();
}
