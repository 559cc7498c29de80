/* SPDX-License-Identifier: MIT */
/*
 * Marks, rewind and scopes: going back to an earlier position.
 *
 * A mark records the current block, the cursor in it, the bytes in use and
 * the arena's serial. Rewinding checks that the mark still names a
 * position the arena holds (its block in use and not restarted since, the
 * cursor not past where the arena stands, and no retreat below it since it
 * was taken), runs the cleanups registered after it, hands back what came
 * after it, and takes the newer blocks out of use (blocks.c).
 *
 * Retreats. Whenever the arena goes back (a rewind, marena_pop, a shrinking
 * realloc of the last allocation) to `used` bytes, every mark taken before
 * and above that position is stale, even once the arena has advanced past
 * it again: rewinding there would hand out memory that is in use. The
 * arena keeps a list of retreats (layout.h) rising in serial and position:
 * a mark is stale when the first retreat after it went below it. A new
 * retreat drops those at or above its position, so the list is as long as
 * rewound marks are nested; past MARENA_RETREATS the oldest is dropped,
 * which can only let a stale mark pass, never refuse a good one.
 * Compiled with the marks option.
 */
#include "config.h"

#include "arena.h"

MARENA_API marena_mark_t
marena_mark(const marena_t *arena)
{
    marena_mark_t mark = {0};

    if (arena != NULL) {
        CHECK_LIVE(arena, "marena_mark");
        mark.block = arena->current;
        mark.cursor = arena_cursor(arena);
        mark.used = arena_used(arena);
        mark.serial = arena->serial;
        mark.resets = arena->head.resets;
    }
    return mark;
}

/* Retreats from before the last reset make no mark stale (a mark from
 * before it is stale anyway): forgotten before the list is used. The
 * inline reset cannot do that itself. */
static void
forget_old_retreats(struct marena_arena *arena)
{
    if (arena->retreat_resets != arena->head.resets) {
        arena->retreat_resets = arena->head.resets;
        arena->retreat_count = 0;
    }
}

void
marena__retreat(struct marena_arena *arena, size_t used)
{
    uint32_t n;

    forget_old_retreats(arena);
    n = arena->retreat_count;
    while (n > 0 && arena->retreats[n - 1].used >= used)
        n--;
    if (n == MARENA_RETREATS) {
        for (uint32_t i = 1; i < n; i++)
            arena->retreats[i - 1] = arena->retreats[i];
        n--;
    }
    arena->retreats[n].serial = ++arena->serial;
    arena->retreats[n].used = used;
    arena->retreat_count = n + 1;
}

/* Did the arena go back below the mark after it was taken? The first
 * retreat after it went lowest of those after it. */
static int
retreated_below(const struct marena_arena *arena, const marena_mark_t *mark)
{
    if (arena->retreat_resets != arena->head.resets)
        return 0;
    for (uint32_t i = 0; i < arena->retreat_count; i++)
        if (arena->retreats[i].serial > mark->serial)
            return mark->used > arena->retreats[i].used;
    return 0;
}

/* Is `mark` a position this arena can go back to? Its block must still be
 * in use and not have come into use again since (reset restamps the first
 * block), the position must not lie beyond where the arena stands, and
 * the arena must not have gone back below it since. */
static int
mark_valid(const struct marena_arena *arena, const marena_mark_t *mark)
{
    const struct marena_block *block = arena->current;

    if (mark->resets != arena->head.resets || mark->used > arena_used(arena) ||
        retreated_below(arena, mark))
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
    CHECK_LIVE(arena, "marena_rewind");
    if (!mark_valid(arena, &mark)) {
        marena__misuse("marena_rewind", "the mark is not from this arena, is from before "
                                        "a reset, or the arena went back below it since");
        return;
    }
    marena__run_cleanups(arena, mark.serial, mark.used);
    note_peak(arena);
    marena__note_cycle_capacity(arena);
    /* What the target block handed out after the mark comes back. */
    wipe_range(arena, mark.cursor, fill_of(arena, target));
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_give_back(target, block_base(target), mark.cursor, target->end);
#endif
    marena__retire_newer_blocks(arena, target, mark.serial);
    arena->used_retired = mark.used - (size_t)(mark.cursor - block_base(target));
    enter_block(arena, target, mark.cursor);
    marena__retreat(arena, mark.used);
    marena__refresh_reset_to(arena);
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
