/* SPDX-License-Identifier: MIT */
/*
 * Peer: APR pools (the Apache Portable Runtime).
 *
 * small, mixed, burst: apr_palloc() from one pool, apr_pool_clear() per
 * round (the pool keeps its first block; the others go back to the
 * allocator's free list and are reused). growth: a subpool of one parent
 * per round, apr_pool_destroy() at its end; APR's blocks are 8 KiB at
 * least, so GROWTH_FIRST_BLOCK cannot be chosen. strdup: apr_pstrdup().
 * Pools are created with an abort function, so apr_palloc() does not
 * return NULL. APR aligns to 8; larger alignments (mixed, and any in
 * table mode) over-allocate and align inside.
 */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "bench.h"

#define NATURAL_ALIGN ((size_t)8)

static apr_pool_t *parent, *fixed;

static int
apr_out_of_memory(int status)
{
    (void)status;
    bench_fail("apr_palloc");
}

static apr_pool_t *
new_pool(apr_pool_t *from)
{
    apr_pool_t *p;

    if (apr_pool_create_ex(&p, from, apr_out_of_memory, NULL) != APR_SUCCESS)
        bench_fail("apr_pool_create_ex");
    return p;
}

static void
apr_setup(void)
{
    if (apr_initialize() != APR_SUCCESS)
        bench_fail("apr_initialize");
    parent = new_pool(NULL);
    fixed = new_pool(parent);
}

static void *
apr_bench_alloc(void *ctx, size_t size, size_t align)
{
    void *p = apr_palloc(ctx, bench_padded(size, align, NATURAL_ALIGN));

    return bench_aligned(p, align, NATURAL_ALIGN, "apr_palloc");
}

static void
apr_bench_clear(void *ctx)
{
    apr_pool_clear(ctx);
}

static void *
apr_bench_create(void *ctx)
{
    return new_pool(ctx);
}

static void
apr_bench_destroy(void *ctx)
{
    apr_pool_destroy(ctx);
}

static char *
apr_bench_dup(void *ctx, const char *str)
{
    return apr_pstrdup(ctx, str);
}

BENCH_RESET_WORKLOAD_FNS(apr, fixed, NULL, apr_bench_alloc, apr_bench_alloc,
                         apr_bench_clear)
BENCH_WORKLOAD_FN(bench_apr_growth, BENCH_GROWTH, parent, apr_bench_create,
                  apr_bench_alloc, apr_bench_alloc, apr_bench_destroy)
BENCH_STRDUP_FN(apr, fixed, NULL, apr_bench_dup, apr_bench_clear)

const struct bench_allocator bench_apr = {
    .name = "apr",
    .setup = apr_setup,
    .run = {bench_apr_small, bench_apr_mixed, bench_apr_burst, NULL, bench_apr_growth,
            NULL, NULL, bench_apr_strdup},
    .na = {[BENCH_STATIC] = "APR pools take no caller buffer",
           [BENCH_REWIND] = "APR pools have no marks",
           [BENCH_STRBUILD] = "APR pools cannot grow an allocation"},
};
