/* SPDX-License-Identifier: MIT */
/*
 * The arena kinds the suites run against, and the counting backend.
 *
 * The counting backend hands out blocks from a pool in this file with a
 * bump of its own (the pool starts over when no block is out), records
 * each block it has out, and can be told to fail, to grant short or to
 * misalign, so tests can walk every path a backend can take.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "subjects.h"

#if TEST_HAVE_VALGRIND
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#endif

#define POOL_SIZE ((size_t)TEST_POOL_SIZE)

static _Alignas(MARENA_ALIGNMENT) unsigned char counting_pool[POOL_SIZE];
static size_t counting_pool_used;   /* bump cursor; back to 0 when idle */
static size_t counting_pool_blocks; /* blocks out from the pool */

static _Alignas(MARENA_ALIGNMENT) unsigned char static_buffer[POOL_SIZE + 3];

unsigned char *
static_pool(size_t *size)
{
    *size = POOL_SIZE;
    return static_buffer + 3;
}

void
pool_skip(size_t bytes)
{
    char reason[80];

    snprintf(reason, sizeof reason, "needs %zu bytes, the test pools have %zu", bytes,
             POOL_SIZE);
    test_skip(reason);
}

void
counting_init(struct counting_backend *counter)
{
    memset(counter, 0, sizeof(*counter));
}

size_t
counting_bytes_out(const struct counting_backend *counter)
{
    return counter->bytes_acquired - counter->bytes_released;
}

static void *
counting_acquire(void *ctx, size_t size, size_t *granted)
{
    struct counting_backend *counter = ctx;
    size_t rounded = (size + MARENA_ALIGNMENT - 1) & ~(size_t)(MARENA_ALIGNMENT - 1);
    unsigned char *block;

    counter->calls++;
    if ((counter->fail_from != 0 && counter->calls >= counter->fail_from) ||
        counter->calls == counter->fail_at || counter->out == COUNTING_MAX_BLOCKS ||
        rounded < size || rounded + MARENA_ALIGNMENT > POOL_SIZE - counting_pool_used)
        return NULL;
    block = counting_pool + counting_pool_used + counter->misalignment;
    counting_pool_used += rounded + MARENA_ALIGNMENT;
    counting_pool_blocks++;

    counter->acquires++;
    counter->block = block;
    counter->granted = size - counter->shortfall;
    counter->bytes_acquired += counter->granted;
    counter->blocks[counter->out].block = block;
    counter->blocks[counter->out].size = counter->granted;
    counter->out++;
    *granted = counter->granted;
    return block;
}

static void
counting_release(void *ctx, void *block, size_t size)
{
    struct counting_backend *counter = ctx;
    size_t i;

    counter->releases++;
    counter->bytes_released += size;
    for (i = 0; i < counter->out; i++)
        if (counter->blocks[i].block == block && counter->blocks[i].size == size)
            break;
    if (i == counter->out) {
        counter->mismatches++;
        return;
    }
    counter->blocks[i] = counter->blocks[--counter->out];
    if (--counting_pool_blocks == 0)
        counting_pool_used = 0;
}

const marena_backend_t counting_backend = {
    .name = "counting",
    .acquire = counting_acquire,
    .release = counting_release,
};

const marena_backend_t counting_backend_without_release = {
    .name = "counting-without-release",
    .acquire = counting_acquire,
};

void
reserving_init(struct reserving_backend *reserving, size_t extra)
{
    memset(reserving, 0, sizeof(*reserving));
    reserving->extra = extra;
}

static void *
reserving_acquire(void *ctx, size_t size, size_t *granted)
{
    return counting_acquire(&((struct reserving_backend *)ctx)->counter, size, granted);
}

static void *
reserving_reserve(void *ctx, size_t size, size_t *granted)
{
    struct reserving_backend *reserving = ctx;
    void *block = counting_acquire(&reserving->counter, size, granted);

    if (block != NULL) {
        *granted += reserving->extra;
        reserving->reservation = block;
    }
    return block;
}

static int
reserving_commit(void *ctx, void *addr, size_t size)
{
    struct reserving_backend *reserving = ctx;

    (void)addr;
    if (++reserving->commits == reserving->fail_commit_at)
        return -1;
    reserving->committed += size;
    return 0;
}

static void
reserving_decommit(void *ctx, void *addr, size_t size)
{
    struct reserving_backend *reserving = ctx;

    (void)addr;
    reserving->decommits++;
    reserving->committed -= size;
}

/* A reservation comes back with its reserved size, which the counting
 * backend checks against what it granted; all of it is decommitted. */
static void
reserving_release(void *ctx, void *block, size_t size)
{
    struct reserving_backend *reserving = ctx;

    if (block == reserving->reservation) {
        reserving->reservation = NULL;
        reserving->committed = 0;
        size -= reserving->extra;
    }
    counting_release(&reserving->counter, block, size);
}

const marena_backend_t reserving_backend = {
    .name = "reserving",
    .acquire = reserving_acquire,
    .release = reserving_release,
    .reserve = reserving_reserve,
    .commit = reserving_commit,
    .decommit = reserving_decommit,
};

#if MARENA_HAVE_BACKENDS
static const marena_backend_t *
counting(void)
{
    return &counting_backend;
}

static const struct arena_kind counting_kind = {"counting", counting, NULL, 0};
#endif

#if MARENA_HAVE_HEAP_BACKEND
static const marena_backend_t *
heap(void)
{
    return &marena_backend_heap;
}

static const struct arena_kind heap_kind = {"heap", heap, NULL, 0};
#endif

#if MARENA_HAVE_MMAP_BACKEND
static const marena_backend_t *
mmap_pages(void)
{
    return &marena_backend_mmap;
}

static const struct arena_kind mmap_kind = {"mmap", mmap_pages, NULL, 0};
#endif

#if MARENA_HAVE_STATIC_BACKEND
static marena_t *
create_static(size_t capacity)
{
    size_t size;
    unsigned char *buffer = static_pool(&size);

    test_assert_size(capacity + MARENA_STATIC_OVERHEAD, <=, size);
    return marena_create_static(buffer, capacity + MARENA_STATIC_OVERHEAD);
}

static const struct arena_kind static_kind = {"static", NULL, create_static, 1};
#endif

#if MARENA_HAVE_DEFAULT_BACKEND
static marena_t *
create_default(size_t capacity)
{
    return marena_create(capacity);
}

static const struct arena_kind default_kind = {"default", NULL, create_default, 0};
#endif

const struct arena_kind *const arena_kinds[] = {
#if MARENA_HAVE_HEAP_BACKEND
    &heap_kind,
#endif
#if MARENA_HAVE_MMAP_BACKEND
    &mmap_kind,
#endif
#if MARENA_HAVE_STATIC_BACKEND
    &static_kind,
#endif
#if MARENA_HAVE_DEFAULT_BACKEND
    &default_kind,
#endif
#if MARENA_HAVE_BACKENDS
    &counting_kind,
#endif
    NULL,
};

void
subject_open(struct subject *subject, const struct arena_kind *kind, size_t capacity)
{
    memset(subject, 0, sizeof(*subject));
    subject->kind = kind;
#if MARENA_HAVE_BACKENDS
    subject->arena =
        kind->create != NULL
            ? kind->create(capacity)
            : marena_create_with(kind_backend(kind), &subject->counter, capacity);
#else
    subject->arena = kind->create(capacity);
#endif
    test_assert_nonnull(subject->arena);
}

void
subject_open_ex(struct subject *subject, const struct arena_kind *kind,
                marena_options_t options)
{
    size_t size;

    memset(subject, 0, sizeof(*subject));
    subject->kind = kind;
    options.backend = kind_backend(kind);
    options.backend_ctx = &subject->counter;
    if (kind->buffered) {
        size_t block_size =
            options.block_size != 0 ? options.block_size : MARENA_DEFAULT_BLOCK_SIZE;

        options.buffer = static_pool(&size);
        options.buffer_size = block_size + MARENA_STATIC_OVERHEAD;
        test_assert_size(options.buffer_size, <=, size);
        options.backend = &counting_backend;
    }
    subject->arena = marena_create_ex(&options);
    test_assert_nonnull(subject->arena);
}

void
subject_close(struct subject *subject)
{
    marena_destroy(subject->arena);
    subject->arena = NULL;
    test_assert_size(subject->counter.releases, ==, subject->counter.acquires);
    test_assert_size(subject->counter.bytes_released, ==,
                     subject->counter.bytes_acquired);
    test_assert_size(subject->counter.mismatches, ==, 0);
    test_assert_size(subject->counter.out, ==, 0);
}

void
test_add_per_kind(const struct test_case *cases, size_t count)
{
    for (size_t k = 0; arena_kinds[k] != NULL; k++)
        for (size_t i = 0; i < count; i++)
            test_add(cases[i].fn, arena_kinds[k], "/%s/%s", arena_kinds[k]->name,
                     cases[i].path);
}

struct snapshot
snapshot_of(const marena_t *arena)
{
    struct snapshot s = {
        marena_used(arena),
        marena_remaining(arena),
        marena_capacity(arena),
    };
    return s;
}

void
assert_unchanged(const marena_t *arena, struct snapshot before)
{
    test_assert_size(marena_used(arena), ==, before.used);
    test_assert_size(marena_remaining(arena), ==, before.remaining);
    test_assert_size(marena_capacity(arena), ==, before.capacity);
}

#if MARENA_HAVE_STATS
marena_stats_t
stats_of(const marena_t *arena)
{
    marena_stats_t stats;

    marena_stats(arena, &stats);
    return stats;
}
#endif

int
is_aligned(const void *p, size_t align)
{
    return (uintptr_t)p % align == 0;
}

int
under_valgrind(void)
{
#if TEST_HAVE_VALGRIND
    return RUNNING_ON_VALGRIND != 0;
#else
    return 0;
#endif
}

void
inspect_bytes(const void *p, size_t size)
{
#if TEST_HAVE_VALGRIND
    (void)VALGRIND_MAKE_MEM_DEFINED(p, size);
#else
    (void)p;
    (void)size;
#endif
}

void
assert_misuse(const char *pattern)
{
#if MARENA_HAVE_STDIO
    test_assert_child_aborted(pattern);
#else
    (void)pattern;
    test_assert_child_aborted("*");
#endif
}
