/* SPDX-License-Identifier: MIT */
/*
 * What the driver (bench.c) hands the reports (report.c): the allocators
 * in their order (the limit first, marena second), what was measured and
 * the median ns per operation of each cell, and the threads workload's
 * results. The reports print the terminal tables, the CSVs and the chart;
 * they measure nothing.
 */
#ifndef MARENA_BENCH_REPORT_H
#define MARENA_BENCH_REPORT_H

#include <stdio.h>

#include "bench.h"
#include "threads.h"

#define REPORT_MAX_ALLOCATORS 16
#define REPORT_LIMIT 0u /* indices in allocators[] */
#define REPORT_MARENA 1u
#define REPORT_NOT_RUN (-1.0)

struct report {
    const struct bench_allocator *const *allocators;
    size_t count;
    unsigned runs;           /* timed runs per cell */
    const char *malloc_note; /* how malloc was set up, or NULL */
    int selected[BENCH_WORKLOADS][BENCH_MODES];
    /* Median ns per operation; REPORT_NOT_RUN where not run. */
    double ns[BENCH_WORKLOADS][BENCH_MODES][REPORT_MAX_ALLOCATORS];
    int threads_selected; /* the threads workload (threads.h) */
    struct threads_result threads;
};

extern const char *const report_workloads[BENCH_WORKLOADS];
extern const char *const report_modes[BENCH_MODES];

void
report_header(const struct report *r);
void
report_ns_head(const struct report *r);
void
report_ns_row(const struct report *r, enum bench_workload w, enum bench_mode m);
void
report_ratios(const struct report *r);
void
report_notes(const struct report *r, const char *const *absent);
int
report_csv(const struct report *r, const char *path);
int
report_chart(const struct report *r, const char *path);
/* The threads workload: its tables and ratios, and its CSV. */
void
report_threads(const struct report *r);
int
report_threads_csv(const struct report *r, const char *path);

#endif /* MARENA_BENCH_REPORT_H */
