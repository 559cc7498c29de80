/* SPDX-License-Identifier: MIT */
/*
 * Resizing: marena_realloc() and marena_pop().
 *
 * Only the most recent allocation of the current block can change size in
 * place: it ends at the cursor, so growing or shrinking it moves the
 * cursor. Anything else shrinks by keeping its bytes, and grows by moving
 * to a new allocation. What an allocation gives up is wiped (MARENA_WIPE)
 * and the tools are told. Compiled with the realloc option.
 */
#include "config.h"

#include <string.h>

#include "arena.h"

/* Moves the cursor to `to` inside the current block; used may fall. */
static void
move_cursor(struct marena *arena, uintptr_t to)
{
    note_peak(arena);
    set_cursor(arena, to);
}

/* Bytes an allocation of `size` takes from its block: its red zone too. */
static size_t
taken(const struct marena *arena, size_t size)
{
    return is_tracked(arena) ? size + ARENA_REDZONE : size;
}

/* Is [p, p + size) the most recent allocation of the current block? */
static int
is_last(const struct marena *arena, uintptr_t p, size_t size)
{
    uintptr_t cursor = arena_cursor(arena);

    return p >= block_base(arena->current) && size <= cursor - p &&
           taken(arena, size) == cursor - p;
}

/* The allocation at p now has `size` bytes instead of `old_size` (0: gone);
 * what it gives up is wiped (MARENA_WIPE), and the tools are told. */
static void
resized(struct marena *arena, uintptr_t p, size_t old_size, size_t size)
{
    if (size < old_size)
        wipe_range(arena, p + size, p + old_size);
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_resize(arena->current, p, old_size, size);
#endif
}

MARENA_API void *
marena_realloc(marena_t *arena, void *ptr, size_t old_size, size_t new_size)
{
    uintptr_t p = (uintptr_t)ptr;
    void *moved;

    if (ptr == NULL)
        return marena_alloc(arena, new_size);
    if (arena == NULL)
        return NULL;
    if (new_size == 0)
        return marena__fail(arena, 0, 1, 0);

    if (is_last(arena, p, old_size)) {
        size_t grow_by = new_size > old_size ? new_size - old_size : 0;

        if (grow_by <= arena->current->end - arena_cursor(arena) ||
            (MARENA_HAVE_GROWTH && (arena->flags & MARENA_RESERVE) &&
             marena__commit_room(arena, grow_by) == 0)) {
            resized(arena, p, old_size, new_size);
            move_cursor(arena, p + taken(arena, new_size));
            return ptr;
        }
    } else if (new_size <= old_size) {
        resized(arena, p, old_size, new_size);
        return ptr;
    }

    moved = marena_alloc(arena, new_size);
    if (moved != NULL)
        memcpy(moved, ptr, old_size < new_size ? old_size : new_size);
    return moved;
}

MARENA_API int
marena_pop(marena_t *arena, void *ptr, size_t size)
{
    if (arena == NULL || ptr == NULL || size == 0 ||
        !is_last(arena, (uintptr_t)ptr, size))
        return 0;
    resized(arena, (uintptr_t)ptr, size, 0);
    move_cursor(arena, (uintptr_t)ptr);
    return 1;
}
