/* SPDX-License-Identifier: MIT */
/*
 * Child arenas (paths /children/<case>): ordinary arenas on
 * marena_backend_concurrent, whose blocks are allocations of a concurrent
 * arena (backends/concurrent.c). Their memory comes from the shared arena
 * and goes with its reset, never back through the child; the whole
 * single-thread API works in them; many threads, each with its own child,
 * never overlap; and a debug build catches a child used after its shared
 * arena's reset (a death test).
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "stress.h"
#include "subjects.h"

static void
close_shared(marena_concurrent_t *shared, struct atomic_backend *backend)
{
    marena_concurrent_destroy(shared);
    test_assert_size(atomic_load(&backend->releases), ==,
                     atomic_load(&backend->acquires));
    test_assert_size(atomic_load(&backend->out_bytes), ==, 0);
}

static marena_t *
open_child(marena_concurrent_t *shared, size_t block_size)
{
    marena_options_t options = {0};
    marena_t *child;

    options.backend = &marena_backend_concurrent;
    options.backend_ctx = shared;
    options.block_size = block_size;
    options.flags = MARENA_GROW;
    child = marena_create_ex(&options);
    test_assert_nonnull(child);
    return child;
}

/* A child's first block, control block included, is one allocation of the
 * shared arena; its allocations lie in it; destroying it gives nothing
 * back: the memory stays the shared arena's until its reset. */
static void
test_create(const void *data)
{
    struct atomic_backend backend;
    marena_concurrent_t *shared = stress_open_shared(&backend, 65536);
    size_t before = marena_concurrent_used(shared), taken;
    unsigned char *p;
    marena_t *child;

    (void)data;
    child = marena_create_with(&marena_backend_concurrent, shared, 512);
    test_assert_nonnull(child);
    taken = marena_concurrent_used(shared) - before;
    test_assert_size(taken, >=, 512 + MARENA_CONTROL_SIZE);
    test_assert_size(taken, <=, 512 + MARENA_CONTROL_SIZE + 2 * MARENA_ALIGNMENT);
    test_assert_size(marena_capacity(child), ==, 512);
    p = marena_alloc(child, 100);
    test_assert_nonnull(p);
    test_assert_size(marena_used(child), ==, 100);
    test_assert_size(marena_concurrent_used(shared), ==, before + taken);
    marena_destroy(child);
    test_assert_size(marena_concurrent_used(shared), ==, before + taken);
    test_assert_size(atomic_load(&backend.releases), ==, 0);
    marena_concurrent_reset(shared);
    test_assert_size(marena_concurrent_used(shared), ==, 0);
    /* The next child after the reset starts where the first one did. */
    child = marena_create_with(&marena_backend_concurrent, shared, 512);
    test_assert_size(marena_concurrent_used(shared), ==, taken);
    marena_destroy(child);
    close_shared(shared, &backend);
}

/* A growing child takes each new block from the shared arena, which grows
 * in turn; a fixed child stops at its block. */
static void
test_grow(const void *data)
{
    struct atomic_backend backend;
    marena_concurrent_t *shared = stress_open_shared(&backend, 4096);
    marena_stats_t stats;
    marena_t *child = open_child(shared, 256), *fixed;
    size_t before;

    (void)data;
    for (unsigned i = 0; i < 50; i++) {
        before = marena_concurrent_used(shared);
        unsigned char *p = marena_alloc(child, 200);

        test_assert_nonnull(p);
        memset(p, (int)i, 200);
        test_assert_size(marena_concurrent_used(shared), >=, before);
    }
    marena_stats(child, &stats);
    test_assert_size(stats.blocks, >, 3);
    test_assert_size(stats.backend_calls, ==, stats.blocks);
    test_assert_size(marena_concurrent_used(shared), >=, stats.capacity);
    test_assert_size(atomic_load(&backend.acquires), >, 1); /* the shared arena grew */

    fixed = marena_create_with(&marena_backend_concurrent, shared, 256);
    test_assert_nonnull(fixed);
    test_assert_nonnull(marena_alloc(fixed, 256));
    test_assert_null(marena_alloc(fixed, 1));
    marena_destroy(fixed);
    marena_destroy(child);
    close_shared(shared, &backend);
}

/* The single-thread API in a child: marks, realloc, strings, reset. */
static void
test_api(const void *data)
{
    struct atomic_backend backend;
    marena_concurrent_t *shared = stress_open_shared(&backend, 65536);
    marena_t *child = open_child(shared, 1024);
    unsigned char *p, *q;
    marena_mark_t mark;

    (void)data;
    p = marena_alloc(child, 10);
    mark = marena_mark(child);
    test_assert_nonnull(marena_alloc(child, 500));
    marena_rewind(child, mark);
    test_assert_size(marena_used(child), ==, 10);
    q = marena_realloc(child, p, 10, 4000); /* grows into a new block */
    test_assert_nonnull(q);
    test_assert(marena_owns(child, q));
    test_assert_nonnull(marena_strdup(child, "child"));
    test_assert(strcmp(marena_sprintf(child, "%d-%s", 15, "x"), "15-x") == 0);
    marena_reset(child);
    test_assert_size(marena_used(child), ==, 0);
    marena_destroy(child);
    close_shared(shared, &backend);
}

/* A child whose first block is a caller's buffer: it takes further
 * blocks from the shared arena, and the library's checks of children
 * leave it alone (its first block carries no stamp). */
static void
test_caller_buffer(const void *data)
{
    static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_STATIC_OVERHEAD + 256];
    struct atomic_backend backend;
    marena_concurrent_t *shared = stress_open_shared(&backend, 65536);
    marena_options_t options = {0};
    size_t before = marena_concurrent_used(shared);
    marena_t *child;
    unsigned char *p;

    (void)data;
    marena_concurrent_reset(shared); /* an epoch no memory happens to hold */
    options.backend = &marena_backend_concurrent;
    options.backend_ctx = shared;
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    options.flags = MARENA_GROW;
    child = marena_create_ex(&options);
    test_assert_nonnull(child);
    test_assert_size(marena_concurrent_used(shared), ==, before);
    test_assert_nonnull(marena_alloc(child, 200));
    p = marena_alloc(child, 1000);
    test_assert_nonnull(p);
    test_assert_size(marena_concurrent_used(shared), >, before + 1000);
    test_assert(marena_owns(child, p));
    test_assert_size(marena_used(child), ==, 1200);
    marena_destroy(child);
    close_shared(shared, &backend);
}

/* Bad contexts and sizes: NULL, not a crash. */
static void
test_bad_input(const void *data)
{
    struct atomic_backend backend;
    marena_concurrent_t *shared = stress_open_shared(&backend, 4096);
    size_t granted = 0, used = marena_concurrent_used(shared);

    (void)data;
    test_assert_null(marena_create_with(&marena_backend_concurrent, NULL, 64));
    test_assert_null(marena_backend_concurrent.acquire(shared, SIZE_MAX, &granted));
    test_assert_null(marena_backend_concurrent.acquire(shared, SIZE_MAX - 8, &granted));
    test_assert_null(marena_backend_concurrent.acquire(NULL, 64, &granted));
    test_assert_size(granted, ==, 0);
    test_assert_null(marena_backend_concurrent.release);
    test_assert_null(marena_backend_concurrent.reserve);
    test_assert(strcmp(marena_backend_concurrent.name, "concurrent") == 0);
    test_assert_size(marena_concurrent_used(shared), ==, used);
    /* No reservations: a child cannot be a MARENA_RESERVE arena. */
    marena_options_t options = {0};
    options.backend = &marena_backend_concurrent;
    options.backend_ctx = shared;
    options.flags = MARENA_RESERVE;
    test_assert_null(marena_create_ex(&options));
    close_shared(shared, &backend);
}

#if MARENA_DEBUG
/* A child used after its shared arena's reset: a debug build aborts where
 * the child enters the library (here: growth, stats, destroy). */
static void
test_after_reset(const void *data)
{
    int call = (int)(uintptr_t)data;
    struct atomic_backend backend;
    marena_concurrent_t *shared = stress_open_shared(&backend, 65536);
    marena_t *child = open_child(shared, 256);

    test_assert_nonnull(marena_alloc(child, 16));
    if (test_in_child()) {
        marena_concurrent_reset(shared);
        if (call == 0)
            marena_alloc(child, 1000); /* a new block */
        else if (call == 1)
            (void)marena_used(child);
        else
            marena_destroy(child);
        return;
    }
    test_assert_child_aborted(
        "*marena_*: its concurrent arena was reset since it was created*");
    /* Here (not in the child process) the shared arena was not reset. */
    marena_destroy(child);
    close_shared(shared, &backend);
}
#endif

/* Threads, each with its own child of one shared arena, allocate at once
 * (the children grow, and so does the shared arena); nothing overlaps,
 * every pattern holds. Twice: the second round reuses the blocks the
 * shared arena kept at its reset. */
struct worker {
    marena_concurrent_t *shared;
    marena_t *child;
    struct stress_log log;
};

#define WORKER_ALLOCATIONS 3000

static void *
work(void *data)
{
    struct worker *w = data;

    w->child = open_child(w->shared, 512);
    for (unsigned i = 0; i < WORKER_ALLOCATIONS; i++) {
        size_t size = 1 + stress_random(&w->log) % 300;
        size_t align = (size_t)1 << stress_random(&w->log) % 7;
        unsigned char *p = marena_alloc_aligned(w->child, size, align);

        test_assert_nonnull(p);
        stress_record(&w->log, p, size, align);
    }
    return NULL;
}

static void
test_threads(const void *data)
{
    unsigned threads = (unsigned)(uintptr_t)data;
    struct worker workers[STRESS_MAX_THREADS];
    struct stress_log logs[STRESS_MAX_THREADS];
    struct atomic_backend backend;
    marena_concurrent_t *shared = stress_open_shared(&backend, 16384);
    size_t acquires = 0;

    for (int round = 0; round < 2; round++) {
        size_t sum, held = 0;

        for (unsigned t = 0; t < threads; t++) {
            workers[t].shared = shared;
            stress_log_init(&workers[t].log, t, WORKER_ALLOCATIONS);
        }
        stress_run(work, workers, sizeof(workers[0]), threads);
        for (unsigned t = 0; t < threads; t++)
            logs[t] = workers[t].log;
        sum = stress_check(logs, threads);
        for (unsigned t = 0; t < threads; t++) {
            held += marena_capacity(workers[t].child);
            marena_destroy(workers[t].child);
            stress_log_free(&workers[t].log);
        }
        test_assert_size(marena_concurrent_used(shared), >=, held);
        test_assert_size(held, >=, sum);
        marena_concurrent_reset(shared);
        if (round == 0)
            acquires = atomic_load(&backend.acquires);
    }
    /* The second round may need a little more than the first (threads
     * race differently), never all of it again. */
    test_assert_size(atomic_load(&backend.acquires), <, 2 * acquires);
    close_shared(shared, &backend);
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_create, NULL, "/children/create");
    test_add(test_grow, NULL, "/children/grow");
    test_add(test_api, NULL, "/children/api");
    test_add(test_bad_input, NULL, "/children/bad-input");
    test_add(test_caller_buffer, NULL, "/children/caller-buffer");
#if MARENA_DEBUG
    test_add(test_after_reset, (const void *)0, "/children/after-reset/grow");
    test_add(test_after_reset, (const void *)1, "/children/after-reset/used");
    test_add(test_after_reset, (const void *)2, "/children/after-reset/destroy");
#endif
    for (unsigned threads = 1; threads <= STRESS_MAX_THREADS; threads *= 2)
        test_add(test_threads, (const void *)(uintptr_t)threads, "/children/threads-%u",
                 threads);
    return test_run();
}
