/* SPDX-License-Identifier: MIT */
/*
 * Cleanups (paths /cleanups/<case>): marena_add_cleanup() registers a call
 * that marena_reset(), marena_rewind() to an earlier mark (and so
 * marena_scope_end()) and marena_destroy() make, newest first, each once.
 *
 * Every cleanup appends its id to a log, so a test compares the order the
 * calls came in with the order it expects. Arenas come from the counting
 * backend, which works in every build and reports leaks at close.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#define CAPACITY 4096u
#define MAX_CALLS 256

/* The ids of the cleanups that ran, in the order they ran. */
struct log {
    int ids[MAX_CALLS];
    size_t count;
};

/* What a cleanup is registered with: its log and its id. */
struct entry {
    struct log *log;
    int id;
};

static void
record(void *data)
{
    struct entry *entry = data;

    test_assert_size(entry->log->count, <, MAX_CALLS);
    entry->log->ids[entry->log->count++] = entry->id;
}

/* Asserts that exactly `count` cleanups ran, with these ids in this order. */
static void
assert_log(const struct log *log, const int *ids, size_t count)
{
    test_assert_size(log->count, ==, count);
    for (size_t i = 0; i < count; i++)
        test_assert_size((size_t)log->ids[i], ==, (size_t)ids[i]);
}

#define ASSERT_LOG(log, ...) \
    do { \
        static const int want_[] = {__VA_ARGS__}; \
        assert_log((log), want_, sizeof(want_) / sizeof(want_[0])); \
    } while (0)

static void
log_init(struct log *log, struct entry *entries, size_t count)
{
    memset(log, 0, sizeof(*log));
    for (size_t i = 0; i < count; i++) {
        entries[i].log = log;
        entries[i].id = (int)i;
    }
}

static marena_t *
open_fixed(struct counting_backend *counter, size_t capacity)
{
    marena_t *arena;

    counting_init(counter);
    arena = marena_create_with(&counting_backend, counter, capacity);
    test_assert_nonnull(arena);
    return arena;
}

/* A growing arena of 256-byte first block on the counting backend, whose
 * settings (fail_from) the caller has made after counting_init(). */
static marena_t *
open_growing(struct counting_backend *counter)
{
    marena_options_t options = {0};
    marena_t *arena;

    options.backend = &counting_backend;
    options.backend_ctx = counter;
    options.block_size = 256;
    options.flags = MARENA_GROW;
    arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    return arena;
}

static void
close_arena(marena_t *arena, const struct counting_backend *counter)
{
    marena_destroy(arena);
    test_assert_size(counter->releases, ==, counter->acquires);
    test_assert_size(counter->bytes_released, ==, counter->bytes_acquired);
    test_assert_size(counter->mismatches, ==, 0);
    test_assert_size(counter->out, ==, 0);
}

static void
test_reset_order(const void *data)
{
    struct counting_backend counter;
    struct entry entries[6];
    struct log log;
    marena_t *arena;

    (void)data;
    log_init(&log, entries, 6);
    arena = open_fixed(&counter, CAPACITY);
    for (int i = 1; i <= 5; i++) {
        test_assert_nonnull(marena_alloc(arena, (size_t)i * 10));
        test_assert_size(marena_add_cleanup(arena, record, &entries[i]), ==, 0);
    }
    test_assert_size(log.count, ==, 0); /* nothing runs early */

    marena_reset(arena);
    ASSERT_LOG(&log, 5, 4, 3, 2, 1);
    test_assert_size(marena_used(arena), ==, 0);

    /* Each ran once: another reset, and destroy, run nothing more. */
    marena_reset(arena);
    ASSERT_LOG(&log, 5, 4, 3, 2, 1);
    close_arena(arena, &counter);
    ASSERT_LOG(&log, 5, 4, 3, 2, 1);
}

/* marena_reset_ex() runs them too, whatever it retains. */
static void
test_reset_ex(const void *data)
{
    static const marena_retain_t retains[] = {
        MARENA_RETAIN_FIRST,
        MARENA_RETAIN_ALL,
        MARENA_RETAIN_BYTES,
    };
    struct counting_backend counter;
    struct entry entries[3];
    struct log log;
    marena_t *arena;

    (void)data;
    log_init(&log, entries, 3);
    arena = open_fixed(&counter, CAPACITY);
    for (size_t r = 0; r < sizeof(retains) / sizeof(retains[0]); r++) {
        log.count = 0;
        test_assert_size(marena_add_cleanup(arena, record, &entries[1]), ==, 0);
        test_assert_size(marena_add_cleanup(arena, record, &entries[2]), ==, 0);
        marena_reset_ex(arena, retains[r], 1 << 20);
        ASSERT_LOG(&log, 2, 1);
    }
    close_arena(arena, &counter);
    test_assert_size(log.count, ==, 2);
}

/* The same function and data registered twice run twice. */
static void
test_registered_twice(const void *data)
{
    struct counting_backend counter;
    struct entry entries[2];
    struct log log;
    marena_t *arena;

    (void)data;
    log_init(&log, entries, 2);
    arena = open_fixed(&counter, CAPACITY);
    test_assert_size(marena_add_cleanup(arena, record, &entries[1]), ==, 0);
    test_assert_size(marena_add_cleanup(arena, record, &entries[0]), ==, 0);
    test_assert_size(marena_add_cleanup(arena, record, &entries[1]), ==, 0);
    marena_reset(arena);
    ASSERT_LOG(&log, 1, 0, 1);
    close_arena(arena, &counter);
    test_assert_size(log.count, ==, 3);
}

/* A rewind runs only the cleanups registered since its mark, newest first;
 * the older ones wait for destroy. */
static void
test_rewind(const void *data)
{
    struct counting_backend counter;
    struct entry entries[8];
    struct log log;
    marena_t *arena;
    marena_mark_t mark;
    size_t used;

    (void)data;
    log_init(&log, entries, 8);
    arena = open_fixed(&counter, CAPACITY);
    test_assert_size(marena_add_cleanup(arena, record, &entries[1]), ==, 0);
    test_assert_nonnull(marena_alloc(arena, 100));
    test_assert_size(marena_add_cleanup(arena, record, &entries[2]), ==, 0);

    mark = marena_mark(arena);
    used = marena_used(arena);
    /* Registered right at the mark: it is since the mark, so it runs. */
    test_assert_size(marena_add_cleanup(arena, record, &entries[3]), ==, 0);
    test_assert_nonnull(marena_alloc_aligned(arena, 7, 1));
    test_assert_size(marena_add_cleanup(arena, record, &entries[4]), ==, 0);
    test_assert_size(marena_add_cleanup(arena, record, &entries[5]), ==, 0);
    test_assert_nonnull(marena_alloc(arena, 50));

    marena_rewind(arena, mark);
    ASSERT_LOG(&log, 5, 4, 3);
    test_assert_size(marena_used(arena), ==, used);

    /* A mark taken after every registration: rewinding to it runs none. */
    test_assert_size(marena_add_cleanup(arena, record, &entries[6]), ==, 0);
    mark = marena_mark(arena);
    test_assert_nonnull(marena_alloc(arena, 64));
    marena_rewind(arena, mark);
    ASSERT_LOG(&log, 5, 4, 3);

    /* Destroy runs the rest, newest first. */
    close_arena(arena, &counter);
    ASSERT_LOG(&log, 5, 4, 3, 6, 2, 1);
}

/* Rewinds to nested marks peel the cleanups off in layers. */
static void
test_rewind_nested(const void *data)
{
    struct counting_backend counter;
    struct entry entries[7];
    struct log log;
    marena_t *arena;
    marena_mark_t marks[3];

    (void)data;
    log_init(&log, entries, 7);
    arena = open_fixed(&counter, CAPACITY);
    for (int i = 0; i < 3; i++) {
        marks[i] = marena_mark(arena);
        test_assert_size(marena_add_cleanup(arena, record, &entries[2 * i + 1]), ==, 0);
        test_assert_size(marena_add_cleanup(arena, record, &entries[2 * i + 2]), ==, 0);
    }
    marena_rewind(arena, marks[2]);
    ASSERT_LOG(&log, 6, 5);
    marena_rewind(arena, marks[1]);
    ASSERT_LOG(&log, 6, 5, 4, 3);
    marena_rewind(arena, marks[0]);
    ASSERT_LOG(&log, 6, 5, 4, 3, 2, 1);
    test_assert_size(marena_used(arena), ==, 0);
    close_arena(arena, &counter);
    test_assert_size(log.count, ==, 6);
}

/* Many cleanups in a growing arena span several blocks; a rewind to a mark
 * in the middle still runs exactly those registered after it. */
static void
test_rewind_growing(const void *data)
{
    enum { COUNT = 200, MIDDLE = 120 };
    static struct entry entries[COUNT];
    static struct log log;
    struct counting_backend counter;
    marena_t *arena;
    marena_mark_t mark = {0};
    marena_stats_t stats;

    if (!pool_holds(17 << 10))
        return;
    (void)data;
    log_init(&log, entries, COUNT);
    counting_init(&counter);
    arena = open_growing(&counter);
    for (int i = 0; i < COUNT; i++) {
        if (i == MIDDLE)
            mark = marena_mark(arena);
        test_assert_nonnull(marena_alloc_aligned(arena, 1 + (size_t)i % 40, 1));
        test_assert_size(marena_add_cleanup(arena, record, &entries[i]), ==, 0);
    }
    marena_stats(arena, &stats);
    test_assert_size(stats.blocks, >, 3);

    marena_rewind(arena, mark);
    test_assert_size(log.count, ==, COUNT - MIDDLE);
    for (size_t i = 0; i < log.count; i++)
        test_assert_size((size_t)log.ids[i], ==, COUNT - 1 - i);

    marena_reset(arena);
    test_assert_size(log.count, ==, COUNT);
    for (size_t i = 0; i < COUNT; i++)
        test_assert_size((size_t)log.ids[i], ==, COUNT - 1 - i);
    close_arena(arena, &counter);
    test_assert_size(log.count, ==, COUNT);
}

static void
test_destroy_order(const void *data)
{
    struct counting_backend counter;
    struct entry entries[5];
    struct log log;
    marena_t *arena;

    (void)data;
    log_init(&log, entries, 5);
    arena = open_fixed(&counter, CAPACITY);
    for (int i = 1; i <= 4; i++) {
        test_assert_size(marena_add_cleanup(arena, record, &entries[i]), ==, 0);
        test_assert_nonnull(marena_strdup(arena, "between"));
    }
    close_arena(arena, &counter);
    ASSERT_LOG(&log, 4, 3, 2, 1);
}

#if MARENA_HAVE_STATIC_BACKEND
/* In a caller's buffer as well: destroy runs them, and (release builds) a
 * stale handle to the destroyed arena runs nothing again. */
static void
test_destroy_static(const void *data)
{
    static unsigned char buffer[MARENA_STATIC_OVERHEAD + 1024];
    struct entry entries[3];
    struct log log;
    marena_t *arena;

    (void)data;
    log_init(&log, entries, 3);
    arena = marena_create_static(buffer, sizeof(buffer));
    test_assert_nonnull(arena);
    test_assert_size(marena_add_cleanup(arena, record, &entries[1]), ==, 0);
    test_assert_size(marena_add_cleanup(arena, record, &entries[2]), ==, 0);
    marena_destroy(arena);
    ASSERT_LOG(&log, 2, 1);
#if !MARENA_DEBUG /* debug builds abort instead: test-misuse.c */
    test_assert_size(marena_add_cleanup(arena, record, &entries[0]), ==, -1);
    marena_reset(arena);
    marena_destroy(arena);
    ASSERT_LOG(&log, 2, 1);
#endif
}
#endif

static void
test_bad_input(const void *data)
{
    struct counting_backend counter;
    struct entry entries[1];
    struct log log;
    marena_t *arena;
    size_t used, remaining;

    (void)data;
    log_init(&log, entries, 1);
    test_assert_size(marena_add_cleanup(NULL, record, &entries[0]), ==, -1);
    test_assert_size(marena_add_cleanup(NULL, NULL, NULL), ==, -1);

    arena = open_fixed(&counter, CAPACITY);
    test_assert_nonnull(marena_alloc(arena, 16));
    used = marena_used(arena);
    remaining = marena_remaining(arena);
    test_assert_size(marena_add_cleanup(arena, NULL, &entries[0]), ==, -1);
    test_assert_size(marena_add_cleanup(arena, NULL, NULL), ==, -1);
    test_assert_size(marena_used(arena), ==, used);
    test_assert_size(marena_remaining(arena), ==, remaining);

    /* NULL data is fine: only fn is required. */
    marena_reset(arena);
    test_assert_size(log.count, ==, 0);
    close_arena(arena, &counter);
    test_assert_size(log.count, ==, 0);
}

/* No room for the record: -1, nothing registered, the arena unchanged. */
static void
test_full_arena(const void *data)
{
    struct counting_backend counter;
    struct entry entries[3];
    struct log log;
    marena_t *arena;
    size_t used, remaining;

    (void)data;
    log_init(&log, entries, 3);
    arena = open_fixed(&counter, CAPACITY);
    test_assert_size(marena_add_cleanup(arena, record, &entries[1]), ==, 0);

    /* Completely full. */
    test_assert_nonnull(marena_alloc_aligned(arena, marena_remaining(arena), 1));
    used = marena_used(arena);
    test_assert_size(marena_add_cleanup(arena, record, &entries[2]), ==, -1);
    test_assert_size(marena_used(arena), ==, used);
    test_assert_size(marena_remaining(arena), ==, 0);
    marena_reset(arena);
    ASSERT_LOG(&log, 1);

    /* A few bytes left, fewer than a record takes. */
    test_assert_nonnull(marena_alloc_aligned(arena, marena_remaining(arena) - 3, 1));
    used = marena_used(arena);
    remaining = marena_remaining(arena);
    test_assert_size(remaining, ==, 3);
    test_assert_size(marena_add_cleanup(arena, record, &entries[2]), ==, -1);
    test_assert_size(marena_used(arena), ==, used);
    test_assert_size(marena_remaining(arena), ==, remaining);
    marena_reset(arena);
    ASSERT_LOG(&log, 1);
    close_arena(arena, &counter);
    ASSERT_LOG(&log, 1);
}

/* A growing arena whose backend fails: no record, nothing registered. */
static void
test_backend_fails(const void *data)
{
    struct counting_backend counter;
    struct entry entries[3];
    struct log log;
    marena_t *arena;
    size_t used;

    (void)data;
    log_init(&log, entries, 3);
    counting_init(&counter);
    counter.fail_from = 2; /* the first block only */
    arena = open_growing(&counter);
    test_assert_size(marena_add_cleanup(arena, record, &entries[1]), ==, 0);
    test_assert_nonnull(marena_alloc_aligned(arena, marena_remaining(arena), 1));
    used = marena_used(arena);
    test_assert_size(marena_add_cleanup(arena, record, &entries[2]), ==, -1);
    test_assert_size(counter.calls, ==, 2); /* it did ask */
    test_assert_size(marena_used(arena), ==, used);
    test_assert_size(marena_remaining(arena), ==, 0);
    marena_reset(arena);
    ASSERT_LOG(&log, 1);
    close_arena(arena, &counter);
    ASSERT_LOG(&log, 1);
}

#if MARENA_HAVE_REALLOC
/* A cleanup whose record went to another block (here: a spare, because
 * the limit leaves no room for a new ordinary block) stays registered
 * when marena_pop() takes back the allocation before it in the current
 * block: used falls below where the cleanup was registered. A mark taken
 * after that is newer than the cleanup, so rewinding to it must not run
 * the cleanup (the library once compared positions only, and ran it). */
static void
test_rewind_after_pop(const void *data)
{
    enum { ID = 7 };
    static struct entry entries[ID + 1];
    static struct log log;
    struct counting_backend counter;
    marena_stats_t stats;
    marena_mark_t mark;
    marena_t *arena;
    unsigned char *p;

    (void)data;
    log_init(&log, entries, ID + 1);
    counting_init(&counter);
    arena = open_growing(&counter);
    /* Spares: an ordinary block and one of its own, kept by the reset. */
    test_assert_nonnull(marena_alloc_aligned(arena, 256, 1));
    test_assert_nonnull(marena_alloc_aligned(arena, 1000, 1));
    test_assert_nonnull(marena_alloc_aligned(arena, 400, 1));
    marena_reset_ex(arena, MARENA_RETAIN_ALL, 0);
    marena_stats(arena, &stats);
    test_assert_size(stats.spare_blocks, ==, 2);

    p = marena_alloc_aligned(arena, 256, 1); /* fills the first block */
    test_assert_nonnull(p);
    test_assert_size(marena_set_limit(arena, stats.backend_bytes), ==, 0);
    test_assert_size(marena_add_cleanup(arena, record, &entries[ID]), ==, 0);
    test_assert_size(marena_remaining(arena), ==, 0); /* the record went elsewhere */
    test_assert_size(marena_pop(arena, p, 256), ==, 1);
    mark = marena_mark(arena);
    test_assert_nonnull(marena_alloc_aligned(arena, 100, 1));
    marena_rewind(arena, mark);
    test_assert_size(log.count, ==, 0);
    marena_reset(arena);
    ASSERT_LOG(&log, ID);
    close_arena(arena, &counter);
}
#endif

/* A scope runs the cleanups registered inside it when it ends; those
 * registered before it wait. */
static void
test_scope(const void *data)
{
    struct counting_backend counter;
    struct entry entries[6];
    struct log log;
    marena_t *arena;
    marena_scope_t outer, inner;
    size_t used;

    (void)data;
    log_init(&log, entries, 6);
    arena = open_fixed(&counter, CAPACITY);
    test_assert_size(marena_add_cleanup(arena, record, &entries[1]), ==, 0);

    outer = marena_scope_begin(arena);
    used = marena_used(arena);
    test_assert_size(marena_add_cleanup(arena, record, &entries[2]), ==, 0);
    inner = marena_scope_begin(arena);
    test_assert_nonnull(marena_alloc(arena, 40));
    test_assert_size(marena_add_cleanup(arena, record, &entries[3]), ==, 0);
    test_assert_size(marena_add_cleanup(arena, record, &entries[4]), ==, 0);
    marena_scope_end(inner);
    ASSERT_LOG(&log, 4, 3);

    test_assert_size(marena_add_cleanup(arena, record, &entries[5]), ==, 0);
    marena_scope_end(outer);
    ASSERT_LOG(&log, 4, 3, 5, 2);
    test_assert_size(marena_used(arena), ==, used);

    /* A scope with no arena runs nothing. */
    marena_scope_end(marena_scope_begin(NULL));
    ASSERT_LOG(&log, 4, 3, 5, 2);

    close_arena(arena, &counter);
    ASSERT_LOG(&log, 4, 3, 5, 2, 1);
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_reset_order, NULL, "/cleanups/reset-order");
    test_add(test_reset_ex, NULL, "/cleanups/reset-ex");
    test_add(test_registered_twice, NULL, "/cleanups/registered-twice");
    test_add(test_rewind, NULL, "/cleanups/rewind");
    test_add(test_rewind_nested, NULL, "/cleanups/rewind-nested");
    test_add(test_rewind_growing, NULL, "/cleanups/rewind-growing");
    test_add(test_destroy_order, NULL, "/cleanups/destroy-order");
#if MARENA_HAVE_STATIC_BACKEND
    test_add(test_destroy_static, NULL, "/cleanups/destroy-static");
#endif
    test_add(test_bad_input, NULL, "/cleanups/bad-input");
    test_add(test_full_arena, NULL, "/cleanups/full-arena");
    test_add(test_backend_fails, NULL, "/cleanups/backend-fails");
    test_add(test_scope, NULL, "/cleanups/scope");
#if MARENA_HAVE_REALLOC
    test_add(test_rewind_after_pop, NULL, "/cleanups/rewind-after-pop");
#endif
    return test_run();
}
