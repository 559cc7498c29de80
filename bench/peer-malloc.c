/* SPDX-License-Identifier: MIT */
/*
 * Peer: glibc malloc/free. Every allocation is a malloc() whose pointer is
 * kept; the round's end frees them all. malloc aligns to 16, so a larger
 * alignment (mixed) over-allocates and aligns inside the block. There is
 * no "allocator" to create for growth: it is the small loop again.
 */
#include <stdlib.h>

#include "bench.h"

#define MALLOC_ALIGN ((size_t)16)

/* Every workload's round has at most COUNT_SMALL allocations. */
struct malloc_round {
    size_t count;
    void *ptrs[COUNT_SMALL];
};

static struct malloc_round round_ptrs;

static void *
malloc_alloc(void *ctx, size_t size, size_t align)
{
    struct malloc_round *round = ctx;
    void *p = malloc(bench_padded(size, align, MALLOC_ALIGN));

    round->ptrs[round->count++] = p;
    return bench_aligned(p, align, MALLOC_ALIGN, "malloc");
}

static void
malloc_free_all(void *ctx)
{
    struct malloc_round *round = ctx;

    for (size_t i = 0; i < round->count; i++)
        free(round->ptrs[i]);
    round->count = 0;
}

BENCH_RESET_WORKLOAD_FNS(malloc, &round_ptrs, NULL, malloc_alloc, malloc_alloc,
                         malloc_free_all)
BENCH_WORKLOAD_FN(bench_malloc_growth, BENCH_GROWTH, &round_ptrs, NULL, malloc_alloc,
                  malloc_free_all)

const struct bench_allocator bench_malloc = {
    .name = "malloc",
    .run = {bench_malloc_small, bench_malloc_mixed, bench_malloc_burst, NULL,
            bench_malloc_growth},
    .na = "malloc takes no caller buffer",
};
