/* SPDX-License-Identifier: MIT */
/*
 * Statistics: what an arena holds and has done, counted as it goes (the
 * peak by reset and rewind, failures and backend calls where they happen)
 * and gathered here. Compiled with the stats option; marena_stats_format()
 * is in format.c.
 */
#include "config.h"

#include <string.h>

#include "arena.h"

MARENA_API void
marena_stats(const marena_t *arena, marena_stats_t *out)
{
    const struct marena_block *block;

    if (out == NULL)
        return;
    memset(out, 0, sizeof(*out));
    if (arena == NULL)
        return;
    CHECK_LIVE(arena, "marena_stats");
    out->used = arena_used(arena);
    out->capacity = marena_capacity(arena);
    out->peak = arena_peak(arena);
    out->allocations = arena->head.allocations;
    for (block = arena->current; block != NULL; block = block->next)
        out->blocks++;
    for (block = arena->spare; block != NULL; block = block->next)
        out->spare_blocks++;
    out->blocks += out->spare_blocks;
    out->backend_bytes = marena__held(arena);
    out->backend_calls = arena->backend_calls;
    out->failed = arena->failed;
}
