/* SPDX-License-Identifier: MIT */
/*
 * Creating and destroying arenas, and the backend contract as the core
 * sees it: what is asked of acquire, what goes back through release, and
 * that a failure anywhere leaks nothing. Also the NULL-arena answers.
 */
#include <stdint.h>

#include "harness.h"
#include "subjects.h"

/* Everything but the NULL answers needs backends (a static-only build
 * without custom_backends has none). */
#if MARENA_HAVE_BACKENDS
static void
assert_nothing_out(const struct counting_backend *counter)
{
    test_assert_size(counter->bytes_released, ==, counter->bytes_acquired);
    test_assert_size(counter->releases, ==, counter->acquires);
    test_assert_size(counter->mismatches, ==, 0);
}

static void
test_zero_capacity(const void *data)
{
    struct counting_backend counter;

    (void)data;
    counting_init(&counter);
    test_assert_null(marena_create_with(&counting_backend, &counter, 0));
    test_assert_size(counter.acquires, ==, 0);
#if MARENA_HAVE_DEFAULT_BACKEND
    test_assert_null(marena_create(0));
#endif
#if MARENA_HAVE_HEAP_BACKEND
    test_assert_null(marena_create_with(&marena_backend_heap, NULL, 0));
#endif
#if MARENA_HAVE_MMAP_BACKEND
    test_assert_null(marena_create_with(&marena_backend_mmap, NULL, 0));
#endif
}

/* Capacities whose block (capacity + control block) would overflow size_t
 * or exceed PTRDIFF_MAX are refused before any backend is called. */
static void
test_capacity_overflow(const void *data)
{
    static const size_t capacities[] = {
        SIZE_MAX,
        SIZE_MAX - 1,
        SIZE_MAX - 64,
        SIZE_MAX - MARENA_CONTROL_SIZE,
        SIZE_MAX - MARENA_CONTROL_SIZE + 1,
        (size_t)PTRDIFF_MAX,
        MARENA_MAX_CAPACITY + 1,
    };
    struct counting_backend counter;

    (void)data;
    counting_init(&counter);
    for (size_t i = 0; i < sizeof(capacities) / sizeof(capacities[0]); i++) {
        test_assert_null(marena_create_with(&counting_backend, &counter, capacities[i]));
#if MARENA_HAVE_DEFAULT_BACKEND
        test_assert_null(marena_create(capacities[i]));
#endif
    }
    test_assert_size(counter.acquires, ==, 0);
    /* The largest capacity that does not overflow reaches the backend,
     * which cannot serve it. */
    test_assert_null(
        marena_create_with(&counting_backend, &counter, MARENA_MAX_CAPACITY));
    assert_nothing_out(&counter);
}

static void
test_acquire_fails(const void *data)
{
    struct counting_backend counter;

    (void)data;
    counting_init(&counter);
    counter.fail_from = 1;
    test_assert_null(marena_create_with(&counting_backend, &counter, 100));
    test_assert_size(counter.acquires, ==, 0);
    test_assert_size(counter.releases, ==, 0);
}

/* A backend that grants less than it was asked for is not trusted: the
 * block goes straight back, with the size that was granted. */
static void
test_short_grant(const void *data)
{
    struct counting_backend counter;

    (void)data;
    counting_init(&counter);
    counter.shortfall = 1;
    test_assert_null(marena_create_with(&counting_backend, &counter, 100));
    test_assert_size(counter.acquires, ==, 1);
    test_assert_size(counter.releases, ==, 1);
    assert_nothing_out(&counter);
}

/* Nor is a block that is not aligned to MARENA_ALIGNMENT. */
static void
test_misaligned_block(const void *data)
{
    struct counting_backend counter;

    (void)data;
    counting_init(&counter);
    counter.misalignment = 1;
    test_assert_null(marena_create_with(&counting_backend, &counter, 100));
    test_assert_size(counter.acquires, ==, 1);
    test_assert_size(counter.releases, ==, 1);
    assert_nothing_out(&counter);
}

static void *
never_reserve(void *ctx, size_t size, size_t *granted)
{
    (void)ctx, (void)size, (void)granted;
    test_assert_message(0, "an invalid backend was called");
    return NULL;
}

/* A backend without acquire, or with only some of reserve, commit and
 * decommit, is refused on every path before anything is called: also for
 * a caller's buffer that would grow into it (whose first growth would
 * otherwise call a NULL function). */
static void
test_bad_backend(const void *data)
{
    static const marena_backend_t no_acquire = {.name = "no-acquire"};
    static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_STATIC_OVERHEAD + 256];
    struct counting_backend counter;
    marena_backend_t partial = counting_backend;
    marena_options_t options = {0};

    (void)data;
    counting_init(&counter);
    test_assert_null(marena_create_with(NULL, NULL, 100));
    test_assert_null(marena_create_with(&no_acquire, NULL, 100));
    partial.reserve = never_reserve;
    test_assert_null(marena_create_with(&partial, &counter, 100));
    options.backend = &no_acquire;
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    options.flags = MARENA_GROW;
    test_assert_null(marena_create_ex(&options));
    options.flags = 0;
    test_assert_null(marena_create_ex(&options));
    options.backend = &partial;
    options.backend_ctx = &counter;
    options.flags = MARENA_GROW;
    test_assert_null(marena_create_ex(&options));
    options.buffer = NULL;
    options.buffer_size = 0;
    test_assert_null(marena_create_ex(&options));
    test_assert_size(counter.calls, ==, 0);
}

/* A backend that lies about its grant: a block far larger than C allows
 * an object to be, or one that wraps the address space (its block a fake
 * address near the top: the arena must refuse it before touching it). */
struct liar {
    void *block;
    size_t granted;
    void *released;
    size_t released_size;
    void *honest; /* non-NULL: the first acquire gets this, truthfully */
};

static void *
lie_acquire(void *ctx, size_t size, size_t *granted)
{
    struct liar *liar = ctx;
    void *honest = liar->honest;

    if (honest != NULL) {
        liar->honest = NULL;
        *granted = size;
        return honest;
    }
    *granted = liar->granted;
    return liar->block;
}

static void
lie_release(void *ctx, void *block, size_t size)
{
    struct liar *liar = ctx;

    liar->released = block;
    liar->released_size = size;
}

static const marena_backend_t lying_backend = {
    .name = "liar",
    .acquire = lie_acquire,
    .release = lie_release,
};

static void
test_lying_grants(const void *data)
{
    static _Alignas(MARENA_ALIGNMENT) unsigned char block[1024];
    const uintptr_t top = UINTPTR_MAX - 4095;
    struct liar lies[] = {
        {block, (size_t)PTRDIFF_MAX + 1, NULL, 0, NULL},
        {block, SIZE_MAX, NULL, 0, NULL},
        {(void *)top, 8192, NULL, 0, NULL},
        {(void *)top, 4096, NULL, 0, NULL},
    };

    (void)data;
    for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
        test_assert_null(marena_create_with(&lying_backend, &lies[i], 100));
        test_assert_addr(lies[i].released, ==, lies[i].block);
        test_assert_size(lies[i].released_size, ==, lies[i].granted);
    }
#if MARENA_HAVE_GROWTH
    /* The same lies when a growing arena asks for its second block. */
    static _Alignas(MARENA_ALIGNMENT) unsigned char first[MARENA_CONTROL_SIZE + 256];
    for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
        marena_options_t options = {0};

        lies[i].honest = first;
        lies[i].released = NULL;
        options.backend = &lying_backend;
        options.backend_ctx = &lies[i];
        options.block_size = 256;
        options.flags = MARENA_GROW;
        marena_t *arena = marena_create_ex(&options);
        test_assert_nonnull(arena);
        test_assert_null(marena_alloc(arena, 1000));
        test_assert_addr(lies[i].released, ==, lies[i].block);
        test_assert_size(marena_capacity(arena), ==, 256);
        marena_destroy(arena);
        test_assert_addr(lies[i].released, ==, first);
    }
#endif
}

#if MARENA_HAVE_GROWTH
/* The contract's largest block is PTRDIFF_MAX bytes: a grant of exactly
 * that is kept. The backend says so of a
 * small real buffer, whose start alone is used. (Where the tools track
 * arenas, the whole block would be poisoned: skipped there.) */
static void
test_largest_grant(const void *data)
{
    static _Alignas(MARENA_ALIGNMENT) unsigned char first[MARENA_CONTROL_SIZE + 256];
    static _Alignas(
        MARENA_ALIGNMENT) unsigned char block[1280]; /* small: Cortex-M0 RAM */
    struct liar liar = {block, (size_t)PTRDIFF_MAX, NULL, 0, first};
    marena_options_t options = {0};

    (void)data;
    if (TEST_ASAN || under_valgrind()) {
        test_skip("tracked arenas poison the whole block");
        return;
    }
    /* In a 32-bit process the buffer may lie above 2 GiB (where ASLR put
     * it), where such a grant would wrap the address space, and is
     * refused as it should be. */
    if ((uintptr_t)block > UINTPTR_MAX - (uintptr_t)PTRDIFF_MAX) {
        test_skip("the buffer lies where a PTRDIFF_MAX grant would wrap");
        return;
    }
    options.backend = &lying_backend;
    options.backend_ctx = &liar;
    options.block_size = 256;
    options.flags = MARENA_GROW;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    unsigned char *p = marena_alloc(arena, 1000);
    test_assert_nonnull(p);
    test_assert_addr(p, >, block);
    test_assert_addr(p + 1000, <=, block + sizeof(block));
    test_assert_null(liar.released);
    test_assert_size(marena_capacity(arena), >, (size_t)PTRDIFF_MAX / 2);
    marena_destroy(arena);
    test_assert_addr(liar.released, ==, first);
}
#endif

/* What acquire is asked for: the capacity rounded up to MARENA_ALIGNMENT
 * (ends stay aligned) plus the control block; what the arena offers:
 * everything granted minus the control block. */
static void
test_block_size(const void *data)
{
    struct counting_backend counter;
    marena_t *arena;

    (void)data;
    counting_init(&counter);
    arena = marena_create_with(&counting_backend, &counter, 1000);
    test_assert_nonnull(arena);
    const size_t rounded =
        (1000 + MARENA_ALIGNMENT - 1) / MARENA_ALIGNMENT * MARENA_ALIGNMENT;
    test_assert_size(counter.granted, ==, rounded + MARENA_CONTROL_SIZE);
    test_assert_size(marena_capacity(arena), ==, rounded);
    /* The control block is inside the block, at its start. */
    test_assert_addr(arena, ==, counter.block);
    marena_destroy(arena);
    test_assert_size(counter.releases, ==, 1);
    assert_nothing_out(&counter);
}

static void
test_without_release(const void *data)
{
    struct counting_backend counter;
    marena_t *arena;

    (void)data;
    counting_init(&counter);
    arena = marena_create_with(&counting_backend_without_release, &counter, 64);
    test_assert_nonnull(arena);
    test_assert_nonnull(marena_alloc(arena, 64));
    marena_destroy(arena);
    test_assert_size(counter.releases, ==, 0);
}

/* Two arenas on one backend, each with its own context, do not interfere. */
static void
test_two_arenas(const void *data)
{
    struct counting_backend first_counter, second_counter;
    marena_t *first, *second;

    (void)data;
    counting_init(&first_counter);
    counting_init(&second_counter);
    first = marena_create_with(&counting_backend, &first_counter, 256);
    second = marena_create_with(&counting_backend, &second_counter, 512);
    test_assert_nonnull(first);
    test_assert_nonnull(second);
    test_assert_nonnull(marena_alloc(first, 100));
    test_assert_size(marena_used(second), ==, 0);
    marena_reset(second);
    test_assert_size(marena_used(first), >=, 100);
    marena_destroy(first);
    test_assert_size(marena_capacity(second), ==, 512);
    marena_destroy(second);
    assert_nothing_out(&first_counter);
    assert_nothing_out(&second_counter);
}
#endif /* MARENA_HAVE_BACKENDS */

static void
test_null_arena(const void *data)
{
    (void)data;
    test_assert_null(marena_alloc(NULL, 8));
    test_assert_null(marena_alloc_aligned(NULL, 8, 8));
    test_assert_null(marena_calloc(NULL, 1, 8));
    test_assert_size(marena_used(NULL), ==, 0);
    test_assert_size(marena_remaining(NULL), ==, 0);
    test_assert_size(marena_capacity(NULL), ==, 0);
    marena_reset(NULL);
    marena_destroy(NULL);
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
#if MARENA_HAVE_BACKENDS
    test_add(test_zero_capacity, NULL, "/create/capacity/zero");
    test_add(test_capacity_overflow, NULL, "/create/capacity/overflow");
    test_add(test_block_size, NULL, "/create/backend/block-size");
    test_add(test_acquire_fails, NULL, "/create/backend/acquire-fails");
    test_add(test_short_grant, NULL, "/create/backend/short-grant");
    test_add(test_misaligned_block, NULL, "/create/backend/misaligned-block");
    test_add(test_bad_backend, NULL, "/create/backend/invalid");
    test_add(test_lying_grants, NULL, "/create/backend/lying-grants");
#if MARENA_HAVE_GROWTH
    test_add(test_largest_grant, NULL, "/create/backend/largest-grant");
#endif
    test_add(test_without_release, NULL, "/create/backend/without-release");
    test_add(test_two_arenas, NULL, "/create/backend/two-arenas");
#endif
    test_add(test_null_arena, NULL, "/create/null/arena");
    return test_run();
}
