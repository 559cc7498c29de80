/* SPDX-License-Identifier: MIT */
/*
 * Peer: GNU obstack (glibc), chunks from malloc/free.
 *
 * small, mixed, burst: one obstack whose first chunk holds a round
 * (obstack_begin with BENCH_ROUND_BYTES); each round starts with an empty
 * object as its mark and ends with obstack_free() to it, which keeps the
 * first chunk. growth: obstack_begin(GROWTH_FIRST_BLOCK) per round (later
 * chunks are what obstack picks: about the request plus 1/8 plus 100
 * bytes, at least the first chunk's size), obstack_free(NULL) at its end.
 *
 * rewind: the same mark and obstack_free() around each cycle. strbuild:
 * obstack_grow() per piece and obstack_finish() per string (the growing
 * object, obstack's own way of building strings). strdup: obstack_copy0().
 *
 * Alignment is obstack_alignment_mask, which obstack applies when an
 * object is finished, to where the next one starts. So for any alignment
 * that is not a constant 8 (mixed, and every table-mode request, whose
 * alignment is a runtime value) each request sets the mask to its
 * alignment and finishes an empty object (which aligns the start) before
 * obstack_alloc(). Generated small, burst, growth and rewind keep the
 * mask at 7 (alignment 8).
 */
#include <stdlib.h>
#include <string.h>

#include <obstack.h>

#include "bench.h"

#define obstack_chunk_alloc malloc
#define obstack_chunk_free free

struct bench_obstack {
    struct obstack ob;
    void *mark; /* where the round started */
};

static struct bench_obstack fixed, growing;

static void
obstack_setup(void)
{
    if (!obstack_begin(&fixed.ob, BENCH_ROUND_BYTES))
        bench_fail("obstack_begin");
}

static void *
obstack_round_begin(void *ctx)
{
    struct bench_obstack *o = ctx;

    obstack_alignment_mask(&o->ob) = BENCH_SMALL_ALIGN - 1;
    o->mark = obstack_finish(&o->ob);
    return o;
}

static void
obstack_round_end(void *ctx)
{
    struct bench_obstack *o = ctx;

    obstack_free(&o->ob, o->mark);
}

static void *
obstack_create(void *ctx)
{
    struct bench_obstack *o = ctx;

    if (!obstack_begin(&o->ob, GROWTH_FIRST_BLOCK))
        bench_fail("obstack_begin");
    obstack_alignment_mask(&o->ob) = BENCH_SMALL_ALIGN - 1;
    return o;
}

static void
obstack_destroy(void *ctx)
{
    struct bench_obstack *o = ctx;

    obstack_free(&o->ob, NULL);
}

/* Alignment 8: the mask the round set. */
static void *
obstack_bench_alloc(void *ctx, size_t size, size_t align)
{
    struct bench_obstack *o = ctx;

    (void)align;
    return obstack_alloc(&o->ob, size);
}

/* Any alignment (mixed, table mode). */
static void *
obstack_bench_alloc_aligned(void *ctx, size_t size, size_t align)
{
    struct bench_obstack *o = ctx;

    obstack_alignment_mask(&o->ob) = align - 1;
    (void)obstack_finish(&o->ob);
    return obstack_alloc(&o->ob, size);
}

static void
obstack_append(void *ctx, struct bench_string *s, const char *piece, size_t len)
{
    struct bench_obstack *o = ctx;

    obstack_grow(&o->ob, piece, len);
    s->len += len;
}

static char *
obstack_bench_finish(void *ctx, struct bench_string *s)
{
    struct bench_obstack *o = ctx;

    (void)s;
    return obstack_finish(&o->ob);
}

static char *
obstack_dup(void *ctx, const char *str)
{
    struct bench_obstack *o = ctx;

    return obstack_copy0(&o->ob, str, strlen(str));
}

BENCH_RESET_WORKLOAD_FNS(obstack, &fixed, obstack_round_begin, obstack_bench_alloc,
                         obstack_bench_alloc_aligned, obstack_round_end)
BENCH_WORKLOAD_FN(bench_obstack_growth, BENCH_GROWTH, &growing, obstack_create,
                  obstack_bench_alloc, obstack_bench_alloc_aligned, obstack_destroy)
BENCH_WORKLOAD_FN(bench_obstack_rewind, BENCH_REWIND, &fixed, obstack_round_begin,
                  obstack_bench_alloc, obstack_bench_alloc_aligned, obstack_round_end)
BENCH_STRBUILD_FN(obstack, &fixed, obstack_round_begin, obstack_append,
                  obstack_bench_finish, obstack_round_end)
BENCH_STRDUP_FN(obstack, &fixed, obstack_round_begin, obstack_dup, obstack_round_end)

const struct bench_allocator bench_obstack = {
    .name = "obstack",
    .setup = obstack_setup,
    .run = {bench_obstack_small, bench_obstack_mixed, bench_obstack_burst, NULL,
            bench_obstack_growth, bench_obstack_rewind, bench_obstack_strbuild,
            bench_obstack_strdup},
    .na = {[BENCH_STATIC] = "obstack takes no caller buffer"},
};
