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
#include "stress.h"
#include "subjects.h"

#define THREADS 4
#define PER_THREAD 2000

/* A concurrent arena on the counting backend (block_size 0 and the rest:
 * the defaults). */
static marena_concurrent_t *
open_with(struct counting_backend *counter, size_t block_size, size_t max_block_size,
          size_t limit, unsigned flags)
{
    marena_options_t options = {0};
    marena_concurrent_t *arena;

    counting_init(counter);
    options.backend = &counting_backend;
    options.backend_ctx = counter;
    options.block_size = block_size;
    options.max_block_size = max_block_size;
    options.limit = limit;
    options.flags = flags;
    arena = marena_concurrent_create(&options);
    test_assert_nonnull(arena);
    test_assert_size(counter->acquires, ==, 1);
    return arena;
}

static marena_concurrent_t *
open_concurrent(struct counting_backend *counter, size_t block_size)
{
    return open_with(counter, block_size, 0, 0, 0);
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
    test_assert_null(marena_concurrent_create(&options));
    /* The buffer is the caller's again, whole (ASan and memcheck builds
     * would report a part still poisoned for an arena). */
    memset(buffer, 0x5a, options.buffer_size);
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

/* RESERVE (with GROW or not) is refused before any backend call; so are invalid
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

struct worker {
    marena_concurrent_t *arena;
    struct stress_log log;   /* its allocations */
    size_t max_size;         /* sizes are 1..max_size */
    unsigned max_align_log2; /* alignments are 1..2^this */
    int until_null;          /* keep going until the block is full */
    size_t failures;         /* NULL results (not until_null) */
    size_t failed_size;      /* the request that ended an until_null run */
    int overflow;            /* until_null ran out of room in the log */
};

static void *
work(void *data)
{
    struct worker *w = data;

    for (;;) {
        if (w->log.count == w->log.capacity) {
            w->overflow = w->until_null;
            break;
        }
        size_t size = 1 + stress_random(&w->log) % w->max_size;
        size_t align = (size_t)1 << stress_random(&w->log) % (w->max_align_log2 + 1);
        unsigned char *p = marena_concurrent_alloc(w->arena, size, align);

        if (p == NULL) {
            if (w->until_null) {
                w->failed_size = size;
                break;
            }
            w->failures++;
            continue;
        }
        stress_record(&w->log, p, size, align);
    }
    return NULL;
}

/* The checks after joining: inside the block, aligned, no overlap, every
 * pattern intact. Returns the sum of the sizes. */
static size_t
check_allocations(struct worker *workers, uintptr_t base, size_t capacity)
{
    struct stress_log logs[THREADS];

    for (unsigned t = 0; t < THREADS; t++) {
        logs[t] = workers[t].log;
        for (size_t i = 0; i < logs[t].count; i++) {
            test_assert_addr(logs[t].records[i].p, >=, base);
            test_assert_addr(logs[t].records[i].p + logs[t].records[i].size, <=,
                             base + capacity);
        }
    }
    return stress_check(logs, THREADS);
}

static void
init_workers(struct worker *workers, marena_concurrent_t *arena, size_t per_thread,
             size_t max_size, unsigned max_align_log2, int until_null)
{
    for (unsigned t = 0; t < THREADS; t++) {
        memset(&workers[t], 0, sizeof(workers[t]));
        workers[t].arena = arena;
        workers[t].max_size = max_size;
        workers[t].max_align_log2 = max_align_log2;
        workers[t].until_null = until_null;
        stress_log_init(&workers[t].log, t, per_thread);
    }
}

static void
run_workers(struct worker *workers)
{
    stress_run(work, workers, sizeof(workers[0]), THREADS);
}

static void
free_workers(struct worker *workers)
{
    for (unsigned t = 0; t < THREADS; t++)
        stress_log_free(&workers[t].log);
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
        test_assert_size(workers[t].log.count, ==, PER_THREAD);
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
        test_assert_size(workers[t].log.count, ==, PER_THREAD);
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
            workers[t].log.random += (uint32_t)round * 0x1234567u;
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

/* ---------------------------------------------------------------- growth */

#if MARENA_HAVE_GROWTH && MARENA_HAVE_STATS
#define ROUND_UP(n) (((n) + MARENA_ALIGNMENT - 1) / MARENA_ALIGNMENT * MARENA_ALIGNMENT)

static marena_concurrent_t *
open_growing(struct counting_backend *counter, size_t block_size, size_t max_block_size,
             size_t limit, unsigned flags)
{
    return open_with(counter, block_size, max_block_size, limit, MARENA_GROW | flags);
}

/* Is [p, p + size) inside the block the counting backend granted last? */
static int
in_last_block(const struct counting_backend *counter, const void *p, size_t size)
{
    uintptr_t start = (uintptr_t)counter->block;

    return (uintptr_t)p >= start && (uintptr_t)p + size <= start + counter->granted;
}

/* Fills what is left of the current block (alignment 1: no padding). */
static void
fill_current(marena_concurrent_t *arena, size_t left)
{
    test_assert_nonnull(marena_concurrent_alloc(arena, left, 1));
}

/* A full block is followed by a new one twice as large, up to
 * max_block_size; each is asked of the backend once, holds the request,
 * and counts in capacity and used. */
static void
test_grow_sizes(const void *data)
{
    struct counting_backend counter;
    marena_stats_t stats;
    size_t capacity = 1024, expected_used = 1024;
    static const size_t next[] = {2048, 4096, 4096};

    (void)data;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4096, 0, 0);
    test_assert_size(marena_concurrent_capacity(arena), ==, 1024);
    fill_current(arena, 1024);
    for (size_t i = 0; i < sizeof(next) / sizeof(next[0]); i++) {
        unsigned char *p = marena_concurrent_alloc(arena, 16, 1);

        test_assert_nonnull(p);
        test_assert_size(counter.acquires, ==, i + 2);
        test_assert(in_last_block(&counter, p, 16));
        capacity += next[i];
        expected_used += 16;
        test_assert_size(marena_concurrent_capacity(arena), ==, capacity);
        test_assert_size(marena_concurrent_used(arena), ==, expected_used);
        /* The rest of the new block, contiguous. */
        test_assert_addr(marena_concurrent_alloc(arena, next[i] - 16, 1), ==, p + 16);
        expected_used += next[i] - 16;
    }
    marena_concurrent_stats(arena, &stats);
    test_assert_size(stats.blocks, ==, 4);
    test_assert_size(stats.spare_blocks, ==, 0);
    test_assert_size(stats.used, ==, expected_used);
    test_assert_size(stats.peak, ==, expected_used);
    test_assert_size(stats.capacity, ==, capacity);
    test_assert_size(stats.backend_bytes, ==, counter.bytes_acquired);
    test_assert_size(stats.backend_calls, ==, 4);
    test_assert_size(stats.allocations, ==, 0);
    test_assert_size(stats.failed, ==, 0);
    close_concurrent(arena, &counter);
}

/* A request larger than the next ordinary block gets a block of its own;
 * the current block goes on serving small requests where it was. */
static void
test_grow_large(const void *data)
{
    struct counting_backend counter;
    marena_stats_t stats;
    unsigned char *a, *big, *b;

    (void)data;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4096, 0, 0);
    a = marena_concurrent_alloc(arena, 10, 1);
    test_assert_nonnull(a);
    /* 2048 (the next block) + 1: too large for it. */
    big = marena_concurrent_alloc(arena, 2049, 1);
    test_assert_nonnull(big);
    test_assert(in_last_block(&counter, big, 2049));
    test_assert_size(counter.granted, <, 2049 + 256);
    b = marena_concurrent_alloc(arena, 10, 1);
    test_assert_addr(b, ==, a + 10);
    /* An alignment larger than a block's start gets room for it. */
    big = marena_concurrent_alloc(arena, 2048, 4096);
    test_assert_nonnull(big);
    test_assert(is_aligned(big, 4096));
    test_assert(in_last_block(&counter, big, 2048));
    test_assert_addr(marena_concurrent_alloc(arena, 10, 1), ==, b + 10);
    marena_concurrent_stats(arena, &stats);
    test_assert_size(stats.blocks, ==, 3);
    /* The large blocks count from their start to their allocation's end;
     * the second has room for the alignment beyond a block's own. */
    test_assert_size(stats.used, >=, 30 + 2049 + 2048);
    test_assert_size(stats.used, <, 30 + 2049 + 2048 + 4096);
    test_assert_size(stats.capacity, ==,
                     1024 + ROUND_UP(2049) + ROUND_UP(2048 + 4096 - MARENA_ALIGNMENT));
    test_assert_size(counter.acquires, ==, 3);
    close_concurrent(arena, &counter);
}

/* The limit: growth takes the largest block the limit allows, then fails,
 * changing nothing but the count of failures; backend_bytes never passes
 * it. */
static void
test_grow_limit(const void *data)
{
    struct counting_backend counter;
    marena_stats_t stats;
    size_t first_bytes, limit, used;

    (void)data;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4096, 0, 0);
    first_bytes = counter.bytes_acquired;
    close_concurrent(arena, &counter);

    /* Room for the first block, and a second one smaller than 2048. */
    limit = first_bytes + 1500;
    arena = open_growing(&counter, 1024, 4096, limit, 0);
    fill_current(arena, 1024);
    test_assert_nonnull(marena_concurrent_alloc(arena, 1000, 1));
    test_assert_size(counter.acquires, ==, 2);
    test_assert_size(counter.bytes_acquired, <=, limit);
    test_assert_size(counter.bytes_acquired, >, limit - MARENA_ALIGNMENT);
    used = marena_concurrent_used(arena);
    test_assert_null(marena_concurrent_alloc(arena, 1000, 1));
    test_assert_null(marena_concurrent_alloc(arena, 100000, 1));
    test_assert_size(counter.calls, ==, 2);
    test_assert_size(marena_concurrent_used(arena), ==, used);
    marena_concurrent_stats(arena, &stats);
    test_assert_size(stats.failed, ==, 2);
    test_assert_size(stats.backend_bytes, ==, counter.bytes_acquired);
    test_assert_size(stats.backend_bytes, <=, limit);
    close_concurrent(arena, &counter);
}

/* A backend that fails, or breaks its contract, gives NULL and leaves
 * the arena as it was; the arena grows again when the backend recovers. */
static void
test_grow_backend_fails(const void *data)
{
    struct counting_backend counter;
    marena_stats_t stats;

    (void)data;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4096, 0, 0);
    fill_current(arena, 1024);
    counter.fail_from = 2;
    test_assert_null(marena_concurrent_alloc(arena, 16, 1));
    counter.fail_from = 0;
    counter.shortfall = 16;
    test_assert_null(marena_concurrent_alloc(arena, 16, 1));
    counter.shortfall = 0;
    counter.misalignment = MARENA_ALIGNMENT / 2; /* not aligned, on every target */
    test_assert_null(marena_concurrent_alloc(arena, 16, 1));
    counter.misalignment = 0;
    test_assert_size(counter.out, ==, 1);
    test_assert_size(counter.mismatches, ==, 0);
    test_assert_size(marena_concurrent_used(arena), ==, 1024);
    marena_concurrent_stats(arena, &stats);
    test_assert_size(stats.failed, ==, 3);
    test_assert_size(stats.blocks, ==, 1);
    test_assert_size(stats.backend_bytes, ==,
                     counter.bytes_acquired - counter.bytes_released);
    /* acquire x3, release x2, and the first block's acquire. */
    test_assert_size(stats.backend_calls, ==, 6);
    test_assert_nonnull(marena_concurrent_alloc(arena, 16, 1));
    test_assert_size(counter.out, ==, 2);
    close_concurrent(arena, &counter);
}

/* Bytes of a growth block's header: what the counting backend granted
 * for the first new block (2048 usable) beyond its usable bytes. */
static size_t
header_size(void)
{
    struct counting_backend counter;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4096, 0, 0);
    size_t header;

    fill_current(arena, 1024);
    test_assert_nonnull(marena_concurrent_alloc(arena, 1, 1));
    header = counter.granted - 2048;
    test_assert_size(header % MARENA_ALIGNMENT, ==, 0);
    close_concurrent(arena, &counter);
    return header;
}

/* An odd max_block_size: blocks double while they stay within it, and the
 * last step is max_block_size itself (rounded up to MARENA_ALIGNMENT). */
static void
test_grow_odd_max(const void *data)
{
    struct counting_backend counter;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4097, 0, 0);

    (void)data;
    fill_current(arena, 1024);
    fill_current(arena, 2048);
    test_assert_size(marena_concurrent_capacity(arena), ==, 1024 + 2048);
    fill_current(arena, 4096);
    test_assert_size(marena_concurrent_capacity(arena), ==, 1024 + 2048 + 4096);
    test_assert_nonnull(marena_concurrent_alloc(arena, 1, 1));
    test_assert_size(marena_concurrent_capacity(arena), ==,
                     1024 + 2048 + 4096 + ROUND_UP(4097));
    close_concurrent(arena, &counter);
}

/* A limit that holds the next block exactly takes it; requests too large
 * for any block are refused before the backend is called. */
static void
test_grow_exact_limit(const void *data)
{
    size_t header = header_size(), first_bytes;
    struct counting_backend counter;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4096, 0, 0);

    (void)data;
    first_bytes = counter.bytes_acquired;
    close_concurrent(arena, &counter);
    arena = open_growing(&counter, 1024, 4096, first_bytes + header + 2048, 0);
    fill_current(arena, 1024);
    test_assert_nonnull(marena_concurrent_alloc(arena, 2048, 1));
    test_assert_size(counter.bytes_acquired, ==, first_bytes + header + 2048);
    test_assert_null(marena_concurrent_alloc(arena, 1, 1));
    close_concurrent(arena, &counter);

    /* An odd max_block_size whose rounded block the limit cannot hold:
     * growth takes the largest block the limit allows. */
    arena = open_growing(&counter, 1024, 2049, first_bytes + header + 2048, 0);
    fill_current(arena, 1024);
    test_assert_nonnull(marena_concurrent_alloc(arena, 2048, 1));
    test_assert_size(counter.bytes_acquired, ==, first_bytes + header + 2048);
    close_concurrent(arena, &counter);

    arena = open_growing(&counter, 1024, 4096, 0, 0);
    /* The largest request a block can hold is asked of the backend (which
     * cannot give it); anything larger is refused before. */
    test_assert_null(marena_concurrent_alloc(
        arena, (size_t)PTRDIFF_MAX - header - MARENA_ALIGNMENT, 1));
    test_assert_size(counter.calls, ==, 2);
    test_assert_null(marena_concurrent_alloc(arena, (size_t)PTRDIFF_MAX - header, 1));
    test_assert_null(marena_concurrent_alloc(arena, (size_t)PTRDIFF_MAX, 1));
    test_assert_null(marena_concurrent_alloc(arena, SIZE_MAX - 8, 16));
    test_assert_null(
        marena_concurrent_alloc(arena, 1024, (size_t)1 << (sizeof(size_t) * 8 - 1)));
    test_assert_size(counter.calls, ==, 2);
    close_concurrent(arena, &counter);
}

/* With a limit reached, a reset keeps the blocks (they are held), and the
 * next cycle reuses them: the same requests succeed again without a
 * backend call, a request for a kept block's size included. */
static void
test_grow_limit_reuse(const void *data)
{
    struct counting_backend counter;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4096, 0, 0);
    size_t limit;

    (void)data;
    fill_current(arena, 1024);
    fill_current(arena, 2048);
    limit = counter.bytes_acquired;
    close_concurrent(arena, &counter);
    arena = open_growing(&counter, 1024, 4096, limit, 0);
    for (int cycle = 0; cycle < 3; cycle++) {
        fill_current(arena, 1024);
        test_assert_nonnull(marena_concurrent_alloc(arena, 2048, 1));
        test_assert_null(marena_concurrent_alloc(arena, 1, 1));
        test_assert_size(counter.acquires, ==, 2);
        marena_concurrent_reset(arena);
    }
    close_concurrent(arena, &counter);
}

/* Without MARENA_GROW a full block is the end. */
static void
test_fixed_does_not_grow(const void *data)
{
    struct counting_backend counter;

    (void)data;
    marena_concurrent_t *arena = open_concurrent(&counter, 1024);
    fill_current(arena, 1024);
    test_assert_null(marena_concurrent_alloc(arena, 1, 1));
    test_assert_size(counter.calls, ==, 1);
    close_concurrent(arena, &counter);
}

/* A reset keeps the blocks the cycle used, blocks of their own included,
 * and the next cycle takes them again in the same order (no backend
 * call); blocks kept that a cycle did not need go back at the reset after
 * it. */
static void
test_grow_reset(const void *data)
{
    struct counting_backend counter;
    marena_stats_t stats;
    unsigned char *second, *third, *large;

    (void)data;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4096, 0, 0);
    fill_current(arena, 1024);
    second = marena_concurrent_alloc(arena, 2048, 1);
    third = marena_concurrent_alloc(arena, 100, 1);
    large = marena_concurrent_alloc(arena, 10000, 1); /* its own */
    test_assert_nonnull(large);
    test_assert_size(counter.acquires, ==, 4);
    marena_concurrent_reset(arena);
    test_assert_size(counter.releases, ==, 0);
    marena_concurrent_stats(arena, &stats);
    test_assert_size(stats.used, ==, 0);
    test_assert_size(stats.peak, ==, 1024 + 2048 + 100 + 10000);
    test_assert_size(stats.blocks, ==, 4);
    test_assert_size(stats.spare_blocks, ==, 3);
    test_assert_size(stats.capacity, ==, 1024 + 2048 + 4096 + ROUND_UP(10000));
    test_assert_size(stats.backend_bytes, ==,
                     counter.bytes_acquired - counter.bytes_released);

    fill_current(arena, 1024);
    test_assert_addr(marena_concurrent_alloc(arena, 2048, 1), ==, second);
    test_assert_addr(marena_concurrent_alloc(arena, 100, 1), ==, third);
    test_assert_addr(marena_concurrent_alloc(arena, 9000, 1), ==, large);
    test_assert_size(counter.acquires, ==, 4);
    marena_concurrent_stats(arena, &stats);
    test_assert_size(stats.spare_blocks, ==, 0);
    test_assert_size(stats.blocks, ==, 4);

    /* A cycle in the first block only: the others go at the next reset. */
    marena_concurrent_reset(arena);
    test_assert_nonnull(marena_concurrent_alloc(arena, 10, 1));
    marena_concurrent_reset(arena);
    test_assert_size(counter.releases, ==, 3);
    test_assert_size(marena_concurrent_capacity(arena), ==, 1024);
    close_concurrent(arena, &counter);
}

#if MARENA_HAVE_WIPE
/* MARENA_WIPE: what every block handed out reads 0 after a reset. */
static void
test_grow_wipe(const void *data)
{
    struct counting_backend counter;
    unsigned char *p[3];

    (void)data;
    marena_concurrent_t *arena = open_growing(&counter, 1024, 4096, 0, MARENA_WIPE);
    p[0] = marena_concurrent_alloc(arena, 1024, 1);
    p[1] = marena_concurrent_alloc(arena, 2048, 1);
    p[2] = marena_concurrent_alloc(arena, 5000, 1); /* its own block */
    for (unsigned i = 0; i < 2; i++) {
        test_assert_nonnull(p[i]);
        memset(p[i], 0xab, 1024);
    }
    marena_concurrent_reset(arena);
    for (unsigned i = 0; i < 2; i++) {
        inspect_bytes(p[i], 1024);
        for (size_t j = 0; j < 1024; j++)
            test_assert_size(p[i][j], ==, 0);
    }
    close_concurrent(arena, &counter);

    /* A block of its own is wiped at reset (and kept), and again before
     * destroy gives it back (the backend checks at release). */
    struct atomic_backend backend;
    marena_options_t options = {0};

    atomic_backend_init(&backend);
    options.backend = &atomic_backend;
    options.backend_ctx = &backend;
    options.block_size = 1024;
    options.flags = MARENA_GROW | MARENA_WIPE;
    arena = marena_concurrent_create(&options);
    test_assert_nonnull(arena);
    fill_current(arena, 1024);
    p[0] = marena_concurrent_alloc(arena, 5000, 1); /* its own */
    test_assert_nonnull(p[0]);
    memset(p[0], 0xab, 5000);
    marena_concurrent_reset(arena);
    inspect_bytes(p[0], 5000);
    for (size_t j = 0; j < 5000; j++)
        test_assert_size(p[0][j], ==, 0);
    fill_current(arena, 1024);
    test_assert_addr(marena_concurrent_alloc(arena, 5000, 1), ==, p[0]);
    memset(p[0], 0xcd, 5000);
    backend.zero_from = p[0];
    backend.zero_size = 5000;
    marena_concurrent_destroy(arena);
    test_assert_size(atomic_load(&backend.zero_checked), ==, 1);
}
#endif

/* Two or three threads find the block full at once and each takes a
 * block (the backend waits for all their calls); one installs its block,
 * the others allocate in it; the first loser keeps its block as the
 * spare, a second one gives its block back (the slot is taken). The next
 * growth takes the spare if it fits (here: exactly) instead of calling
 * the backend; a reset gives a spare back. */
struct racer {
    marena_concurrent_t *arena;
    unsigned char *p;
};

static void *
race(void *data)
{
    struct racer *racer = data;

    racer->p = marena_concurrent_alloc(racer->arena, 100, 1);
    return NULL;
}

static marena_concurrent_t *
open_racing(struct atomic_backend *backend, size_t block_size)
{
    marena_concurrent_t *arena = stress_open_shared(backend, block_size);

    fill_current(arena, block_size);
    return arena;
}

static void
close_racing(marena_concurrent_t *arena, struct atomic_backend *backend)
{
    marena_concurrent_destroy(arena);
    test_assert_size(atomic_load(&backend->releases), ==,
                     atomic_load(&backend->acquires));
    test_assert_size(atomic_load(&backend->out_bytes), ==, 0);
}

/* The racers' allocations, sorted, follow each other in one block. */
static void
assert_adjacent(struct racer *racers, unsigned n)
{
    unsigned char *low = racers[0].p;

    for (unsigned i = 0; i < n; i++) {
        test_assert_nonnull(racers[i].p);
        if (racers[i].p < low)
            low = racers[i].p;
    }
    for (unsigned i = 0; i < n; i++)
        test_assert_size((size_t)(racers[i].p - low) % 100, ==, 0);
    for (unsigned i = 0; i < n; i++)
        test_assert_size((size_t)(racers[i].p - low), <, n * 100);
}

static void
test_grow_lost_race(const void *data)
{
    unsigned n = (unsigned)(uintptr_t)data;
    struct atomic_backend backend;
    struct racer racers[3];
    marena_stats_t stats;
    marena_concurrent_t *arena = open_racing(&backend, 1024);

    backend.rendezvous = 1 + n; /* the first block's call, and each thread's */
    for (unsigned i = 0; i < n; i++)
        racers[i].arena = arena;
    stress_run(race, racers, sizeof(racers[0]), n);
    assert_adjacent(racers, n);
    test_assert_size(atomic_load(&backend.acquires), ==, 1 + n);
    test_assert_size(atomic_load(&backend.releases), ==, n - 2);
    marena_concurrent_stats(arena, &stats);
    test_assert_size(stats.blocks, ==, 3);
    test_assert_size(stats.spare_blocks, ==, 1);
    test_assert_size(stats.used, ==, 1024 + n * 100);
    test_assert_size(stats.backend_bytes, ==, atomic_load(&backend.out_bytes));

    backend.rendezvous = 0;
    if (n == 2) {
        /* The next block would be 4096; the spare has exactly 2048. */
        fill_current(arena, 2048 - 200);
        test_assert_nonnull(marena_concurrent_alloc(arena, 2048, 1));
        test_assert_size(atomic_load(&backend.acquires), ==, 3);
        marena_concurrent_stats(arena, &stats);
        test_assert_size(stats.spare_blocks, ==, 0);
        test_assert_size(stats.blocks, ==, 3);
    } else {
        marena_concurrent_reset(arena);
        test_assert_size(atomic_load(&backend.releases), ==, 2);
        marena_concurrent_stats(arena, &stats);
        test_assert_size(stats.spare_blocks, ==, 1); /* the winner's, kept */
    }
    close_racing(arena, &backend);
}

/* Two threads race to grow and the backend fails the second call, after
 * the first thread installed its block: the thread whose call failed
 * finds the new block and allocates there instead of failing. */
static void
test_grow_race_backend_fails(const void *data)
{
    struct atomic_backend backend;
    struct racer racers[2];
    marena_concurrent_t *arena = open_racing(&backend, 1024);

    (void)data;
    backend.rendezvous = 3;
    atomic_store(&backend.fail_from, 3);
    backend.watch = arena;
    backend.wait_capacity = 1024 + 2048;
    racers[0].arena = racers[1].arena = arena;
    stress_run(race, racers, sizeof(racers[0]), 2);
    assert_adjacent(racers, 2);
    test_assert_size(atomic_load(&backend.acquires), ==, 2);
    test_assert_size(marena_concurrent_used(arena), ==, 1024 + 200);
    close_racing(arena, &backend);
}

/* Threads that grow the arena at once: every allocation is its own (no
 * overlap, patterns intact), used accounts for each, and everything goes
 * back at destroy. With a limit, the backend never holds more than it,
 * however the threads race. */
struct grower {
    marena_concurrent_t *arena;
    struct stress_log log;
    size_t failures;
};

#define GROWER_ALLOCATIONS 3000

static void *
grow_work(void *data)
{
    struct grower *g = data;

    for (unsigned i = 0; i < GROWER_ALLOCATIONS; i++) {
        /* Now and then a request larger than any ordinary block. */
        size_t size = i % 64 == 63 ? 20000 : 1 + stress_random(&g->log) % 300;
        size_t align = (size_t)1 << stress_random(&g->log) % 7;
        unsigned char *p = marena_concurrent_alloc(g->arena, size, align);

        if (p == NULL)
            g->failures++;
        else
            stress_record(&g->log, p, size, align);
    }
    return NULL;
}

static void
test_threads_grow(const void *data)
{
    unsigned threads = (unsigned)(uintptr_t)data;
    struct grower growers[STRESS_MAX_THREADS];
    struct atomic_backend backend;
    marena_options_t options = {0};
    marena_stats_t stats;

    for (int with_limit = 0; with_limit <= 1; with_limit++) {
        size_t limit = with_limit ? 64 * 1024 : 0, sum, failures = 0;

        atomic_backend_init(&backend);
        options.backend = &atomic_backend;
        options.backend_ctx = &backend;
        options.block_size = 1024;
        options.max_block_size = 16384;
        options.limit = limit;
        options.flags = MARENA_GROW;
        marena_concurrent_t *arena = marena_concurrent_create(&options);
        test_assert_nonnull(arena);
        for (unsigned t = 0; t < threads; t++) {
            growers[t].arena = arena;
            growers[t].failures = 0;
            stress_log_init(&growers[t].log, t, GROWER_ALLOCATIONS);
        }
        stress_run(grow_work, growers, sizeof(growers[0]), threads);
        for (unsigned t = 0; t < threads; t++)
            failures += growers[t].failures;
        {
            struct stress_log logs[STRESS_MAX_THREADS];

            for (unsigned t = 0; t < threads; t++)
                logs[t] = growers[t].log;
            sum = stress_check(logs, threads);
        }
        marena_concurrent_stats(arena, &stats);
        test_assert_size(stats.used, >=, sum);
        test_assert_size(stats.used, <=, stats.capacity);
        test_assert_size(stats.failed, ==, failures);
        test_assert_size(stats.backend_bytes, ==, atomic_load(&backend.out_bytes));
        if (with_limit) {
            test_assert_size(atomic_load(&backend.peak_bytes), <=, limit);
            test_assert_size(failures, >, 0);
        } else {
            test_assert_size(failures, ==, 0);
            test_assert_size(stats.blocks, >, 2);
        }
        marena_concurrent_destroy(arena);
        test_assert_size(atomic_load(&backend.releases), ==,
                         atomic_load(&backend.acquires));
        test_assert_size(atomic_load(&backend.out_bytes), ==, 0);
        for (unsigned t = 0; t < threads; t++)
            stress_log_free(&growers[t].log);
    }
}
#endif /* MARENA_HAVE_GROWTH && MARENA_HAVE_STATS */

#if MARENA_HAVE_STATS
/* NULL arguments. */
static void
test_stats_null(const void *data)
{
    struct counting_backend counter;
    marena_stats_t stats;

    (void)data;
    memset(&stats, 0xff, sizeof(stats));
    marena_concurrent_stats(NULL, &stats);
    test_assert_size(stats.used, ==, 0);
    test_assert_size(stats.capacity, ==, 0);
    test_assert_size(stats.blocks, ==, 0);
    test_assert_size(stats.reserved[2], ==, 0);
    marena_concurrent_t *arena = open_concurrent(&counter, 1024);
    marena_concurrent_stats(arena, &stats);
    test_assert_size(stats.peak, ==, 0);
    test_assert_size(stats.used, ==, 0);
    marena_concurrent_stats(arena, NULL);
    test_assert_nonnull(marena_concurrent_alloc(arena, 100, 1));
    test_assert_null(marena_concurrent_alloc(arena, 0, 1));
    marena_concurrent_stats(arena, &stats);
    test_assert_size(stats.used, ==, 100);
    test_assert_size(stats.capacity, ==, 1024);
    test_assert_size(stats.blocks, ==, 1);
    test_assert_size(stats.failed, ==, 1);
    test_assert_size(stats.backend_calls, ==, 1);
    test_assert_size(stats.backend_bytes, ==, counter.bytes_acquired);
    close_concurrent(arena, &counter);
}
#endif

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
#if MARENA_HAVE_GROWTH && MARENA_HAVE_STATS
    test_add(test_grow_sizes, NULL, "/concurrent/grow/sizes");
    test_add(test_grow_large, NULL, "/concurrent/grow/large");
    test_add(test_grow_limit, NULL, "/concurrent/grow/limit");
    test_add(test_grow_backend_fails, NULL, "/concurrent/grow/backend-fails");
    test_add(test_grow_reset, NULL, "/concurrent/grow/reset");
#if MARENA_HAVE_WIPE
    test_add(test_grow_wipe, NULL, "/concurrent/grow/wipe");
#endif
    test_add(test_grow_odd_max, NULL, "/concurrent/grow/odd-max");
    test_add(test_grow_exact_limit, NULL, "/concurrent/grow/exact-limit");
    test_add(test_grow_limit_reuse, NULL, "/concurrent/grow/limit-reuse");
    test_add(test_grow_lost_race, (const void *)2, "/concurrent/grow/lost-race");
    test_add(test_grow_lost_race, (const void *)3, "/concurrent/grow/lost-race-3");
    test_add(test_grow_race_backend_fails, NULL, "/concurrent/grow/race-backend-fails");
    for (unsigned threads = 2; threads <= STRESS_MAX_THREADS; threads *= 2)
        test_add(test_threads_grow, (const void *)(uintptr_t)threads,
                 "/concurrent/grow/threads-%u", threads);
    test_add(test_fixed_does_not_grow, NULL, "/concurrent/fixed-does-not-grow");
#endif
#if MARENA_HAVE_STATS
    test_add(test_stats_null, NULL, "/concurrent/stats-null");
#endif
    return test_run();
}
