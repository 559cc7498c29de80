/* SPDX-License-Identifier: MIT */
/*
 * The threads workload (threads.h): T threads allocate at once, each
 * making the small workload's requests from its table (the first
 * THREADS_ROUNDS rounds of COUNT_SMALL requests of 8..64 bytes, alignment
 * 8 read as a runtime value, as in table mode) and writing the first and
 * last byte of each allocation (bench_touch), with the same checksum per
 * thread; a round ends as small's does, with a reset (or the frees).
 *
 * The subjects (threads_names in report.c):
 *   marena-per-thread  an ordinary arena per thread on the default
 *                      backend (MARENA_GROW, a first block that holds a
 *                      round, so it stays one block), marena_alloc_aligned
 *                      and marena_reset inline: single-thread marena,
 *                      T times over. The baseline.
 *   marena-child       the same arena, but a child of one concurrent arena
 *                      (marena_backend_concurrent): its block is an
 *                      allocation of the shared arena. Children are created
 *                      by their threads before the start and destroyed by
 *                      the driver after the end, then the shared arena is
 *                      reset (both untimed), as a program that takes a
 *                      child per task and frees all tasks' memory at once.
 *   marena-concurrent  every thread calls marena_concurrent_alloc() on one
 *                      concurrent arena (MARENA_GROW, a first block that
 *                      holds a round of every thread).
 *   marena-mutex       one ordinary arena (the same options) behind a
 *                      pthread mutex (the default type): lock,
 *                      marena_alloc_aligned, unlock per allocation.
 *   marena-per-thread+barrier
 *                      marena-per-thread, whose threads also meet at the
 *                      round barrier of the two above (below): a control,
 *                      what the barrier alone costs.
 *   malloc             malloc per request, free of them all at the round's
 *                      end (as peer-malloc.c).
 *   mimalloc           mi_heap_new per round, mi_heap_malloc_aligned,
 *                      mi_heap_destroy at the round's end (as
 *                      peer-mimalloc.c), in each thread (BENCH_HAVE_MIMALLOC).
 *
 * The two shared arenas must be reset between rounds while no thread
 * allocates: their threads end each round at a barrier, one of them
 * resets, and all meet at the barrier again (the barrier spins for a
 * while before it sleeps: with T up to the cores, the threads of a round
 * arrive within microseconds). The alternative, an arena that holds all
 * rounds of all threads and is reset once, would stream through
 * T x THREADS_ROUNDS rounds of fresh memory where every other subject
 * reuses one round's: it would measure the memory, not the allocator. So
 * marena-concurrent and marena-mutex each pay two barrier waits per round,
 * the same for both (their ratio is fair); the other subjects, which need
 * no agreement between threads to reset, pay none, but for the control
 * marena-per-thread+barrier, which shows what the waits cost: a thread
 * waits there for the slowest of the round, so on a loaded machine (one
 * thread preempted) it is most of the time.
 *
 * Method: per thread count, a pool of T threads serves every subject (so
 * the allocators' per-thread state - glibc's arenas and tcache,
 * mimalloc's thread heap - is warm, as the single-thread workloads' is).
 * Per repetition the threads set the subject up, meet at a start barrier,
 * run, and report their checksum and the time they started and ended;
 * the repetition's time is the first start to the last end. Each subject
 * runs once untimed (warm-up, checked), then the runs interleave as in
 * bench.c (run k starts at subject k mod N); the median is reported, as
 * ns per allocation per thread (the time / one thread's allocations).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "marena.h"

#include "bench.h"
#include "report.h"
#include "threads.h"

#if BENCH_HAVE_MIMALLOC
#include <mimalloc.h>
#endif

/* Growing arenas where the build has growth; every block here holds a
 * round, so none grows. */
#define THREADS_GROW (MARENA_HAVE_GROWTH ? MARENA_GROW : 0u)
/* A child's share of its shared arena's first block: its block, its
 * control block and the backend's stamp. */
#define CHILD_SLACK ((size_t)4096)
/* Waits of a thread at a barrier before it sleeps, when the threads have
 * a core each (a pause each: about 40 us on a 2-vCPU AMD EPYC). */
#define SPINS 1000u
#define MALLOC_ALIGN ((size_t)16)

/* ------------------------------------------------------------- barrier */

/*
 * A barrier for a fixed number of threads that spins @spins times before
 * it sleeps on a condition variable (the driver's thread, which must not
 * take a core from the measured ones, sleeps at once). barrier_wait()
 * returns 1 in exactly one of the threads of each phase (the last to
 * arrive), 0 in the others. Everything a thread did before it arrived
 * happens before everything any thread does after it leaves.
 */
struct barrier {
    atomic_uint arrived;
    atomic_uint phase;
    unsigned count;
    unsigned sleepers; /* under lock */
    pthread_mutex_t lock;
    pthread_cond_t wake;
};

static void
barrier_init(struct barrier *b, unsigned count)
{
    atomic_init(&b->arrived, 0);
    atomic_init(&b->phase, 0);
    b->count = count;
    b->sleepers = 0;
    if (pthread_mutex_init(&b->lock, NULL) != 0 || pthread_cond_init(&b->wake, NULL) != 0)
        bench_fail("threads: barrier init");
}

static void
barrier_destroy(struct barrier *b)
{
    pthread_cond_destroy(&b->wake);
    pthread_mutex_destroy(&b->lock);
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static int
barrier_wait(struct barrier *b, unsigned spins)
{
    unsigned phase = atomic_load_explicit(&b->phase, memory_order_acquire);

    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == b->count) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        pthread_mutex_lock(&b->lock);
        atomic_fetch_add_explicit(&b->phase, 1, memory_order_release);
        if (b->sleepers > 0)
            pthread_cond_broadcast(&b->wake);
        pthread_mutex_unlock(&b->lock);
        return 1;
    }
    for (unsigned i = 0; i < spins; i++) {
        if (atomic_load_explicit(&b->phase, memory_order_acquire) != phase)
            return 0;
        cpu_relax();
    }
    pthread_mutex_lock(&b->lock);
    b->sleepers++;
    while (atomic_load_explicit(&b->phase, memory_order_acquire) == phase)
        pthread_cond_wait(&b->wake, &b->lock);
    b->sleepers--;
    pthread_mutex_unlock(&b->lock);
    return 0;
}

/* ------------------------------------------------------ workers, cells */

struct cell;

/* One thread of the pool; each on cache lines of its own. */
struct worker {
    _Alignas(64) void *ctx; /* the subject's: an arena, a child, ... */
    struct cell *cell;
    uint64_t start, end; /* when it started and ended its repetition */
    uint32_t sum;
    pthread_t thread;
};

/* A mutex and the arena it protects (marena-mutex). */
struct locked_arena {
    pthread_mutex_t lock;
    marena_t *arena;
};

/* The pool of one thread count and what its subjects share. */
struct cell {
    unsigned threads;
    unsigned spins;                 /* SPINS, or 0 with more threads than cores */
    const struct subject *subject;  /* the repetition's; NULL: the pool ends */
    struct barrier go, ready, done; /* the pool and the driver */
    struct barrier round;           /* the pool: the shared arenas' resets */
#if MARENA_HAVE_CONCURRENT
    marena_concurrent_t *parent; /* marena-child's */
    marena_concurrent_t *shared; /* marena-concurrent's */
#endif
    struct locked_arena locked; /* marena-mutex's */
};

/*
 * A subject: open and close, once per thread count (NULL: nothing), in
 * the driver's thread; setup, in each thread before the start, sets
 * w->ctx; run, one thread's repetition, returns its checksum; teardown,
 * in the driver's thread after every thread ended (untimed).
 */
struct subject {
    void (*open)(struct cell *c);
    void (*close)(struct cell *c);
    void (*setup)(struct worker *w);
    uint32_t (*run)(struct worker *w);
    void (*teardown)(struct cell *c);
};

static struct worker workers[THREADS_MAX];

/* The hooks of a round, as bench.h's: begin(ctx) the round's context
 * (NULL hook: ctx), alloc(rctx, size, align), end(w, rctx) the reset; end
 * gets the worker too, for the round barrier. */
typedef void *(*threads_begin_fn)(void *ctx);
typedef void (*threads_end_fn)(struct worker *w, void *rctx);

/*
 * One thread's repetition: THREADS_ROUNDS rounds of the small table's
 * requests. ctx is read once, into a local, so that an allocator whose
 * state is one pointer keeps it in a register, as in bench_run().
 */
static BENCH_ALWAYS_INLINE uint32_t
threads_loop(struct worker *w, threads_begin_fn begin, bench_alloc_fn alloc,
             threads_end_fn end)
{
    const struct bench_request *next = bench_tables.small;
    void *ctx = w->ctx;
    uint32_t sum = 0;

    for (unsigned r = 0; r < THREADS_ROUNDS; r++) {
        void *rctx = begin != NULL ? begin(ctx) : ctx;

        for (uint32_t i = 0; i < COUNT_SMALL; i++, next++) {
            size_t size = next->size, align = next->align;

            sum += bench_touch((unsigned char *)alloc(rctx, size, align), size, i);
        }
        end(w, rctx);
    }
    return sum;
}

/* Every thread's checksum: the same loop on a plain buffer. */
static void *
reference_alloc(void *ctx, size_t size, size_t align)
{
    uintptr_t *cursor = ctx;
    uintptr_t p = (*cursor + (align - 1)) & ~(uintptr_t)(align - 1);

    *cursor = p + size;
    return (void *)p;
}

static uintptr_t reference_base;

static void
reference_end(struct worker *w, void *rctx)
{
    (void)w;
    *(uintptr_t *)rctx = reference_base;
}

static uint32_t
reference_sum(void)
{
    void *buffer = malloc(BENCH_ROUND_BYTES);
    uintptr_t cursor;
    struct worker w = {.ctx = &cursor};
    uint32_t sum;

    if (buffer == NULL)
        bench_fail("threads: malloc of the reference's buffer");
    cursor = reference_base = (uintptr_t)buffer;
    sum = threads_loop(&w, NULL, reference_alloc, reference_end);
    free(buffer);
    return sum;
}

/* Ends a round of a shared arena: every thread stops allocating, one
 * resets, every thread goes on. */
static void
round_barrier(struct worker *w, void (*reset)(void *arena), void *arena)
{
    unsigned spins = w->cell->spins;

    if (barrier_wait(&w->cell->round, spins))
        reset(arena);
    barrier_wait(&w->cell->round, spins);
}

/* -------------------------------------------------------------- marena */

static void
threads_oom(marena_t *arena, size_t size, size_t align, void *data)
{
    (void)arena;
    (void)size;
    (void)align;
    (void)data;
    bench_fail("threads: marena allocation");
}

static void *
arena_alloc(void *ctx, size_t size, size_t align)
{
    marena_t *arena = ctx;

    return marena_alloc_aligned(arena, size, align);
}

static void
arena_end(struct worker *w, void *rctx)
{
    marena_t *arena = rctx;

    (void)w;
    marena_reset(arena);
}

/* marena-per-thread: default backend, a first block that holds a round. */
static void
per_thread_setup(struct worker *w)
{
    marena_options_t o = {0};

    o.block_size = BENCH_ROUND_BYTES;
    o.flags = THREADS_GROW;
    o.on_oom = threads_oom;
    w->ctx = marena_create_ex(&o);
    if (w->ctx == NULL)
        bench_fail("threads: marena_create_ex of a thread's arena");
}

static BENCH_NOINLINE uint32_t
per_thread_run(struct worker *w)
{
    return threads_loop(w, NULL, arena_alloc, arena_end);
}

static void
arenas_teardown(struct cell *c)
{
    for (unsigned t = 0; t < c->threads; t++) {
        marena_destroy(workers[t].ctx);
        workers[t].ctx = NULL;
    }
}

static const struct subject per_thread_subject = {
    .setup = per_thread_setup,
    .run = per_thread_run,
    .teardown = arenas_teardown,
};

/* marena-per-thread+barrier: each thread resets its own arena between
 * the two waits of the shared arenas' round barrier. */
static void
barrier_end(struct worker *w, void *rctx)
{
    unsigned spins = w->cell->spins;

    barrier_wait(&w->cell->round, spins);
    marena_reset((marena_t *)rctx);
    barrier_wait(&w->cell->round, spins);
}

static BENCH_NOINLINE uint32_t
barrier_run(struct worker *w)
{
    return threads_loop(w, NULL, arena_alloc, barrier_end);
}

static const struct subject barrier_subject = {
    .setup = per_thread_setup,
    .run = barrier_run,
    .teardown = arenas_teardown,
};

/* A shared arena (GROW) whose first block holds @bytes. */
static marena_options_t
shared_options(size_t bytes)
{
    marena_options_t o = {0};

    o.block_size = bytes;
    o.flags = THREADS_GROW;
    o.on_oom = threads_oom;
    return o;
}

#if MARENA_HAVE_CONCURRENT
/* marena-child: a child per thread, its first block a round's. */
static void
child_open(struct cell *c)
{
    marena_options_t o = shared_options(c->threads * (BENCH_ROUND_BYTES + CHILD_SLACK));

    c->parent = marena_concurrent_create(&o);
    if (c->parent == NULL)
        bench_fail("threads: marena_concurrent_create of the children's parent");
}

static void
child_close(struct cell *c)
{
    marena_concurrent_destroy(c->parent);
    c->parent = NULL;
}

static void
child_setup(struct worker *w)
{
    marena_options_t o = {0};

    o.backend = &marena_backend_concurrent;
    o.backend_ctx = w->cell->parent;
    o.block_size = BENCH_ROUND_BYTES;
    o.flags = THREADS_GROW;
    o.on_oom = threads_oom;
    w->ctx = marena_create_ex(&o);
    if (w->ctx == NULL)
        bench_fail("threads: marena_create_ex of a child");
}

static BENCH_NOINLINE uint32_t
child_run(struct worker *w)
{
    return threads_loop(w, NULL, arena_alloc, arena_end);
}

/* The children first: their memory goes with the parent's reset. */
static void
child_teardown(struct cell *c)
{
    arenas_teardown(c);
    marena_concurrent_reset(c->parent);
}

static const struct subject child_subject = {
    .open = child_open,
    .close = child_close,
    .setup = child_setup,
    .run = child_run,
    .teardown = child_teardown,
};

/* marena-concurrent: one arena, a round of every thread in its block. */
static void
concurrent_open(struct cell *c)
{
    marena_options_t o = shared_options(c->threads * (size_t)BENCH_ROUND_BYTES);

    c->shared = marena_concurrent_create(&o);
    if (c->shared == NULL)
        bench_fail("threads: marena_concurrent_create");
}

static void
concurrent_close(struct cell *c)
{
    marena_concurrent_destroy(c->shared);
    c->shared = NULL;
}

static void
concurrent_setup(struct worker *w)
{
    w->ctx = w->cell->shared;
}

static void *
concurrent_alloc(void *ctx, size_t size, size_t align)
{
    void *p = marena_concurrent_alloc(ctx, size, align);

    if (p == NULL)
        bench_fail("threads: marena_concurrent_alloc");
    return p;
}

static void
concurrent_reset(void *arena)
{
    marena_concurrent_reset(arena);
}

static void
concurrent_end(struct worker *w, void *rctx)
{
    round_barrier(w, concurrent_reset, rctx);
}

static BENCH_NOINLINE uint32_t
concurrent_run(struct worker *w)
{
    return threads_loop(w, NULL, concurrent_alloc, concurrent_end);
}

static const struct subject concurrent_subject = {
    .open = concurrent_open,
    .close = concurrent_close,
    .setup = concurrent_setup,
    .run = concurrent_run,
};
#endif /* MARENA_HAVE_CONCURRENT */

/* marena-mutex: the same arena as marena-concurrent's, ordinary. */
static void
mutex_open(struct cell *c)
{
    marena_options_t o = shared_options(c->threads * (size_t)BENCH_ROUND_BYTES);

    if (pthread_mutex_init(&c->locked.lock, NULL) != 0)
        bench_fail("threads: pthread_mutex_init");
    c->locked.arena = marena_create_ex(&o);
    if (c->locked.arena == NULL)
        bench_fail("threads: marena_create_ex of the locked arena");
}

static void
mutex_close(struct cell *c)
{
    marena_destroy(c->locked.arena);
    c->locked.arena = NULL;
    pthread_mutex_destroy(&c->locked.lock);
}

static void
mutex_setup(struct worker *w)
{
    w->ctx = &w->cell->locked;
}

static void *
mutex_alloc(void *ctx, size_t size, size_t align)
{
    struct locked_arena *l = ctx;
    void *p;

    pthread_mutex_lock(&l->lock);
    p = marena_alloc_aligned(l->arena, size, align);
    pthread_mutex_unlock(&l->lock);
    return p;
}

static void
mutex_reset(void *ctx)
{
    struct locked_arena *l = ctx;

    marena_reset(l->arena);
}

static void
mutex_end(struct worker *w, void *rctx)
{
    round_barrier(w, mutex_reset, rctx);
}

static BENCH_NOINLINE uint32_t
mutex_run(struct worker *w)
{
    return threads_loop(w, NULL, mutex_alloc, mutex_end);
}

static const struct subject mutex_subject = {
    .open = mutex_open,
    .close = mutex_close,
    .setup = mutex_setup,
    .run = mutex_run,
};

/* -------------------------------------------------------------- malloc */

/* The pointers of a round, to free at its end. */
struct malloc_round {
    size_t count;
    void *ptrs[COUNT_SMALL];
};

static void
malloc_setup(struct worker *w)
{
    struct malloc_round *round = malloc(sizeof *round);

    if (round == NULL)
        bench_fail("threads: malloc of a round's pointers");
    round->count = 0;
    w->ctx = round;
}

static void *
malloc_alloc(void *ctx, size_t size, size_t align)
{
    struct malloc_round *round = ctx;
    void *p = malloc(bench_padded(size, align, MALLOC_ALIGN));

    round->ptrs[round->count++] = p;
    return bench_aligned(p, align, MALLOC_ALIGN, "threads: malloc");
}

static void
malloc_end(struct worker *w, void *rctx)
{
    struct malloc_round *round = rctx;

    (void)w;
    for (size_t i = 0; i < round->count; i++)
        free(round->ptrs[i]);
    round->count = 0;
}

static BENCH_NOINLINE uint32_t
malloc_run(struct worker *w)
{
    return threads_loop(w, NULL, malloc_alloc, malloc_end);
}

static void
malloc_teardown(struct cell *c)
{
    for (unsigned t = 0; t < c->threads; t++) {
        free(workers[t].ctx);
        workers[t].ctx = NULL;
    }
}

static const struct subject malloc_subject = {
    .setup = malloc_setup,
    .run = malloc_run,
    .teardown = malloc_teardown,
};

/* ------------------------------------------------------------ mimalloc */

#if BENCH_HAVE_MIMALLOC
static void
heap_setup(struct worker *w)
{
    w->ctx = NULL;
}

static void *
heap_new(void *ctx)
{
    mi_heap_t *heap = mi_heap_new();

    (void)ctx;
    if (heap == NULL)
        bench_fail("threads: mi_heap_new");
    return heap;
}

static void *
heap_alloc(void *ctx, size_t size, size_t align)
{
    void *p = mi_heap_malloc_aligned(ctx, size, align);

    if (p == NULL)
        bench_fail("threads: mi_heap_malloc_aligned");
    return p;
}

static void
heap_end(struct worker *w, void *rctx)
{
    (void)w;
    mi_heap_destroy(rctx);
}

static BENCH_NOINLINE uint32_t
mimalloc_run(struct worker *w)
{
    return threads_loop(w, heap_new, heap_alloc, heap_end);
}

static const struct subject mimalloc_subject = {
    .setup = heap_setup,
    .run = mimalloc_run,
};
#endif

/* The subjects this build has, by enum threads_subject; NULL: not built. */
static const struct subject *const subjects[THREADS_SUBJECTS] = {
    [THREADS_PER_THREAD] = &per_thread_subject,
#if MARENA_HAVE_CONCURRENT
    [THREADS_CHILD] = &child_subject,
    [THREADS_CONCURRENT] = &concurrent_subject,
#endif
    [THREADS_MUTEX] = &mutex_subject,
    [THREADS_BARRIER] = &barrier_subject,
    [THREADS_MALLOC] = &malloc_subject,
#if BENCH_HAVE_MIMALLOC
    [THREADS_MIMALLOC] = &mimalloc_subject,
#endif
};

static const char *const not_built[THREADS_SUBJECTS] = {
    [THREADS_CHILD] = "marena built without the concurrent arena",
    [THREADS_CONCURRENT] = "marena built without the concurrent arena",
    [THREADS_MIMALLOC] = "not built: no mimalloc",
};

/* ------------------------------------------------------------- the pool */

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct cell *c = w->cell;

    for (;;) {
        const struct subject *s;

        barrier_wait(&c->go, 0);
        s = c->subject;
        if (s == NULL)
            return NULL;
        s->setup(w);
        barrier_wait(&c->ready, c->spins);
        w->start = bench_now_ns();
        w->sum = s->run(w);
        w->end = bench_now_ns();
        barrier_wait(&c->done, 0);
    }
}

static void
cell_open(struct cell *c, unsigned threads, unsigned cores)
{
    c->threads = threads;
    c->spins = threads <= cores ? SPINS : 0;
    barrier_init(&c->go, threads + 1);
    barrier_init(&c->ready, threads + 1);
    barrier_init(&c->done, threads + 1);
    barrier_init(&c->round, threads);
    for (size_t s = 0; s < THREADS_SUBJECTS; s++) {
        if (subjects[s] != NULL && subjects[s]->open != NULL)
            subjects[s]->open(c);
    }
    for (unsigned t = 0; t < threads; t++) {
        workers[t].cell = c;
        if (pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]) != 0)
            bench_fail("threads: pthread_create");
    }
}

static void
cell_close(struct cell *c)
{
    c->subject = NULL;
    barrier_wait(&c->go, 0);
    for (unsigned t = 0; t < c->threads; t++)
        pthread_join(workers[t].thread, NULL);
    for (size_t s = 0; s < THREADS_SUBJECTS; s++) {
        if (subjects[s] != NULL && subjects[s]->close != NULL)
            subjects[s]->close(c);
    }
    barrier_destroy(&c->round);
    barrier_destroy(&c->done);
    barrier_destroy(&c->ready);
    barrier_destroy(&c->go);
}

/* One repetition of subject @s on the pool: the first start to the last
 * end, in ns; every thread's checksum must be @want. */
static uint64_t
repetition(struct cell *c, size_t s, uint32_t want)
{
    uint64_t first = UINT64_MAX, last = 0;

    c->subject = subjects[s];
    barrier_wait(&c->go, 0);
    barrier_wait(&c->ready, 0);
    barrier_wait(&c->done, 0);
    for (unsigned t = 0; t < c->threads; t++) {
        const struct worker *w = &workers[t];

        if (w->sum != want) {
            fflush(stdout);
            fprintf(stderr,
                    "marena-bench: threads: %s, thread %u of %u: checksum 0x%08x, "
                    "expected 0x%08x: not the same work\n",
                    threads_names[s], t, c->threads, (unsigned)w->sum, (unsigned)want);
            exit(1);
        }
        first = w->start < first ? w->start : first;
        last = w->end > last ? w->end : last;
    }
    if (c->subject->teardown != NULL)
        c->subject->teardown(c);
    return last - first;
}

static int
compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Column @k of every subject: T = t->counts[k]. */
static void
measure_count(struct threads_result *t, size_t k, unsigned runs, uint32_t want)
{
    static struct cell c;
    uint64_t ns[THREADS_SUBJECTS][THREADS_RUNS_MAX];

    cell_open(&c, t->counts[k], t->cores);
    for (size_t s = 0; s < THREADS_SUBJECTS; s++) { /* warm-up and check */
        if (subjects[s] != NULL)
            repetition(&c, s, want);
    }
    for (unsigned r = 0; r < runs; r++) {
        for (size_t j = 0; j < THREADS_SUBJECTS; j++) {
            size_t s = (j + r) % THREADS_SUBJECTS;

            if (subjects[s] != NULL)
                ns[s][r] = repetition(&c, s, want);
        }
    }
    cell_close(&c);
    for (size_t s = 0; s < THREADS_SUBJECTS; s++) {
        t->ns[s][k] = REPORT_NOT_RUN;
        if (subjects[s] == NULL)
            continue;
        qsort(ns[s], runs, sizeof ns[s][0], compare_u64);
        t->ns[s][k] = (double)ns[s][runs / 2] / (double)t->per_thread;
    }
}

unsigned
threads_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1u : n > (long)THREADS_MAX ? THREADS_MAX : (unsigned)n;
}

static void
add_count(struct threads_result *t, unsigned n)
{
    size_t i = t->ncounts;

    for (size_t j = 0; j < t->ncounts; j++) {
        if (t->counts[j] == n)
            return;
    }
    if (t->ncounts == THREADS_MAX_COUNTS)
        return;
    while (i > 0 && t->counts[i - 1] > n) {
        t->counts[i] = t->counts[i - 1];
        i--;
    }
    t->counts[i] = n;
    t->ncounts++;
}

void
threads_counts(struct threads_result *t, unsigned cores, unsigned max)
{
    max = max < 1 ? 1 : max > THREADS_MAX ? THREADS_MAX : max;
    t->cores = cores;
    t->ncounts = 0;
    for (unsigned n = 1; n <= max; n *= 2)
        add_count(t, n);
    if (cores <= max)
        add_count(t, cores);
    add_count(t, max);
}

void
threads_measure(struct threads_result *t, unsigned runs)
{
    uint32_t want = reference_sum();

    if (runs > THREADS_RUNS_MAX)
        runs = THREADS_RUNS_MAX;
    t->per_thread = (size_t)THREADS_ROUNDS * COUNT_SMALL;
    for (size_t s = 0; s < THREADS_SUBJECTS; s++)
        t->na[s] = subjects[s] == NULL ? not_built[s] : NULL;
    for (size_t k = 0; k < t->ncounts; k++)
        measure_count(t, k, runs, want);
}
