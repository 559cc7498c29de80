/* SPDX-License-Identifier: MIT */
/*
 * Introspection: which memory an arena holds, and how its blocks are
 * filled. marena_owns() answers from the blocks in use, each of which
 * holds handed-out bytes from its base to where it is filled (the cursor
 * in the current block, the fill recorded when it stopped being current
 * in the others); marena_walk() reports each of them. Both are O(blocks)
 * and change nothing. Compiled with the introspection option.
 */
#include "config.h"

#include "arena.h"

MARENA_API int
marena_owns(const marena_t *arena, const void *ptr)
{
    if (arena == NULL || ptr == NULL)
        return 0;
    CHECK_LIVE(arena, "marena_owns");
    return marena__holds(arena, (uintptr_t)ptr, 0);
}

MARENA_API int
marena_walk(const marena_t *arena,
            int (*visit)(void *ctx, const marena_block_info_t *block), void *ctx)
{
    const struct marena_block *block;

    if (arena == NULL || visit == NULL)
        return 0;
    CHECK_LIVE(arena, "marena_walk");
    for (block = arena->current; block != NULL; block = block->next) {
        marena_block_info_t info;
        int stop;

        info.start = (const void *)block_base(block);
        info.filled = (size_t)(fill_of(arena, block) - block_base(block));
        info.size = (size_t)(block->end - block_base(block));
        info.is_current = block == arena->current;
        info.is_dedicated = block->dedicated != 0;
        stop = visit(ctx, &info);
        if (stop != 0)
            return stop;
    }
    return 0;
}
