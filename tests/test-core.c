/* SPDX-License-Identifier: MIT */
/*
 * The core suite: every behaviour of a fixed-size arena, run once per
 * backend the build has (paths /<backend>/<feature>/<case>).
 *
 * A failed call must leave the arena exactly as it was; `snapshot` records
 * what is observable (used, remaining, capacity) and where the next byte
 * would go, and `assert_unchanged` compares.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#define CAPACITY 4096u

static void
assert_consistent(const marena_t *arena)
{
    test_assert_size(marena_used(arena) + marena_remaining(arena), ==,
                     marena_capacity(arena));
}

static void
test_create_capacity(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    test_assert_size(marena_capacity(s.arena), >=, CAPACITY);
    test_assert_size(marena_remaining(s.arena), ==, marena_capacity(s.arena));
    test_assert_size(marena_used(s.arena), ==, 0);
    subject_close(&s);
}

static void
test_alloc_zero_size(const void *data)
{
    struct subject s;
    struct snapshot before;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc(s.arena, 24));
    before = snapshot_of(s.arena);
    test_assert_null(marena_alloc(s.arena, 0));
    test_assert_null(marena_alloc_aligned(s.arena, 0, 1));
    test_assert_null(marena_alloc_aligned(s.arena, 0, 64));
    test_assert_null(marena_calloc(s.arena, 0, 8));
    test_assert_null(marena_calloc(s.arena, 8, 0));
    test_assert_null(marena_calloc(s.arena, 0, 0));
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

static void
test_alloc_default_alignment(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    for (size_t size = 1; size <= 40; size++) {
        void *p = marena_alloc(s.arena, size);

        test_assert_nonnull(p);
        test_assert(is_aligned(p, MARENA_ALIGNMENT));
        p = marena_calloc(s.arena, 1, size);
        test_assert_nonnull(p);
        test_assert(is_aligned(p, MARENA_ALIGNMENT));
    }
    assert_consistent(s.arena);
    subject_close(&s);
}

static void
test_alloc_aligned(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    for (size_t align = 1; align <= 1024; align *= 2) {
        /* An odd 1-byte allocation first, so the cursor is misaligned. */
        test_assert_nonnull(marena_alloc_aligned(s.arena, 1, 1));
        void *p = marena_alloc_aligned(s.arena, 3, align);

        test_assert_nonnull(p);
        test_assert(is_aligned(p, align));
        assert_consistent(s.arena);
    }
    subject_close(&s);
}

static void
test_alloc_bad_alignment(const void *data)
{
    static const size_t bad[] = {0, 3, 6, 12, 24, 100, SIZE_MAX, SIZE_MAX - 1};
    struct subject s;
    struct snapshot before;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 5, 1));
    before = snapshot_of(s.arena);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        test_assert_null(marena_alloc_aligned(s.arena, 8, bad[i]));
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

static void
test_alloc_overflow(const void *data)
{
    const size_t huge_align = SIZE_MAX / 2 + 1; /* a power of two */
    struct subject s;
    struct snapshot before;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 3, 1));
    before = snapshot_of(s.arena);
    test_assert_null(marena_alloc(s.arena, SIZE_MAX));
    test_assert_null(marena_alloc(s.arena, SIZE_MAX - 3));
    test_assert_null(marena_alloc_aligned(s.arena, SIZE_MAX, 1));
    test_assert_null(marena_alloc_aligned(s.arena, SIZE_MAX - 3, 16));
    test_assert_null(marena_alloc_aligned(s.arena, SIZE_MAX - 15, 16));
    test_assert_null(marena_alloc_aligned(s.arena, 1, huge_align));
    test_assert_null(marena_alloc_aligned(s.arena, SIZE_MAX, huge_align));
    /* Just past what remains, with and without padding. */
    test_assert_null(marena_alloc_aligned(s.arena, before.remaining + 1, 1));
    test_assert_null(marena_alloc_aligned(s.arena, before.remaining, 16));
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

static void
test_alloc_contiguous(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *first = marena_alloc_aligned(s.arena, 10, 1);
    unsigned char *second = marena_alloc_aligned(s.arena, 10, 1);

    test_assert_nonnull(first);
    test_assert_nonnull(second);
    test_assert_addr(second, ==, first + 10);
    test_assert_size(marena_used(s.arena), ==, 20);
    subject_close(&s);
}

static void
test_alloc_full(const void *data)
{
    struct subject s;
    struct snapshot before;
    size_t remaining;

    subject_open(&s, data, CAPACITY);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 7, 1));
    remaining = marena_remaining(s.arena);

    before = snapshot_of(s.arena);
    test_assert_null(marena_alloc_aligned(s.arena, remaining + 1, 1));
    assert_unchanged(s.arena, before);

    unsigned char *last = marena_alloc_aligned(s.arena, remaining, 1);
    test_assert_nonnull(last);
    memset(last, 0x5a, remaining); /* all of it is writable */
    test_assert_size(marena_remaining(s.arena), ==, 0);
    test_assert_size(marena_used(s.arena), ==, marena_capacity(s.arena));

    before = snapshot_of(s.arena);
    test_assert_null(marena_alloc_aligned(s.arena, 1, 1));
    test_assert_null(marena_alloc(s.arena, 1));
    test_assert_null(marena_calloc(s.arena, 1, 1));
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

/* A deterministic mix of sizes and alignments: every allocation lies inside
 * the block, none overlaps another (each is filled with its own byte and
 * checked at the end), and used + remaining == capacity throughout. */
static void
test_alloc_accounting(const void *data)
{
    enum { MAX_LIVE = 256 };
    struct {
        unsigned char *p;
        size_t size;
    } live[MAX_LIVE];
    size_t count = 0, used_before;
    uint32_t state = 0x9e3779b9u;
    struct subject s;
    uintptr_t low, high;

    subject_open(&s, data, CAPACITY);
    low = (uintptr_t)marena_alloc_aligned(s.arena, 1, 1);
    high = low + marena_capacity(s.arena);
    while (count < MAX_LIVE) {
        state ^= state << 13, state ^= state >> 17, state ^= state << 5;
        size_t size = 1 + state % 48, align = (size_t)1 << (state >> 28) % 7;

        used_before = marena_used(s.arena);
        unsigned char *p = marena_alloc_aligned(s.arena, size, align);
        if (p == NULL) {
            test_assert_size(marena_used(s.arena), ==, used_before);
            break;
        }
        test_assert(is_aligned(p, align));
        test_assert_addr(p, >, low);
        test_assert_addr(p + size, <=, high);
        test_assert_size(marena_used(s.arena), >=, used_before + size);
        assert_consistent(s.arena);
        memset(p, (int)(count & 0xff), size);
        live[count].p = p;
        live[count].size = size;
        count++;
    }
    test_assert_size(count, >, 50);
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < live[i].size; j++)
            test_assert_size(live[i].p[j], ==, i & 0xff);
    subject_close(&s);
}

static void
test_calloc_zeroed(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    /* Dirty the whole block first, then forget it. */
    size_t capacity = marena_capacity(s.arena);
    unsigned char *dirty = marena_alloc_aligned(s.arena, capacity, 1);
    test_assert_nonnull(dirty);
    memset(dirty, 0xa5, capacity);
    marena_reset(s.arena);

    unsigned char *p = marena_calloc(s.arena, 100, 7);
    test_assert_nonnull(p);
    test_assert(is_aligned(p, MARENA_ALIGNMENT));
    for (size_t i = 0; i < 700; i++)
        test_assert_size(p[i], ==, 0);
    test_assert_size(marena_used(s.arena), >=, 700);
    subject_close(&s);
}

static void
test_calloc_overflow(const void *data)
{
    struct subject s;
    struct snapshot before;

    subject_open(&s, data, CAPACITY);
    before = snapshot_of(s.arena);
    test_assert_null(marena_calloc(s.arena, SIZE_MAX / 2 + 1, 2));
    test_assert_null(marena_calloc(s.arena, 2, SIZE_MAX / 2 + 1));
    test_assert_null(marena_calloc(s.arena, SIZE_MAX, SIZE_MAX));
    test_assert_null(marena_calloc(s.arena, SIZE_MAX / 16 + 1, 16));
    /* Fits size_t but not the arena. */
    test_assert_null(marena_calloc(s.arena, before.remaining + 1, 1));
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

struct wide {
    char tag;
    long double value;
    void *next;
};

/* The typed macros: zeroed, aligned for the type, count*size checked. */
static void
test_typed(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    /* Dirty the block so zeroing is observable. */
    memset(marena_alloc_aligned(s.arena, CAPACITY, 1), 0xa5, CAPACITY);
    marena_reset(s.arena);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 1, 1));

    struct wide *one = MARENA_NEW(s.arena, struct wide);
    test_assert_nonnull(one);
    test_assert(is_aligned(one, _Alignof(struct wide)));
    test_assert(one->tag == 0 && one->value == 0 && one->next == NULL);

    int *many = MARENA_NEW_ARRAY(s.arena, int, 100);
    test_assert_nonnull(many);
    test_assert(is_aligned(many, _Alignof(int)));
    for (int i = 0; i < 100; i++)
        test_assert_size(many[i], ==, 0);

    struct snapshot before = snapshot_of(s.arena);
    test_assert_null(MARENA_NEW_ARRAY(s.arena, int, 0));
    test_assert_null(MARENA_NEW_ARRAY(s.arena, int, SIZE_MAX / sizeof(int) + 1));
    test_assert_null(MARENA_NEW_ARRAY(s.arena, struct wide, SIZE_MAX / 2));
    test_assert_null(marena_calloc_aligned(s.arena, 4, 4, 3));
    test_assert_null(marena_calloc_aligned(NULL, 4, 4, 4));
    assert_unchanged(s.arena, before);

    char *byte_aligned = marena_calloc_aligned(s.arena, 3, 1, 1);
    test_assert_nonnull(byte_aligned);
    test_assert_addr(marena_calloc_aligned(s.arena, 1, 1, 1), ==, byte_aligned + 3);
    test_assert(is_aligned(marena_calloc_aligned(s.arena, 2, 8, 256), 256));
    subject_close(&s);
}

/* The exported functions (reached through pointers, as bindings do) and the
 * inline fast path are the same allocator: they interleave contiguously,
 * refuse the same input, and count every allocation. */
static void
test_exported(const void *data)
{
    void *(*alloc)(marena_t *, size_t) = marena_alloc;
    void *(*alloc_aligned)(marena_t *, size_t, size_t) = marena_alloc_aligned;
    void *(*calloc_fn)(marena_t *, size_t, size_t) = marena_calloc;
    void *(*calloc_aligned)(marena_t *, size_t, size_t, size_t) = marena_calloc_aligned;
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *a = alloc_aligned(s.arena, 10, 1);
    unsigned char *b = marena_alloc_aligned(s.arena, 10, 1);
    unsigned char *c = marena_alloc_slow(s.arena, 10, 1);
    test_assert_addr(b, ==, a + 10);
    test_assert_addr(c, ==, b + 10);
    test_assert(is_aligned(alloc(s.arena, 3), MARENA_ALIGNMENT));
    test_assert(is_aligned(calloc_fn(s.arena, 2, 3), MARENA_ALIGNMENT));
    test_assert(is_aligned(calloc_aligned(s.arena, 2, 3, 64), 64));

    struct snapshot before = snapshot_of(s.arena);
    test_assert_null(alloc(s.arena, 0));
    test_assert_null(alloc_aligned(s.arena, 8, 3));
    test_assert_null(alloc_aligned(s.arena, SIZE_MAX, 1));
    test_assert_null(calloc_fn(s.arena, SIZE_MAX, 2));
    test_assert_null(marena_alloc_slow(s.arena, 0, 8));
    test_assert_null(marena_alloc_slow(NULL, 8, 8));
    test_assert_null(alloc(NULL, 8));
    assert_unchanged(s.arena, before);

#if MARENA_HAVE_STATS
    marena_stats_t stats = stats_of(s.arena);
    test_assert_size(stats.allocations, ==, 6);
    test_assert_size(stats.failed, ==, 5);
#endif
    subject_close(&s);
}

/* The exported calloc functions (through pointers: no inline code) zero
 * memory that held data, and refuse count * size above PTRDIFF_MAX, no
 * object being larger, as well as products that overflow. So do the
 * inline ones. */
static void
test_calloc_exported(const void *data)
{
    void *(*calloc_fn)(marena_t *, size_t, size_t) = marena_calloc;
    void *(*calloc_aligned)(marena_t *, size_t, size_t, size_t) = marena_calloc_aligned;
    const size_t half = (size_t)PTRDIFF_MAX / 2 + 1; /* half * 2 > PTRDIFF_MAX */
    struct subject s;

    subject_open(&s, data, CAPACITY);
    unsigned char *dirty = marena_alloc_aligned(s.arena, 512, 1);
    test_assert_nonnull(dirty);
    memset(dirty, 0xff, 512);
    marena_reset(s.arena);
    unsigned char *a = calloc_fn(s.arena, 16, 8);
    unsigned char *b = calloc_aligned(s.arena, 7, 9, 64);
    test_assert_addr(a, ==, dirty);
    test_assert_nonnull(b);
    for (size_t i = 0; i < 128; i++)
        test_assert_size(a[i], ==, 0);
    for (size_t i = 0; i < 63; i++)
        test_assert_size(b[i], ==, 0);

    struct snapshot before = snapshot_of(s.arena);
    test_assert_null(calloc_fn(s.arena, half, 2));
    test_assert_null(calloc_fn(s.arena, 2, half));
    test_assert_null(calloc_aligned(s.arena, half, 2, 1));
    test_assert_null(calloc_aligned(s.arena, SIZE_MAX / 3, 4, 8));
    test_assert_null(calloc_aligned(s.arena, 1, 1, 3));
    test_assert_null(marena_calloc(s.arena, half, 2));
    test_assert_null(marena_calloc_aligned(s.arena, 2, half, 16));
    assert_unchanged(s.arena, before);
    subject_close(&s);
}

static void
test_reset(const void *data)
{
    struct subject s;

    subject_open(&s, data, CAPACITY);
    void *first = marena_alloc(s.arena, 100);
    test_assert_nonnull(first);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 333, 8));
    size_t acquires = s.counter.acquires, releases = s.counter.releases;

    marena_reset(s.arena);
    test_assert_size(marena_used(s.arena), ==, 0);
    test_assert_size(marena_remaining(s.arena), ==, marena_capacity(s.arena));
    /* No backend call: the counting backend saw nothing. */
    test_assert_size(s.counter.acquires, ==, acquires);
    test_assert_size(s.counter.releases, ==, releases);
    test_assert_addr(marena_alloc(s.arena, 100), ==, first);

    /* Reset of an empty arena changes nothing; the whole capacity is back. */
    marena_reset(s.arena);
    marena_reset(s.arena);
    test_assert_nonnull(marena_alloc_aligned(s.arena, marena_capacity(s.arena), 1));
    subject_close(&s);
}

int
main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"create/capacity", test_create_capacity},
        {"alloc/zero-size", test_alloc_zero_size},
        {"alloc/default-alignment", test_alloc_default_alignment},
        {"alloc/aligned", test_alloc_aligned},
        {"alloc/bad-alignment", test_alloc_bad_alignment},
        {"alloc/overflow", test_alloc_overflow},
        {"alloc/contiguous", test_alloc_contiguous},
        {"alloc/full", test_alloc_full},
        {"alloc/accounting", test_alloc_accounting},
        {"calloc/zeroed", test_calloc_zeroed},
        {"calloc/overflow", test_calloc_overflow},
        {"calloc/typed", test_typed},
        {"alloc/exported", test_exported},
        {"calloc/exported", test_calloc_exported},
        {"reset/rewinds", test_reset},
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
    return test_run();
}
