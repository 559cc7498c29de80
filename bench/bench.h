/* SPDX-License-Identifier: MIT */
/*
 * What bench.c (the driver) and each allocator's file share.
 *
 * An allocator is a struct bench_allocator: a name, an optional setup, and
 * one function per workload that runs one full repetition of it in the
 * mode it is given and returns its checksum (NULL where the allocator
 * cannot run the workload, with the reason in na[workload]). The driver
 * knows nothing else about it.
 *
 * Two modes (workloads.h): BENCH_GENERATED draws each request inside the
 * loop, with the alignment a constant where the workload has one, as code
 * that allocates objects of known types does; BENCH_TABLE reads the same
 * requests from the arrays of bench_tables (tables.c), made before timing,
 * so the alignment is a runtime value that no compiler can fold, as for
 * code that allocates on behalf of others. The checksums are the same.
 *
 * The workload loops themselves are written once, in bench_run() (and
 * bench_run_strbuild(), bench_run_strdup()) below: they are always inlined
 * into the per-allocator functions, which supply their hooks as constant
 * function pointers, so after inlining every allocator runs the same loop
 * with its own code inline in it (no call per allocation unless the
 * allocator itself makes one). BENCH_WORKLOAD_FN() and friends define
 * those functions noinline, with the name bench_<allocator>_<workload>
 * that scripts/bench --instructions hands to callgrind's --toggle-collect.
 *
 * The hooks of one round:
 *   begin(ctx)  returns the context of the round: NULL for allocators
 *               that keep one context (ctx itself is used); growth
 *               creates the allocator here, rewind takes the mark.
 *   alloc(rctx, size, align)  one allocation; never returns NULL (an
 *               allocator that fails exits through bench_fail()).
 *   end(rctx)   the reset (growth: the destruction; rewind: the rewind).
 * and, for the string workloads:
 *   append(rctx, s, piece, len)  appends len bytes to the string s
 *               (s->p NULL and s->len 0 before the first piece).
 *   finish(rctx, s)  the finished string (NULL hook: s->p).
 *   dup(rctx, str)   a copy of the NUL-terminated str.
 *
 * The header is C11 and C++17 compatible (peer-pmr.cc includes it).
 */
#ifndef MARENA_BENCH_H
#define MARENA_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* The alignment of every allocation workload but mixed (workloads.h). */
#define BENCH_SMALL_ALIGN ((size_t)8)

enum bench_workload {
    BENCH_SMALL,
    BENCH_MIXED,
    BENCH_BURST,
    BENCH_STATIC,
    BENCH_GROWTH,
    BENCH_REWIND,
    BENCH_STRBUILD,
    BENCH_STRDUP,
    BENCH_WORKLOADS
};

enum bench_mode { BENCH_GENERATED, BENCH_TABLE, BENCH_MODES };

/* The string workloads exist in table mode only (workloads.h). */
static inline int
bench_has_mode(enum bench_workload w, enum bench_mode m)
{
    return m == BENCH_TABLE || (w != BENCH_STRBUILD && w != BENCH_STRDUP);
}

/* One request of the table mode. */
struct bench_request {
    size_t size, align;
};

/* A piece of a strbuild string: len bytes at text (no NUL among them). */
struct bench_piece {
    const char *text;
    size_t len;
};

/* A string of strdup's pool; the allocators see only s. */
struct bench_string_in {
    const char *s;
    size_t len;
};

/* The tables, made by bench_tables_init() before anything runs; the
 * Rust peer gets them as an argument (bench_bumpalo.h). */
struct bench_tables {
    const struct bench_request *small;     /* BENCH_SMALL_REQUESTS */
    const struct bench_request *mixed;     /* BENCH_MIXED_REQUESTS */
    const uint32_t *string_pieces;         /* strbuild: STRBUILD_STRINGS counts */
    const struct bench_piece *pieces;      /* strbuild: one round's, in order */
    size_t npieces;                        /* their number */
    const struct bench_string_in *strings; /* strdup: STRDUP_COUNT */
};

extern struct bench_tables bench_tables;

/* Fills bench_tables (tables.c); exits through bench_fail() without memory. */
void
bench_tables_init(void);

typedef uint32_t (*bench_run_fn)(enum bench_mode mode);

struct bench_allocator {
    const char *name;                  /* in the table, CSV, --callgrind */
    void (*setup)(void);               /* NULL, or once before any run */
    bench_run_fn run[BENCH_WORKLOADS]; /* NULL: cannot run that workload */
    const char *na[BENCH_WORKLOADS];   /* why, for the NULL entries */
};

/* The subjects (bench.c) and the peers (peer-*.c, peer-pmr.cc). */
extern const struct bench_allocator bench_limit;
extern const struct bench_allocator bench_marena;
extern const struct bench_allocator bench_marena_fnptr;
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
extern const struct bench_allocator bench_marena_pmr;
#endif
#if BENCH_HAVE_BUMPALO
extern const struct bench_allocator bench_bumpalo;
#endif
#if BENCH_HAVE_MIMALLOC
extern const struct bench_allocator bench_mimalloc;
#endif

/* Prints "marena-bench: <what> failed" and exits 1. For failed setups and
 * allocations that return NULL. */
__attribute__((noreturn, cold)) void
bench_fail(const char *what);

/* CLOCK_MONOTONIC in nanoseconds (bench.c); exits through bench_fail()
 * when the clock fails. */
uint64_t
bench_now_ns(void);

typedef void *(*bench_begin_fn)(void *ctx);
typedef void *(*bench_alloc_fn)(void *ctx, size_t size, size_t align);
typedef void (*bench_end_fn)(void *ctx);

/* A string being built: its bytes, their number, and room for the
 * allocators that keep a capacity. */
struct bench_string {
    char *p;
    size_t len, cap;
};

typedef void (*bench_append_fn)(void *ctx, struct bench_string *s, const char *piece,
                                size_t len);
typedef char *(*bench_finish_fn)(void *ctx, struct bench_string *s);
typedef char *(*bench_dup_fn)(void *ctx, const char *str);

static inline unsigned
bench_rounds(enum bench_workload w)
{
    switch (w) {
    case BENCH_MIXED:
        return ROUNDS_MIXED;
    case BENCH_BURST:
        return BURSTS;
    case BENCH_GROWTH:
        return ROUNDS_GROWTH;
    case BENCH_REWIND:
        return REWIND_CYCLES;
    case BENCH_STRBUILD:
        return STRBUILD_ROUNDS;
    case BENCH_STRDUP:
        return STRDUP_ROUNDS;
    default:
        return ROUNDS_SMALL;
    }
}

/* Operations in one round: allocations, appends (strbuild), copies. */
static inline size_t
bench_count(enum bench_workload w)
{
    switch (w) {
    case BENCH_MIXED:
        return COUNT_MIXED;
    case BENCH_BURST:
        return BURST_SIZE;
    case BENCH_REWIND:
        return REWIND_SIZE;
    case BENCH_STRBUILD:
        return bench_tables.npieces;
    case BENCH_STRDUP:
        return STRDUP_COUNT;
    default:
        return COUNT_SMALL;
    }
}

/* Operations in one repetition of a workload. */
static inline size_t
bench_operations(enum bench_workload w)
{
    return (size_t)bench_rounds(w) * bench_count(w);
}

/* Where the requests of one repetition come from. */
struct bench_source {
    uint32_t state;                   /* generated */
    const struct bench_request *next; /* table */
};

static BENCH_ALWAYS_INLINE struct bench_source
bench_source_of(enum bench_workload w, enum bench_mode m)
{
    struct bench_source src = {BENCH_SEED, NULL};

    if (m == BENCH_TABLE)
        src.next = w == BENCH_MIXED ? bench_tables.mixed : bench_tables.small;
    return src;
}

/* The next request of workload @w in mode @m. */
static BENCH_ALWAYS_INLINE void
bench_next_request(enum bench_workload w, enum bench_mode m, struct bench_source *src,
                   size_t *size, size_t *align)
{
    if (m == BENCH_TABLE) {
        *size = src->next->size;
        *align = src->next->align;
        src->next++;
    } else if (w == BENCH_MIXED) {
        bench_mixed_request(&src->state, size, align);
    } else {
        *size = bench_small_size(&src->state);
        *align = BENCH_SMALL_ALIGN;
    }
}

/*
 * One repetition of allocation workload @w in mode @m, as
 * bench/workloads.h defines it: the requests run on through every round;
 * the checksum is the wrapping sum of bench_touch() over every
 * allocation, with i its index within its round.
 */
static BENCH_ALWAYS_INLINE uint32_t
bench_run(enum bench_workload w, enum bench_mode m, void *ctx, bench_begin_fn begin,
          bench_alloc_fn alloc, bench_end_fn end)
{
    struct bench_source src = bench_source_of(w, m);
    uint32_t sum = 0;
    unsigned rounds = bench_rounds(w), count = (unsigned)bench_count(w);

    for (unsigned r = 0; r < rounds; r++) {
        void *rctx = begin != NULL ? begin(ctx) : ctx;

        for (uint32_t i = 0; i < count; i++) {
            size_t size, align;

            bench_next_request(w, m, &src, &size, &align);
            sum += bench_touch((unsigned char *)alloc(rctx, size, align), size, i);
        }
        end(rctx);
    }
    return sum;
}

/* One repetition of strbuild: the strings of bench_tables, built by
 * append() piece by piece, every round. */
static BENCH_ALWAYS_INLINE uint32_t
bench_run_strbuild(void *ctx, bench_begin_fn begin, bench_append_fn append,
                   bench_finish_fn finish, bench_end_fn end)
{
    uint32_t sum = 0;

    for (unsigned r = 0; r < STRBUILD_ROUNDS; r++) {
        void *rctx = begin != NULL ? begin(ctx) : ctx;
        const struct bench_piece *piece = bench_tables.pieces;

        for (uint32_t i = 0; i < STRBUILD_STRINGS; i++) {
            struct bench_string s = {NULL, 0, 0};

            for (uint32_t k = bench_tables.string_pieces[i]; k > 0; k--, piece++)
                append(rctx, &s, piece->text, piece->len);
            sum += bench_string_sum(finish != NULL ? finish(rctx, &s) : s.p, s.len);
        }
        end(rctx);
    }
    return sum;
}

/* One repetition of strdup: the pool of bench_tables copied every round. */
static BENCH_ALWAYS_INLINE uint32_t
bench_run_strdup(void *ctx, bench_begin_fn begin, bench_dup_fn dup, bench_end_fn end)
{
    uint32_t sum = 0;

    for (unsigned r = 0; r < STRDUP_ROUNDS; r++) {
        void *rctx = begin != NULL ? begin(ctx) : ctx;
        const struct bench_string_in *in = bench_tables.strings;

        for (uint32_t i = 0; i < STRDUP_COUNT; i++, in++)
            sum += bench_string_sum(dup(rctx, in->s), in->len);
        end(rctx);
    }
    return sum;
}

/* Defines `static uint32_t NAME(enum bench_mode)`, one noinline
 * repetition of allocation WORKLOAD in either mode (see the top of the
 * file). alloc serves alignment 8 (generated small, burst, static,
 * growth, rewind), alloc_any every alignment (mixed, and the table mode,
 * whose alignment is a runtime value); they may be the same function. */
#define BENCH_WORKLOAD_FN(name, workload, ctx, begin, alloc, alloc_any, end) \
    static BENCH_NOINLINE uint32_t name(enum bench_mode mode) \
    { \
        if (mode == BENCH_TABLE) \
            return bench_run((workload), BENCH_TABLE, (ctx), (begin), (alloc_any), \
                             (end)); \
        return bench_run((workload), BENCH_GENERATED, (ctx), (begin), \
                         (workload) == BENCH_MIXED ? (alloc_any) : (alloc), (end)); \
    }

/* Defines bench_WHO_small, bench_WHO_mixed and bench_WHO_burst: the
 * workloads that run on one allocator, ctx, set up once and reset by end()
 * after every round. */
#define BENCH_RESET_WORKLOAD_FNS(who, ctx, begin, alloc, alloc_any, end) \
    BENCH_WORKLOAD_FN(bench_##who##_small, BENCH_SMALL, ctx, begin, alloc, alloc_any, \
                      end) \
    BENCH_WORKLOAD_FN(bench_##who##_mixed, BENCH_MIXED, ctx, begin, alloc, alloc_any, \
                      end) \
    BENCH_WORKLOAD_FN(bench_##who##_burst, BENCH_BURST, ctx, begin, alloc, alloc_any, end)

/* Defines bench_WHO_strbuild (table mode only). */
#define BENCH_STRBUILD_FN(who, ctx, begin, append, finish, end) \
    static BENCH_NOINLINE uint32_t bench_##who##_strbuild(enum bench_mode mode) \
    { \
        (void)mode; \
        return bench_run_strbuild((ctx), (begin), (append), (finish), (end)); \
    }

/* Defines bench_WHO_strdup (table mode only). */
#define BENCH_STRDUP_FN(who, ctx, begin, dup, end) \
    static BENCH_NOINLINE uint32_t bench_##who##_strdup(enum bench_mode mode) \
    { \
        (void)mode; \
        return bench_run_strdup((ctx), (begin), (dup), (end)); \
    }

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

/* The realloc of a doubling string buffer: malloc's or mimalloc's. */
typedef void *(*bench_realloc_fn)(void *ctx, void *p, size_t size);

/*
 * strbuild's append for allocators without in-place growth (malloc,
 * mimalloc): a buffer whose capacity doubles (from 16) when a piece does
 * not fit, as a string builder over realloc() does.
 */
static BENCH_ALWAYS_INLINE void
bench_append_doubling(void *ctx, struct bench_string *s, const char *piece, size_t len,
                      bench_realloc_fn grow, const char *who)
{
    if (s->len + len > s->cap) {
        size_t cap = s->cap != 0 ? s->cap : 16;

        while (cap < s->len + len)
            cap *= 2;
        s->p = (char *)grow(ctx, s->p, cap);
        if (s->p == NULL)
            bench_fail(who);
        s->cap = cap;
    }
    memcpy(s->p + s->len, piece, len);
    s->len += len;
}

#ifdef __cplusplus
}
#endif

#endif /* MARENA_BENCH_H */
