/* SPDX-License-Identifier: MIT */
/*
 * Peer: talloc (Samba's hierarchical allocator).
 *
 * small, mixed, burst: talloc_size() children of one talloc_pool(), the
 * bump-allocating context talloc offers for this, sized for a round plus
 * talloc's header before every object; the reset is
 * talloc_free_children(), after which the pool starts over. growth: a
 * talloc_pool(GROWTH_FIRST_BLOCK) per round (talloc pools do not grow:
 * what does not fit is malloc'd), talloc_free() at its end. talloc aligns
 * to 16; larger alignments (mixed, table mode) over-allocate and align
 * inside.
 *
 * strbuild: talloc_strndup() of the first piece, then
 * talloc_strndup_append_buffer() (talloc's string builder: a
 * talloc_realloc() that grows the last object of a pool in place). strdup:
 * talloc_strdup(). No marks (a temporary child context, talloc's scope, is
 * an allocation and a free, not a rewind).
 */
#include <talloc.h>

#include "bench.h"

#define NATURAL_ALIGN ((size_t)16)
#define POOL_BYTES (2 * BENCH_ROUND_BYTES)

static void *pool;

static void
talloc_setup(void)
{
    pool = talloc_pool(NULL, POOL_BYTES);
    if (pool == NULL)
        bench_fail("talloc_pool");
}

static void *
talloc_bench_alloc(void *ctx, size_t size, size_t align)
{
    void *p = talloc_size(ctx, bench_padded(size, align, NATURAL_ALIGN));

    return bench_aligned(p, align, NATURAL_ALIGN, "talloc_size");
}

static void
talloc_bench_reset(void *ctx)
{
    talloc_free_children(ctx);
}

static void *
talloc_bench_create(void *ctx)
{
    void *p = talloc_pool(ctx, GROWTH_FIRST_BLOCK);

    if (p == NULL)
        bench_fail("talloc_pool");
    return p;
}

static void
talloc_bench_destroy(void *ctx)
{
    talloc_free(ctx);
}

static void
talloc_append(void *ctx, struct bench_string *s, const char *piece, size_t len)
{
    s->p = s->p == NULL ? talloc_strndup(ctx, piece, len)
                        : talloc_strndup_append_buffer(s->p, piece, len);
    if (s->p == NULL)
        bench_fail("talloc_strndup_append_buffer");
    s->len += len;
}

static char *
talloc_dup(void *ctx, const char *str)
{
    char *p = talloc_strdup(ctx, str);

    if (p == NULL)
        bench_fail("talloc_strdup");
    return p;
}

BENCH_RESET_WORKLOAD_FNS(talloc, pool, NULL, talloc_bench_alloc, talloc_bench_alloc,
                         talloc_bench_reset)
BENCH_WORKLOAD_FN(bench_talloc_growth, BENCH_GROWTH, NULL, talloc_bench_create,
                  talloc_bench_alloc, talloc_bench_alloc, talloc_bench_destroy)
BENCH_STRBUILD_FN(talloc, pool, NULL, talloc_append, NULL, talloc_bench_reset)
BENCH_STRDUP_FN(talloc, pool, NULL, talloc_dup, talloc_bench_reset)

const struct bench_allocator bench_talloc = {
    .name = "talloc",
    .setup = talloc_setup,
    .run = {bench_talloc_small, bench_talloc_mixed, bench_talloc_burst, NULL,
            bench_talloc_growth, NULL, bench_talloc_strbuild, bench_talloc_strdup},
    .na = {[BENCH_STATIC] = "talloc takes no caller buffer",
           [BENCH_REWIND] = "talloc has no marks"},
};
