/* SPDX-License-Identifier: MIT */
/*
 * Marks, rewind and scopes: going back to an earlier position.
 *
 * A mark records the current block, the cursor in it, the bytes in use and
 * the arena's serial. Rewinding checks that the mark still names a
 * position the arena holds (its block in use and not restarted since, the
 * cursor not past where the arena stands), runs the cleanups registered
 * after it, hands back what came after it, and takes the newer blocks out
 * of use (blocks.c). Compiled with the marks option.
 */
#include "config.h"

#include "arena.h"

MARENA_API marena_mark_t
marena_mark(const marena_t *arena)
{
    marena_mark_t mark = {0};

    if (arena != NULL) {
        mark.block = arena->current;
        mark.cursor = arena_cursor(arena);
        mark.used = arena_used(arena);
        mark.serial = arena->serial;
    }
    return mark;
}

/* Is `mark` a position this arena can go back to? Its block must still be
 * in use and not have come into use again since (reset restamps the first
 * block), and the position must not lie beyond where the arena stands. */
static int
mark_valid(const struct marena *arena, const marena_mark_t *mark)
{
    const struct marena_block *block = arena->current;

    if (mark->used > arena_used(arena))
        return 0;
    while (block != NULL && block != mark->block)
        block = block->next;
    return block != NULL && !newer_than(block, mark->serial) &&
           mark->cursor >= block_base(block) && mark->cursor <= fill_of(arena, block);
}

MARENA_API void
marena_rewind(marena_t *arena, marena_mark_t mark)
{
    struct marena_block *target = mark.block;

    if (arena == NULL)
        return;
    if (!mark_valid(arena, &mark)) {
        marena__misuse("marena_rewind: the mark is not from this arena, "
                       "is from before a reset, or was rewound past");
        return;
    }
    marena__run_cleanups(arena, mark.used);
    note_peak(arena);
    /* What the target block handed out after the mark comes back. */
    wipe_range(arena, mark.cursor, fill_of(arena, target));
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_give_back(target, block_base(target), mark.cursor, target->end);
#endif
    marena__retire_newer_blocks(arena, target, mark.serial);
    arena->used_retired = mark.used - (size_t)(mark.cursor - block_base(target));
    enter_block(arena, target, mark.cursor);
}

MARENA_API marena_scope_t
marena_scope_begin(marena_t *arena)
{
    marena_scope_t scope;

    scope.arena = arena;
    scope.mark = marena_mark(arena);
    return scope;
}

MARENA_API void
marena_scope_end(marena_scope_t scope)
{
    marena_rewind(scope.arena, scope.mark);
}
