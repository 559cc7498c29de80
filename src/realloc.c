/* SPDX-License-Identifier: MIT */
/*
 * Resizing: marena_realloc() and marena_pop().
 *
 * Only the most recent allocation of the current block can change size in
 * place: it ends at the cursor, so growing or shrinking it moves the
 * cursor (and moving it back is a retreat: marks above become stale).
 * Anything else shrinks by keeping its bytes, and grows by moving to a new
 * allocation with the alignment asked for (marena_realloc(): the default). A pointer that is not an allocation of the arena is bad
 * input: NULL or 0, and a debug build aborts. What an allocation gives up
 * is wiped (MARENA_WIPE) and the tools are told. Compiled with the realloc
 * option.
 */
#include "config.h"

#include <string.h>

#include "arena.h"

/* The cursor goes back to `to`, in the current block: used falls. */
static void
retreat_to(struct marena_arena *arena, uintptr_t to)
{
    note_peak(arena);
    set_cursor(arena, to);
    marena__retreat(arena, arena_used(arena));
}

/* The last allocation gives up everything from `cut` on. Returns the
 * start of what stays of it as far as a tracked arena knows (0: nothing,
 * or unknown; always 0 untracked). */
static uintptr_t
cut_last(struct marena_arena *arena, uintptr_t cut)
{
    uintptr_t cursor = arena_cursor(arena);

    wipe_range(arena, cut, cursor);
#if MARENA_TRACKING
    if (is_tracked(arena)) {
        struct marena_block *block = arena->current;

        arena->track_last =
            track_cut_last(block, block_base(block), arena->track_last, cut, cursor);
        return arena->track_last;
    }
#endif
    return 0;
}

/* Grows the last allocation, at p, from old_size to new_size in place;
 * 0, or -1 when its block (or reservation) has no room. */
static int
grow_last(struct marena_arena *arena, uintptr_t p, size_t old_size, size_t new_size)
{
    size_t grow_by = new_size - old_size;
    uintptr_t cursor = arena_cursor(arena);

    if (grow_by > arena->current->end - cursor &&
        !(MARENA_HAVE_GROWTH && (arena->flags & MARENA_RESERVE) &&
          marena__commit_room(arena, grow_by) == 0))
        return -1;
#if MARENA_TRACKING
    if (is_tracked(arena))
        arena->track_last =
            track_grow_last(arena->current, p + old_size, cursor, p + new_size);
#else
    (void)p;
#endif
    set_cursor(arena, cursor + grow_by);
    return 0;
}

int
marena__resize_last(struct marena_arena *arena, uintptr_t p, size_t old_size,
                    size_t new_size)
{
    if (new_size < old_size) {
        cut_last(arena, p + new_size);
        retreat_to(arena, p + taken_by(arena, new_size));
    }
    return new_size <= old_size ? 0 : grow_last(arena, p, old_size, new_size);
}

/* An allocation that is not the last keeps its bytes; the ones it gives
 * up are wiped and poisoned. */
static void
shrink_other(struct marena_arena *arena, uintptr_t p, size_t old_size, size_t new_size)
{
    wipe_range(arena, p + new_size, p + old_size);
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_poison(p + new_size, p + old_size);
#endif
}

MARENA_API void *
marena_realloc_aligned(marena_t *arena, void *ptr, size_t old_size, size_t new_size,
                       size_t align)
{
    uintptr_t p = (uintptr_t)ptr;
    void *moved;

    if (ptr == NULL)
        return marena_alloc_aligned(arena, new_size, align);
    if (arena == NULL)
        return NULL;
    CHECK_LIVE(arena, "marena_realloc");
    if (new_size == 0 || old_size == 0 || !is_power_of_two(align))
        return marena__fail(arena, new_size, align, ARENA_EINVAL);

    if (marena__is_last(arena, p, old_size)) {
        if (marena__resize_last(arena, p, old_size, new_size) == 0)
            return ptr;
    } else if (!marena__holds(arena, p, old_size)) {
        marena__misuse("marena_realloc", "the pointer and size are not an allocation of "
                                         "this arena");
        return marena__fail(arena, new_size, align, ARENA_EINVAL);
    } else if (new_size <= old_size) {
        shrink_other(arena, p, old_size, new_size);
        return ptr;
    }

    moved = marena_alloc_aligned(arena, new_size, align);
    if (moved != NULL)
        memcpy(moved, ptr, old_size < new_size ? old_size : new_size);
    return moved;
}

MARENA_API void *
marena_realloc(marena_t *arena, void *ptr, size_t old_size, size_t new_size)
{
    return marena_realloc_aligned(arena, ptr, old_size, new_size, MARENA_ALIGNMENT);
}

MARENA_API int
marena_pop(marena_t *arena, void *ptr, size_t size)
{
    uintptr_t p = (uintptr_t)ptr;

    if (arena == NULL || ptr == NULL || size == 0)
        return 0;
    CHECK_LIVE(arena, "marena_pop");
    if (!marena__is_last(arena, p, size)) {
        if (!marena__holds(arena, p, 0))
            marena__misuse("marena_pop", "the pointer is not from this arena");
        marena__set_error(arena, ARENA_EINVAL);
        return 0;
    }
    /* A tail given back leaves the rest of its allocation with a red zone
     * (tracked arenas, where the rest is known). */
    retreat_to(arena, cut_last(arena, p) != 0 ? p + ARENA_REDZONE : p);
    return 1;
}
