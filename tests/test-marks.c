/* SPDX-License-Identifier: MIT */
/*
 * Marks, rewind and scopes, on growing arenas of every backend: rewind
 * restores used exactly and the next address, across blocks; blocks that
 * came into use after the mark become spares (large ones are released);
 * and the marks an arena must refuse (stale, foreign, rewound past) abort
 * in debug builds and change nothing in release builds.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"
/* The control block's layout, to simulate 2^31 resets in an instant. */
#include "layout.h"

#define BLOCK 1024u

static void
open_growing(struct subject *s, const void *kind)
{
    marena_options_t options = {0};

    options.block_size = BLOCK;
    options.flags = MARENA_GROW;
    subject_open_ex(s, kind, options);
}

/* Allocates `count` small pieces, enough to need new blocks. */
static void
fill(marena_t *arena, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        unsigned char *p = marena_alloc_aligned(arena, 150, 1);

        test_assert_nonnull(p);
        memset(p, 0x11, 150);
    }
}

static void
test_rewind_restores(const void *data)
{
    struct subject s;

    if (!pool_holds(58 << 10))
        return;
    open_growing(&s, data);
    fill(s.arena, 3);
    size_t used = marena_used(s.arena);
    marena_mark_t mark = marena_mark(s.arena);
    unsigned char *next = marena_alloc_aligned(s.arena, 1, 1);

    fill(s.arena, 40);
    test_assert_nonnull(marena_alloc(s.arena, 50000));
    test_assert_size(stats_of(s.arena).blocks, >, 2);
    marena_rewind(s.arena, mark);
    test_assert_size(marena_used(s.arena), ==, used);
    test_assert_addr(marena_alloc_aligned(s.arena, 1, 1), ==, next);

    /* Rewinding to where the arena stands changes nothing. */
    used = marena_used(s.arena);
    marena_rewind(s.arena, marena_mark(s.arena));
    test_assert_size(marena_used(s.arena), ==, used);
    subject_close(&s);
}

/* A mark taken in a later block: rewind goes back into that block. */
static void
test_rewind_into_later_block(const void *data)
{
    struct subject s;

    if (!pool_holds(16 << 10))
        return;
    open_growing(&s, data);
    fill(s.arena, 30);
    test_assert_size(stats_of(s.arena).blocks, >, 1);
    size_t used = marena_used(s.arena);
    marena_mark_t mark = marena_mark(s.arena);
    unsigned char *next = marena_alloc_aligned(s.arena, 1, 1);

    fill(s.arena, 60);
    marena_rewind(s.arena, mark);
    test_assert_size(marena_used(s.arena), ==, used);
    test_assert_addr(marena_alloc_aligned(s.arena, 1, 1), ==, next);
    subject_close(&s);
}

static void
test_nested(const void *data)
{
    struct subject s;

    if (!pool_holds(8 << 10))
        return;
    open_growing(&s, data);
    marena_mark_t outer = marena_mark(s.arena);
    size_t outer_used = marena_used(s.arena);

    fill(s.arena, 10);
    marena_mark_t inner = marena_mark(s.arena);
    size_t inner_used = marena_used(s.arena);

    fill(s.arena, 20);
    marena_rewind(s.arena, inner);
    test_assert_size(marena_used(s.arena), ==, inner_used);
    fill(s.arena, 5);
    marena_rewind(s.arena, outer);
    test_assert_size(marena_used(s.arena), ==, outer_used);
    subject_close(&s);
}

/* Ordinary blocks that came into use after the mark are kept as spares
 * and reused; a block of its own for a large request goes back. */
static void
test_blocks_after_mark(const void *data)
{
    struct subject s;

    if (!pool_holds(MARENA_DEFAULT_MAX_BLOCK_SIZE + (16 << 10)))
        return;
    open_growing(&s, data);
    marena_mark_t mark = marena_mark(s.arena);
    fill(s.arena, 40);
    marena_stats_t grown = stats_of(s.arena);
    /* Larger than an ordinary block may ever be. */
    test_assert_nonnull(marena_alloc(s.arena, MARENA_DEFAULT_MAX_BLOCK_SIZE + 4096));
    test_assert_size(stats_of(s.arena).blocks, ==, grown.blocks + 1);
    size_t releases = s.counter.releases;

    marena_rewind(s.arena, mark);
    marena_stats_t rewound = stats_of(s.arena);
    test_assert_size(rewound.blocks, ==, grown.blocks);
    test_assert_size(rewound.spare_blocks, ==, grown.blocks - 1);
    if (kind_backend(s.kind) == &counting_backend || s.kind->buffered)
        test_assert_size(s.counter.releases, ==, releases + 1);

    /* The same work again comes from the spares. */
    size_t calls = s.counter.calls;
    fill(s.arena, 40);
    test_assert_size(s.counter.calls, ==, calls);
    test_assert_size(stats_of(s.arena).spare_blocks, ==, 0);
    subject_close(&s);
}

static void
test_scope(const void *data)
{
    struct subject s;

    if (!pool_holds(8 << 10))
        return;
    open_growing(&s, data);
    fill(s.arena, 2);
    size_t used = marena_used(s.arena);
    marena_scope_t scope = marena_scope_begin(s.arena);

    test_assert_addr(scope.arena, ==, s.arena);
    fill(s.arena, 30);
    marena_scope_end(scope);
    test_assert_size(marena_used(s.arena), ==, used);

    /* A scope without an arena is harmless. */
    scope = marena_scope_begin(NULL);
    test_assert_null(scope.arena);
    marena_scope_end(scope);
    subject_close(&s);
}

/* Rewinds `arena` to `mark`, which it must refuse: a debug build aborts
 * with a message (checked in a child process), a release build ignores it. */
static void
assert_refused(marena_t *arena, marena_mark_t mark)
{
#if MARENA_DEBUG
    if (test_in_child()) {
        marena_rewind(arena, mark);
        return;
    }
#if MARENA_HAVE_STDIO
    test_assert_child_aborted("*marena_rewind: the mark is not from this arena*");
#else
    test_assert_child_aborted("*");
#endif
#else
    size_t used = marena_used(arena), remaining = marena_remaining(arena);

    marena_rewind(arena, mark);
    test_assert_size(marena_used(arena), ==, used);
    test_assert_size(marena_remaining(arena), ==, remaining);
#endif
}

static void
test_stale_mark(const void *data)
{
    struct subject s;

    open_growing(&s, data);
    fill(s.arena, 3);
    marena_mark_t mark = marena_mark(s.arena);
    marena_reset(s.arena);
    fill(s.arena, 5);
    assert_refused(s.arena, mark);
    subject_close(&s);
}

static void
test_foreign_mark(const void *data)
{
    struct counting_backend counter;
    struct subject s;
    marena_t *other;

    counting_init(&counter);
    other = marena_create_with(&counting_backend, &counter, BLOCK);
    open_growing(&s, data);
    fill(s.arena, 3);
    fill(other, 3);
    assert_refused(s.arena, marena_mark(other));
    marena_destroy(other);
    subject_close(&s);
}

static void
test_rewound_past(const void *data)
{
    struct subject s;

    if (!pool_holds(8 << 10))
        return;
    open_growing(&s, data);
    marena_mark_t early = marena_mark(s.arena);
    fill(s.arena, 20);
    marena_mark_t late = marena_mark(s.arena);
    marena_rewind(s.arena, early);
    assert_refused(s.arena, late);
    subject_close(&s);
}

/* Rewound past, and then the arena advanced past the mark again in the
 * same block: still stale (rewinding there would hand out memory that is
 * in use). */
static void
test_rewound_past_then_advanced(const void *data)
{
    struct subject s;

    open_growing(&s, data);
    marena_mark_t early = marena_mark(s.arena);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 100, 1));
    marena_mark_t late = marena_mark(s.arena);
    marena_rewind(s.arena, early);
    unsigned char *live = marena_alloc_aligned(s.arena, 300, 1);
    test_assert_nonnull(live);
    test_assert_size(marena_used(s.arena), >, late.used);
    assert_refused(s.arena, late);
    subject_close(&s);
}

/* marena_pop() and a shrinking realloc go back too: marks above where
 * they went are stale. */
static void
test_popped_below(const void *data)
{
    struct subject s;

    open_growing(&s, data);
    unsigned char *p = marena_alloc_aligned(s.arena, 64, 1);
    marena_mark_t mark = marena_mark(s.arena);
    test_assert_size(marena_pop(s.arena, p, 64), ==, 1);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 200, 1));
    assert_refused(s.arena, mark);
    subject_close(&s);
}

static void
test_shrunk_below(const void *data)
{
    struct subject s;

    open_growing(&s, data);
    unsigned char *p = marena_alloc_aligned(s.arena, 64, 1);
    marena_mark_t mark = marena_mark(s.arena);
    test_assert_addr(marena_realloc(s.arena, p, 64, 8), ==, p);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 200, 1));
    assert_refused(s.arena, mark);
    subject_close(&s);
}

/* 2^31 resets (simulated: the arena's clock is moved on) do not make a
 * mark from before them valid again: serials are 64-bit and never wrap. */
static void
test_after_many_resets(const void *data)
{
    struct subject s;

    open_growing(&s, data);
    marena_mark_t mark = marena_mark(s.arena);
    ((struct marena_arena *)s.arena)->serial += (uint32_t)1 << 31;
    marena_reset(s.arena);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 100, 1));
    assert_refused(s.arena, mark);
    subject_close(&s);
}

/* What stays valid: a mark rewound to again and again (a loop), an outer
 * mark after an inner one was rewound, a mark at or below where a pop or
 * a shrink went, and nesting deeper than the retreats an arena keeps. */
static void
test_valid_after_retreats(const void *data)
{
    enum { DEPTH = 3 * MARENA_RETREATS };
    marena_mark_t marks[DEPTH];
    struct subject s;

    if (!pool_holds(16 << 10))
        return;
    open_growing(&s, data);
    marena_mark_t loop = marena_mark(s.arena);
    for (int i = 0; i < 5; i++) {
        fill(s.arena, 3);
        marena_rewind(s.arena, loop);
        test_assert_size(marena_used(s.arena), ==, loop.used);
    }
    /* Each mark rewound to once before the next is taken: every rewind
     * goes back less far than the one after it, the longest list of
     * retreats an arena can need. */
    for (int i = 0; i < DEPTH; i++) {
        test_assert_nonnull(marena_alloc_aligned(s.arena, 10, 1));
        marks[i] = marena_mark(s.arena);
        fill(s.arena, 1);
        marena_rewind(s.arena, marks[i]);
    }
    for (int i = DEPTH - 1; i >= 0; i--) {
        fill(s.arena, 1);
        marena_rewind(s.arena, marks[i]);
        fill(s.arena, 1);
        marena_rewind(s.arena, marks[i]);
        test_assert_size(marena_used(s.arena), ==, marks[i].used);
    }
    unsigned char *p = marena_alloc_aligned(s.arena, 64, 1);
    marena_mark_t at = marena_mark(s.arena);
    test_assert_addr(marena_realloc(s.arena, p, 64, 64 + 32), ==, p);
    test_assert_addr(marena_realloc(s.arena, p, 96, 64), ==, p);
    marena_rewind(s.arena, at);
    test_assert_size(marena_pop(s.arena, p, 64), ==, 1);
    marena_rewind(s.arena, marks[0]);
    marena_rewind(s.arena, loop);
    test_assert_size(marena_used(s.arena), ==, loop.used);
    subject_close(&s);
}

/* A mark made stale by a rewind stays refused while the rewinds after it
 * nest up to 8 deep (each one going back less far than the one after it,
 * all above the rewind that made it stale). */
static void
test_stale_under_nested_rewinds(const void *data)
{
    struct subject s;

    if (!pool_holds(8 << 10))
        return;
    open_growing(&s, data);
    marena_mark_t first = marena_mark(s.arena);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 100, 1));
    marena_mark_t stale = marena_mark(s.arena);
    marena_rewind(s.arena, first); /* below stale: it is stale now */
    test_assert_nonnull(marena_alloc_aligned(s.arena, 200, 1));
    for (int i = 1; i < 8; i++) {
        test_assert_nonnull(marena_alloc_aligned(s.arena, 10, 1));
        marena_mark_t mark = marena_mark(s.arena);
        test_assert_size(mark.used, >, stale.used);
        test_assert_nonnull(marena_alloc_aligned(s.arena, 10, 1));
        marena_rewind(s.arena, mark);
        test_assert_size(marena_used(s.arena), ==, mark.used);
    }
    assert_refused(s.arena, stale);
    subject_close(&s);
}

/* A realloc to the same size does not go back: with 8 rewinds nesting
 * after a mark made stale, it leaves every record in place, and the mark
 * is still refused. */
static void
test_stale_after_same_size_realloc(const void *data)
{
    struct subject s;

    if (!pool_holds(8 << 10))
        return;
    open_growing(&s, data);
    marena_mark_t first = marena_mark(s.arena);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 100, 1));
    marena_mark_t stale = marena_mark(s.arena);
    marena_rewind(s.arena, first); /* 1: below stale */
    test_assert_nonnull(marena_alloc_aligned(s.arena, 200, 1));
    for (int i = 1; i < 8; i++) { /* 2..8, above stale */
        test_assert_nonnull(marena_alloc_aligned(s.arena, 10, 1));
        marena_mark_t mark = marena_mark(s.arena);
        test_assert_nonnull(marena_alloc_aligned(s.arena, 10, 1));
        marena_rewind(s.arena, mark);
    }
    unsigned char *p = marena_alloc_aligned(s.arena, 40, 1);
    test_assert_addr(marena_realloc(s.arena, p, 40, 40), ==, p);
    assert_refused(s.arena, stale);
    subject_close(&s);
}

/* Allocates `size` bytes (alignment 1) and takes a mark after them. */
static marena_mark_t
mark_after(marena_t *arena, size_t size)
{
    test_assert_nonnull(marena_alloc_aligned(arena, size, 1));
    return marena_mark(arena);
}

/* Rewinds go on being recorded after a reset: a mark the arena went back
 * below since the reset is refused. */
static void
test_stale_after_reset(const void *data)
{
    struct subject s;

    open_growing(&s, data);
    marena_rewind(s.arena, mark_after(s.arena, 10)); /* a retreat, then a reset */
    marena_reset(s.arena);
    marena_mark_t early = mark_after(s.arena, 10);
    marena_mark_t late = mark_after(s.arena, 100);
    marena_rewind(s.arena, early);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 300, 1));
    assert_refused(s.arena, late);
    subject_close(&s);
}

/* An inner scope rewound, then the outer one: a mark taken between the
 * two is stale (the outer rewind went below it). */
static void
test_stale_between_scopes(const void *data)
{
    struct subject s;

    open_growing(&s, data);
    marena_mark_t outer = mark_after(s.arena, 50);
    marena_mark_t between = mark_after(s.arena, 50);
    marena_mark_t inner = mark_after(s.arena, 50);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 50, 1));
    marena_rewind(s.arena, inner);
    marena_rewind(s.arena, outer);
    test_assert_size(marena_used(s.arena), ==, outer.used);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 300, 1));
    assert_refused(s.arena, between);
    subject_close(&s);
}

/* A stale mark stays refused however often a mark above it is rewound to
 * since (a scope in a loop is one level of nesting). */
static void
test_stale_under_loop(const void *data)
{
    struct subject s;

    open_growing(&s, data);
    marena_mark_t first = mark_after(s.arena, 10);
    marena_mark_t stale = mark_after(s.arena, 50);
    marena_rewind(s.arena, first);
    marena_mark_t loop = mark_after(s.arena, 100);
    test_assert_size(loop.used, >, stale.used);
    for (int i = 0; i < 2 * 8; i++) {
        test_assert_nonnull(marena_alloc_aligned(s.arena, 20, 1));
        marena_rewind(s.arena, loop);
    }
    assert_refused(s.arena, stale);
    subject_close(&s);
}

/* Nine rewinds nesting, the oldest record is the one dropped: a mark made
 * stale by the second rewind (`second`), or by the eighth (`eighth`), is
 * still refused. One refusal a test: a death test's child goes on. */
static void
nine_rewinds(marena_t *arena, marena_mark_t *second, marena_mark_t *eighth)
{
    marena_rewind(arena, mark_after(arena, 10)); /* 1: at 10 */
    marena_mark_t b = mark_after(arena, 20);
    *second = mark_after(arena, 40); /* at 70 */
    test_assert_nonnull(marena_alloc_aligned(arena, 10, 1));
    marena_rewind(arena, b); /* 2: at 30, below second */
    test_assert_nonnull(marena_alloc_aligned(arena, 70, 1));
    for (int i = 3; i <= 7; i++) { /* 3..7: at 110..150 */
        marena_mark_t x = mark_after(arena, 10);
        test_assert_nonnull(marena_alloc_aligned(arena, 10, 1));
        marena_rewind(arena, x);
    }
    marena_mark_t c = mark_after(arena, 10);
    *eighth = mark_after(arena, 20); /* at 180 */
    test_assert_nonnull(marena_alloc_aligned(arena, 10, 1));
    marena_rewind(arena, c); /* 8: at 160, below eighth */
    marena_mark_t d = mark_after(arena, 30);
    test_assert_nonnull(marena_alloc_aligned(arena, 10, 1));
    marena_rewind(arena, d); /* 9: at 190 */
    test_assert_size(marena_used(arena), ==, d.used);
    test_assert_size(d.used, >, eighth->used);
}

static void
test_second_retreat_kept(const void *data)
{
    marena_mark_t second, eighth;
    struct subject s;

    open_growing(&s, data);
    nine_rewinds(s.arena, &second, &eighth);
    assert_refused(s.arena, second);
    subject_close(&s);
}

static void
test_eighth_retreat_kept(const void *data)
{
    marena_mark_t second, eighth;
    struct subject s;

    open_growing(&s, data);
    nine_rewinds(s.arena, &second, &eighth);
    assert_refused(s.arena, eighth);
    subject_close(&s);
}

static void
test_null_mark(const void *data)
{
    struct subject s;

    open_growing(&s, data);
    fill(s.arena, 1);
    marena_rewind(NULL, marena_mark(s.arena));
    assert_refused(s.arena, marena_mark(NULL));
    subject_close(&s);
}

int
main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"mark/rewind-restores", test_rewind_restores},
        {"mark/rewind-into-later-block", test_rewind_into_later_block},
        {"mark/nested", test_nested},
        {"mark/blocks-after-mark", test_blocks_after_mark},
        {"mark/scope", test_scope},
        {"mark/invalid/stale", test_stale_mark},
        {"mark/invalid/foreign", test_foreign_mark},
        {"mark/invalid/rewound-past", test_rewound_past},
        {"mark/invalid/rewound-past-then-advanced", test_rewound_past_then_advanced},
        {"mark/invalid/popped-below", test_popped_below},
        {"mark/invalid/shrunk-below", test_shrunk_below},
        {"mark/invalid/after-many-resets", test_after_many_resets},
        {"mark/valid-after-retreats", test_valid_after_retreats},
        {"mark/invalid/stale-under-nested-rewinds", test_stale_under_nested_rewinds},
        {"mark/invalid/stale-after-reset", test_stale_after_reset},
        {"mark/invalid/stale-after-same-size-realloc",
         test_stale_after_same_size_realloc},
        {"mark/invalid/stale-between-scopes", test_stale_between_scopes},
        {"mark/invalid/stale-under-loop", test_stale_under_loop},
        {"mark/invalid/second-retreat-kept", test_second_retreat_kept},
        {"mark/invalid/eighth-retreat-kept", test_eighth_retreat_kept},
        {"mark/invalid/null", test_null_mark},
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
    return test_run();
}
