/* SPDX-License-Identifier: MIT */
/*
 * What the threaded suites of concurrent arenas share (test-concurrent.c,
 * test-children.c): a log of each thread's allocations, each filled with
 * a pattern of its own, and the check after joining that no two
 * allocations overlap and no pattern was written over; and the "atomic"
 * backend, malloc() behind atomic counters, which any thread may call.
 */
#ifndef MARENA_TESTS_STRESS_H
#define MARENA_TESTS_STRESS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "marena.h"

/* Thread counts of the stress tests: more than the cores, on purpose. */
#define STRESS_MAX_THREADS 16

struct stress_record {
    unsigned char *p;
    size_t size;
    size_t align;
    unsigned thread, index;
};

/* One thread's allocations. */
struct stress_log {
    struct stress_record *records;
    size_t count, capacity;
    unsigned thread;
    uint32_t random; /* xorshift32 state */
};

void
stress_log_init(struct stress_log *log, unsigned thread, size_t capacity);

void
stress_log_free(struct stress_log *log);

/* The next pseudo-random number of the log's thread. */
uint32_t
stress_random(struct stress_log *log);

/* Fills [p, p + size) with the pattern of (thread, its next index) and
 * records it. pre: the log has room. */
void
stress_record(struct stress_log *log, unsigned char *p, size_t size, size_t align);

/* Asserts that no two recorded allocations of the logs overlap, that each
 * is aligned as asked and still holds its pattern. Returns the sum of
 * their sizes. */
size_t
stress_check(const struct stress_log *logs, unsigned count);

/* Runs fn(&data[t * size]) on `threads` threads that start together. */
void
stress_run(void *(*fn)(void *), void *data, size_t size, unsigned threads);

/* The atomic backend's context. */
struct atomic_backend {
    atomic_size_t acquires, releases;
    atomic_size_t out_bytes;  /* granted and not yet released */
    atomic_size_t peak_bytes; /* the most out_bytes ever was */
    atomic_size_t fail_from;  /* nonzero: this acquire call and later fail */
    atomic_size_t calls;      /* acquire calls, failed ones included */
    size_t rendezvous;        /* nonzero: each acquire waits until this many
                                 calls have been made, then goes on */
    /* Non-NULL: a failing acquire first waits until this arena's capacity
     * reaches wait_capacity (another thread installed its block). */
    marena_concurrent_t *watch;
    size_t wait_capacity;
    /* Non-NULL: a block released with [zero_from, zero_from + zero_size)
     * inside must hold zeros there (counted in zero_checked). */
    const unsigned char *zero_from;
    size_t zero_size;
    atomic_size_t zero_checked;
};

extern const marena_backend_t atomic_backend;

void
atomic_backend_init(struct atomic_backend *backend);

/* A growing concurrent arena (first block: block_size) on the atomic
 * backend, which is initialised first. */
marena_concurrent_t *
stress_open_shared(struct atomic_backend *backend, size_t block_size);

#endif
