/* SPDX-License-Identifier: MIT */
/*
 * Concurrent backend: the blocks of child arenas are allocations of a
 * concurrent arena (the context), one atomic operation each. Nothing is
 * released: the concurrent arena's reset or destroy frees every child's
 * memory at once.
 *
 * Debug builds put the concurrent arena's epoch (its count of resets) in
 * front of each block; a child's first block holds its control block, so
 * every library call on the child can check that its memory is still its
 * own (marena__check_child(), through CHECK_LIVE).
 */
#include "config.h"

#include <string.h>

#include "arena.h"

/* The bytes in front of each block that hold the epoch (debug builds). */
#define STAMP_SIZE (MARENA_DEBUG ? ROUND_UP(sizeof(uint64_t), MARENA_ALIGNMENT) : 0)

static void *
concurrent_acquire(void *ctx, size_t size, size_t *granted)
{
    unsigned char *memory;

    if (size > SIZE_MAX - STAMP_SIZE)
        return NULL;
    memory = marena_concurrent_alloc(ctx, STAMP_SIZE + size, MARENA_ALIGNMENT);
    if (memory == NULL)
        return NULL;
    if (MARENA_DEBUG) {
        uint64_t epoch = marena__concurrent_epoch(ctx);

        memcpy(memory, &epoch, sizeof(epoch));
    }
    *granted = size;
    return memory + STAMP_SIZE;
}

MARENA_API const marena_backend_t marena_backend_concurrent = {
    .name = "concurrent",
    .acquire = concurrent_acquire,
};

#if MARENA_DEBUG
void
marena__check_child(const struct marena_arena *arena, const char *function)
{
    uint64_t stamp;

    if (arena->backend != &marena_backend_concurrent ||
        (arena->flags & ARENA_CALLER_BUFFER) || arena->backend_ctx == NULL)
        return;
    memcpy(&stamp, (const unsigned char *)arena - STAMP_SIZE, sizeof(stamp));
    if (stamp != marena__concurrent_epoch(arena->backend_ctx))
        marena__misuse(function, "its concurrent arena was reset since it was created");
}
#endif
