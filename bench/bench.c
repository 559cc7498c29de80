/* SPDX-License-Identifier: MIT */
/*
 * marena-bench: marena against "the limit" (a bare pointer bump written
 * here), glibc malloc and the peers found at configure time, on the
 * workloads of workloads.h.
 *
 * This file holds the two subjects, the limit and marena, and the driver.
 * Each peer lives in its own peer-*.c (peer-pmr.cc) and only provides a
 * struct bench_allocator (see bench.h). The driver, for each workload:
 * runs every allocator once untimed (a warm-up that also compares its
 * checksum with the limit's), then R times in turn, interleaved (run k
 * starts at allocator k mod N, so no allocator always goes first), timing
 * each repetition with CLOCK_MONOTONIC and checking its checksum again; it
 * reports the median ns per allocation. A checksum that differs from the
 * limit's is an error (exit 1): every allocator made the same requests and
 * wrote the same bytes.
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
 * --callgrind WORKLOAD ALLOCATOR runs one repetition of one allocator's
 * function (after the limit's, for the checksum; the limit's alone when
 * it is the one) for scripts/bench --instructions, which counts the
 * instructions inside that function.
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

/* ------------------------------------------------------------ the limit */

struct limit {
    uintptr_t cursor, start, end;
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

BENCH_RESET_WORKLOAD_FNS(limit, &limit_fixed, NULL, limit_alloc, limit_alloc, limit_reset)
BENCH_WORKLOAD_FN(bench_limit_static, BENCH_STATIC, &limit_static, NULL, limit_alloc,
                  limit_reset)
/* growth: each round starts again at the start of the preallocated buffer
 * (creating and destroying the limit costs nothing). */
BENCH_WORKLOAD_FN(bench_limit_growth, BENCH_GROWTH, &limit_fixed, NULL, limit_alloc,
                  limit_reset)

const struct bench_allocator bench_limit = {
    .name = "limit",
    .setup = limit_setup,
    .run = {bench_limit_small, bench_limit_mixed, bench_limit_burst, bench_limit_static,
            bench_limit_growth},
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

/* small, mixed, burst: one fixed arena on the default backend. */
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

BENCH_RESET_WORKLOAD_FNS(marena, marena_fixed, NULL, marena_bench_alloc,
                         marena_bench_alloc, marena_bench_reset)
BENCH_WORKLOAD_FN(bench_marena_growth, BENCH_GROWTH, (void *)&marena_growth_options,
                  marena_bench_create, marena_bench_alloc, marena_bench_destroy)

#if MARENA_HAVE_STATIC_BACKEND
/* static: marena_create_static() on a buffer that holds a round at worst
 * (so, like the fixed arena's, its allocations cannot fail). */
static unsigned char marena_static_buffer[BENCH_ROUND_BYTES + MARENA_STATIC_OVERHEAD];
static marena_t *marena_in_static;

BENCH_WORKLOAD_FN(bench_marena_static, BENCH_STATIC, marena_in_static, NULL,
                  marena_bench_alloc, marena_bench_reset)
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
            BENCH_MARENA_STATIC, bench_marena_growth},
    .na = BENCH_MARENA_NA,
};

/* --------------------------------------------------------------- driver */

static const struct bench_allocator *const allocators[] = {
    &bench_limit,   &bench_marena, &bench_malloc,
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
    &bench_pmr,
#endif
#if BENCH_HAVE_BUMPALO
    &bench_bumpalo,
#endif
};
#define NALLOCATORS (sizeof allocators / sizeof allocators[0])
#define LIMIT 0u /* indices in allocators[] */
#define MARENA 1u

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
    "pmr (no C++17 compiler with <memory_resource>)",
#endif
#if !BENCH_HAVE_BUMPALO
    "bumpalo (" BENCH_BUMPALO_ABOUT ")",
#endif
    NULL,
};

static const char *const workload_names[BENCH_WORKLOADS] = {
    "small", "mixed", "burst", "static", "growth",
};

#define FULL_RUNS 11u            /* odd: the median is one run */
#define MMAP_THRESHOLD (4 << 20) /* above any block the workloads take */
#define TRIM_THRESHOLD (64 << 20)
#define QUICK_RUNS 3u

/* Median ns per allocation; NOT_RUN where an allocator cannot run it. */
#define NOT_RUN (-1.0)
static double results[BENCH_WORKLOADS][NALLOCATORS];

void
bench_fail(const char *what)
{
    fflush(stdout);
    fprintf(stderr, "marena-bench: %s failed\n", what);
    exit(1);
}

static uint64_t
now_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        bench_fail("clock_gettime");
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs allocator @a's repetition of @w and checks its checksum. */
static void
run_checked(size_t a, enum bench_workload w, uint32_t want)
{
    uint32_t got = allocators[a]->run[w]();

    if (got != want) {
        fflush(stdout);
        fprintf(stderr,
                "marena-bench: %s on %s: checksum 0x%08x, the limit's is "
                "0x%08x: not the same work\n",
                allocators[a]->name, workload_names[w], (unsigned)got, (unsigned)want);
        exit(1);
    }
}

static int
compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Measures workload @w on every allocator: results[w][*]. */
static void
measure(enum bench_workload w, unsigned runs)
{
    uint64_t ns[NALLOCATORS][FULL_RUNS];
    uint32_t want = allocators[LIMIT]->run[w]();

    for (size_t a = 0; a < NALLOCATORS; a++) { /* warm-up and check */
        if (allocators[a]->run[w] != NULL)
            run_checked(a, w, want);
    }
    for (unsigned r = 0; r < runs; r++) {
        for (size_t k = 0; k < NALLOCATORS; k++) {
            size_t a = (k + r) % NALLOCATORS;
            uint64_t start;

            if (allocators[a]->run[w] == NULL)
                continue;
            start = now_ns();
            run_checked(a, w, want);
            ns[a][r] = now_ns() - start;
        }
    }
    for (size_t a = 0; a < NALLOCATORS; a++) {
        results[w][a] = NOT_RUN;
        if (allocators[a]->run[w] == NULL)
            continue;
        qsort(ns[a], runs, sizeof ns[a][0], compare_u64);
        results[w][a] = (double)ns[a][runs / 2] / (double)bench_allocations(w);
    }
}

/* a / b as a ratio, or NOT_RUN when either is missing. */
static double
ratio(double a, double b)
{
    return a < 0.0 || b <= 0.0 ? NOT_RUN : a / b;
}

/* ------------------------------------------------------------- reporting */

static char cpu_model[128] = "unknown CPU";

static void
read_cpu_model(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];

    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');

        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            colon += strspn(colon, ": \t");
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(cpu_model, sizeof cpu_model, "%s", colon);
            break;
        }
    }
    fclose(f);
}

#if defined(__clang__)
#define COMPILER __VERSION__
#else
#define COMPILER "gcc " __VERSION__
#endif

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

static void
print_header(unsigned runs, const char *malloc_note)
{
    printf("marena-bench (marena %s)\n", MARENA_VERSION_STRING);
    printf("  machine:  %s\n", cpu_model);
    printf("  compiler: %s (C++: %s); build %s (optimization %s), %s "
           "library, marena debug checks %s\n",
           COMPILER, BENCH_CXX, BENCH_BUILDTYPE, BENCH_OPTIMIZATION, BENCH_LIBRARY,
           MARENA_DEBUG ? "on" : "off");
#if BENCH_HAVE_BUMPALO
    printf("  bumpalo:  %s\n", BENCH_BUMPALO_ABOUT);
#endif
    if (malloc_note != NULL)
        printf("  malloc:   %s\n", malloc_note);
    printf("  method:   per workload %u interleaved runs of one repetition "
           "per allocator after a warm-up; median ns per allocation; "
           "checksums equal to the limit's\n\n",
           runs);
}

#define COL 8

static void
print_value(double v, const char *suffix)
{
    char cell[32];

    if (v < 0.0)
        snprintf(cell, sizeof cell, "n/a");
    else
        snprintf(cell, sizeof cell, "%.2f%s", v, suffix);
    printf(" %*s", COL, cell);
}

static void
print_table_head(void)
{
    int ns_width = (int)NALLOCATORS * (COL + 1);

    printf("%-8s %-*s %*s  %s\n", "", ns_width - 1, "", COL, "marena/",
           "peer/marena (ns; >1: marena faster)");
    printf("%-8s", "workload");
    for (size_t a = 0; a < NALLOCATORS; a++)
        printf(" %*s", COL, allocators[a]->name);
    printf(" %*s ", COL, "limit");
    for (size_t a = MARENA + 1; a < NALLOCATORS; a++)
        printf(" %*s", COL, allocators[a]->name);
    printf("\n");
}

static void
print_row(enum bench_workload w)
{
    printf("%-8s", workload_names[w]);
    for (size_t a = 0; a < NALLOCATORS; a++)
        print_value(results[w][a], "");
    print_value(ratio(results[w][MARENA], results[w][LIMIT]), "x");
    printf(" ");
    for (size_t a = MARENA + 1; a < NALLOCATORS; a++)
        print_value(ratio(results[w][a], results[w][MARENA]), "x");
    printf("\n");
    fflush(stdout);
}

static void
print_notes(const int *selected)
{
    printf("\n(ns per allocation; allocations per repetition:");
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        if (selected[w])
            printf(" %s %zu", workload_names[w],
                   bench_allocations((enum bench_workload)w));
    }
    printf(")\n");
    for (size_t a = 0; a < NALLOCATORS; a++) {
        const char *sep = "n/a:";

        for (int w = 0; w < BENCH_WORKLOADS; w++) {
            if (selected[w] && allocators[a]->run[w] == NULL) {
                printf("%s %s", sep, workload_names[w]);
                sep = ",";
            }
        }
        if (*sep == ',')
            printf(" on %s: %s\n", allocators[a]->name, allocators[a]->na);
    }
    for (size_t i = 0; absent[i] != NULL; i++)
        printf("not built: %s\n", absent[i]);
}

static int
write_csv(const char *path, const int *selected)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        perror(path);
        return -1;
    }
    fprintf(f, "workload,allocator,ns_per_alloc,ratio_to_limit\n");
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        for (size_t a = 0; selected[w] && a < NALLOCATORS; a++) {
            if (results[w][a] >= 0.0)
                fprintf(f, "%s,%s,%.4f,%.4f\n", workload_names[w], allocators[a]->name,
                        results[w][a], ratio(results[w][a], results[w][LIMIT]));
        }
    }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    printf("csv:   %s\n", path);
    return 0;
}

/* Writes @s as a gnuplot double-quoted string ("\n" for a newline). */
static void
gnuplot_string(FILE *g, const char *s)
{
    fputc('"', g);
    for (; *s != '\0'; s++) {
        if (*s == '\n') {
            fputs("\\n", g);
            continue;
        }
        if (*s == '"' || *s == '\\')
            fputc('\\', g);
        fputc(*s, g);
    }
    fputc('"', g);
}

/* Renders the chart with gnuplot: grouped bars, one group per workload,
 * one colour per allocator, ns per allocation on a log axis. */
static int
write_png(const char *path, const int *selected, unsigned runs)
{
    char title[512];
    double floor = 1.0;
    FILE *g;

    /* The log axis starts at the power of ten below the smallest bar. */
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        for (size_t a = 0; selected[w] && a < NALLOCATORS; a++) {
            while (results[w][a] >= 0.0 && results[w][a] < floor)
                floor /= 10.0;
        }
    }

    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        printf("chart: skipped (gnuplot is not installed)\n");
        return 0;
    }
    g = popen("gnuplot", "w");
    if (g == NULL) {
        perror("gnuplot");
        return -1;
    }
    fprintf(g, "$data << EOD\nworkload");
    for (size_t a = 0; a < NALLOCATORS; a++)
        fprintf(g, " %s", allocators[a]->name);
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        if (!selected[w])
            continue;
        fprintf(g, "\n%s", workload_names[w]);
        for (size_t a = 0; a < NALLOCATORS; a++) {
            if (results[w][a] < 0.0)
                fprintf(g, " NaN");
            else
                fprintf(g, " %.4f", results[w][a]);
        }
    }
    fprintf(g, "\nEOD\n");
    fprintf(g, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) "
               "{ set terminal pngcairo size 1200,650 noenhanced } "
               "else { set terminal png size 1200,650 noenhanced }\n");
    fprintf(g, "set output ");
    gnuplot_string(g, path);
    snprintf(title, sizeof title,
             "marena-bench: ns per allocation, median of %u runs "
             "(lower is better)\n%s, %s, %s build",
             runs, cpu_model, COMPILER, BENCH_BUILDTYPE);
    fprintf(g, "\nset title ");
    gnuplot_string(g, title);
    fprintf(g,
            "\nset style data histogram\n"
            "set style histogram clustered gap 1\n"
            "set style fill solid 0.9 border -1\n"
            "set boxwidth 0.9\n"
            "set logscale y\n"
            "set yrange [%g:*]\n"
            "set grid ytics mytics\n"
            "set ylabel 'ns per allocation (log scale)'\n"
            "set key outside right top\n"
            "plot for [i=2:%zu] $data using i:xtic(1) "
            "title columnheader(i)\n",
            floor, NALLOCATORS + 1);
    if (pclose(g) != 0) {
        fprintf(stderr, "marena-bench: gnuplot failed\n");
        return -1;
    }
    printf("chart: %s\n", path);
    return 0;
}

/* --------------------------------------------------------------- main */

static int
find_workload(const char *name)
{
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        if (strcmp(name, workload_names[w]) == 0)
            return w;
    }
    fprintf(stderr,
            "marena-bench: no workload %s (small, mixed, burst, "
            "static, growth)\n",
            name);
    return -1;
}

static void
setup(size_t a)
{
    if (allocators[a]->setup != NULL)
        allocators[a]->setup();
}

/* --callgrind: one repetition of one allocator's function. */
static int
callgrind_mode(const char *workload, const char *name)
{
    int w = find_workload(workload);
    uint32_t want;

    if (w < 0)
        return 2;
    for (size_t a = 0; a < NALLOCATORS; a++) {
        if (strcmp(name, allocators[a]->name) != 0)
            continue;
        if (allocators[a]->run[w] == NULL) {
            fprintf(stderr, "marena-bench: %s cannot run %s: %s\n", name, workload,
                    allocators[a]->na);
            return 2;
        }
        setup(LIMIT);
        want = allocators[LIMIT]->run[w]();
        if (a != LIMIT) { /* the limit's run is the reference */
            setup(a);
            run_checked(a, (enum bench_workload)w, want);
        }
        printf("%s %s allocations %zu checksum 0x%08x\n", workload, name,
               bench_allocations((enum bench_workload)w), (unsigned)want);
        return 0;
    }
    fprintf(stderr, "marena-bench: no allocator %s in this build\n", name);
    return 2;
}

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: marena-bench [--quick] [--only WORKLOAD] [--csv FILE] "
            "[--png FILE]\n"
            "       marena-bench --callgrind WORKLOAD ALLOCATOR\n"
            "Times marena against a bare pointer bump (the limit), malloc and "
            "the peers\nthis build found, on the workloads of bench/workloads.h "
            "(small, mixed,\nburst, static, growth), and prints ns per "
            "allocation and ratios.\n"
            "  --quick          %u runs per workload instead of %u (a few "
            "seconds)\n"
            "  --only WORKLOAD  just this workload\n"
            "  --csv FILE       also write the results as CSV "
            "(workload,allocator,ns_per_alloc,ratio_to_limit)\n"
            "  --png FILE       also draw a bar chart with gnuplot (by default "
            "next to the CSV)\n"
            "  --callgrind WORKLOAD ALLOCATOR\n"
            "                   run one repetition of one allocator's workload "
            "function,\n"
            "                   bench_<ALLOCATOR>_<WORKLOAD>, untimed (for "
            "scripts/bench --instructions)\n",
            QUICK_RUNS, FULL_RUNS);
}

/* The .png next to a .csv: FILE.csv -> FILE.png, else FILE.png. */
static char *
png_beside(const char *csv)
{
    size_t n = strlen(csv);
    char *png = malloc(n + 5);

    if (png == NULL)
        bench_fail("malloc");
    memcpy(png, csv, n + 1);
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        png[n - 4] = '\0';
    strcat(png, ".png");
    return png;
}

int
main(int argc, char **argv)
{
    unsigned runs = FULL_RUNS;
    const char *csv = NULL, *png = NULL;
    char *auto_png = NULL;
    int selected[BENCH_WORKLOADS], only = -1, status = 0;
    const char *malloc_note = pin_malloc();

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int has_value = i + 1 < argc;

        if (strcmp(arg, "--quick") == 0) {
            runs = QUICK_RUNS;
        } else if (strcmp(arg, "--only") == 0 && has_value) {
            only = find_workload(argv[++i]);
            if (only < 0)
                return 2;
        } else if (strcmp(arg, "--csv") == 0 && has_value) {
            csv = argv[++i];
        } else if (strcmp(arg, "--png") == 0 && has_value) {
            png = argv[++i];
        } else if (strcmp(arg, "--callgrind") == 0 && i + 2 < argc) {
            return callgrind_mode(argv[i + 1], argv[i + 2]);
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr,
                    "marena-bench: unknown or incomplete argument "
                    "%s\n",
                    arg);
            usage(stderr);
            return 2;
        }
    }
    for (int w = 0; w < BENCH_WORKLOADS; w++)
        selected[w] = only < 0 || only == w;

    read_cpu_model();
    print_header(runs, malloc_note);
    for (size_t a = 0; a < NALLOCATORS; a++)
        setup(a);
    print_table_head();
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        if (selected[w]) {
            measure((enum bench_workload)w, runs);
            print_row((enum bench_workload)w);
        }
    }
    print_notes(selected);

    if (csv != NULL && png == NULL)
        png = auto_png = png_beside(csv);
    if (csv != NULL && write_csv(csv, selected) != 0)
        status = 1;
    if (png != NULL && write_png(png, selected, runs) != 0)
        status = 1;
    free(auto_png);
    return status;
}
