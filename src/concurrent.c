/* SPDX-License-Identifier: MIT */
/*
 * Concurrent arenas: one fixed block that many threads allocate from at
 * once. The block is an ordinary fixed arena (so every backend and the
 * caller-buffer option work); this file keeps its own cursor as a C11
 * atomic and moves it with compare-and-swap, lock-free. Relaxed ordering
 * suffices: the cursor publishes no data, it only hands each thread a
 * disjoint range. The ordinary marena_t stays free of atomics.
 */
#include "config.h"

#include <stdatomic.h>

#include "arena.h"

#define RECORD_SIZE ROUND_UP(sizeof(struct marena_concurrent), MARENA_ALIGNMENT)

struct marena_concurrent {
    _Atomic uintptr_t cursor;
    uintptr_t base;
    uintptr_t end;
    marena_t *arena; /* owns the block; this struct lives in it */
};

/* The record goes at the start of the block, on top of block_size: the
 * capacity is what was asked for. */
MARENA_API marena_concurrent_t *
marena_concurrent_create(const marena_options_t *options)
{
    marena_options_t block = {0};
    struct marena_concurrent *shared;
    marena_t *arena;

    if (options != NULL)
        block = *options;
    if (block.flags & (MARENA_GROW | MARENA_RESERVE))
        return NULL;
    if (block.block_size == 0)
        block.block_size = MARENA_DEFAULT_BLOCK_SIZE;
    /* The record goes through bump(): a tracked arena puts its red zone
     * after it, which must not come out of the capacity asked for. */
    if (block.block_size > MARENA_MAX_CAPACITY - RECORD_SIZE - ARENA_REDZONE)
        return NULL;
    block.block_size += RECORD_SIZE + ARENA_REDZONE;
    arena = marena_create_ex(&block);
    if (arena == NULL)
        return NULL;
    /* Straight from the block: a buffer too small for the record and a
     * byte is an invalid option, not an out-of-memory condition for on_oom. */
    shared = bump(arena, sizeof(*shared), _Alignof(struct marena_concurrent));
    if (shared == NULL || arena_cursor(arena) == arena->current->end) {
        marena_destroy(arena);
        return NULL;
    }
    shared->base = arena_cursor(arena);
    shared->end = arena->current->end;
#if MARENA_TRACKING
    /* Threads allocate concurrently: the tools see the whole region as one
     * allocation (per-allocation shadow updates could race). */
    if (is_tracked(arena))
        track_alloc(arena->current, shared->base, (size_t)(shared->end - shared->base));
#endif
    shared->arena = arena;
    atomic_init(&shared->cursor, shared->base);
    return shared;
}

/* What threads were handed out goes: wiped first with MARENA_WIPE (the
 * block's own arena knows only of the record). */
static void
wipe_handed_out(struct marena_concurrent *shared)
{
    wipe_range(shared->arena, shared->base,
               atomic_load_explicit(&shared->cursor, memory_order_relaxed));
}

MARENA_API void
marena_concurrent_destroy(marena_concurrent_t *shared)
{
    if (shared != NULL) {
        wipe_handed_out(shared);
        marena_destroy(shared->arena);
    }
}

MARENA_API void *
marena_concurrent_alloc(marena_concurrent_t *shared, size_t size, size_t align)
{
    uintptr_t cursor, start;

    if (shared == NULL || size == 0 || !is_power_of_two(align))
        return NULL;
    cursor = atomic_load_explicit(&shared->cursor, memory_order_relaxed);
    do {
        size_t available = (size_t)(shared->end - cursor);
        size_t padding = (size_t)(0u - cursor) & (align - 1);

        if (padding > available || size > available - padding)
            return NULL;
        start = cursor + padding;
    } while (!atomic_compare_exchange_weak_explicit(&shared->cursor, &cursor,
                                                    start + size, memory_order_relaxed,
                                                    memory_order_relaxed));
    return (void *)start;
}

MARENA_API void
marena_concurrent_reset(marena_concurrent_t *shared)
{
    if (shared != NULL) {
        wipe_handed_out(shared);
        atomic_store_explicit(&shared->cursor, shared->base, memory_order_relaxed);
    }
}

MARENA_API size_t
marena_concurrent_used(const marena_concurrent_t *shared)
{
    if (shared == NULL)
        return 0;
    return (size_t)(atomic_load_explicit(&((struct marena_concurrent *)shared)->cursor,
                                         memory_order_relaxed) -
                    shared->base);
}

MARENA_API size_t
marena_concurrent_capacity(const marena_concurrent_t *shared)
{
    return shared != NULL ? (size_t)(shared->end - shared->base) : 0;
}
