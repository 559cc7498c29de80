/* SPDX-License-Identifier: MIT */
/*
 * The threaded suites' shared parts (stress.h).
 */
#include "stress.h"

#include <stdlib.h>
#include <string.h>

#include "harness.h"

void
stress_log_init(struct stress_log *log, unsigned thread, size_t capacity)
{
    memset(log, 0, sizeof(*log));
    log->thread = thread;
    log->capacity = capacity;
    log->random = 0x9e3779b9u * (thread + 1);
    log->records = malloc(sizeof(*log->records) * capacity);
    test_assert_nonnull(log->records);
}

void
stress_log_free(struct stress_log *log)
{
    free(log->records);
    log->records = NULL;
}

uint32_t
stress_random(struct stress_log *log)
{
    uint32_t x = log->random;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return log->random = x;
}

static unsigned char
pattern(unsigned thread, unsigned index, size_t offset)
{
    return (unsigned char)((thread + 1) * 0x3b + index * 0x11 + offset * 7);
}

void
stress_record(struct stress_log *log, unsigned char *p, size_t size, size_t align)
{
    struct stress_record *r = &log->records[log->count];

    test_assert_size(log->count, <, log->capacity);
    r->p = p;
    r->size = size;
    r->align = align;
    r->thread = log->thread;
    r->index = (unsigned)log->count;
    for (size_t i = 0; i < size; i++)
        p[i] = pattern(r->thread, r->index, i);
    log->count++;
}

static int
by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct stress_record *)a)->p;
    uintptr_t y = (uintptr_t)((const struct stress_record *)b)->p;

    return x < y ? -1 : x > y;
}

size_t
stress_check(const struct stress_log *logs, unsigned count)
{
    size_t total = 0, n = 0, sum = 0;
    struct stress_record *all;

    for (unsigned t = 0; t < count; t++)
        total += logs[t].count;
    all = malloc(sizeof(*all) * (total > 0 ? total : 1));
    test_assert_nonnull(all);
    for (unsigned t = 0; t < count; t++)
        for (size_t i = 0; i < logs[t].count; i++)
            all[n++] = logs[t].records[i];
    qsort(all, n, sizeof(*all), by_address);
    for (size_t i = 0; i < n; i++) {
        const struct stress_record *r = &all[i];

        test_assert_size((uintptr_t)r->p % r->align, ==, 0);
        if (i + 1 < n)
            test_assert_addr(r->p + r->size, <=, all[i + 1].p);
        for (size_t j = 0; j < r->size; j++)
            if (r->p[j] != pattern(r->thread, r->index, j))
                test_assert_size(r->p[j], ==, pattern(r->thread, r->index, j));
        sum += r->size;
    }
    free(all);
    return sum;
}

struct start {
    void *(*fn)(void *);
    void *data;
    atomic_int *go;
};

static void *
start_together(void *data)
{
    struct start *start = data;

    while (!atomic_load(start->go))
        test_thread_yield();
    return start->fn(start->data);
}

void
stress_run(void *(*fn)(void *), void *data, size_t size, unsigned threads)
{
    test_thread *handles[STRESS_MAX_THREADS];
    struct start starts[STRESS_MAX_THREADS];
    atomic_int go = 0;

    test_assert_size(threads, <=, STRESS_MAX_THREADS);
    for (unsigned t = 0; t < threads; t++) {
        starts[t] = (struct start){fn, (unsigned char *)data + t * size, &go};
        handles[t] = test_thread_start(start_together, &starts[t]);
    }
    atomic_store(&go, 1);
    for (unsigned t = 0; t < threads; t++)
        test_thread_join(handles[t]);
}

/* ------------------------------------------------------ the atomic backend */

void
atomic_backend_init(struct atomic_backend *backend)
{
    atomic_init(&backend->acquires, 0);
    atomic_init(&backend->releases, 0);
    atomic_init(&backend->out_bytes, 0);
    atomic_init(&backend->peak_bytes, 0);
    atomic_init(&backend->fail_from, 0);
    atomic_init(&backend->calls, 0);
    backend->rendezvous = 0;
    backend->watch = NULL;
    backend->wait_capacity = 0;
    backend->zero_from = NULL;
    backend->zero_size = 0;
    atomic_init(&backend->zero_checked, 0);
}

/* Waits (up to about ten seconds) until `rendezvous` calls have arrived. */
static void
meet(struct atomic_backend *backend, size_t arrived)
{
    for (long spins = 0; arrived < backend->rendezvous && spins < 10000000; spins++) {
        test_thread_yield();
        arrived = atomic_load(&backend->calls);
    }
    test_assert_size(arrived, >=, backend->rendezvous);
}

static void *
atomic_acquire(void *ctx, size_t size, size_t *granted)
{
    struct atomic_backend *backend = ctx;
    size_t call = atomic_fetch_add(&backend->calls, 1) + 1;
    size_t fail_from = atomic_load(&backend->fail_from);
    void *block;

    if (backend->rendezvous != 0)
        meet(backend, call);
    if (fail_from != 0 && call >= fail_from) {
        for (long spins = 0;
             backend->watch != NULL && spins < 10000000 &&
             marena_concurrent_capacity(backend->watch) < backend->wait_capacity;
             spins++)
            test_thread_yield();
        return NULL;
    }
    block = malloc(size);
    if (block != NULL) {
        size_t out = atomic_fetch_add(&backend->out_bytes, size) + size;
        size_t peak = atomic_load(&backend->peak_bytes);

        while (out > peak &&
               !atomic_compare_exchange_weak(&backend->peak_bytes, &peak, out))
            ;
        atomic_fetch_add(&backend->acquires, 1);
        *granted = size;
    }
    return block;
}

static void
atomic_release(void *ctx, void *block, size_t size)
{
    struct atomic_backend *backend = ctx;

    const unsigned char *start = block;

    if (backend->zero_from != NULL && backend->zero_from >= start &&
        backend->zero_from < start + size &&
        backend->zero_size <= (size_t)(start + size - backend->zero_from)) {
        for (size_t i = 0; i < backend->zero_size; i++)
            test_assert_size(backend->zero_from[i], ==, 0);
        atomic_fetch_add(&backend->zero_checked, 1);
    }
    atomic_fetch_sub(&backend->out_bytes, size);
    atomic_fetch_add(&backend->releases, 1);
    free(block);
}

const marena_backend_t atomic_backend = {
    .name = "atomic",
    .acquire = atomic_acquire,
    .release = atomic_release,
};

marena_concurrent_t *
stress_open_shared(struct atomic_backend *backend, size_t block_size)
{
    marena_options_t options = {0};
    marena_concurrent_t *shared;

    atomic_backend_init(backend);
    options.backend = &atomic_backend;
    options.backend_ctx = backend;
    options.block_size = block_size;
    options.flags = MARENA_GROW;
    shared = marena_concurrent_create(&options);
    test_assert_nonnull(shared);
    return shared;
}
