/* SPDX-License-Identifier: MIT */
/*
 * Concurrent arenas (paths /concurrent/<case>): creation and its failures,
 * bad input, and several threads allocating at once.
 *
 * Threads come from the harness (test_thread_start: GThread, or POSIX
 * threads with the minimal harness). The threaded tests check, after joining, that every
 * allocation lies inside the block, that no two overlap (sorted by
 * address), that each still holds the byte pattern its thread wrote (so no
 * other thread wrote over it meanwhile), and that marena_concurrent_used()
 * accounts for the bytes handed out. Arenas come from the counting backend
 * (or a caller's buffer), which works in every build; the backend is only
 * called from the main thread, at create and destroy.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#define THREADS 4
#define PER_THREAD 2000

/* The concurrent arena's record is four words (src/concurrent.c). Where it
 * fits in one MARENA_ALIGNMENT unit (32-bit targets with 16-byte
 * alignment: i686, powerpc), the smallest arena a buffer can hold also
 * holds the record, so no buffer is "big enough for an arena but too small
 * for the record". */
#define RECORD_CAN_MISS_SMALLEST (4 * sizeof(void *) > MARENA_ALIGNMENT)

static marena_concurrent_t *
open_concurrent(struct counting_backend *counter, size_t block_size)
{
    marena_options_t options = {0};
    marena_concurrent_t *arena;

    counting_init(counter);
    options.backend = &counting_backend;
    options.backend_ctx = counter;
    options.block_size = block_size;
    arena = marena_concurrent_create(&options);
    test_assert_nonnull(arena);
    test_assert_size(counter->acquires, ==, 1);
    return arena;
}

static void
close_concurrent(marena_concurrent_t *arena, const struct counting_backend *counter)
{
    marena_concurrent_destroy(arena);
    test_assert_size(counter->releases, ==, counter->acquires);
    test_assert_size(counter->bytes_released, ==, counter->bytes_acquired);
    test_assert_size(counter->mismatches, ==, 0);
    test_assert_size(counter->out, ==, 0);
}

/* The address of the block's first byte: what an empty arena hands out
 * first with alignment 1. Leaves the arena empty. */
static uintptr_t
first_address(marena_concurrent_t *arena)
{
    void *p;

    test_assert_size(marena_concurrent_used(arena), ==, 0);
    p = marena_concurrent_alloc(arena, 1, 1);
    test_assert_nonnull(p);
    marena_concurrent_reset(arena);
    test_assert_size(marena_concurrent_used(arena), ==, 0);
    return (uintptr_t)p;
}

/* ---------------------------------------------------------------- create */

static void
test_create(const void *data)
{
    struct counting_backend counter;
    marena_concurrent_t *arena;
    uintptr_t base;
    size_t capacity;

    (void)data;
#if MARENA_HAVE_DEFAULT_BACKEND
    /* All defaults: one fixed block of the default size (the mmap
     * backend rounds it up to whole pages). */
    arena = marena_concurrent_create(NULL);
    test_assert_nonnull(arena);
    test_assert_size(marena_concurrent_used(arena), ==, 0);
    capacity = marena_concurrent_capacity(arena);
    test_assert_size(capacity, >=, MARENA_DEFAULT_BLOCK_SIZE);
    test_assert_nonnull(marena_concurrent_alloc(arena, 100, 8));
    test_assert_size(marena_concurrent_used(arena), >=, 100);
    test_assert_null(marena_concurrent_alloc(arena, capacity, 1));
    marena_concurrent_reset(arena);
    test_assert_nonnull(marena_concurrent_alloc(arena, capacity, 1));
    test_assert_size(marena_concurrent_used(arena), ==, capacity);
    marena_concurrent_destroy(arena);
#endif

    /* A block size of the caller's: at least that much, and all of what
     * capacity reports can be handed out, not a byte more. */
    arena = open_concurrent(&counter, 100000);
    capacity = marena_concurrent_capacity(arena);
    test_assert_size(capacity, >=, 100000);
    test_assert_size(capacity, <=, counter.granted - MARENA_CONTROL_SIZE);
    base = first_address(arena);
    test_assert_addr(base, >, (uintptr_t)counter.block);
    test_assert_addr(base + capacity, <=, (uintptr_t)counter.block + counter.granted);
    test_assert_null(marena_concurrent_alloc(arena, capacity + 1, 1));
    test_assert_size(marena_concurrent_used(arena), ==, 0);
    unsigned char *all = marena_concurrent_alloc(arena, capacity, 1);
    test_assert_addr(all, ==, base);
    memset(all, 0x3c, capacity);
    test_assert_size(marena_concurrent_used(arena), ==, capacity);
    test_assert_null(marena_concurrent_alloc(arena, 1, 1));
    test_assert_size(marena_concurrent_used(arena), ==, capacity);
    close_concurrent(arena, &counter);
}

/* In a caller's buffer: nothing acquired, nothing released. */
static void
test_create_in_buffer(const void *data)
{
    static unsigned char buffer[MARENA_STATIC_OVERHEAD + 4096];
    marena_options_t options = {0};
    marena_concurrent_t *arena;
    unsigned char *p;

    (void)data;
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    arena = marena_concurrent_create(&options);
    test_assert_nonnull(arena);
    test_assert_size(marena_concurrent_capacity(arena), >, 3000);
    test_assert_size(marena_concurrent_capacity(arena), <=, 4096);
    p = marena_concurrent_alloc(arena, 64, 16);
    test_assert_nonnull(p);
    test_assert_addr(p, >=, buffer);
    test_assert_addr(p + 64, <=, buffer + sizeof(buffer));
    marena_concurrent_destroy(arena);

    /* Room for an arena (at most MARENA_ALIGNMENT bytes of capacity) but
     * not for the concurrent arena's own record. */
    options.buffer_size = MARENA_CONTROL_SIZE + 2 * MARENA_ALIGNMENT - 1;
    if (RECORD_CAN_MISS_SMALLEST)
        test_assert_null(marena_concurrent_create(&options));
}

/* Every buffer size: an arena with room for at least one byte, or NULL;
 * never an arena of capacity 0. */
static void
test_smallest_buffers(const void *data)
{
    static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_CONTROL_SIZE + 256];
    marena_options_t options = {0};

    (void)data;
    options.buffer = buffer;
    for (size_t size = 0; size <= sizeof(buffer); size++) {
        options.buffer_size = size;
        marena_concurrent_t *arena = marena_concurrent_create(&options);

        if (arena == NULL)
            continue;
        test_assert_size(marena_concurrent_capacity(arena), >, 0);
        test_assert_nonnull(marena_concurrent_alloc(arena, 1, 1));
        marena_concurrent_destroy(arena);
    }
}

#if MARENA_HAVE_WIPE
/* MARENA_WIPE: reset and destroy zero what the threads were handed out,
 * which the block's own arena never saw. */
static void
test_wipe(const void *data)
{
    static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_STATIC_OVERHEAD + 1024];
    marena_options_t options = {0};
    unsigned char *p;

    (void)data;
    memset(buffer, 0, sizeof(buffer));
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    options.flags = MARENA_WIPE;
    marena_concurrent_t *arena = marena_concurrent_create(&options);
    test_assert_nonnull(arena);
    p = marena_concurrent_alloc(arena, 300, 8);
    test_assert_nonnull(p);
    memset(p, 0xab, 300);
    marena_concurrent_reset(arena);
    /* Only the bytes handed out: the rest of the buffer holds the
     * arena's own addresses, any byte of which may be 0xab. */
    inspect_bytes(p, 300);
    for (size_t i = 0; i < 300; i++)
        test_assert_size(p[i], ==, 0);
    p = marena_concurrent_alloc(arena, 500, 1);
    test_assert_nonnull(p);
    memset(p, 0xcd, 500);
    marena_concurrent_destroy(arena);
    inspect_bytes(p, 500);
    for (size_t i = 0; i < 500; i++)
        test_assert_size(p[i], ==, 0);
}
#endif

/* GROW and RESERVE are refused before any backend call; so are invalid
 * options; a failing backend gives NULL; the record comes on top of even
 * the smallest block size; a buffer too small for it gives NULL without
 * calling on_oom. */
static void
count_oom(marena_t *arena, size_t size, size_t align, void *data)
{
    (void)arena;
    (void)size;
    (void)align;
    ++*(size_t *)data;
}

static void
test_create_fails(const void *data)
{
    static const unsigned bad_flags[] = {
        MARENA_GROW,
        MARENA_RESERVE,
        MARENA_GROW | MARENA_RESERVE,
        0x80u,
    };
    struct counting_backend counter;
    marena_options_t options = {0};
    int dummy;

    (void)data;
    counting_init(&counter);
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
        options.flags = bad_flags[i];
        test_assert_null(marena_concurrent_create(&options));
    }
    options.flags = 0;
    options.reserved[0] = &dummy;
    test_assert_null(marena_concurrent_create(&options));
    options.reserved[0] = NULL;
    test_assert_size(counter.calls, ==, 0);

#if MARENA_HAVE_MMAP_BACKEND
    /* A backend that could reserve does not make RESERVE acceptable. */
    options.backend = &marena_backend_mmap;
    options.backend_ctx = NULL;
    options.flags = MARENA_RESERVE;
    test_assert_null(marena_concurrent_create(&options));
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.flags = 0;
#endif

    counter.fail_from = 1;
    test_assert_null(marena_concurrent_create(&options));
    test_assert_size(counter.calls, ==, 1);
    test_assert_size(counter.acquires, ==, 0);

    counting_init(&counter);
    options.block_size = 1;
    marena_concurrent_t *tiny = marena_concurrent_create(&options);
    test_assert_nonnull(tiny);
    test_assert_size(marena_concurrent_capacity(tiny), >=, 1);
    test_assert_nonnull(marena_concurrent_alloc(tiny, 1, 1));
    marena_concurrent_destroy(tiny);
    test_assert_size(counter.bytes_released, ==, counter.bytes_acquired);
    test_assert_size(counter.out, ==, 0);

    static unsigned char small[MARENA_CONTROL_SIZE + 2 * MARENA_ALIGNMENT - 1];
    size_t oom_calls = 0;
    options = (marena_options_t){0};
    options.buffer = small;
    options.buffer_size = sizeof(small);
    options.on_oom = count_oom;
    options.oom_data = &oom_calls;
    if (RECORD_CAN_MISS_SMALLEST)
        test_assert_null(marena_concurrent_create(&options));
    test_assert_size(oom_calls, ==, 0);
}

/* The largest block_size: the record comes on top of it, and the whole
 * (MARENA_MAX_CAPACITY at most, as for marena_create_ex()) is still asked
 * of the backend, which cannot give it; one byte more is refused before
 * any backend call, with a caller's buffer too (where block_size would
 * not otherwise matter). */
static void
test_largest_block_size(const void *data)
{
    static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_CONTROL_SIZE + 256];
    struct counting_backend counter;
    marena_options_t options = {0};

    (void)data;
    marena_concurrent_t *arena = open_concurrent(&counter, 1024);
    size_t on_top = counter.granted - MARENA_CONTROL_SIZE - 1024;
    close_concurrent(arena, &counter);
    test_assert_size(on_top, >, 0);

    counting_init(&counter);
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.block_size = MARENA_MAX_CAPACITY - on_top;
    test_assert_null(marena_concurrent_create(&options));
    test_assert_size(counter.calls, ==, 1);
    options.block_size++;
    test_assert_null(marena_concurrent_create(&options));
    options.block_size = MARENA_MAX_CAPACITY;
    test_assert_null(marena_concurrent_create(&options));
    test_assert_size(counter.calls, ==, 1);

    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    test_assert_null(marena_concurrent_create(&options));
    options.block_size = MARENA_MAX_CAPACITY - on_top + 1;
    test_assert_null(marena_concurrent_create(&options));
    test_assert_size(counter.calls, ==, 1);
}

static void
test_null_arena(const void *data)
{
    (void)data;
    marena_concurrent_destroy(NULL);
    marena_concurrent_reset(NULL);
    test_assert_null(marena_concurrent_alloc(NULL, 8, 8));
    test_assert_null(marena_concurrent_alloc(NULL, 0, 1));
    test_assert_size(marena_concurrent_used(NULL), ==, 0);
    test_assert_size(marena_concurrent_capacity(NULL), ==, 0);
}

static void
test_bad_input(const void *data)
{
    static const size_t bad_align[] = {0, 3, 6, 12, 24, 100, SIZE_MAX, SIZE_MAX - 1};
    const size_t huge_align = SIZE_MAX / 2 + 1; /* a power of two */
    struct counting_backend counter;
    marena_concurrent_t *arena;
    size_t used, capacity;

    (void)data;
    arena = open_concurrent(&counter, 4096);
    capacity = marena_concurrent_capacity(arena);
    test_assert_nonnull(marena_concurrent_alloc(arena, 3, 1));
    used = marena_concurrent_used(arena);
    test_assert_size(used, ==, 3);

    test_assert_null(marena_concurrent_alloc(arena, 0, 1));
    test_assert_null(marena_concurrent_alloc(arena, 0, 16));
    for (size_t i = 0; i < sizeof(bad_align) / sizeof(bad_align[0]); i++)
        test_assert_null(marena_concurrent_alloc(arena, 8, bad_align[i]));
    test_assert_null(marena_concurrent_alloc(arena, SIZE_MAX, 1));
    test_assert_null(marena_concurrent_alloc(arena, SIZE_MAX - 2, 1));
    test_assert_null(marena_concurrent_alloc(arena, SIZE_MAX - 15, 16));
    test_assert_null(marena_concurrent_alloc(arena, 1, huge_align));
    test_assert_null(marena_concurrent_alloc(arena, SIZE_MAX, huge_align));
    test_assert_null(marena_concurrent_alloc(arena, capacity - used + 1, 1));
    /* Fits without padding, not with it. */
    test_assert_null(marena_concurrent_alloc(arena, capacity - used, 16));
    test_assert_size(marena_concurrent_used(arena), ==, used);
    test_assert_size(marena_concurrent_capacity(arena), ==, capacity);
    close_concurrent(arena, &counter);
}

/* One thread: alignment 1 packs, every alignment is met, reset starts
 * over at the first byte. */
static void
test_sequential(const void *data)
{
    struct counting_backend counter;
    marena_concurrent_t *arena;
    unsigned char *a, *b;
    uintptr_t base;
    size_t used;

    (void)data;
    arena = open_concurrent(&counter, 16384);
    base = first_address(arena);
    a = marena_concurrent_alloc(arena, 5, 1);
    b = marena_concurrent_alloc(arena, 7, 1);
    test_assert_addr(a, ==, base);
    test_assert_addr(b, ==, a + 5);
    test_assert_size(marena_concurrent_used(arena), ==, 12);
    for (size_t align = 1; align <= 4096; align *= 2) {
        test_assert_nonnull(marena_concurrent_alloc(arena, 1, 1));
        used = marena_concurrent_used(arena);
        unsigned char *p = marena_concurrent_alloc(arena, 3, align);
        test_assert_nonnull(p);
        test_assert(is_aligned(p, align));
        test_assert_size(marena_concurrent_used(arena), ==,
                         (size_t)((uintptr_t)p + 3 - base));
        test_assert_size(marena_concurrent_used(arena), <, used + 3 + align);
    }
    marena_concurrent_reset(arena);
    test_assert_size(marena_concurrent_used(arena), ==, 0);
    test_assert_addr(marena_concurrent_alloc(arena, 9, 1), ==, base);
    close_concurrent(arena, &counter);
}

/* ---------------------------------------------------------------- threads */

struct allocation {
    unsigned char *p;
    size_t size;
    size_t align;
    unsigned thread;
    unsigned index;
};

struct worker {
    marena_concurrent_t *arena;
    atomic_int *start; /* threads wait for it to become nonzero */
    unsigned id;
    uint32_t state;          /* xorshift32 */
    size_t max_size;         /* sizes are 1..max_size */
    unsigned max_align_log2; /* alignments are 1..2^this */
    int until_null;          /* keep going until the block is full */
    size_t capacity;         /* of allocations[] */
    struct allocation *allocations;
    size_t count;       /* done */
    size_t failures;    /* NULL results (not until_null) */
    size_t failed_size; /* the request that ended an until_null run */
    int overflow;       /* until_null ran out of allocations[] */
};

static uint32_t
next_random(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static unsigned char
pattern(unsigned thread, unsigned index, size_t offset)
{
    return (unsigned char)((thread + 1) * 0x3b + index * 0x11 + offset * 7);
}

static void *
work(void *data)
{
    struct worker *w = data;

    while (!atomic_load(w->start))
        test_thread_yield();
    for (unsigned i = 0;; i++) {
        if (i == w->capacity) {
            w->overflow = w->until_null;
            break;
        }
        size_t size = 1 + next_random(&w->state) % w->max_size;
        size_t align = (size_t)1 << next_random(&w->state) % (w->max_align_log2 + 1);
        unsigned char *p = marena_concurrent_alloc(w->arena, size, align);

        if (p == NULL) {
            if (w->until_null) {
                w->failed_size = size;
                break;
            }
            w->failures++;
            continue;
        }
        for (size_t j = 0; j < size; j++)
            p[j] = pattern(w->id, i, j);
        w->allocations[w->count].p = p;
        w->allocations[w->count].size = size;
        w->allocations[w->count].align = align;
        w->allocations[w->count].thread = w->id;
        w->allocations[w->count].index = i;
        w->count++;
    }
    return NULL;
}

static int
by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct allocation *)a)->p;
    uintptr_t y = (uintptr_t)((const struct allocation *)b)->p;

    return x < y ? -1 : x > y;
}

/* Runs THREADS workers to completion (they start together). */
static void
run_workers(struct worker *workers)
{
    test_thread *threads[THREADS];
    atomic_int start = 0;

    for (unsigned t = 0; t < THREADS; t++) {
        workers[t].start = &start;
        threads[t] = test_thread_start(work, &workers[t]);
    }
    atomic_store(&start, 1);
    for (unsigned t = 0; t < THREADS; t++)
        test_thread_join(threads[t]);
}

/* The checks after joining: inside the block, aligned, no overlap, every
 * pattern intact. Returns the sum of the sizes. */
static size_t
check_allocations(struct worker *workers, uintptr_t base, size_t capacity)
{
    size_t total = 0, count = 0, sum = 0;
    struct allocation *all;

    for (unsigned t = 0; t < THREADS; t++)
        total += workers[t].count;
    all = malloc(sizeof(*all) * (total > 0 ? total : 1));
    test_assert_nonnull(all);
    for (unsigned t = 0; t < THREADS; t++)
        for (size_t i = 0; i < workers[t].count; i++)
            all[count++] = workers[t].allocations[i];
    qsort(all, count, sizeof(*all), by_address);

    for (size_t i = 0; i < count; i++) {
        const struct allocation *a = &all[i];

        test_assert_addr(a->p, >=, base);
        test_assert_addr(a->p + a->size, <=, base + capacity);
        test_assert(is_aligned(a->p, a->align));
        if (i + 1 < count)
            test_assert_addr(a->p + a->size, <=, all[i + 1].p);
        for (size_t j = 0; j < a->size; j++)
            if (a->p[j] != pattern(a->thread, a->index, j))
                test_assert_size(a->p[j], ==, pattern(a->thread, a->index, j));
        sum += a->size;
    }
    free(all);
    return sum;
}

static void
init_workers(struct worker *workers, marena_concurrent_t *arena, size_t per_thread,
             size_t max_size, unsigned max_align_log2, int until_null)
{
    for (unsigned t = 0; t < THREADS; t++) {
        memset(&workers[t], 0, sizeof(workers[t]));
        workers[t].arena = arena;
        workers[t].id = t;
        workers[t].state = 0x9e3779b9u * (t + 1);
        workers[t].max_size = max_size;
        workers[t].max_align_log2 = max_align_log2;
        workers[t].until_null = until_null;
        workers[t].capacity = per_thread;
        workers[t].allocations = malloc(sizeof(struct allocation) * per_thread);
        test_assert_nonnull(workers[t].allocations);
    }
}

static void
free_workers(struct worker *workers)
{
    for (unsigned t = 0; t < THREADS; t++)
        free(workers[t].allocations);
}

/* Alignment 1: no padding, so used is exactly the sum of the sizes. */
static void
test_threads_align1(const void *data)
{
    struct counting_backend counter;
    struct worker workers[THREADS];
    marena_concurrent_t *arena;
    uintptr_t base;
    size_t capacity, sum;

    (void)data;
    arena = open_concurrent(&counter, (size_t)1 << 20);
    capacity = marena_concurrent_capacity(arena);
    base = first_address(arena);
    init_workers(workers, arena, PER_THREAD, 64, 0, 0);
    run_workers(workers);

    for (unsigned t = 0; t < THREADS; t++) {
        test_assert_size(workers[t].failures, ==, 0);
        test_assert_size(workers[t].count, ==, PER_THREAD);
    }
    sum = check_allocations(workers, base, capacity);
    test_assert_size(marena_concurrent_used(arena), ==, sum);
    free_workers(workers);
    close_concurrent(arena, &counter);
}

/* One byte at a time, as fast as the threads can, once all of them run:
 * they contend for the cursor all the time, and still every byte goes to
 * exactly one caller (a lost compare-and-swap must not hand out what
 * another thread took): the bytes handed out are the sum of the
 * successful calls, each thread's results climb, and the block ends full. */
enum { CONTENDED = 100000 };

struct contender {
    marena_concurrent_t *arena;
    atomic_int *ready;
    size_t count;
    size_t gaps; /* results not right after the one before: another
                    thread took bytes in between */
    int climbing;
};

static void *
contend(void *data)
{
    struct contender *c = data;
    unsigned char *last = NULL;

    /* Spin, yielding now and then (there may be fewer cores than
     * threads), so that the threads on cores start together. */
    atomic_fetch_add(c->ready, 1);
    for (unsigned spins = 1; atomic_load(c->ready) < THREADS; spins++)
        if (spins % 4096 == 0)
            test_thread_yield();
    c->climbing = 1;
    for (size_t i = 0; i < CONTENDED; i++) {
        unsigned char *p = marena_concurrent_alloc(c->arena, 1, 1);

        if (p == NULL)
            break;
        if (last != NULL && p <= last)
            c->climbing = 0;
        if (last != NULL && p != last + 1)
            c->gaps++;
        last = p;
        c->count++;
    }
    return NULL;
}

static void
test_threads_contention(const void *data)
{
    struct counting_backend counter;
    struct contender contenders[THREADS];
    test_thread *threads[THREADS];
    marena_concurrent_t *arena;

    (void)data;
    if (!pool_holds((size_t)THREADS * CONTENDED + 4096))
        return;
    arena = open_concurrent(&counter, (size_t)THREADS * CONTENDED);
    size_t capacity = marena_concurrent_capacity(arena);
    /* Rounds until the threads have interleaved finely (they ran at once,
     * on several cores), at most 64; Valgrind runs one thread at a time. */
    size_t gaps = 0;
    int rounds = under_valgrind() ? 2 : 64;
    for (int round = 0; round < rounds && gaps < 20000; round++) {
        atomic_int ready = 0;
        size_t sum = 0;

        for (unsigned t = 0; t < THREADS; t++) {
            contenders[t] = (struct contender){arena, &ready, 0, 0, 0};
            threads[t] = test_thread_start(contend, &contenders[t]);
        }
        for (unsigned t = 0; t < THREADS; t++) {
            test_thread_join(threads[t]);
            test_assert(contenders[t].climbing);
            sum += contenders[t].count;
            gaps += contenders[t].gaps;
        }
        test_assert_size(marena_concurrent_used(arena), ==, sum);
        test_assert_size(sum, ==, (size_t)THREADS * CONTENDED);
        test_assert_size(sum, <=, capacity);
        marena_concurrent_reset(arena);
    }
    close_concurrent(arena, &counter);
}

/* Alignments 1..64: every result aligned, padding only adds to used. */
static void
test_threads_mixed_alignment(const void *data)
{
    struct counting_backend counter;
    struct worker workers[THREADS];
    marena_concurrent_t *arena;
    uintptr_t base;
    size_t capacity, sum, used;

    (void)data;
    arena = open_concurrent(&counter, (size_t)2 << 20);
    capacity = marena_concurrent_capacity(arena);
    base = first_address(arena);
    init_workers(workers, arena, PER_THREAD, 64, 6, 0);
    run_workers(workers);

    for (unsigned t = 0; t < THREADS; t++) {
        test_assert_size(workers[t].failures, ==, 0);
        test_assert_size(workers[t].count, ==, PER_THREAD);
    }
    sum = check_allocations(workers, base, capacity);
    used = marena_concurrent_used(arena);
    test_assert_size(used, >=, sum);
    test_assert_size(used, <=, sum + (size_t)THREADS * PER_THREAD * 63);
    test_assert_size(used, <=, capacity);
    free_workers(workers);
    close_concurrent(arena, &counter);
}

/* Threads allocate until NULL: the block really is full afterwards (less
 * left than any request that failed), and reset gives it all back. Twice,
 * so the second round runs on a reset arena. */
static void
test_threads_fill(const void *data)
{
    enum { MAX_SIZE = 256 };
    struct counting_backend counter;
    struct worker workers[THREADS];
    marena_concurrent_t *arena;
    uintptr_t base;
    size_t capacity, sum, used, smallest_failure;

    (void)data;
    arena = open_concurrent(&counter, 65536);
    capacity = marena_concurrent_capacity(arena);
    base = first_address(arena);
    for (int round = 0; round < 2; round++) {
        init_workers(workers, arena, 4096, MAX_SIZE, 0, 1);
        for (unsigned t = 0; t < THREADS; t++)
            workers[t].state += (uint32_t)round * 0x1234567u;
        run_workers(workers);

        smallest_failure = MAX_SIZE;
        for (unsigned t = 0; t < THREADS; t++) {
            test_assert(!workers[t].overflow);
            test_assert_size(workers[t].failed_size, >=, 1);
            test_assert_size(workers[t].failed_size, <=, MAX_SIZE);
            if (workers[t].failed_size < smallest_failure)
                smallest_failure = workers[t].failed_size;
        }
        sum = check_allocations(workers, base, capacity);
        used = marena_concurrent_used(arena);
        test_assert_size(used, ==, sum);
        test_assert_size(used, <=, capacity);
        /* used only grows: the room left is less than any failed request
         * was, when it failed, so less than the largest size tried. */
        test_assert_size(capacity - used, <, smallest_failure);
        test_assert_size(capacity - used, <, MAX_SIZE);
        free_workers(workers);

        marena_concurrent_reset(arena);
        test_assert_size(marena_concurrent_used(arena), ==, 0);
    }
    /* All of it is back. */
    test_assert_addr(marena_concurrent_alloc(arena, capacity, 1), ==, base);
    test_assert_null(marena_concurrent_alloc(arena, 1, 1));
    close_concurrent(arena, &counter);
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_create, NULL, "/concurrent/create");
    test_add(test_create_in_buffer, NULL, "/concurrent/create-in-buffer");
    test_add(test_create_fails, NULL, "/concurrent/create-fails");
    test_add(test_largest_block_size, NULL, "/concurrent/largest-block-size");
    test_add(test_smallest_buffers, NULL, "/concurrent/smallest-buffers");
#if MARENA_HAVE_WIPE
    test_add(test_wipe, NULL, "/concurrent/wipe");
#endif
    test_add(test_null_arena, NULL, "/concurrent/null-arena");
    test_add(test_bad_input, NULL, "/concurrent/bad-input");
    test_add(test_sequential, NULL, "/concurrent/sequential");
    test_add(test_threads_align1, NULL, "/concurrent/threads-align1");
    test_add(test_threads_contention, NULL, "/concurrent/threads-contention");
    test_add(test_threads_mixed_alignment, NULL, "/concurrent/threads-mixed-alignment");
    test_add(test_threads_fill, NULL, "/concurrent/threads-fill");
    return test_run();
}
