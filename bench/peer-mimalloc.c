/* SPDX-License-Identifier: MIT */
/*
 * Peer: mimalloc's first-class heaps, what many would pick instead of an
 * arena: allocate from a heap of one's own, then free everything in it at
 * once.
 *
 * That "free everything" is mi_heap_destroy(), which frees every block
 * still allocated in the heap and the heap itself; mimalloc has no reset
 * of a heap that keeps it (mi_heap_collect() only returns memory that is
 * already free). So a round is mi_heap_new(), the allocations, and
 * mi_heap_destroy(), in every workload: small, mixed and burst as growth.
 * The heap's pages go back to the thread's segments, and the next
 * mi_heap_new() takes them up again.
 *
 * Allocation is mi_heap_malloc_aligned() with the request's alignment, as
 * a caller with an alignment in hand calls it (it has its own fast path
 * for small alignments: a free block that happens to be aligned is taken
 * as mi_heap_malloc() would). strbuild: a buffer that mi_heap_realloc()
 * doubles when a piece does not fit, as over malloc. strdup:
 * mi_heap_strdup(). No caller buffers, no marks.
 */
#include <mimalloc.h>

#include "bench.h"

static void *
heap_new(void *ctx)
{
    mi_heap_t *heap = mi_heap_new();

    (void)ctx;
    if (heap == NULL)
        bench_fail("mi_heap_new");
    return heap;
}

static void
heap_destroy(void *ctx)
{
    mi_heap_destroy(ctx);
}

static void *
heap_alloc(void *ctx, size_t size, size_t align)
{
    void *p = mi_heap_malloc_aligned(ctx, size, align);

    if (p == NULL)
        bench_fail("mi_heap_malloc_aligned");
    return p;
}

static void *
heap_realloc(void *ctx, void *p, size_t size)
{
    return mi_heap_realloc(ctx, p, size);
}

static void
heap_append(void *ctx, struct bench_string *s, const char *piece, size_t len)
{
    bench_append_doubling(ctx, s, piece, len, heap_realloc, "mi_heap_realloc");
}

static char *
heap_dup(void *ctx, const char *str)
{
    char *p = mi_heap_strdup(ctx, str);

    if (p == NULL)
        bench_fail("mi_heap_strdup");
    return p;
}

BENCH_RESET_WORKLOAD_FNS(mimalloc, NULL, heap_new, heap_alloc, heap_alloc, heap_destroy)
BENCH_WORKLOAD_FN(bench_mimalloc_growth, BENCH_GROWTH, NULL, heap_new, heap_alloc,
                  heap_alloc, heap_destroy)
BENCH_STRBUILD_FN(mimalloc, NULL, heap_new, heap_append, NULL, heap_destroy)
BENCH_STRDUP_FN(mimalloc, NULL, heap_new, heap_dup, heap_destroy)

const struct bench_allocator bench_mimalloc = {
    .name = "mimalloc",
    .run = {bench_mimalloc_small, bench_mimalloc_mixed, bench_mimalloc_burst, NULL,
            bench_mimalloc_growth, NULL, bench_mimalloc_strbuild, bench_mimalloc_strdup},
    .na = {[BENCH_STATIC] = "mimalloc heaps take no caller buffer",
           [BENCH_REWIND] = "mimalloc heaps have no marks"},
};
