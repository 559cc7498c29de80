/* SPDX-License-Identifier: MIT */
/*
 * Growing arenas: new blocks, blocks of their own for large requests, the
 * limit, what each reset mode keeps, and failure (on_oom, a failing
 * backend, marena_alloc_or_abort). Run once per backend; the static kind
 * starts in a caller buffer and spills into the counting backend.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#define BLOCK 1024u

static marena_options_t
growing(size_t block_size, size_t max_block_size, size_t limit)
{
    marena_options_t options = {0};

    options.block_size = block_size;
    options.max_block_size = max_block_size;
    options.limit = limit;
    options.flags = MARENA_GROW;
    return options;
}

/* Many allocations across blocks: all succeed, none overlaps, used counts
 * exactly what was handed out (alignment 1: no padding). */
static void
test_many_blocks(const void *data)
{
    enum { COUNT = 200, SIZE = 100 };
    unsigned char *p[COUNT];
    struct subject s;

    if (!pool_holds(33 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 0, 0));
    for (size_t i = 0; i < COUNT; i++) {
        p[i] = marena_alloc_aligned(s.arena, SIZE, 1);
        test_assert_nonnull(p[i]);
        memset(p[i], (int)i, SIZE);
    }
    test_assert_size(marena_used(s.arena), ==, COUNT * SIZE);
    marena_stats_t stats = stats_of(s.arena);
    test_assert_size(stats.blocks, >, 1);
    test_assert_size(stats.capacity, >=, COUNT * SIZE);
    test_assert_size(stats.allocations, ==, COUNT);
    for (size_t i = 0; i < COUNT; i++)
        for (size_t j = 0; j < SIZE; j++)
            test_assert_size(p[i][j], ==, i & 0xff);
    subject_close(&s);
}

/* Each new block is at least as large as the one before and no larger
 * than the cap (plus page rounding for page-granular backends). */
static void
test_geometric(const void *data)
{
    const size_t cap = 8 * BLOCK, page_slack = 4096;
    size_t previous_capacity, previous_blocks, previous_size = 0, sizes = 0;
    struct subject s;

    if (!pool_holds(42 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, cap, 0));
    previous_capacity = marena_capacity(s.arena);
    previous_blocks = 1;
    while (sizes < 6) {
        test_assert_nonnull(marena_alloc_aligned(s.arena, 64, 1));
        marena_stats_t stats = stats_of(s.arena);
        if (stats.blocks == previous_blocks)
            continue;
        size_t size = stats.capacity - previous_capacity;
        test_assert_size(stats.blocks, ==, previous_blocks + 1);
        test_assert_size(size, >=, previous_size);
        test_assert_size(size, <=, cap + page_slack);
        previous_size = size;
        previous_capacity = stats.capacity;
        previous_blocks = stats.blocks;
        sizes++;
    }
    subject_close(&s);
}

/* With malloc-like backends the sizes are exact: double, then cap. */
static void
test_doubling(const void *data)
{
    static const size_t expected[] = {2 * BLOCK, 4 * BLOCK, 8 * BLOCK, 8 * BLOCK};
    struct subject s;
    size_t capacity;

    if (!pool_holds(24 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 8 * BLOCK, 0));
    capacity = marena_capacity(s.arena);
    test_assert_size(capacity, ==, BLOCK);
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        /* Exactly fill the current block, then one byte more. */
        test_assert_nonnull(marena_alloc_aligned(s.arena, marena_remaining(s.arena), 1));
        test_assert_nonnull(marena_alloc_aligned(s.arena, 1, 1));
        test_assert_size(marena_capacity(s.arena) - capacity, ==, expected[i]);
        capacity = marena_capacity(s.arena);
    }
    subject_close(&s);
}

/* A request larger than an ordinary block gets a block of its own, and
 * small requests go on exactly where they were. */
static void
test_large_request(const void *data)
{
    const size_t large = 100000;
    struct subject s;

    if (!pool_holds(204 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 0, 0));
    unsigned char *before = marena_alloc_aligned(s.arena, 10, 1);
    unsigned char *big = marena_alloc(s.arena, large);
    unsigned char *after = marena_alloc_aligned(s.arena, 10, 1);

    test_assert_nonnull(before);
    test_assert_nonnull(big);
    test_assert_nonnull(after);
    test_assert_addr(after, ==, before + 10);
    memset(big, 0xee, large);
    test_assert_size(marena_used(s.arena), ==, 20 + large);
    test_assert_size(stats_of(s.arena).blocks, ==, 2);
    /* An over-aligned large request is aligned in its own block too. */
    unsigned char *aligned = marena_alloc_aligned(s.arena, large, 4096);
    test_assert_nonnull(aligned);
    test_assert_size((uintptr_t)aligned % 4096, ==, 0);
    test_assert_addr(marena_alloc_aligned(s.arena, 1, 1), ==, after + 10);
    subject_close(&s);
}

/* Without MARENA_GROW an options-made arena is fixed. */
static void
test_fixed_without_flag(const void *data)
{
    marena_options_t options = growing(BLOCK, 0, 0);
    struct subject s;

    options.flags = 0;
    subject_open_ex(&s, data, options);
    size_t used = marena_used(s.arena);
    test_assert_null(marena_alloc(s.arena, 2 * marena_capacity(s.arena)));
    test_assert_size(marena_used(s.arena), ==, used);
    test_assert_size(stats_of(s.arena).blocks, ==, 1);
    test_assert_size(s.counter.calls, ==, s.kind->buffered ? 0 : s.counter.acquires);
    subject_close(&s);
}

/* The limit bounds what the arena takes from its backend; past it
 * allocation fails and the arena stays usable. */
static void
test_limit(const void *data)
{
    const size_t limit = 16 * BLOCK;
    struct subject s;
    size_t used;

    if (!pool_holds(16 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 0, limit));
    while (marena_alloc_aligned(s.arena, 100, 1) != NULL)
        test_assert_size(stats_of(s.arena).backend_bytes, <=, limit);
    marena_stats_t stats = stats_of(s.arena);
    test_assert_size(stats.backend_bytes, <=, limit);
    if (!s.kind->buffered)
        test_assert_size(stats.capacity, <=, limit);
    test_assert_size(stats.failed, ==, 1);

    used = marena_used(s.arena);
    test_assert_null(marena_alloc(s.arena, 2 * limit));
    test_assert_size(marena_used(s.arena), ==, used);
    marena_reset(s.arena);
    test_assert_nonnull(marena_alloc_aligned(s.arena, 100, 1));
    subject_close(&s);
}

static void
test_limit_at_creation(const void *data)
{
    marena_options_t options = growing(BLOCK, 0, BLOCK);
    const struct arena_kind *kind = data;
    struct counting_backend counter;

    (void)kind;
    counting_init(&counter);
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    test_assert_null(marena_create_ex(&options));
    test_assert_size(counter.calls, ==, 0);
    options.limit = BLOCK + MARENA_CONTROL_SIZE;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    test_assert_null(marena_alloc(arena, 2 * BLOCK));
    marena_destroy(arena);
    test_assert_size(counting_bytes_out(&counter), ==, 0);
}

/* A limit is checked before the backend is asked: a request no block
 * within the limit could serve fails without a backend call; a block that
 * takes the limit exactly is granted; with one byte less, the largest
 * block the limit allows is taken when the request fits in it. */
static void
test_limit_before_backend(const void *data)
{
    marena_options_t options = growing(BLOCK, 0, 0);
    struct counting_backend counter;
    size_t first, next;

    (void)data;
    counting_init(&counter);
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    /* What the first block and the next one take, without a limit. */
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    first = stats_of(arena).backend_bytes;
    test_assert_nonnull(marena_alloc(arena, BLOCK + 1));
    next = stats_of(arena).backend_bytes - first;
    marena_destroy(arena);

    options.limit = first + next;
    arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    test_assert_nonnull(marena_alloc(arena, BLOCK + 1));
    test_assert_size(stats_of(arena).backend_bytes, ==, options.limit);
    marena_destroy(arena);

    /* One byte less: the doubled block does not fit, a smaller one does,
     * and the request fits in that. */
    options.limit = first + next - 1;
    arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    test_assert_nonnull(marena_alloc(arena, BLOCK + 1));
    test_assert_size(stats_of(arena).backend_bytes, <=, options.limit);
    test_assert_size(marena_capacity(arena), <, BLOCK + 2 * BLOCK);
    test_assert_size(marena_capacity(arena), >=, BLOCK + BLOCK + 1);
    size_t calls = counter.calls;
    marena_stats_t before = stats_of(arena);
    test_assert_null(marena_alloc(arena, 2 * BLOCK));
    test_assert_null(marena_alloc(arena, options.limit));
    test_assert_null(marena_alloc(arena, (size_t)PTRDIFF_MAX));
    test_assert_null(marena_alloc(arena, SIZE_MAX - 3));
    test_assert_null(
        marena_alloc_aligned(arena, 1, (size_t)1 << (sizeof(size_t) * 8 - 2)));
    test_assert_size(counter.calls, ==, calls);
    marena_stats_t after = stats_of(arena);
    test_assert_size(after.backend_calls, ==, before.backend_calls);
    test_assert_size(after.failed, ==, before.failed + 5);
    test_assert_size(after.blocks, ==, before.blocks);
    marena_destroy(arena);
    test_assert_size(counting_bytes_out(&counter), ==, 0);
}

/* marena_limit() and marena_set_limit(): read, remove (0 or SIZE_MAX),
 * refuse a limit below what is held, and hold growth to a new one; small
 * requests keep succeeding while the limit leaves room for a block that
 * holds them. */
static void
test_set_limit(const void *data)
{
    struct subject s;

    if (!pool_holds(64 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 0, 0));
    test_assert_size(marena_limit(s.arena), ==, SIZE_MAX);
    test_assert_size(marena_limit(NULL), ==, 0);
    test_assert_size(marena_set_limit(NULL, 100), ==, -1);
    size_t held = stats_of(s.arena).backend_bytes;
    if (held > 0) {
        test_assert_size(marena_set_limit(s.arena, held - 1), ==, -1);
        test_assert_size(marena_limit(s.arena), ==, SIZE_MAX);
    }
    test_assert_size(marena_set_limit(s.arena, 12345), ==, 0);
    test_assert_size(marena_limit(s.arena), ==, 12345);
    test_assert_size(marena_set_limit(s.arena, 0), ==, 0);
    test_assert_size(marena_limit(s.arena), ==, SIZE_MAX);
    test_assert_size(marena_set_limit(s.arena, SIZE_MAX), ==, 0);
    test_assert_size(marena_limit(s.arena), ==, SIZE_MAX);

    /* A limit of what is held now: no growth at all. */
    test_assert_size(marena_set_limit(s.arena, held + (held == 0)), ==, 0);
    test_assert_nonnull(marena_alloc_aligned(s.arena, marena_remaining(s.arena), 1));
    size_t calls = stats_of(s.arena).backend_calls;
    test_assert_null(marena_alloc_aligned(s.arena, 4, 1));
    test_assert_size(stats_of(s.arena).backend_calls, ==, calls);

    /* 8 KiB more: 4-byte requests go on until fewer bytes remain than a
     * block of one aligned unit takes, and never past the limit. */
    size_t limit = held + 8 * BLOCK;
    test_assert_size(marena_set_limit(s.arena, limit), ==, 0);
    while (marena_alloc_aligned(s.arena, 4, 1) != NULL)
        test_assert_size(stats_of(s.arena).backend_bytes, <=, limit);
    test_assert_size(limit - stats_of(s.arena).backend_bytes, <, 128);
    subject_close(&s);
}

/* Grows until at least `blocks` blocks are in use; returns the first
 * allocation. */
static void *
grow_to(marena_t *arena, size_t blocks)
{
    void *first = marena_alloc_aligned(arena, 1, 1);
    marena_stats_t stats;

    for (stats = stats_of(arena); stats.blocks - stats.spare_blocks < blocks;
         stats = stats_of(arena))
        test_assert_nonnull(marena_alloc_aligned(arena, 200, 1));
    return first;
}

/* Is the subject's counting backend in use (so its counts must agree with
 * the arena's)? */
static int
counted(const struct subject *s)
{
    return kind_backend(s->kind) == &counting_backend || s->kind->buffered;
}

static void
test_reset_retain_first(const void *data)
{
    struct subject s;

    if (!pool_holds(16 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 0, 0));
    void *first = grow_to(s.arena, 4);
    marena_reset_ex(s.arena, MARENA_RETAIN_FIRST, 0);
    marena_stats_t stats = stats_of(s.arena);
    test_assert_size(stats.blocks, ==, 1);
    test_assert_size(stats.spare_blocks, ==, 0);
    test_assert_size(stats.used, ==, 0);
    if (counted(&s))
        test_assert_size(counting_bytes_out(&s.counter), ==, stats.backend_bytes);
    test_assert_addr(marena_alloc_aligned(s.arena, 1, 1), ==, first);
    subject_close(&s);
}

static void
test_reset_retain_all(const void *data)
{
    struct subject s;

    if (!pool_holds(16 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 0, 0));
    grow_to(s.arena, 4);
    marena_stats_t before = stats_of(s.arena);
    size_t calls = s.counter.calls;

    marena_reset_ex(s.arena, MARENA_RETAIN_ALL, 0);
    marena_stats_t after = stats_of(s.arena);
    test_assert_size(after.blocks, ==, before.blocks);
    test_assert_size(after.spare_blocks, ==, before.blocks - 1);
    test_assert_size(after.backend_bytes, ==, before.backend_bytes);
    test_assert_size(after.used, ==, 0);

    /* Growing the same way again reuses the spares: no backend call. */
    grow_to(s.arena, 4);
    test_assert_size(s.counter.calls, ==, calls);
    test_assert_size(stats_of(s.arena).spare_blocks, ==, 0);
    subject_close(&s);
}

static void
test_reset_retain_bytes(const void *data)
{
    struct subject s;

    if (!pool_holds(50 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 0, 0));
    grow_to(s.arena, 5);
    marena_stats_t before = stats_of(s.arena);
    size_t budget = before.backend_bytes / 2;

    marena_reset_ex(s.arena, MARENA_RETAIN_BYTES, budget);
    marena_stats_t after = stats_of(s.arena);
    test_assert_size(after.backend_bytes, <=, budget);
    test_assert_size(after.blocks, <, before.blocks);
    test_assert_size(after.used, ==, 0);
    if (counted(&s))
        test_assert_size(counting_bytes_out(&s.counter), ==, after.backend_bytes);
    /* A budget of everything keeps everything. */
    grow_to(s.arena, 5);
    before = stats_of(s.arena);
    marena_reset_ex(s.arena, MARENA_RETAIN_BYTES, before.backend_bytes);
    test_assert_size(stats_of(s.arena).blocks, ==, before.blocks);
    /* A budget of nothing keeps the first block only. */
    marena_reset_ex(s.arena, MARENA_RETAIN_BYTES, 0);
    test_assert_size(stats_of(s.arena).blocks, ==, 1);
    subject_close(&s);
}

/* RETAIN_BYTES keeps blocks oldest first, each that still fits: with a
 * budget of exactly the newest (largest) block, the older ones fit in it
 * and are kept, and the newest goes, rather than the newest alone. */
static void
test_reset_retain_bytes_oldest_first(const void *data)
{
    size_t held[4], kept = 0, spares = 0;
    struct subject s;

    if (!pool_holds(32 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 8 * BLOCK, 0));
    held[0] = stats_of(s.arena).backend_bytes;
    for (size_t i = 1; i < 4; i++) {
        size_t before = stats_of(s.arena).backend_bytes;

        grow_to(s.arena, i + 1);
        held[i] = stats_of(s.arena).backend_bytes - before;
    }
    /* The model: oldest first, greedily. */
    size_t budget = held[3];
    for (size_t i = 1; i < 4; i++) {
        if (held[i] <= budget) {
            budget -= held[i];
            kept += held[i];
            spares++;
        }
    }
    if (held[1] + held[2] <= held[3])
        test_assert_size(spares, ==, 2); /* the case this test is for */
    marena_reset_ex(s.arena, MARENA_RETAIN_BYTES, held[0] + held[3]);
    marena_stats_t after = stats_of(s.arena);
    test_assert_size(after.spare_blocks, ==, spares);
    test_assert_size(after.backend_bytes, ==, held[0] + kept);
    subject_close(&s);
}

/* MARENA_RETAIN_LARGEST: the first block and the largest other are kept,
 * and the next allocation comes from the largest; the first block stays
 * held, empty. */
static void
test_reset_retain_largest(const void *data)
{
    struct subject s;

    if (!pool_holds(32 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 0, 0));
    size_t first = marena_capacity(s.arena);
    grow_to(s.arena, 4);
    size_t largest = 0;
    marena_stats_t before = stats_of(s.arena);
    marena_reset_ex(s.arena, MARENA_RETAIN_LARGEST, 0);
    marena_stats_t after = stats_of(s.arena);
    test_assert_size(after.blocks, ==, 2);
    test_assert_size(after.spare_blocks, ==, 0);
    test_assert_size(after.used, ==, 0);
    test_assert_size(after.capacity, <, before.capacity);
    /* The current block is the largest, empty; the first is the other. */
    largest = marena_remaining(s.arena);
    test_assert_size(largest, ==, after.capacity - first);
    test_assert_size(largest, >, first);
    /* The largest block serves what fits in it, with no backend call. */
    size_t calls = after.backend_calls;
    test_assert_nonnull(marena_alloc_aligned(s.arena, largest, 1));
    test_assert_size(stats_of(s.arena).backend_calls, ==, calls);
    test_assert_size(marena_used(s.arena), ==, largest);
    /* And again after another reset; without other blocks it is the
     * first block's turn. */
    marena_reset_ex(s.arena, MARENA_RETAIN_LARGEST, 0);
    test_assert_size(stats_of(s.arena).blocks, ==, 2);
    marena_reset_ex(s.arena, MARENA_RETAIN_FIRST, 0);
    test_assert_size(stats_of(s.arena).blocks, ==, 1);
    marena_reset_ex(s.arena, MARENA_RETAIN_LARGEST, 0);
    test_assert_size(stats_of(s.arena).blocks, ==, 1);
    test_assert_size(marena_capacity(s.arena), ==, marena_remaining(s.arena));
    subject_close(&s);
}

/* marena_reset(): a cycle like the one before calls no backend; after
 * cycles that use much less, the memory goes back. */
static void
test_reset_adaptive(const void *data)
{
    struct subject s;

    if (!pool_holds(128 << 10))
        return;
    subject_open_ex(&s, data, growing(BLOCK, 0, 0));
    size_t first = marena_capacity(s.arena);
    for (int i = 0; i < 60; i++)
        test_assert_nonnull(marena_alloc_aligned(s.arena, 500, 1));
    size_t big = marena_capacity(s.arena);
    marena_reset(s.arena);
    test_assert_size(marena_capacity(s.arena), ==, big); /* kept as spares */
    size_t calls = stats_of(s.arena).backend_calls;
    for (int cycle = 0; cycle < 3; cycle++) {
        for (int i = 0; i < 60; i++)
            test_assert_nonnull(marena_alloc_aligned(s.arena, 500, 1));
        marena_reset(s.arena);
    }
    test_assert_size(stats_of(s.arena).backend_calls, ==, calls);
    test_assert_size(marena_capacity(s.arena), ==, big);
    /* Small cycles: the estimate halves each time, the blocks go back. */
    for (int cycle = 0; cycle < 8; cycle++) {
        test_assert_nonnull(marena_alloc_aligned(s.arena, 100, 1));
        marena_reset(s.arena);
    }
    test_assert_size(marena_capacity(s.arena), ==, first);
    test_assert_size(stats_of(s.arena).spare_blocks, ==, 0);
    subject_close(&s);
}

/* A cycle of three blocks: one byte in the first, a second block nearly
 * full, a third for one byte more than the second has left. */
static void
three_block_cycle(marena_t *arena, size_t first)
{
    test_assert_nonnull(marena_alloc_aligned(arena, 1, 1));
    test_assert_nonnull(marena_alloc_aligned(arena, first, 1));
    test_assert_nonnull(marena_alloc_aligned(arena, marena_remaining(arena) + 1, 1));
    test_assert_size(stats_of(arena).blocks, ==, 3);
}

/* After a three-block cycle and its reset, the small cycles (within the
 * first block) it takes until the spares go back; after a large cycle
 * (`large` allocations of 500 bytes) reset with RETAIN_FIRST and
 * `one_block` resets of one block (inline ones, where the fast path is on)
 * first, when `one_block` > 0. */
static size_t
cycles_to_release_after(const void *data, int one_block, int large)
{
    struct subject s;
    size_t cycles = 0;

    subject_open_ex(&s, data, growing(BLOCK, 0, 0));
    size_t first = marena_capacity(s.arena);
    if (one_block > 0) {
        for (int i = 0; i < large; i++)
            test_assert_nonnull(marena_alloc_aligned(s.arena, 500, 1));
        marena_reset_ex(s.arena, MARENA_RETAIN_FIRST, 0);
        test_assert_size(marena_capacity(s.arena), ==, first);
        /* 63: with the next reset, 64 halvings, as many as a size_t has
         * bits; 64 and more: that many at once. */
        for (int cycle = 0; cycle < one_block; cycle++) {
            test_assert_nonnull(marena_alloc_aligned(s.arena, 16, 1));
            marena_reset(s.arena);
        }
    }
    three_block_cycle(s.arena, first);
    marena_reset(s.arena);
    test_assert_size(stats_of(s.arena).spare_blocks, ==, 2); /* both kept */
    while (stats_of(s.arena).spare_blocks > 0 && cycles < 64) {
        test_assert_nonnull(marena_alloc_aligned(s.arena, 16, 1));
        marena_reset(s.arena);
        cycles++;
    }
    test_assert_size(marena_capacity(s.arena), ==, first);
    subject_close(&s);
    return cycles;
}

static size_t
cycles_to_release(const void *data, int one_block)
{
    return cycles_to_release_after(data, one_block, 60);
}

/* Resets of one block (the inline marena_reset()'s) halve the
 * MARENA_RETAIN_ADAPTIVE estimate as others do: after them, a large cycle
 * long ago keeps no memory longer than if it had never been. */
static void
test_reset_adaptive_inline(const void *data)
{
    if (!pool_holds(128 << 10))
        return;
    size_t fresh = cycles_to_release(data, 0);
    test_assert_size(fresh, >, 0);
    test_assert_size(cycles_to_release(data, 63), ==, fresh);
    test_assert_size(cycles_to_release(data, 64), ==, fresh);
    test_assert_size(cycles_to_release(data, 65), ==, fresh);
    test_assert_size(cycles_to_release(data, 200), ==, fresh);
}

/* Each reset of one block halves the estimate once, as a cycle's reset
 * does: after a cycle much larger than the three-block one, every such
 * reset spares one small cycle later. */
static void
test_reset_adaptive_inline_counts(const void *data)
{
    if (!pool_holds(512 << 10))
        return;
    size_t after_one = cycles_to_release_after(data, 1, 600);
    size_t fresh = cycles_to_release(data, 0);

    test_assert_size(after_one, >, fresh + 2);
    for (int k = 2; (size_t)k <= after_one - fresh; k++)
        test_assert_size(cycles_to_release_after(data, k, 600), ==,
                         after_one - (size_t)(k - 1));
}

/* The estimate counts the blocks' usable bytes, tails left unused
 * included: cycles that leave tails (6K, 6K, 12K on an 8K first block)
 * settle with no backend call. */
static void
test_reset_adaptive_tails(const void *data)
{
    struct subject s;

    if (!pool_holds(128 << 10))
        return;
    subject_open_ex(&s, data, growing(8192, 0, 0));
    size_t calls = 0;
    for (int cycle = 0; cycle < 6; cycle++) {
        test_assert_nonnull(marena_alloc(s.arena, 6 << 10));
        test_assert_nonnull(marena_alloc(s.arena, 6 << 10));
        test_assert_nonnull(marena_alloc(s.arena, 12 << 10));
        marena_reset(s.arena);
        if (cycle == 1)
            calls = stats_of(s.arena).backend_calls;
    }
    test_assert_size(stats_of(s.arena).backend_calls, ==, calls);
    subject_close(&s);
}

struct oom_record {
    size_t calls, size, align;
    marena_t *arena;
};

static void
record_oom(marena_t *arena, size_t size, size_t align, void *data)
{
    struct oom_record *record = data;

    record->calls++;
    record->arena = arena;
    record->size = size;
    record->align = align;
}

static void
test_oom_callback(const void *data)
{
    struct oom_record record = {0};
    marena_options_t options = growing(256, 0, 0);
    struct subject s;

    options.flags = 0;
    options.on_oom = record_oom;
    options.oom_data = &record;
    subject_open_ex(&s, data, options);
    size_t too_big = marena_capacity(s.arena) + 1;
    test_assert_null(marena_alloc_aligned(s.arena, too_big, 8));
    test_assert_size(record.calls, ==, 1);
    test_assert_addr(record.arena, ==, s.arena);
    test_assert_size(record.size, ==, too_big);
    test_assert_size(record.align, ==, 8);
    /* Bad input is not an out-of-memory condition. */
    test_assert_null(marena_alloc(s.arena, 0));
    test_assert_null(marena_alloc_aligned(s.arena, 8, 3));
    test_assert_size(record.calls, ==, 1);
    test_assert_size(stats_of(s.arena).failed, ==, 3);
    subject_close(&s);
}

/* The backend fails when asked for a second block: NULL, on_oom, and the
 * arena keeps working; once the backend recovers, growth resumes. */
static void
test_backend_fails(const void *data)
{
    struct oom_record record = {0};
    marena_options_t options = growing(BLOCK, 0, 0);
    struct counting_backend counter;

    (void)data;
    counting_init(&counter);
    counter.fail_from = 2;
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.on_oom = record_oom;
    options.oom_data = &record;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    test_assert_nonnull(marena_alloc_aligned(arena, BLOCK - 10, 1));
    size_t used = marena_used(arena);

    test_assert_null(marena_alloc_aligned(arena, 100, 1));
    test_assert_size(record.calls, ==, 1);
    test_assert_size(marena_used(arena), ==, used);
    test_assert_nonnull(marena_alloc_aligned(arena, 10, 1));
    test_assert_null(marena_alloc(arena, 100000));
    test_assert_size(record.calls, ==, 2);

    counter.fail_from = 0;
    test_assert_nonnull(marena_alloc_aligned(arena, 100, 1));
    test_assert_size(stats_of(arena).blocks, ==, 2);
    marena_destroy(arena);
    test_assert_size(counting_bytes_out(&counter), ==, 0);
    test_assert_size(counter.mismatches, ==, 0);
}

static void
test_alloc_or_abort(const void *data)
{
    struct subject s;

    subject_open(&s, data, 64);
    test_assert_nonnull(marena_alloc_or_abort(s.arena, 16));
    if (test_in_child()) {
        marena_alloc_or_abort(s.arena, marena_capacity(s.arena));
        return;
    }
#if MARENA_HAVE_STDIO
    test_assert_child_aborted("*marena_alloc_or_abort: out of memory*");
#else
    test_assert_child_aborted("*");
#endif
    subject_close(&s);
}

/* Invalid option sets are refused before any backend call. */
static void
test_invalid_options(const void *data)
{
    struct counting_backend counter;
    marena_options_t options = {0};

    (void)data;
    counting_init(&counter);
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.reserved[2] = &counter;
    test_assert_null(marena_create_ex(&options));
    options.reserved[2] = NULL;
    options.flags = 0x80;
    test_assert_null(marena_create_ex(&options));
    options.flags = MARENA_RESERVE; /* the counting backend cannot */
    test_assert_null(marena_create_ex(&options));
    options.flags = 0;
    options.block_size = MARENA_MAX_CAPACITY + 1;
    test_assert_null(marena_create_ex(&options));
    test_assert_size(counter.calls, ==, 0);
}

int
main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"grow/many-blocks", test_many_blocks},
        {"grow/geometric", test_geometric},
        {"grow/large-request", test_large_request},
        {"grow/fixed-without-flag", test_fixed_without_flag},
        {"limit/growth", test_limit},
        {"limit/before-backend", test_limit_before_backend},
        {"limit/set", test_set_limit},
        {"reset/retain-first", test_reset_retain_first},
        {"reset/retain-all", test_reset_retain_all},
        {"reset/retain-bytes", test_reset_retain_bytes},
        {"reset/retain-bytes-oldest-first", test_reset_retain_bytes_oldest_first},
        {"reset/retain-largest", test_reset_retain_largest},
        {"reset/adaptive", test_reset_adaptive},
        {"reset/adaptive-inline", test_reset_adaptive_inline},
        {"reset/adaptive-inline-counts", test_reset_adaptive_inline_counts},
        {"reset/adaptive-tails", test_reset_adaptive_tails},
        {"oom/callback", test_oom_callback},
        {"oom/alloc-or-abort", test_alloc_or_abort},
    };

    test_init(&argc, &argv);
    TEST_ADD_PER_KIND(cases);
    for (size_t k = 0; arena_kinds[k] != NULL; k++)
        if (kind_backend(arena_kinds[k]) == &counting_backend)
            test_add(test_doubling, arena_kinds[k], "/counting/grow/doubling");
    test_add(test_limit_at_creation, NULL, "/counting/limit/creation");
    test_add(test_backend_fails, NULL, "/counting/oom/backend-fails");
    test_add(test_invalid_options, NULL, "/counting/create/invalid-options");
    return test_run();
}
