/* SPDX-License-Identifier: MIT */
/*
 * The threads workload (threads.c): T threads at once, each making the
 * small workload's requests (table mode), for T = 1, 2, 4, ... up to
 * twice the cores. What the driver (bench.c), the measurement (threads.c)
 * and the reports (report.c) share: the subjects, the thread counts and
 * the results. No POSIX thread type appears here: the header is included
 * by builds without threads too (BENCH_HAVE_THREADS 0), which then do not
 * compile threads.c.
 */
#ifndef MARENA_BENCH_THREADS_H
#define MARENA_BENCH_THREADS_H

#include <stddef.h>

/* The subjects, in the order of the table's rows. */
enum threads_subject {
    THREADS_PER_THREAD, /* an ordinary marena arena per thread (the baseline) */
    THREADS_CHILD,      /* a child arena per thread of one concurrent arena */
    THREADS_CONCURRENT, /* one concurrent arena, marena_concurrent_alloc */
    THREADS_MUTEX,      /* one ordinary arena behind a pthread mutex */
    THREADS_BARRIER,    /* per-thread arenas, and the round barrier of the
                           two above: what the barrier costs */
    THREADS_MALLOC,     /* glibc malloc, free all at the round's end */
    THREADS_MIMALLOC,   /* a mimalloc heap per thread and round */
    THREADS_SUBJECTS
};

/* Most thread counts (columns), the largest thread count, and most runs
 * per cell. */
#define THREADS_MAX_COUNTS 16
#define THREADS_MAX 256u
#define THREADS_RUNS_MAX 31u

/* Rounds each thread makes, of COUNT_SMALL requests: the first
 * THREADS_ROUNDS rounds of the small workload's table. */
#define THREADS_ROUNDS 64u

struct threads_result {
    unsigned cores;                      /* online, from sysconf() */
    size_t ncounts;                      /* thread counts measured */
    unsigned counts[THREADS_MAX_COUNTS]; /* rising */
    size_t per_thread;                   /* allocations of one thread per repetition */
    const char *na[THREADS_SUBJECTS];    /* why a subject did not run, or NULL */
    /* Median wall time of a repetition / per_thread: ns per allocation per
     * thread; REPORT_NOT_RUN where not run. */
    double ns[THREADS_SUBJECTS][THREADS_MAX_COUNTS];
};

/* The subjects' names (report.c), in the table and the CSV. */
extern const char *const threads_names[THREADS_SUBJECTS];

/* The thread counts up to @max (at least 1, at most THREADS_MAX): 1, 2,
 * 4, ... and @cores and @max themselves, rising, into @t. */
void
threads_counts(struct threads_result *t, unsigned cores, unsigned max);

/* Online cores (at least 1). */
unsigned
threads_cores(void);

/* Measures every subject at every thread count of @t, each cell the
 * median of @runs interleaved repetitions after a checked warm-up; fills
 * t->ns and t->na (threads.c; only with BENCH_HAVE_THREADS). */
void
threads_measure(struct threads_result *t, unsigned runs);

#endif /* MARENA_BENCH_THREADS_H */
