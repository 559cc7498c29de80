/* SPDX-License-Identifier: MIT */
/*
 * marena-bench: marena against "the limit" (a bare pointer bump written
 * here), glibc malloc and the peers found at configure time, on the
 * workloads of workloads.h, in the modes of bench.h.
 *
 * This file holds the subjects - the limit, marena, and marena called
 * through function pointers - and the driver; the tables, CSV and chart
 * are report.c's. Each peer lives in its own peer-*.c (peer-pmr.cc) and
 * only provides a struct bench_allocator (see bench.h). The driver, for
 * each workload and mode: runs every allocator once untimed (a warm-up
 * that also compares its checksum with the limit's), then R times in
 * turn, interleaved (run k starts at allocator k mod N, so no allocator
 * always goes first), timing each repetition with CLOCK_MONOTONIC and
 * checking its checksum again; it reports the median ns per operation. A
 * checksum that differs from the limit's, or a table-mode checksum that
 * differs from the generated mode's, is an error (exit 1): every
 * allocator made the same requests and wrote the same bytes.
 *
 * The limit keeps its cursor and end in a struct in memory, as any
 * allocator must keep its state between calls; like marena's, it is
 * reloaded after each allocation's bytes are written (the char stores may
 * alias it). Its only check is the bound, and it bumps one buffer
 * allocated once (the static workload: a static array).
 *
 * glibc malloc adapts its mmap and trim thresholds as the program runs,
 * so whether a growing allocator's large blocks (128 KiB and more) come
 * from mmap, or from a heap top that was just trimmed (both: system calls
 * and page faults), would depend on what the allocators that ran before
 * did; measured here, single growth runs of marena varied from 3 to 7 ns
 * per allocation. The driver pins both thresholds above anything the
 * workloads take, the same for every allocator: the numbers are those of
 * a heap in its steady state.
 *
 * The threads workload (threads.c, threads.h) runs after the others, in
 * table mode, on subjects of its own (marena's arenas with several
 * threads, malloc, mimalloc); --only threads runs it alone, and
 * --max-threads sets its largest thread count.
 *
 * --callgrind WORKLOAD ALLOCATOR MODE runs one repetition of one
 * allocator's function (after the limit's, for the checksum; the limit's
 * alone when it is the one) for scripts/bench --instructions, which counts
 * the instructions inside that function.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "marena.h"

#include "bench.h"
#include "report.h"

/* ------------------------------------------------------------ the limit */

struct limit {
    uintptr_t cursor, start, end;
    uintptr_t mark; /* rewind: where the cycle started */
};

static struct limit limit_fixed, limit_static;
static unsigned char limit_static_buffer[BENCH_ROUND_BYTES];

static void
limit_init(struct limit *l, void *buffer, size_t size)
{
    l->start = l->cursor = (uintptr_t)buffer;
    l->end = l->start + size;
}

static void
limit_setup(void)
{
    void *buffer = malloc(BENCH_ROUND_BYTES);

    if (buffer == NULL)
        bench_fail("limit: malloc of its buffer");
    limit_init(&limit_fixed, buffer, BENCH_ROUND_BYTES);
    limit_init(&limit_static, limit_static_buffer, sizeof limit_static_buffer);
}

static void *
limit_alloc(void *ctx, size_t size, size_t align)
{
    struct limit *l = ctx;
    uintptr_t p = (l->cursor + (align - 1)) & ~(uintptr_t)(align - 1);

    if (p + size > l->end)
        bench_fail("limit allocation (its buffer is full)");
    l->cursor = p + size;
    return (void *)p;
}

static void
limit_reset(void *ctx)
{
    struct limit *l = ctx;

    l->cursor = l->start;
}

static void *
limit_mark(void *ctx)
{
    struct limit *l = ctx;

    l->mark = l->cursor;
    return l;
}

static void
limit_rewind(void *ctx)
{
    struct limit *l = ctx;

    l->cursor = l->mark;
}

/* strbuild: the string grows in place at the cursor. */
static void
limit_append(void *ctx, struct bench_string *s, const char *piece, size_t len)
{
    struct limit *l = ctx;

    if (s->p == NULL)
        s->p = (char *)l->cursor;
    if (l->cursor + len > l->end)
        bench_fail("limit append (its buffer is full)");
    memcpy((char *)l->cursor, piece, len);
    l->cursor += len;
    s->len += len;
}

static char *
limit_dup(void *ctx, const char *str)
{
    size_t size = strlen(str) + 1;

    return memcpy(limit_alloc(ctx, size, 1), str, size);
}

BENCH_RESET_WORKLOAD_FNS(limit, &limit_fixed, NULL, limit_alloc, limit_alloc, limit_reset)
BENCH_WORKLOAD_FN(bench_limit_static, BENCH_STATIC, &limit_static, NULL, limit_alloc,
                  limit_alloc, limit_reset)
/* growth: each round starts again at the start of the preallocated buffer
 * (creating and destroying the limit costs nothing). */
BENCH_WORKLOAD_FN(bench_limit_growth, BENCH_GROWTH, &limit_fixed, NULL, limit_alloc,
                  limit_alloc, limit_reset)
BENCH_WORKLOAD_FN(bench_limit_rewind, BENCH_REWIND, &limit_fixed, limit_mark, limit_alloc,
                  limit_alloc, limit_rewind)
BENCH_STRBUILD_FN(limit, &limit_fixed, NULL, limit_append, NULL, limit_reset)
BENCH_STRDUP_FN(limit, &limit_fixed, NULL, limit_dup, limit_reset)

const struct bench_allocator bench_limit = {
    .name = "limit",
    .setup = limit_setup,
    .run = {bench_limit_small, bench_limit_mixed, bench_limit_burst, bench_limit_static,
            bench_limit_growth, bench_limit_rewind, bench_limit_strbuild,
            bench_limit_strdup},
};

/* --------------------------------------------------------------- marena */

static void
marena_oom(marena_t *arena, size_t size, size_t align, void *data)
{
    (void)arena;
    (void)size;
    (void)align;
    (void)data;
    bench_fail("marena allocation");
}

/* small, mixed, burst, rewind, strbuild, strdup: one fixed arena on the
 * default backend. */
static const marena_options_t marena_fixed_options = {
    .block_size = BENCH_ROUND_BYTES,
    .on_oom = marena_oom,
};
/* growth: a growing arena per round. */
static const marena_options_t marena_growth_options = {
    .block_size = GROWTH_FIRST_BLOCK,
    .flags = MARENA_GROW,
    .on_oom = marena_oom,
};
static marena_t *marena_fixed;

/* rewind: the fixed arena and the mark of the cycle. */
struct marena_rewinding {
    marena_t *arena;
    marena_mark_t mark;
};

static struct marena_rewinding marena_rewinding;

static void *
marena_bench_alloc(void *ctx, size_t size, size_t align)
{
    marena_t *arena = ctx;

    return marena_alloc_aligned(arena, size, align);
}

static void
marena_bench_reset(void *ctx)
{
    marena_t *arena = ctx;

    marena_reset(arena);
}

static void *
marena_bench_create(void *ctx)
{
    marena_t *arena = marena_create_ex(ctx);

    if (arena == NULL)
        bench_fail("marena_create_ex");
    return arena;
}

static void
marena_bench_destroy(void *ctx)
{
    marena_t *arena = ctx;

    marena_destroy(arena);
}

static void *
marena_bench_mark(void *ctx)
{
    struct marena_rewinding *m = ctx;

    m->mark = marena_mark(m->arena);
    return m;
}

static void *
marena_bench_alloc_marked(void *ctx, size_t size, size_t align)
{
    struct marena_rewinding *m = ctx;

    return marena_alloc_aligned(m->arena, size, align);
}

static void
marena_bench_rewind(void *ctx)
{
    struct marena_rewinding *m = ctx;

    marena_rewind(m->arena, m->mark);
}

static char *
marena_bench_dup(void *ctx, const char *str)
{
    char *p = marena_strdup(ctx, str);

    if (p == NULL)
        bench_fail("marena_strdup");
    return p;
}

BENCH_RESET_WORKLOAD_FNS(marena, marena_fixed, NULL, marena_bench_alloc,
                         marena_bench_alloc, marena_bench_reset)
BENCH_WORKLOAD_FN(bench_marena_growth, BENCH_GROWTH, (void *)&marena_growth_options,
                  marena_bench_create, marena_bench_alloc, marena_bench_alloc,
                  marena_bench_destroy)
BENCH_WORKLOAD_FN(bench_marena_rewind, BENCH_REWIND, &marena_rewinding, marena_bench_mark,
                  marena_bench_alloc_marked, marena_bench_alloc_marked,
                  marena_bench_rewind)
BENCH_STRDUP_FN(marena, marena_fixed, NULL, marena_bench_dup, marena_bench_reset)

#if MARENA_HAVE_BUILDER
/* strbuild: marena's builder (its growing object, as obstack_grow is
 * obstack's), begun on the fixed arena each round and emptied by each
 * finish; the string grows in place while it is the arena's last
 * allocation, as it always is here. */
struct marena_building {
    marena_t *arena;
    marena_builder_t builder;
};

static struct marena_building marena_building;

static void *
marena_bench_begin_builder(void *ctx)
{
    struct marena_building *m = ctx;

    marena_builder_begin(&m->builder, m->arena);
    return m;
}

static void
marena_bench_append(void *ctx, struct bench_string *s, const char *piece, size_t len)
{
    struct marena_building *m = ctx;

    if (marena_builder_append(&m->builder, piece, len) != 0)
        bench_fail("marena_builder_append");
    s->len += len;
}

static char *
marena_bench_finish(void *ctx, struct bench_string *s)
{
    struct marena_building *m = ctx;
    char *p = marena_builder_finish(&m->builder, NULL);

    (void)s;
    if (p == NULL)
        bench_fail("marena_builder_finish");
    return p;
}

static void
marena_bench_reset_builder(void *ctx)
{
    struct marena_building *m = ctx;

    marena_reset(m->arena);
}

BENCH_STRBUILD_FN(marena, &marena_building, marena_bench_begin_builder,
                  marena_bench_append, marena_bench_finish, marena_bench_reset_builder)
#define BENCH_MARENA_STRBUILD bench_marena_strbuild
#define BENCH_MARENA_NO_BUILDER NULL
#else
#define BENCH_MARENA_STRBUILD NULL
#define BENCH_MARENA_NO_BUILDER "marena built without the builder"
#endif

#if MARENA_HAVE_STATIC_BACKEND
/* static: marena_create_static() on a buffer that holds a round at worst
 * (so, like the fixed arena's, its allocations cannot fail). */
static unsigned char marena_static_buffer[BENCH_ROUND_BYTES + MARENA_STATIC_OVERHEAD];
static marena_t *marena_in_static;

BENCH_WORKLOAD_FN(bench_marena_static, BENCH_STATIC, marena_in_static, NULL,
                  marena_bench_alloc, marena_bench_alloc, marena_bench_reset)
#define BENCH_MARENA_STATIC bench_marena_static
#define BENCH_MARENA_NA NULL
#else
#define BENCH_MARENA_STATIC NULL
#define BENCH_MARENA_NA "marena built without the static backend"
#endif

static void
marena_setup(void)
{
    marena_fixed = marena_create_ex(&marena_fixed_options);
    if (marena_fixed == NULL)
        bench_fail("marena_create_ex of the fixed arena");
    marena_rewinding.arena = marena_fixed;
#if MARENA_HAVE_BUILDER
    marena_building.arena = marena_fixed;
#endif
#if MARENA_HAVE_STATIC_BACKEND
    marena_in_static =
        marena_create_static(marena_static_buffer, sizeof marena_static_buffer);
    if (marena_in_static == NULL)
        bench_fail("marena_create_static");
#endif
}

const struct bench_allocator bench_marena = {
    .name = "marena",
    .setup = marena_setup,
    .run = {bench_marena_small, bench_marena_mixed, bench_marena_burst,
            BENCH_MARENA_STATIC, bench_marena_growth, bench_marena_rewind,
            BENCH_MARENA_STRBUILD, bench_marena_strdup},
    .na = {[BENCH_STATIC] = BENCH_MARENA_NA, [BENCH_STRBUILD] = BENCH_MARENA_NO_BUILDER},
};

/* ------------------------------------------- marena through function pointers */

/*
 * marena as a program reaches it through an allocator interface (a table
 * of function pointers, a plugin API, a language binding): the exported
 * marena_alloc_aligned() and marena_reset() through pointers that are
 * global variables, so the compiler knows nothing about their targets and
 * makes an indirect call for each allocation. On the fixed arena of
 * marena_setup(), which runs first.
 */
struct marena_calls {
    void *(*alloc_aligned)(marena_t *arena, size_t size, size_t align);
    void (*reset)(marena_t *arena);
};

extern struct marena_calls bench_marena_calls;
struct marena_calls bench_marena_calls;

static void
marena_fnptr_setup(void)
{
    bench_marena_calls.alloc_aligned = marena_alloc_aligned;
    bench_marena_calls.reset = marena_reset;
}

static void *
marena_fnptr_alloc(void *ctx, size_t size, size_t align)
{
    return bench_marena_calls.alloc_aligned(ctx, size, align);
}

static void
marena_fnptr_reset(void *ctx)
{
    bench_marena_calls.reset(ctx);
}

BENCH_RESET_WORKLOAD_FNS(marena_fnptr, marena_fixed, NULL, marena_fnptr_alloc,
                         marena_fnptr_alloc, marena_fnptr_reset)

#define FNPTR_NA "measured on small, mixed and burst only"

const struct bench_allocator bench_marena_fnptr = {
    .name = "marena-fnptr",
    .setup = marena_fnptr_setup,
    .run = {bench_marena_fnptr_small, bench_marena_fnptr_mixed, bench_marena_fnptr_burst},
    .na = {[BENCH_STATIC] = FNPTR_NA,
           [BENCH_GROWTH] = FNPTR_NA,
           [BENCH_REWIND] = FNPTR_NA,
           [BENCH_STRBUILD] = FNPTR_NA,
           [BENCH_STRDUP] = FNPTR_NA},
};

/* --------------------------------------------------------------- driver */

/* The limit first, marena second (report.h). */
static const struct bench_allocator *const allocators[] = {
    &bench_limit,    &bench_marena,     &bench_marena_fnptr, &bench_malloc,
#if BENCH_HAVE_OBSTACK
    &bench_obstack,
#endif
#if BENCH_HAVE_TALLOC
    &bench_talloc,
#endif
#if BENCH_HAVE_APR
    &bench_apr,
#endif
#if BENCH_HAVE_PMR
    &bench_pmr,      &bench_marena_pmr,
#endif
#if BENCH_HAVE_BUMPALO
    &bench_bumpalo,
#endif
#if BENCH_HAVE_MIMALLOC
    &bench_mimalloc,
#endif
};
#define NALLOCATORS (sizeof allocators / sizeof allocators[0])
_Static_assert(NALLOCATORS <= REPORT_MAX_ALLOCATORS, "REPORT_MAX_ALLOCATORS");

/* Peers this build does not have, and why. */
static const char *const absent[] = {
#if !BENCH_HAVE_OBSTACK
    "obstack (no <obstack.h>: not glibc)",
#endif
#if !BENCH_HAVE_TALLOC
    "talloc (pkg-config talloc not found: libtalloc-dev)",
#endif
#if !BENCH_HAVE_APR
    "apr (pkg-config apr-1 not found: libapr1-dev)",
#endif
#if !BENCH_HAVE_PMR
    "pmr, marena-pmr (no C++17 compiler with <memory_resource>)",
#endif
#if !BENCH_HAVE_BUMPALO
    "bumpalo (" BENCH_BUMPALO_ABOUT ")",
#endif
#if !BENCH_HAVE_MIMALLOC
    "mimalloc (no mimalloc.h and libmimalloc: libmimalloc-dev)",
#endif
#if !BENCH_HAVE_THREADS
    "the threads workload (no POSIX threads or no <stdatomic.h>)",
#endif
    NULL,
};

#define FULL_RUNS 11u            /* odd: the median is one run */
#define MMAP_THRESHOLD (4 << 20) /* above any block the workloads take */
#define TRIM_THRESHOLD (64 << 20)
#define QUICK_RUNS 3u
#define BOTH_MODES BENCH_MODES       /* --mode both */
#define ONLY_THREADS BENCH_WORKLOADS /* --only threads */

void
bench_fail(const char *what)
{
    fflush(stdout);
    fprintf(stderr, "marena-bench: %s failed\n", what);
    exit(1);
}

uint64_t
bench_now_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        bench_fail("clock_gettime");
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs allocator @a's repetition of @w in mode @m and checks its checksum. */
static void
run_checked(size_t a, enum bench_workload w, enum bench_mode m, uint32_t want)
{
    uint32_t got = allocators[a]->run[w](m);

    if (got != want) {
        fflush(stdout);
        fprintf(stderr,
                "marena-bench: %s on %s (%s): checksum 0x%08x, the limit's is "
                "0x%08x: not the same work\n",
                allocators[a]->name, report_workloads[w], report_modes[m], (unsigned)got,
                (unsigned)want);
        exit(1);
    }
}

/* The checksum every run of @w must have: the limit's, generated where
 * the workload has that mode (the table mode must give the same). */
static uint32_t
reference(enum bench_workload w)
{
    return allocators[REPORT_LIMIT]->run[w](
        bench_has_mode(w, BENCH_GENERATED) ? BENCH_GENERATED : BENCH_TABLE);
}

static int
compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Measures workload @w in mode @m on every allocator: r->ns[w][m][*]. */
static void
measure(struct report *r, enum bench_workload w, enum bench_mode m, uint32_t want)
{
    uint64_t ns[NALLOCATORS][FULL_RUNS];

    for (size_t a = 0; a < NALLOCATORS; a++) { /* warm-up and check */
        if (allocators[a]->run[w] != NULL)
            run_checked(a, w, m, want);
    }
    for (unsigned k = 0; k < r->runs; k++) {
        for (size_t j = 0; j < NALLOCATORS; j++) {
            size_t a = (j + k) % NALLOCATORS;
            uint64_t start;

            if (allocators[a]->run[w] == NULL)
                continue;
            start = bench_now_ns();
            run_checked(a, w, m, want);
            ns[a][k] = bench_now_ns() - start;
        }
    }
    for (size_t a = 0; a < NALLOCATORS; a++) {
        r->ns[w][m][a] = REPORT_NOT_RUN;
        if (allocators[a]->run[w] == NULL)
            continue;
        qsort(ns[a], r->runs, sizeof ns[a][0], compare_u64);
        r->ns[w][m][a] = (double)ns[a][r->runs / 2] / (double)bench_operations(w);
    }
}

/* See the top of the file. Returns a note for the header, or NULL. */
static const char *
pin_malloc(void)
{
#if defined(__GLIBC__)
    if (mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 &&
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
        return "glibc, mmap threshold pinned at 4 MiB, trim threshold at "
               "64 MiB";
#endif
    return NULL;
}

/* --------------------------------------------------------------- main */

static int
find_name(const char *name, const char *const *names, int n, const char *what)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(name, names[i]) == 0)
            return i;
    }
    fprintf(stderr, "marena-bench: no %s %s (", what, name);
    for (int i = 0; i < n; i++)
        fprintf(stderr, "%s%s", i > 0 ? ", " : "", names[i]);
    fprintf(stderr, ")\n");
    return -1;
}

static int
find_workload(const char *name)
{
    return find_name(name, report_workloads, BENCH_WORKLOADS, "workload");
}

/* --only's workload: one of find_workload()'s, or ONLY_THREADS. */
static int
find_only(const char *name)
{
    if (strcmp(name, "threads") != 0)
        return find_workload(name);
    if (!BENCH_HAVE_THREADS) {
        fprintf(stderr, "marena-bench: this build has no threads workload (no POSIX "
                        "threads or no <stdatomic.h>)\n");
        return -1;
    }
    return ONLY_THREADS;
}

static int
find_mode(const char *name)
{
    return find_name(name, report_modes, BENCH_MODES, "mode");
}

static void
setup(size_t a)
{
    if (allocators[a]->setup != NULL)
        allocators[a]->setup();
}

/* --callgrind: one repetition of one allocator's function. */
static int
callgrind_mode(const char *workload, const char *name, const char *mode)
{
    int w = find_workload(workload), m = find_mode(mode);
    uint32_t want;

    if (w < 0 || m < 0)
        return 2;
    if (!bench_has_mode((enum bench_workload)w, (enum bench_mode)m)) {
        fprintf(stderr, "marena-bench: %s has no %s mode\n", workload, mode);
        return 2;
    }
    for (size_t a = 0; a < NALLOCATORS; a++) {
        if (strcmp(name, allocators[a]->name) != 0)
            continue;
        if (allocators[a]->run[w] == NULL) {
            fprintf(stderr, "marena-bench: %s cannot run %s: %s\n", name, workload,
                    allocators[a]->na[w]);
            return 2;
        }
        bench_tables_init();
        for (size_t b = 0; b < NALLOCATORS;
             b++) /* as in a full run (fnptr needs marena's) */
            setup(b);
        want = allocators[REPORT_LIMIT]->run[w]((enum bench_mode)m);
        if (a != REPORT_LIMIT) /* the limit's run is the reference */
            run_checked(a, (enum bench_workload)w, (enum bench_mode)m, want);
        printf("%s %s %s operations %zu checksum 0x%08x\n", workload, name, mode,
               bench_operations((enum bench_workload)w), (unsigned)want);
        return 0;
    }
    fprintf(stderr, "marena-bench: no allocator %s in this build\n", name);
    return 2;
}

static void
usage(FILE *out)
{
    fprintf(
        out,
        "usage: marena-bench [--quick] [--only WORKLOAD] [--mode MODE]\n"
        "                    [--max-threads N] [--csv FILE] [--png FILE]\n"
        "       marena-bench --callgrind WORKLOAD ALLOCATOR MODE\n"
        "Times marena against a bare pointer bump (the limit), malloc and the "
        "peers\nthis build found, on the workloads of bench/workloads.h, and "
        "prints ns per\noperation and ratios (everything against marena).\n"
        "  --quick          %u runs per workload instead of %u (a few seconds)\n"
        "  --only WORKLOAD  just this workload: small, mixed, burst, static, growth,\n"
        "                   rewind, strbuild, strdup, threads\n"
        "  --mode MODE      generated (requests drawn in the loop), table (read from\n"
        "                   arrays made before timing; alignment a runtime value),\n"
        "                   or both (the default); threads runs in table mode only\n"
        "  --max-threads N  the threads workload's largest thread count (default: twice\n"
        "                   the cores online; at most %u)\n"
        "  --csv FILE       also write the results as CSV\n"
        "                   (workload,mode,allocator,ns_per_op,ratio_to_limit), and\n"
        "                   the threads workload's next to it, FILE.csv -> "
        "FILE-threads.csv\n"
        "                   (subject,threads,ns_per_alloc_per_thread,mallocs_per_s)\n"
        "  --png FILE       also draw the chart with gnuplot (by default next to "
        "the CSV)\n"
        "  --callgrind WORKLOAD ALLOCATOR MODE\n"
        "                   run one repetition of one allocator's workload function,\n"
        "                   bench_<ALLOCATOR>_<WORKLOAD>, untimed (for scripts/bench\n"
        "                   --instructions)\n",
        QUICK_RUNS, FULL_RUNS, THREADS_MAX);
}

/* A file next to a .csv: FILE.csv -> FILE<suffix>, else FILE<suffix>
 * (the chart's FILE.png, the threads workload's FILE-threads.csv). */
static char *
beside(const char *csv, const char *suffix)
{
    size_t n = strlen(csv);
    char *path = malloc(n + strlen(suffix) + 1);

    if (path == NULL)
        bench_fail("malloc");
    memcpy(path, csv, n + 1);
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        path[n - 4] = '\0';
    strcat(path, suffix);
    return path;
}

/* Is any workload but threads selected? */
static int
any_cell(const struct report *r)
{
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        if (r->selected[w][BENCH_GENERATED] || r->selected[w][BENCH_TABLE])
            return 1;
    }
    return 0;
}

/* Selects the workloads (@only: one, ONLY_THREADS, or -1) and modes
 * (@mode: one, or BOTH_MODES) to run; 0, with a message, when that is
 * nothing (a string workload, or threads, in the generated mode). */
static int
select_cells(struct report *r, int only, int mode)
{
    int any;

    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        for (int m = 0; m < BENCH_MODES; m++) {
            r->selected[w][m] =
                (only < 0 || only == w) && (mode == BOTH_MODES || mode == m) &&
                bench_has_mode((enum bench_workload)w, (enum bench_mode)m);
        }
    }
    r->threads_selected = BENCH_HAVE_THREADS && (only < 0 || only == ONLY_THREADS) &&
                          (mode == BOTH_MODES || mode == BENCH_TABLE);
    any = any_cell(r) || r->threads_selected;
    if (!any)
        fprintf(stderr, "marena-bench: %s has no %s mode\n",
                only == ONLY_THREADS ? "threads" : report_workloads[only],
                report_modes[mode]);
    return any;
}

/* Measures and prints the threads workload. */
static void
run_threads(struct report *r)
{
#if BENCH_HAVE_THREADS
    printf("\nthreads: measuring T =");
    for (size_t k = 0; k < r->threads.ncounts; k++)
        printf(" %u", r->threads.counts[k]);
    printf(" ...\n");
    fflush(stdout);
    threads_measure(&r->threads, r->runs);
    report_threads(r);
#else
    (void)r;
#endif
}

/* Measures and prints every selected workload in every selected mode. */
static void
run_all(struct report *r)
{
    if (!any_cell(r)) {
        run_threads(r);
        report_notes(r, absent);
        return;
    }
    for (size_t a = 0; a < NALLOCATORS; a++)
        setup(a);
    report_ns_head(r);
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        uint32_t want;

        if (!r->selected[w][BENCH_GENERATED] && !r->selected[w][BENCH_TABLE])
            continue;
        want = reference((enum bench_workload)w);
        for (int m = 0; m < BENCH_MODES; m++) {
            if (!r->selected[w][m])
                continue;
            measure(r, (enum bench_workload)w, (enum bench_mode)m, want);
            report_ns_row(r, (enum bench_workload)w, (enum bench_mode)m);
        }
    }
    report_ratios(r);
    if (r->threads_selected)
        run_threads(r);
    report_notes(r, absent);
}

int
main(int argc, char **argv)
{
    static struct report r = {.allocators = allocators, .count = NALLOCATORS};
    const char *csv = NULL, *png = NULL;
    char *auto_png = NULL;
    int only = -1, mode = BOTH_MODES, status = 0;
    unsigned max_threads = 0; /* 0: twice the cores */

    r.runs = FULL_RUNS;
    r.malloc_note = pin_malloc();
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int has_value = i + 1 < argc;

        if (strcmp(arg, "--quick") == 0) {
            r.runs = QUICK_RUNS;
        } else if (strcmp(arg, "--only") == 0 && has_value) {
            only = find_only(argv[++i]);
            if (only < 0)
                return 2;
        } else if (strcmp(arg, "--mode") == 0 && has_value) {
            const char *name = argv[++i];

            mode = strcmp(name, "both") == 0 ? BOTH_MODES : find_mode(name);
            if (mode < 0)
                return 2;
        } else if (strcmp(arg, "--max-threads") == 0 && has_value) {
            char *end;
            unsigned long n = strtoul(argv[++i], &end, 10);

            if (*end != '\0' || n < 1 || n > THREADS_MAX) {
                fprintf(stderr, "marena-bench: --max-threads takes 1 to %u\n",
                        THREADS_MAX);
                return 2;
            }
            max_threads = (unsigned)n;
        } else if (strcmp(arg, "--csv") == 0 && has_value) {
            csv = argv[++i];
        } else if (strcmp(arg, "--png") == 0 && has_value) {
            png = argv[++i];
        } else if (strcmp(arg, "--callgrind") == 0 && i + 3 < argc) {
            return callgrind_mode(argv[i + 1], argv[i + 2], argv[i + 3]);
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "marena-bench: unknown or incomplete argument %s\n", arg);
            usage(stderr);
            return 2;
        }
    }
    if (!select_cells(&r, only, mode))
        return 2;
#if BENCH_HAVE_THREADS
    {
        unsigned cores = threads_cores();

        threads_counts(&r.threads, cores, max_threads != 0 ? max_threads : 2 * cores);
    }
#else
    (void)max_threads;
#endif

    bench_tables_init();
    report_header(&r);
    run_all(&r);

    if (any_cell(&r)) { /* not for the threads workload alone */
        if (csv != NULL && png == NULL)
            png = auto_png = beside(csv, ".png");
        if (csv != NULL && report_csv(&r, csv) != 0)
            status = 1;
        if (png != NULL && report_chart(&r, png) != 0)
            status = 1;
        free(auto_png);
    }
    if (r.threads_selected && csv != NULL) {
        char *threads_csv = beside(csv, "-threads.csv");

        if (report_threads_csv(&r, threads_csv) != 0)
            status = 1;
        free(threads_csv);
    }
    return status;
}
