/* SPDX-License-Identifier: MIT */
/*
 * demo: what a bump arena buys over malloc/free for many small,
 * short-lived allocations.
 *
 * One workload, run on both allocators: rounds of many allocations of 8..64
 * bytes, the sizes a fixed xorshift32 sequence (seeded with a constant, so
 * every run and both allocators see the same sizes). Each allocation gets
 * its first and last byte written; at the round's end those bytes are read
 * back into a checksum (so no compiler can drop the work) and the round's
 * memory is given back: marena_reset() for the arena, free() of every
 * pointer for malloc. Each allocator runs the workload several times, timed
 * with CLOCK_MONOTONIC, and the median is reported.
 *
 * Before timing, one untimed round on the arena is checked: every
 * allocation non-NULL, aligned, inside [first, first + capacity) and past
 * the previous one, the written bytes intact at the round's end, used()
 * back to 0 after marena_reset() and the next allocation back at the
 * first address. A failed check (or a wrong checksum in a timed run) exits
 * 1, so `demo --quick`, a tiny run, serves as a test under meson test.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN 1
#include <windows.h>
#endif

#include "marena.h"

#define MIN_SIZE 8u
#define MAX_SIZE 64u
#define SEED 0x2545f491u
#define MAX_RUNS 9u

struct workload {
    size_t nalloc; /* allocations per round */
    size_t rounds; /* rounds per run */
    size_t runs;   /* timed runs per allocator (at most MAX_RUNS) */
};

static const struct workload full_workload = {100000, 40, 5};
static const struct workload quick_workload = {2000, 2, 3};

static uint32_t
xorshift32(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* The round's sizes, MIN_SIZE..MAX_SIZE, the same on every call. */
static void
fill_sizes(unsigned char *sizes, size_t n)
{
    uint32_t state = SEED;

    for (size_t i = 0; i < n; i++)
        sizes[i] =
            (unsigned char)(MIN_SIZE + xorshift32(&state) % (MAX_SIZE - MIN_SIZE + 1));
}

/* Marks allocation i: its first and last byte. */
static void
mark(unsigned char *p, size_t size, size_t i)
{
    p[0] = (unsigned char)i;
    p[size - 1] = (unsigned char)(i ^ 0x5a);
}

/* What a round's marks add up to. */
static uint64_t
expected_checksum(size_t n)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < n; i++)
        sum += (unsigned char)i + (unsigned char)(i ^ 0x5a);
    return sum;
}

/* A monotonic clock: QueryPerformanceCounter() on Windows, which has no
 * clock_gettime() in its C runtime; CLOCK_MONOTONIC elsewhere. */
static uint64_t
now_ns(void)
{
#ifdef _WIN32
    LARGE_INTEGER count, frequency;

    QueryPerformanceCounter(&count);
    QueryPerformanceFrequency(&frequency);
    return (uint64_t)((double)count.QuadPart * 1e9 / (double)frequency.QuadPart);
#else
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("demo: clock_gettime");
        exit(1);
    }
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

/*
 * One run of the workload on the arena. Returns the checksum of every
 * round added up, or 0 when an allocation failed.
 */
static uint64_t
run_marena(marena_t *arena, const struct workload *w, const unsigned char *sizes,
           unsigned char **ptrs)
{
    uint64_t sum = 0;

    for (size_t r = 0; r < w->rounds; r++) {
        for (size_t i = 0; i < w->nalloc; i++) {
            unsigned char *p = marena_alloc(arena, sizes[i]);

            if (p == NULL)
                return 0;
            mark(p, sizes[i], i);
            ptrs[i] = p;
        }
        for (size_t i = 0; i < w->nalloc; i++)
            sum += ptrs[i][0] + ptrs[i][sizes[i] - 1];
        marena_reset(arena);
    }
    return sum;
}

/* The same workload on malloc/free; 0 when an allocation failed. */
static uint64_t
run_malloc(const struct workload *w, const unsigned char *sizes, unsigned char **ptrs)
{
    uint64_t sum = 0;

    for (size_t r = 0; r < w->rounds; r++) {
        for (size_t i = 0; i < w->nalloc; i++) {
            unsigned char *p = malloc(sizes[i]);

            if (p == NULL) {
                while (i-- > 0)
                    free(ptrs[i]);
                return 0;
            }
            mark(p, sizes[i], i);
            ptrs[i] = p;
        }
        for (size_t i = 0; i < w->nalloc; i++) {
            sum += ptrs[i][0] + ptrs[i][sizes[i] - 1];
            free(ptrs[i]);
        }
    }
    return sum;
}

static int
fail(const char *what, size_t i)
{
    fprintf(stderr, "demo: check failed at allocation %zu: %s\n", i, what);
    return -1;
}

/*
 * One untimed, checked round on the arena (see the top of the file).
 * Stores used()/remaining() as they were at the round's end.
 */
static int
check_round(marena_t *arena, const unsigned char *sizes, unsigned char **ptrs, size_t n,
            size_t *used, size_t *remaining)
{
    size_t capacity = marena_capacity(arena);
    uintptr_t first = 0, prev_end = 0;
    size_t requested = 0;
    uint64_t sum = 0;

    if (marena_used(arena) != 0 || marena_remaining(arena) != capacity)
        return fail("a new arena is not empty", 0);
    for (size_t i = 0; i < n; i++) {
        unsigned char *p = marena_alloc(arena, sizes[i]);
        uintptr_t addr = (uintptr_t)p;

        if (p == NULL)
            return fail("marena_alloc returned NULL", i);
        if (i == 0)
            first = addr;
        if (addr % MARENA_ALIGNMENT != 0)
            return fail("not aligned to MARENA_ALIGNMENT", i);
        if (addr < first || addr - first > capacity ||
            sizes[i] > capacity - (addr - first))
            return fail("outside [first, first + capacity)", i);
        if (addr < prev_end)
            return fail("overlaps the previous allocation", i);
        prev_end = addr + sizes[i];
        requested += sizes[i];
        mark(p, sizes[i], i);
        ptrs[i] = p;
    }
    for (size_t i = 0; i < n; i++)
        sum += ptrs[i][0] + ptrs[i][sizes[i] - 1];
    if (sum != expected_checksum(n))
        return fail("marked bytes changed before the round's end", n);

    *used = marena_used(arena);
    *remaining = marena_remaining(arena);
    if (*used < requested || *used + *remaining != capacity)
        return fail("used() and remaining() do not add up", n);

    marena_reset(arena);
    if (marena_used(arena) != 0 || marena_remaining(arena) != capacity)
        return fail("marena_reset did not empty the arena", n);
    if ((uintptr_t)marena_alloc(arena, sizes[0]) != first)
        return fail("after marena_reset allocation did not restart at first", 0);
    marena_reset(arena);
    return 0;
}

static uint64_t
median(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;

        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    return v[n / 2];
}

static void
usage(FILE *out)
{
    fprintf(out, "usage: demo [--quick]\n"
                 "  --quick  a tiny run (a test for meson test)\n");
}

int
main(int argc, char **argv)
{
    const struct workload *w = &full_workload;
    uint64_t arena_ns[MAX_RUNS], malloc_ns[MAX_RUNS], want, got;
    unsigned char *sizes;
    unsigned char **ptrs;
    marena_t *arena;
    size_t per_alloc, capacity, used = 0, remaining = 0, total;
    double arena_per, malloc_per;
    int status = 1;

    if (argc == 2 && strcmp(argv[1], "--quick") == 0) {
        w = &quick_workload;
    } else if (argc == 2 &&
               (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    } else if (argc != 1) {
        usage(stderr);
        return 2;
    }

    /* Room for a round even if every size were MAX_SIZE, aligned up. */
    per_alloc = (MAX_SIZE + MARENA_ALIGNMENT - 1) / MARENA_ALIGNMENT * MARENA_ALIGNMENT;
    capacity = w->nalloc * per_alloc;
    total = w->nalloc * w->rounds;

    sizes = malloc(w->nalloc);
    ptrs = malloc(w->nalloc * sizeof *ptrs);
    if (sizes == NULL || ptrs == NULL) {
        fprintf(stderr, "demo: out of memory\n");
        free(sizes);
        free(ptrs);
        return 1;
    }
    fill_sizes(sizes, w->nalloc);
    want = expected_checksum(w->nalloc) * w->rounds;

    arena = marena_create(capacity);
    if (arena == NULL) {
        fprintf(stderr, "demo: marena_create(%zu) failed on the %s backend\n", capacity,
                MARENA_DEFAULT_BACKEND_NAME);
        goto out;
    }

    printf("marena %s demo%s\n", MARENA_VERSION_STRING,
           w == &quick_workload ? " (--quick: tiny run, timings not meaningful)" : "");
    printf("  arena:    marena_create(%zu) on the default backend \"%s\"\n", capacity,
           MARENA_DEFAULT_BACKEND_NAME);
    printf("  capacity: %zu bytes (alignment %d, control block %d bytes)\n",
           marena_capacity(arena), MARENA_ALIGNMENT, MARENA_CONTROL_SIZE);

    if (check_round(arena, sizes, ptrs, w->nalloc, &used, &remaining) != 0)
        goto out;
    printf("  round:    %zu allocations of %u..%u bytes (xorshift32, seed "
           "0x%08x), first and last byte written\n",
           w->nalloc, MIN_SIZE, MAX_SIZE, SEED);
    printf("  after it: used %zu bytes, remaining %zu bytes\n", used, remaining);
    printf("  checked:  every allocation non-NULL, aligned, inside the block, "
           "not overlapping; marks intact\n");
    printf("  reset:    marena_reset() brought used back to %zu "
           "(remaining %zu), next allocation at the first address again\n",
           marena_used(arena), marena_remaining(arena));

    for (size_t r = 0; r < w->runs; r++) {
        uint64_t t0 = now_ns();

        got = run_marena(arena, w, sizes, ptrs);
        arena_ns[r] = now_ns() - t0;
        if (got != want) {
            fprintf(stderr, "demo: marena run %zu: checksum %llu, want %llu\n", r,
                    (unsigned long long)got, (unsigned long long)want);
            goto out;
        }
        t0 = now_ns();
        got = run_malloc(w, sizes, ptrs);
        malloc_ns[r] = now_ns() - t0;
        if (got != want) {
            fprintf(stderr, "demo: malloc run %zu: checksum %llu, want %llu\n", r,
                    (unsigned long long)got, (unsigned long long)want);
            goto out;
        }
    }
    if (marena_used(arena) != 0) {
        fprintf(stderr, "demo: used() is %zu after the last reset\n", marena_used(arena));
        goto out;
    }

    arena_per = (double)median(arena_ns, w->runs) / (double)total;
    malloc_per = (double)median(malloc_ns, w->runs) / (double)total;
    printf("\n%-36s %12s %16s %21s %14s\n", "workload", "allocations", "marena ns/alloc",
           "malloc+free ns/alloc", "malloc/marena");
    printf("%-36s %12zu %16.2f %21.2f %13.2fx\n", "rounds of 8..64 B allocs, then reset",
           total, arena_per, malloc_per, arena_per > 0.0 ? malloc_per / arena_per : 0.0);
    printf("(%zu rounds x %zu allocations per run; median of %zu runs; each "
           "allocation written and read back)\n",
           w->rounds, w->nalloc, w->runs);
    status = 0;

out:
    marena_destroy(arena);
    free(ptrs);
    free(sizes);
    return status;
}
