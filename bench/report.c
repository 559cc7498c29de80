/* SPDX-License-Identifier: MIT */
/*
 * marena-bench's reports (report.h): the header, the table of ns per
 * operation (a row as each workload is measured), the table of ratios,
 * the notes, the CSV and the chart.
 *
 * The terminal's ratio table compares everything with marena, in one
 * direction: another allocator's ns divided by marena's, so above 1.00
 * marena is faster (the limit's column, a bare pointer bump with only a
 * bound check inline in the loop, is at most about 1.00), and the last
 * column is the fastest peer's ns over marena's. The CSV and the chart
 * instead give every allocator's ns over the limit's (ratio_to_limit):
 * the limit is the chart's dashed line at 1.00.
 *
 * The chart is drawn by gnuplot: one panel per mode, one group of bars
 * per workload, one bar per allocator (the limit is the dashed line at
 * 1.00), the ratio on a linear axis, so that differences of a few percent
 * show. Bars above the axis's top are cut there and labelled with their
 * value.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marena.h"

#include "report.h"

const char *const report_workloads[BENCH_WORKLOADS] = {
    "small", "mixed", "burst", "static", "growth", "rewind", "strbuild", "strdup",
};
const char *const report_modes[BENCH_MODES] = {"generated", "table"};

#define LIMIT_IS \
    "the limit = a bare pointer bump with only a bound check, inline in the loop"
#define CHART_TOP 3.0 /* the chart's ratio axis ends here */
#define MIN_COL 8

#if defined(__clang__)
#define COMPILER __VERSION__
#else
#define COMPILER "gcc " __VERSION__
#endif

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

static double
ns_of(const struct report *r, enum bench_workload w, enum bench_mode m, size_t a)
{
    return r->ns[w][m][a];
}

/* a / b, or REPORT_NOT_RUN when either is missing. */
static double
ratio(double a, double b)
{
    return a < 0.0 || b <= 0.0 ? REPORT_NOT_RUN : a / b;
}

static double
to_limit(const struct report *r, enum bench_workload w, enum bench_mode m, size_t a)
{
    return ratio(ns_of(r, w, m, a), ns_of(r, w, m, REPORT_LIMIT));
}

/* The peers: everything after marena-fnptr (the subjects come first). */
static int
is_peer(const struct report *r, size_t a)
{
    return a > REPORT_MARENA && strncmp(r->allocators[a]->name, "marena", 6) != 0;
}

static int
width(const struct report *r, size_t a)
{
    int n = (int)strlen(r->allocators[a]->name);

    return n > MIN_COL ? n : MIN_COL;
}

void
report_header(const struct report *r)
{
    read_cpu_model();
    printf("marena-bench (marena %s)\n", MARENA_VERSION_STRING);
    printf("  machine:  %s\n", cpu_model);
    printf("  compiler: %s (C++: %s); build %s (optimization %s), %s library, marena "
           "debug checks %s\n",
           COMPILER, BENCH_CXX, BENCH_BUILDTYPE, BENCH_OPTIMIZATION, BENCH_LIBRARY,
           MARENA_DEBUG ? "on" : "off");
#if BENCH_HAVE_BUMPALO
    printf("  bumpalo:  %s\n", BENCH_BUMPALO_ABOUT);
#endif
#if BENCH_HAVE_MIMALLOC
    printf("  mimalloc: %s\n", BENCH_MIMALLOC_ABOUT);
#endif
    if (r->malloc_note != NULL)
        printf("  malloc:   %s\n", r->malloc_note);
    printf("  method:   per workload and mode %u interleaved runs of one repetition per "
           "allocator after a warm-up; median ns per operation; checksums equal to the "
           "limit's\n",
           r->runs);
    printf("  modes:    generated = requests drawn in the loop (alignment a constant "
           "where the workload has one); table = read from arrays made before timing "
           "(alignment a runtime value)\n");
    printf("  %s\n\n", LIMIT_IS);
}

static void
print_cell(double v, const char *suffix, int w)
{
    char cell[32];

    if (v < 0.0)
        snprintf(cell, sizeof cell, "n/a");
    else
        snprintf(cell, sizeof cell, "%.2f%s", v, suffix);
    printf(" %*s", w, cell);
}

/* "workload mode" and the names of allocators a (from @first on). */
static void
print_head(const struct report *r, size_t skip)
{
    printf("%-9s %-9s", "workload", "mode");
    for (size_t a = 0; a < r->count; a++) {
        if (a != skip)
            printf(" %*s", width(r, a), r->allocators[a]->name);
    }
}

void
report_ns_head(const struct report *r)
{
    printf("ns per operation (an allocation; strbuild: an append; strdup: a copy), "
           "median; lower is faster\n");
    print_head(r, r->count); /* every allocator */
    printf("\n");
    fflush(stdout);
}

void
report_ns_row(const struct report *r, enum bench_workload w, enum bench_mode m)
{
    printf("%-9s %-9s", report_workloads[w], report_modes[m]);
    for (size_t a = 0; a < r->count; a++)
        print_cell(ns_of(r, w, m, a), "", width(r, a));
    printf("\n");
    fflush(stdout);
}

/* The fastest peer on @w in @m, or r->count when none ran. */
static size_t
best_peer(const struct report *r, enum bench_workload w, enum bench_mode m)
{
    size_t best = r->count;

    for (size_t a = 0; a < r->count; a++) {
        double ns = ns_of(r, w, m, a);

        if (is_peer(r, a) && ns >= 0.0 && (best == r->count || ns < ns_of(r, w, m, best)))
            best = a;
    }
    return best;
}

void
report_ratios(const struct report *r)
{
    printf("\nratio = that column's ns / marena's ns, in every column: above 1.00, "
           "marena is faster;\nthe limit's column is at most 1.00 (0.91 = marena takes "
           "1.10x the limit's time);\nlast column: the fastest peer's ns / marena's ns "
           "(above 1.00: marena is ahead of every peer)\n");
    print_head(r, REPORT_MARENA);
    printf("  best peer/marena\n");
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        for (int m = 0; m < BENCH_MODES; m++) {
            enum bench_workload ww = (enum bench_workload)w;
            enum bench_mode mm = (enum bench_mode)m;
            double marena = ns_of(r, ww, mm, REPORT_MARENA);
            size_t best;

            if (!r->selected[w][m])
                continue;
            printf("%-9s %-9s", report_workloads[w], report_modes[m]);
            for (size_t a = 0; a < r->count; a++) {
                if (a != REPORT_MARENA)
                    print_cell(ratio(ns_of(r, ww, mm, a), marena), "x", width(r, a));
            }
            best = best_peer(r, ww, mm);
            if (best < r->count)
                printf("  %.2fx (%s)", ratio(ns_of(r, ww, mm, best), marena),
                       r->allocators[best]->name);
            printf("\n");
        }
    }
}

/* Was workload @w selected, and allocator @a unable to run it? */
static int
is_na(const struct report *r, size_t a, int w)
{
    return (r->selected[w][BENCH_GENERATED] || r->selected[w][BENCH_TABLE]) &&
           r->allocators[a]->run[w] == NULL;
}

static int
same_reason(const struct report *r, size_t a, int w, int v)
{
    return is_na(r, a, v) &&
           strcmp(r->allocators[a]->na[w], r->allocators[a]->na[v]) == 0;
}

static int
first_with_reason(const struct report *r, size_t a, int w)
{
    for (int v = 0; v < w; v++) {
        if (same_reason(r, a, w, v))
            return 0;
    }
    return 1;
}

/* "n/a on ALLOCATOR: W, W... (REASON)": one line for allocator @a and
 * every workload it cannot run for the same reason as @w. */
static void
print_na(const struct report *r, size_t a, int w)
{
    const char *sep = ": ";

    printf("n/a on %s", r->allocators[a]->name);
    for (int v = w; v < BENCH_WORKLOADS; v++) {
        if (same_reason(r, a, w, v)) {
            printf("%s%s", sep, report_workloads[v]);
            sep = ", ";
        }
    }
    printf(" (%s)\n", r->allocators[a]->na[w]);
}

void
report_notes(const struct report *r, const char *const *absent)
{
    const char *sep = "\n(operations per repetition:";

    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        if (r->selected[w][BENCH_GENERATED] || r->selected[w][BENCH_TABLE]) {
            printf("%s %s %zu", sep, report_workloads[w],
                   bench_operations((enum bench_workload)w));
            sep = "";
        }
    }
    if (r->threads_selected)
        printf("%s threads %zu per thread", sep, r->threads.per_thread);
    printf(")\n");
    for (size_t a = 0; a < r->count; a++) {
        for (int w = 0; w < BENCH_WORKLOADS; w++) {
            if (is_na(r, a, w) && first_with_reason(r, a, w))
                print_na(r, a, w);
        }
    }
    for (size_t i = 0; absent[i] != NULL; i++)
        printf("not built: %s\n", absent[i]);
}

int
report_csv(const struct report *r, const char *path)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        perror(path);
        return -1;
    }
    fprintf(f, "workload,mode,allocator,ns_per_op,ratio_to_limit\n");
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        for (int m = 0; m < BENCH_MODES; m++) {
            for (size_t a = 0; r->selected[w][m] && a < r->count; a++) {
                double ns = ns_of(r, (enum bench_workload)w, (enum bench_mode)m, a);

                if (ns >= 0.0)
                    fprintf(f, "%s,%s,%s,%.4f,%.4f\n", report_workloads[w],
                            report_modes[m], r->allocators[a]->name, ns,
                            to_limit(r, (enum bench_workload)w, (enum bench_mode)m, a));
            }
        }
    }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    printf("csv:   %s\n", path);
    return 0;
}

/* ------------------------------------------------------------- the chart */

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

/* Each allocator's colour, the same in every chart whoever is missing;
 * marena's two shades of red. */
static const char *
colour(const char *name)
{
    static const char *const colours[][2] = {
        {"marena", "#d62728"},  {"marena-fnptr", "#ff9896"}, {"malloc", "#7f7f7f"},
        {"obstack", "#8c564b"}, {"talloc", "#bcbd22"},       {"apr", "#17becf"},
        {"pmr", "#9467bd"},     {"bumpalo", "#ff7f0e"},      {"mimalloc", "#1f77b4"},
    };

    for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++) {
        if (strcmp(name, colours[i][0]) == 0)
            return colours[i][1];
    }
    return "#2ca02c";
}

/* The panel of mode @m: groups of r->count - 1 bars (the allocators but
 * the limit) and a gap, in workload order; the x of allocator a's bar in
 * group g. */
static double
bar_x(const struct report *r, int g, size_t a)
{
    return (double)g * (double)r->count + (double)(a - 1);
}

/* Does mode @m have a workload with a result for allocator @a? */
static int
panel_has(const struct report *r, enum bench_mode m, size_t a)
{
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        if (r->selected[w][m] && to_limit(r, (enum bench_workload)w, m, a) >= 0.0)
            return 1;
    }
    return 0;
}

/* The data blocks of mode @m: $bars_M_A (x, ratio capped at CHART_TOP)
 * per allocator and $cut_M (x, value) for the bars that were capped. */
static void
panel_data(FILE *g, const struct report *r, enum bench_mode m)
{
    fprintf(g, "$cut_%d << EOD\n", m);
    for (int w = 0, group = 0; w < BENCH_WORKLOADS; w++) {
        for (size_t a = REPORT_MARENA; r->selected[w][m] && a < r->count; a++) {
            double v = to_limit(r, (enum bench_workload)w, m, a);

            if (v > CHART_TOP)
                fprintf(g, "%g %.1f\n", bar_x(r, group, a), v);
        }
        group += r->selected[w][m];
    }
    fprintf(g, "EOD\n");
    for (size_t a = REPORT_MARENA; a < r->count; a++) {
        fprintf(g, "$bars_%d_%zu << EOD\n", m, a);
        for (int w = 0, group = 0; w < BENCH_WORKLOADS; w++) {
            double v = r->selected[w][m] ? to_limit(r, (enum bench_workload)w, m, a) : -1;

            if (v >= 0.0)
                fprintf(g, "%g %.4f\n", bar_x(r, group, a),
                        v < CHART_TOP ? v : CHART_TOP);
            group += r->selected[w][m];
        }
        fprintf(g, "EOD\n");
    }
}

static void
panel_plot(FILE *g, const struct report *r, enum bench_mode m, const char *title)
{
    const char *sep = "plot ";
    int groups = 0;

    fprintf(g, "set title ");
    gnuplot_string(g, title);
    fprintf(g, "\nset xtics (");
    for (int w = 0; w < BENCH_WORKLOADS; w++) {
        if (!r->selected[w][m])
            continue;
        fprintf(g, "%s\"%s\" %g", groups > 0 ? ", " : "", report_workloads[w],
                bar_x(r, groups, 1) + (double)(r->count - 2) / 2.0);
        groups++;
    }
    fprintf(g, ")\nset xrange [-1:%g]\n", (double)groups * (double)r->count - 1.0);
    for (size_t a = REPORT_MARENA; a < r->count; a++) {
        if (!panel_has(r, m, a))
            continue;
        fprintf(g, "%s$bars_%d_%zu using 1:2 with boxes lc rgb '%s' title \"%s\"", sep, m,
                a, colour(r->allocators[a]->name), r->allocators[a]->name);
        sep = ", \\\n    ";
    }
    fprintf(g,
            "%s$cut_%d using 1:(%g):(sprintf('%%.1f', $2)) with labels rotate by 90 "
            "right offset 0,-0.3 font ',8' notitle, \\\n"
            "    1 with lines dt 2 lw 2 lc rgb 'black' title 'the limit (1.00)'\n",
            sep, m, CHART_TOP);
}

int
report_chart(const struct report *r, const char *path)
{
    static const char *const panel_titles[BENCH_MODES] = {
        "generated mode: requests drawn in the loop, alignment a constant where the "
        "workload has one",
        "table mode: requests read from arrays made before timing, alignment a runtime "
        "value",
    };
    char title[512];
    int panels = 0;
    FILE *g;

    for (int m = 0; m < BENCH_MODES; m++)
        panels += panel_has(r, (enum bench_mode)m, REPORT_MARENA);
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        printf("chart: skipped (gnuplot is not installed)\n");
        return 0;
    }
    g = popen("gnuplot", "w");
    if (g == NULL) {
        perror("gnuplot");
        return -1;
    }
    for (int m = 0; m < BENCH_MODES; m++)
        panel_data(g, r, (enum bench_mode)m);
    fprintf(g,
            "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) "
            "{ set terminal pngcairo size 1600,%d noenhanced } "
            "else { set terminal png size 1600,%d noenhanced }\n",
            120 + 440 * panels, 120 + 440 * panels);
    fprintf(g, "set output ");
    gnuplot_string(g, path);
    snprintf(title, sizeof title,
             "marena-bench: ns per operation / the limit's ns, median of %u runs; lower "
             "is faster\n%s; 1.00 = as fast as it\n%s, %s, %s build",
             r->runs, LIMIT_IS, cpu_model, COMPILER, BENCH_BUILDTYPE);
    fprintf(g, "\nset multiplot layout %d,1 title ", panels > 0 ? panels : 1);
    gnuplot_string(g, title);
    fprintf(g,
            "\nset style fill solid 0.9 border -1\n"
            "set boxwidth 0.9\n"
            "set yrange [0:%g]\n"
            "set ytics 0.25\n"
            "set grid ytics\n"
            "set ylabel 'ns / the limit''s ns (linear)'\n"
            "set key outside right top\n",
            CHART_TOP);
    for (int m = 0; m < BENCH_MODES; m++) {
        if (panel_has(r, (enum bench_mode)m, REPORT_MARENA))
            panel_plot(g, r, (enum bench_mode)m, panel_titles[m]);
    }
    fprintf(g, "unset multiplot\n");
    if (pclose(g) != 0) {
        fprintf(stderr, "marena-bench: gnuplot failed\n");
        return -1;
    }
    printf("chart: %s\n", path);
    return 0;
}

/* ---------------------------------------------------- the threads workload */

const char *const threads_names[THREADS_SUBJECTS] = {
    "marena-per-thread",         "marena-child", "marena-concurrent", "marena-mutex",
    "marena-per-thread+barrier", "malloc",       "mimalloc",
};

#define THREADS_NAME 26  /* the width of the subjects' names */
#define THREADS_LABEL 42 /* the width of the ratios' labels */
#define THREADS_COL 9

/* Which thread counts a target applies to. */
enum threads_where { UP_TO_CORES, FROM_TWO, EVERY_COUNT };

/* A row of ratios: ns of @num over ns of @den (at T=1 when @at_one), and
 * its target, when it has one: the ratio at most @limit (@below) or above
 * it, at the thread counts of @where. */
struct threads_ratio {
    const char *label;
    enum threads_subject num, den;
    int at_one;
    int has_target, below;
    double limit;
    enum threads_where where;
};

static const struct threads_ratio threads_ratios[] = {
    {"marena-child / marena-per-thread at T=1", THREADS_CHILD, THREADS_PER_THREAD, 1, 1,
     1, 1.10, UP_TO_CORES},
    {"marena-child / marena-per-thread (same T)", THREADS_CHILD, THREADS_PER_THREAD, 0, 0,
     0, 0.0, EVERY_COUNT},
    {"marena-mutex / marena-concurrent", THREADS_MUTEX, THREADS_CONCURRENT, 0, 1, 0, 1.00,
     FROM_TWO},
    {"malloc / marena-child", THREADS_MALLOC, THREADS_CHILD, 0, 1, 0, 1.00, EVERY_COUNT},
    {"mimalloc / marena-child", THREADS_MIMALLOC, THREADS_CHILD, 0, 1, 0, 1.00,
     EVERY_COUNT},
};

static void
threads_head(const struct threads_result *t, const char *title, int label)
{
    printf("%-*s", label, title);
    for (size_t k = 0; k < t->ncounts; k++) {
        char col[16];

        snprintf(col, sizeof col, "T=%u", t->counts[k]);
        printf(" %*s", THREADS_COL, col);
    }
}

static double
threads_ratio_at(const struct threads_result *t, const struct threads_ratio *q, size_t k)
{
    return ratio(t->ns[q->num][k], t->ns[q->den][q->at_one ? 0 : k]);
}

static int
threads_applies(const struct threads_result *t, enum threads_where where, size_t k)
{
    unsigned n = t->counts[k];

    return where == EVERY_COUNT || (where == UP_TO_CORES && n <= t->cores) ||
           (where == FROM_TWO && n >= 2);
}

/* "met", "MISSED", or "n/a" when a ratio it needs is missing. */
static const char *
threads_verdict(const struct threads_result *t, const struct threads_ratio *q)
{
    int met = 1;

    for (size_t k = 0; k < t->ncounts; k++) {
        double v = threads_ratio_at(t, q, k);

        if (!threads_applies(t, q->where, k))
            continue;
        if (v < 0.0)
            return "n/a";
        met &= q->below ? v <= q->limit : v > q->limit;
    }
    return met ? "met" : "MISSED";
}

static void
threads_target(const struct threads_result *t, const struct threads_ratio *q)
{
    static const char *const where[] = {"T <= cores", "T >= 2", "every T"};

    if (!q->has_target) {
        printf("  (no target)");
        return;
    }
    printf("  target %s %.2f at %s: %s", q->below ? "<=" : ">", q->limit, where[q->where],
           threads_verdict(t, q));
}

void
report_threads(const struct report *r)
{
    const struct threads_result *t = &r->threads;

    printf(
        "\nthreads: T threads at once, each making the small workload's requests (table "
        "mode: %u rounds x %u allocations of 8..64 bytes, %zu per thread, and a reset "
        "or the frees per round); %u cores online\n",
        THREADS_ROUNDS, COUNT_SMALL, t->per_thread, t->cores);
    printf("  method: per T a pool of T threads; per subject a checked warm-up, then %u "
           "interleaved runs; a run's time: the first thread's start to the last "
           "thread's end; median\n",
           r->runs < THREADS_RUNS_MAX ? r->runs : THREADS_RUNS_MAX);
    printf(
        "  marena-concurrent and marena-mutex end each round at a barrier where one "
        "thread resets the shared arena (two waits per round);\n"
        "  marena-per-thread+barrier is marena-per-thread with the same two waits: what "
        "they cost\n");
    printf("\nns per allocation per thread (the time / one thread's allocations), "
           "median; lower is faster\n");
    threads_head(t, "subject", THREADS_NAME);
    printf("\n");
    for (size_t s = 0; s < THREADS_SUBJECTS; s++) {
        printf("%-*s", THREADS_NAME, threads_names[s]);
        for (size_t k = 0; k < t->ncounts; k++)
            print_cell(t->ns[s][k], "", THREADS_COL);
        printf("\n");
    }
    printf("\ntotal allocations per second, millions (T x one thread's allocations / the "
           "time); higher is faster\n");
    threads_head(t, "subject", THREADS_NAME);
    printf("\n");
    for (size_t s = 0; s < THREADS_SUBJECTS; s++) {
        printf("%-*s", THREADS_NAME, threads_names[s]);
        for (size_t k = 0; k < t->ncounts; k++) {
            double ns = t->ns[s][k];

            print_cell(ns > 0.0 ? 1000.0 * t->counts[k] / ns : REPORT_NOT_RUN, "",
                       THREADS_COL);
        }
        printf("\n");
    }
    printf("\nratios of ns per allocation per thread (reported, never asserted)\n");
    threads_head(t, "ratio", THREADS_LABEL);
    printf("\n");
    for (size_t i = 0; i < sizeof threads_ratios / sizeof threads_ratios[0]; i++) {
        const struct threads_ratio *q = &threads_ratios[i];

        printf("%-*s", THREADS_LABEL, q->label);
        for (size_t k = 0; k < t->ncounts; k++)
            print_cell(threads_ratio_at(t, q, k), "x", THREADS_COL);
        threads_target(t, q);
        printf("\n");
    }
    for (size_t s = 0; s < THREADS_SUBJECTS; s++) {
        if (t->na[s] != NULL)
            printf("n/a on %s: threads (%s)\n", threads_names[s], t->na[s]);
    }
    fflush(stdout);
}

int
report_threads_csv(const struct report *r, const char *path)
{
    const struct threads_result *t = &r->threads;
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        perror(path);
        return -1;
    }
    fprintf(f, "subject,threads,ns_per_alloc_per_thread,mallocs_per_s\n");
    for (size_t s = 0; s < THREADS_SUBJECTS; s++) {
        for (size_t k = 0; k < t->ncounts; k++) {
            double ns = t->ns[s][k];

            if (ns > 0.0)
                fprintf(f, "%s,%u,%.4f,%.4f\n", threads_names[s], t->counts[k], ns,
                        1000.0 * t->counts[k] / ns);
        }
    }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    printf("csv:   %s\n", path);
    return 0;
}
