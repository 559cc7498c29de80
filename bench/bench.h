/* SPDX-License-Identifier: MIT */
/*
 * What bench.c (the driver) and each allocator's file share.
 *
 * An allocator is a struct bench_allocator: a name, an optional setup, and
 * one function per workload that runs one full repetition of it and
 * returns its checksum (NULL where the allocator cannot run the workload,
 * with the reason in `na`). The driver knows nothing else about it.
 *
 * The workload loops themselves are written once, in bench_run() below:
 * it is always inlined into the per-allocator functions, which supply
 * their allocation and round hooks as constant function pointers, so after
 * inlining every allocator runs the same loop with its own allocation
 * code inline in it (no call per allocation unless the allocator itself
 * makes one). BENCH_WORKLOAD_FN() defines those functions noinline, with
 * the name bench_<allocator>_<workload> that scripts/bench --instructions
 * hands to callgrind's --toggle-collect.
 *
 * The hooks of one round:
 *   begin(ctx)  returns the context of the round: NULL for allocators
 *               that keep one context (ctx itself is used); growth
 *               creates the allocator here.
 *   alloc(rctx, size, align)  one allocation; never returns NULL (an
 *               allocator that fails exits through bench_fail()).
 *   end(rctx)   the reset (or, for growth, the destruction).
 *
 * The header is C11 and C++17 compatible (peer-pmr.cc includes it).
 */
#ifndef MARENA_BENCH_H
#define MARENA_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "bench_config.h"
#include "workloads.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_ALWAYS_INLINE inline __attribute__((always_inline))
/* noclone too: callgrind must find the function under its own name. */
#if defined(__clang__)
#define BENCH_NOINLINE __attribute__((noinline))
#else
#define BENCH_NOINLINE __attribute__((noinline, noclone))
#endif

/* The alignment of every workload but mixed (see workloads.h). */
#define BENCH_SMALL_ALIGN ((size_t)8)

enum bench_workload {
    BENCH_SMALL,
    BENCH_MIXED,
    BENCH_BURST,
    BENCH_STATIC,
    BENCH_GROWTH,
    BENCH_WORKLOADS
};

typedef uint32_t (*bench_run_fn)(void);

struct bench_allocator {
    const char *name;                  /* in the table, CSV, --callgrind */
    void (*setup)(void);               /* NULL, or once before any run */
    bench_run_fn run[BENCH_WORKLOADS]; /* NULL: cannot run that workload */
    const char *na;                    /* why, for the NULL entries */
};

/* The subjects (bench.c) and the peers (peer-*.c, peer-pmr.cc). */
extern const struct bench_allocator bench_limit;
extern const struct bench_allocator bench_marena;
extern const struct bench_allocator bench_malloc;
#if BENCH_HAVE_OBSTACK
extern const struct bench_allocator bench_obstack;
#endif
#if BENCH_HAVE_TALLOC
extern const struct bench_allocator bench_talloc;
#endif
#if BENCH_HAVE_APR
extern const struct bench_allocator bench_apr;
#endif
#if BENCH_HAVE_PMR
extern const struct bench_allocator bench_pmr;
#endif
#if BENCH_HAVE_BUMPALO
extern const struct bench_allocator bench_bumpalo;
#endif

/* Prints "marena-bench: <what> failed" and exits 1. For failed setups and
 * allocations that return NULL. */
__attribute__((noreturn, cold)) void
bench_fail(const char *what);

typedef void *(*bench_begin_fn)(void *ctx);
typedef void *(*bench_alloc_fn)(void *ctx, size_t size, size_t align);
typedef void (*bench_end_fn)(void *ctx);

static inline unsigned
bench_rounds(enum bench_workload w)
{
    return w == BENCH_MIXED    ? ROUNDS_MIXED
           : w == BENCH_BURST  ? BURSTS
           : w == BENCH_GROWTH ? ROUNDS_GROWTH
                               : ROUNDS_SMALL;
}

static inline unsigned
bench_count(enum bench_workload w)
{
    return w == BENCH_MIXED ? COUNT_MIXED : w == BENCH_BURST ? BURST_SIZE : COUNT_SMALL;
}

/* Allocations in one repetition of a workload. */
static inline size_t
bench_allocations(enum bench_workload w)
{
    return (size_t)bench_rounds(w) * bench_count(w);
}

/*
 * One repetition of workload @w, as bench/workloads.h defines it: the
 * xorshift32 state starts at BENCH_SEED and runs on through every round;
 * the checksum is the wrapping sum of bench_touch() over every
 * allocation, with i its index within its round.
 */
static BENCH_ALWAYS_INLINE uint32_t
bench_run(enum bench_workload w, void *ctx, bench_begin_fn begin, bench_alloc_fn alloc,
          bench_end_fn end)
{
    uint32_t state = BENCH_SEED, sum = 0;
    unsigned rounds = bench_rounds(w), count = bench_count(w);

    for (unsigned r = 0; r < rounds; r++) {
        void *rctx = begin != NULL ? begin(ctx) : ctx;

        for (uint32_t i = 0; i < count; i++) {
            size_t size, align = BENCH_SMALL_ALIGN;

            if (w == BENCH_MIXED)
                bench_mixed_request(&state, &size, &align);
            else
                size = bench_small_size(&state);
            sum += bench_touch((unsigned char *)alloc(rctx, size, align), size, i);
        }
        end(rctx);
    }
    return sum;
}

/* Defines `static uint32_t NAME(void)`, one noinline repetition of
 * WORKLOAD (see the top of the file). */
#define BENCH_WORKLOAD_FN(name, workload, ctx, begin, alloc, end) \
    static BENCH_NOINLINE uint32_t name(void) \
    { \
        return bench_run((workload), (ctx), (begin), (alloc), (end)); \
    }

/* Defines bench_WHO_small, bench_WHO_mixed (with alloc_mixed) and
 * bench_WHO_burst: the workloads that run on one allocator, ctx, set up
 * once and reset by end() after every round. */
#define BENCH_RESET_WORKLOAD_FNS(who, ctx, begin, alloc, alloc_mixed, end) \
    BENCH_WORKLOAD_FN(bench_##who##_small, BENCH_SMALL, ctx, begin, alloc, end) \
    BENCH_WORKLOAD_FN(bench_##who##_mixed, BENCH_MIXED, ctx, begin, alloc_mixed, end) \
    BENCH_WORKLOAD_FN(bench_##who##_burst, BENCH_BURST, ctx, begin, alloc, end)

/*
 * For allocators that align only to @natural (malloc, talloc, APR): what
 * to request so that @size bytes aligned to @align fit, and the aligned
 * address inside what came back (exits through bench_fail() on NULL).
 * Both fold away when @align is a constant no larger than @natural.
 */
static inline size_t
bench_padded(size_t size, size_t align, size_t natural)
{
    return align > natural ? size + align - natural : size;
}

static inline void *
bench_aligned(void *p, size_t align, size_t natural, const char *who)
{
    if (p == NULL)
        bench_fail(who);
    if (align <= natural)
        return p;
    return (void *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
}

#ifdef __cplusplus
}
#endif

#endif /* MARENA_BENCH_H */
