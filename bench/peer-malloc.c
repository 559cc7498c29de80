/* SPDX-License-Identifier: MIT */
/*
 * Peer: glibc malloc/free. Every allocation is a malloc() whose pointer is
 * kept; the round's end frees them all. malloc aligns to 16, so a larger
 * alignment (mixed, and any in table mode) over-allocates and aligns
 * inside the block. There is no "allocator" to create for growth: it is
 * the small loop again. strbuild: each string is a buffer that realloc()
 * doubles when a piece does not fit; strdup: strdup(). No marks.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MALLOC_ALIGN ((size_t)16)

/* Every workload's round has at most COUNT_SMALL allocations. */
struct malloc_round {
    size_t count;
    void *ptrs[COUNT_SMALL];
};

static struct malloc_round round_ptrs;

/* Keeps @p until the round's end; returns it. */
static void *
keep(struct malloc_round *round, void *p)
{
    round->ptrs[round->count++] = p;
    return p;
}

static void *
malloc_alloc(void *ctx, size_t size, size_t align)
{
    void *p = keep(ctx, malloc(bench_padded(size, align, MALLOC_ALIGN)));

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

static void *
malloc_realloc(void *ctx, void *p, size_t size)
{
    (void)ctx;
    return realloc(p, size);
}

static void
malloc_append(void *ctx, struct bench_string *s, const char *piece, size_t len)
{
    bench_append_doubling(ctx, s, piece, len, malloc_realloc, "realloc");
}

static char *
malloc_finish(void *ctx, struct bench_string *s)
{
    return keep(ctx, s->p);
}

static char *
malloc_dup(void *ctx, const char *str)
{
    char *p = keep(ctx, strdup(str));

    if (p == NULL)
        bench_fail("strdup");
    return p;
}

BENCH_RESET_WORKLOAD_FNS(malloc, &round_ptrs, NULL, malloc_alloc, malloc_alloc,
                         malloc_free_all)
BENCH_WORKLOAD_FN(bench_malloc_growth, BENCH_GROWTH, &round_ptrs, NULL, malloc_alloc,
                  malloc_alloc, malloc_free_all)
BENCH_STRBUILD_FN(malloc, &round_ptrs, NULL, malloc_append, malloc_finish,
                  malloc_free_all)
BENCH_STRDUP_FN(malloc, &round_ptrs, NULL, malloc_dup, malloc_free_all)

const struct bench_allocator bench_malloc = {
    .name = "malloc",
    .run = {bench_malloc_small, bench_malloc_mixed, bench_malloc_burst, NULL,
            bench_malloc_growth, NULL, bench_malloc_strbuild, bench_malloc_strdup},
    .na = {[BENCH_STATIC] = "malloc takes no caller buffer",
           [BENCH_REWIND] = "malloc has no marks"},
};
