/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: every backend call a scenario makes is failed in turn.
 *
 * For a scenario (creation, growth, large requests, realloc, strings,
 * sprintf, cleanups, the concurrent arena, reserve/commit), run it with the
 * Nth backend call failing, for N = 1, 2, ... until a run makes fewer than
 * N calls (the scenario then ran without a failure). In every run each
 * operation returns NULL or a usable result; the arena's figures agree
 * with the backend's after each step; afterwards the arena still allocates
 * after a reset; and destroying it leaves nothing out (no leak).
 */
#include <string.h>

#include "harness.h"
#include "subjects.h"

/* ------------------------------------------------ one arena under faults */

struct run {
    struct counting_backend counter;
    marena_t *arena;
    size_t nulls; /* operations answered with NULL */
};

static void
check_consistent(const struct run *run)
{
    marena_stats_t stats = stats_of(run->arena);

    test_assert_size(stats.backend_bytes, ==, counting_bytes_out(&run->counter));
    test_assert_size(stats.capacity, >=, stats.used);
    test_assert_size(stats.failed, >=, run->nulls);
    test_assert_size(run->counter.mismatches, ==, 0);
}

/* Counts a NULL result; checks a non-NULL one is writable. */
static void
note(struct run *run, void *p, size_t size)
{
    if (p == NULL)
        run->nulls++;
    else
        memset(p, 0x6b, size);
    check_consistent(run);
}

typedef void (*scenario_fn)(struct run *run);

struct scenario {
    const char *name;
    scenario_fn fn;
    size_t pool_need; /* bytes it takes from the test pool (pool_holds) */
};

static void
scenario_growth(struct run *run)
{
    for (int i = 0; i < 40; i++)
        note(run, marena_alloc(run->arena, 100), 100);
}

static void
scenario_large(struct run *run)
{
    note(run, marena_alloc_aligned(run->arena, 10, 1), 10);
    note(run, marena_alloc(run->arena, 20000), 20000);
    note(run, marena_alloc_aligned(run->arena, 5000, 1024), 5000);
    note(run, marena_alloc_aligned(run->arena, 10, 1), 10);
}

#if MARENA_HAVE_REALLOC
static void
scenario_realloc(struct run *run)
{
    size_t size = 16;
    unsigned char *p = marena_alloc(run->arena, size);

    note(run, p, size);
    for (int i = 0; i < 8 && p != NULL; i++) {
        unsigned char *q = marena_realloc(run->arena, p, size, size * 3);

        /* A failed realloc leaves the old allocation as it was. */
        if (q == NULL) {
            for (size_t j = 0; j < size; j++)
                test_assert_size(p[j], ==, 0x6b);
            note(run, NULL, 0);
            break;
        }
        for (size_t j = 0; j < size; j++)
            test_assert_size(q[j], ==, 0x6b);
        p = q;
        size *= 3;
        note(run, p, size);
    }
}
#endif

#if MARENA_HAVE_STRINGS
static void
scenario_strings(struct run *run)
{
    char text[700];

    memset(text, 's', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    for (int i = 0; i < 6; i++) {
        char *copy = marena_strdup(run->arena, text);

        if (copy != NULL)
            test_assert(strcmp(copy, text) == 0);
        note(run, copy, copy != NULL ? 1 : 0);
        copy = marena_strndup(run->arena, text, 300);
        if (copy != NULL)
            test_assert_size(strlen(copy), ==, 300);
        note(run, copy, copy != NULL ? 1 : 0);
        note(run, marena_memdup(run->arena, text, 500), 500);
    }
}
#endif

#if MARENA_HAVE_STDIO
static void
scenario_sprintf(struct run *run)
{
    for (int i = 0; i < 5; i++) {
        char *text = marena_sprintf(run->arena, "%0*d", 400 * (i + 1), i);

        if (text != NULL)
            test_assert_size(strlen(text), ==, (size_t)(400 * (i + 1)));
        note(run, text, text != NULL ? 1 : 0);
    }
}
#endif

#if MARENA_HAVE_CLEANUPS
static size_t cleanups_run;

static void
count_cleanup(void *data)
{
    (void)data;
    cleanups_run++;
}

/* Cleanup records need memory too; each one registered runs exactly once. */
static void
scenario_cleanups(struct run *run)
{
    size_t registered = 0;

    cleanups_run = 0;
    for (int i = 0; i < 30; i++) {
        note(run, marena_alloc(run->arena, 40), 40);
        if (marena_add_cleanup(run->arena, count_cleanup, NULL) == 0)
            registered++;
        else
            run->nulls++;
    }
    marena_reset(run->arena);
    test_assert_size(cleanups_run, ==, registered);
}
#endif

/* Runs `scenario` on a growing arena with the Nth backend call failing,
 * for every N that falls inside the scenario. */
static void
walk(scenario_fn scenario, size_t block_size)
{
    size_t failures = 0;

    for (size_t n = 1;; n++) {
        marena_options_t options = {0};
        struct run run;

        memset(&run, 0, sizeof(run));
        counting_init(&run.counter);
        run.counter.fail_at = n;
        options.backend = &counting_backend;
        options.backend_ctx = &run.counter;
        options.block_size = block_size;
        options.flags = MARENA_GROW;
        run.arena = marena_create_ex(&options);
        if (run.arena == NULL) {
            /* Creation itself failed: nothing may be out. */
            test_assert_size(n, ==, 1);
            test_assert_size(run.counter.out, ==, 0);
            failures++;
            continue;
        }
        scenario(&run);
        check_consistent(&run);
        marena_reset(run.arena);
        test_assert_nonnull(marena_alloc(run.arena, 16));
        marena_destroy(run.arena);
        test_assert_size(run.counter.out, ==, 0);
        test_assert_size(run.counter.bytes_released, ==, run.counter.bytes_acquired);
        if (run.counter.calls < n)
            break; /* this run met no failure: all N done */
        failures += run.nulls > 0;
    }
    /* Every failure point made something fail visibly. */
    test_assert_size(failures, >, 0);
}

static void
test_walk(const void *data)
{
    const struct scenario *scenario = data;

    if (!pool_holds(scenario->pool_need))
        return;
    walk(scenario->fn, 256);
}

/* ------------------------------------------------ reserve/commit failures */

#if MARENA_HAVE_MMAP_BACKEND
/* The mmap backend, with its Nth reserve or commit call failing. */
struct failing_mmap {
    size_t calls, fail_at;
};

static void *
failing_reserve(void *ctx, size_t size, size_t *granted)
{
    struct failing_mmap *failing = ctx;

    if (++failing->calls == failing->fail_at)
        return NULL;
    return marena_backend_mmap.reserve(NULL, size, granted);
}

static int
failing_commit(void *ctx, void *addr, size_t size)
{
    struct failing_mmap *failing = ctx;

    if (++failing->calls == failing->fail_at)
        return -1;
    return marena_backend_mmap.commit(NULL, addr, size);
}

static void
forward_decommit(void *ctx, void *addr, size_t size)
{
    (void)ctx;
    marena_backend_mmap.decommit(NULL, addr, size);
}

static void
forward_release(void *ctx, void *block, size_t size)
{
    (void)ctx;
    marena_backend_mmap.release(NULL, block, size);
}

static void *
no_acquire(void *ctx, size_t size, size_t *granted)
{
    (void)ctx;
    (void)size;
    (void)granted;
    return NULL;
}

static const marena_backend_t failing_mmap_backend = {
    .name = "failing-mmap",
    .acquire = no_acquire,
    .release = forward_release,
    .reserve = failing_reserve,
    .commit = failing_commit,
    .decommit = forward_decommit,
};

static void
test_commit_faults(const void *data)
{
    const size_t piece = 40000;

    (void)data;
    for (size_t n = 1;; n++) {
        struct failing_mmap failing = {0, n};
        marena_options_t options = {0};
        size_t nulls = 0;

        options.backend = &failing_mmap_backend;
        options.backend_ctx = &failing;
        options.block_size = (size_t)4 << 20;
        options.flags = MARENA_RESERVE;
        marena_t *arena = marena_create_ex(&options);
        if (arena == NULL) {
            test_assert_size(n, <=, 2); /* reserve, or the first commit */
            continue;
        }
        for (int i = 0; i < 20; i++) {
            size_t used = marena_used(arena);
            unsigned char *p = marena_alloc_aligned(arena, piece, 1);

            if (p == NULL) {
                nulls++;
                test_assert_size(marena_used(arena), ==, used);
            } else {
                p[0] = p[piece - 1] = 1;
            }
        }
        /* After a failed commit the arena goes on where it stood. */
        test_assert_size(marena_used(arena), ==, (20 - nulls) * piece);
        marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
        test_assert_nonnull(marena_alloc(arena, 16));
        marena_destroy(arena);
        if (failing.calls < n)
            break;
        test_assert_size(nulls, ==, n > 2 ? 1 : 0);
    }
}
#endif

/* ------------------------------------------------ the concurrent arena */

#if MARENA_HAVE_CONCURRENT
static void
test_concurrent_faults(const void *data)
{
    struct counting_backend counter;
    marena_options_t options = {0};

    (void)data;
    counting_init(&counter);
    counter.fail_at = 1;
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.block_size = 4096;
    test_assert_null(marena_concurrent_create(&options));
    test_assert_size(counter.out, ==, 0);
    counter.fail_at = 0;
    marena_concurrent_t *shared = marena_concurrent_create(&options);
    test_assert_nonnull(shared);
    test_assert_nonnull(marena_concurrent_alloc(shared, 100, 8));
    marena_concurrent_destroy(shared);
    test_assert_size(counter.out, ==, 0);
}
#endif

/* ------------------------------------------------ reservations */

/* A reservation that is not a multiple of MARENA_ALIGNMENT: its usable end
 * is aligned down, so the inline path never hands out memory past it, and
 * a request that fits exactly what is left, with no padding, succeeds
 * (commits take exactly what the request needs). */
static void
test_odd_reservation(const void *data)
{
    const size_t reserve = 2 * MARENA_COMMIT_STEP;

    (void)data;
    if (!pool_holds(reserve + 2 * MARENA_COMMIT_STEP))
        return;
    for (size_t extra = 0; extra < MARENA_ALIGNMENT; extra++) {
        struct reserving_backend reserving;
        marena_options_t options = {0};

        reserving_init(&reserving, extra);
        options.backend = &reserving_backend;
        options.backend_ctx = &reserving;
        options.block_size = reserve;
        options.flags = MARENA_RESERVE;
        marena_t *arena = marena_create_ex(&options);
        test_assert_nonnull(arena);
        uintptr_t end =
            (uintptr_t)reserving.counter.block + reserving.counter.granted + extra;
        unsigned char *p, *last = NULL;

        /* The inline path, a constant alignment, to the very end. */
        while ((p = marena_alloc(arena, MARENA_ALIGNMENT)) != NULL) {
            test_assert_addr(p + MARENA_ALIGNMENT, <=, end);
            last = p;
        }
        test_assert_nonnull(last);
        test_assert_size(marena_used(arena), <=, marena_capacity(arena));
        test_assert_size(marena_used(arena) + marena_remaining(arena), ==,
                         marena_capacity(arena));
        test_assert_size(end - (uintptr_t)(last + MARENA_ALIGNMENT), <, MARENA_ALIGNMENT);
        /* One byte more, if there is room, leaves the cursor unaligned:
         * the inline path must still stop at the end. */
        if ((p = marena_alloc_aligned(arena, 1, 1)) != NULL)
            test_assert_addr(p + 1, <=, end);
        if ((p = marena_alloc(arena, MARENA_ALIGNMENT)) != NULL)
            test_assert_addr(p + MARENA_ALIGNMENT, <=, end);

        /* Exactly what is left of the reservation, in one aligned request:
         * no padding is needed, so none is committed for. (The reset
         * decommits all but the first step.) */
        marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
        p = marena_alloc_aligned(arena, MARENA_ALIGNMENT, MARENA_ALIGNMENT);
        test_assert_nonnull(p);
        uintptr_t usable_end = end & ~(uintptr_t)(MARENA_ALIGNMENT - 1);
        size_t rest = (size_t)(usable_end - (uintptr_t)(p + MARENA_ALIGNMENT));
        unsigned char *q = marena_alloc_aligned(arena, rest, MARENA_ALIGNMENT);
        test_assert_addr(q, ==, p + MARENA_ALIGNMENT);
        test_assert_null(marena_alloc_aligned(arena, 1, 1));

        /* The same from an unaligned cursor: the padding is committed
         * for, and nothing more. */
        marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
        p = marena_alloc_aligned(arena, 1, 1);
        test_assert_nonnull(p);
        uintptr_t aligned = ((uintptr_t)p + 1 + MARENA_ALIGNMENT - 1) &
                            ~(uintptr_t)(MARENA_ALIGNMENT - 1);
        q = marena_alloc_aligned(arena, (size_t)(usable_end - aligned), MARENA_ALIGNMENT);
        test_assert_addr(q, ==, aligned);
        test_assert_null(marena_alloc_aligned(arena, 1, 1));
        marena_destroy(arena);
        test_assert_size(reserving.counter.out, ==, 0);
        test_assert_size(reserving.counter.mismatches, ==, 0);
    }
}

/* An alignment larger than the commit step: the request's padding is
 * committed for, however far the cursor stands from the next aligned
 * address (here just past one, so the padding is almost the alignment). */
static void
test_large_alignment_commit(const void *data)
{
    const size_t align = 4 * MARENA_COMMIT_STEP;
    const size_t reserve = 4 * align;
    struct reserving_backend reserving;
    marena_options_t options = {0};

    (void)data;
    if (!pool_holds(reserve + MARENA_COMMIT_STEP))
        return;
    reserving_init(&reserving, 0);
    options.backend = &reserving_backend;
    options.backend_ctx = &reserving;
    options.block_size = reserve;
    options.flags = MARENA_RESERVE;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    /* Move the cursor to 16 bytes past a multiple of align. */
    unsigned char *p = marena_alloc_aligned(arena, 1, 1);
    test_assert_nonnull(p);
    size_t past = (size_t)((uintptr_t)(p + 1) & (align - 1));
    size_t filler = (16 + align - past) & (align - 1);
    if (filler != 0)
        test_assert_nonnull(marena_alloc_aligned(arena, filler, 1));
    unsigned char *q = marena_alloc_aligned(arena, 100, align);
    test_assert_nonnull(q);
    test_assert(is_aligned(q, align));
    test_assert_addr(q, >, p + filler);
    test_assert_size((size_t)(q - (p + 1 + filler)), <, align);
    memset(q, 0x5a, 100);
    test_assert_size(reserving.committed, >=,
                     (size_t)(q + 100 - (unsigned char *)reserving.reservation));
    marena_destroy(arena);
    test_assert_size(reserving.counter.out, ==, 0);
}

int
main(int argc, char **argv)
{
    static const struct scenario scenarios[] = {
        {"growth", scenario_growth, 9 << 10},
        {"large", scenario_large, 27 << 10},
#if MARENA_HAVE_REALLOC
        {"realloc", scenario_realloc, 156 << 10},
#endif
#if MARENA_HAVE_STRINGS
        {"strings", scenario_strings, 18 << 10},
#endif
#if MARENA_HAVE_STDIO
        {"sprintf", scenario_sprintf, 9 << 10},
#endif
#if MARENA_HAVE_CLEANUPS
        {"cleanups", scenario_cleanups, (4 << 10) + 256},
#endif
    };

    test_init(&argc, &argv);
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        test_add(test_walk, &scenarios[i], "/faults/walk/%s", scenarios[i].name);
#if MARENA_HAVE_MMAP_BACKEND
    test_add(test_commit_faults, NULL, "/faults/walk/reserve-commit");
#endif
#if MARENA_HAVE_CONCURRENT
    test_add(test_concurrent_faults, NULL, "/faults/walk/concurrent");
#endif
    test_add(test_odd_reservation, NULL, "/faults/reserve/odd-size");
    test_add(test_large_alignment_commit, NULL, "/faults/reserve/large-alignment");
    return test_run();
}
