/* SPDX-License-Identifier: MIT */
/*
 * Allocation.
 *
 * The common case is one bump of the cursor inside the current block,
 * inlined into the caller from marena.h; the exported functions here are
 * the same code for those who call them (their names are parenthesised so
 * the header's macros do not expand). Everything else is the slow path,
 * marena_alloc_slow(): rejecting bad input, alignments above
 * MARENA_ALIGNMENT, committing more of a reservation, and growth. Growth follows two
 * rules. A request that fits an ordinary block (the current block's size
 * doubled, capped at max_block_size) gets a new ordinary block, which
 * becomes the current one. A larger request gets a block of its own, put
 * behind the current block, so small requests go on where they were and no
 * tail is wasted.
 *
 * Every failure is decided before anything changes, so a failed call
 * leaves the arena as it was.
 */
#include "config.h"

#include <string.h>

#include "arena.h"

void *
marena__fail(struct marena *arena, size_t size, size_t align, int valid)
{
    count_saturating(&arena->failed);
    if (valid && arena->on_oom != NULL)
        arena->on_oom(arena, size, align, arena->oom_data);
    return NULL;
}

/* The usable size of the next ordinary block: double the current one,
 * capped at max_block_size. */
static size_t
next_block_size(const struct marena *arena)
{
    size_t current = (size_t)(arena->current->end - block_base(arena->current));

    return current > arena->max_block_size / 2 ? arena->max_block_size
                                               : 2 * current;
}

/* A block of its own, behind the current one; the cursor stays put. */
static void *
alloc_dedicated(struct marena *arena, size_t size, size_t align, size_t worst)
{
    struct marena_block *block = marena__obtain_block(arena, worst);
    uintptr_t start;

    if (block == NULL)
        return NULL;
    block->next = arena->current->next;
    arena->current->next = block;
    start = ROUND_UP(block_base(block), align);
    arena->used_retired += (size_t)(start - block_base(block)) + size;
    arena->head.allocations++;
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_alloc(block, start, size);
#endif
    return (void *)start;
}

/* A new current block; what the old one handed out is kept in used. */
static void *
alloc_from_new_block(struct marena *arena, size_t size, size_t align,
                     size_t usable)
{
    struct marena_block *block = marena__obtain_block(arena, usable);

    if (block == NULL)
        return NULL;
    arena->used_retired += (size_t)(arena_cursor(arena) - block_base(arena->current));
    block->next = arena->current;
    enter_block(arena, block, block_base(block));
    return bump(arena, size, align);
}

static void *
grow(struct marena *arena, size_t size, size_t align)
{
    /* Blocks start aligned to MARENA_ALIGNMENT: only a larger alignment
     * can need padding there. */
    size_t padding = align > MARENA_ALIGNMENT ? align - MARENA_ALIGNMENT : 0;
    size_t worst, ordinary;

    if (size > SIZE_MAX - padding)
        return NULL;
    worst = size + padding;
    ordinary = next_block_size(arena);
    if (worst > ordinary)
        return alloc_dedicated(arena, size, align, worst);
    return alloc_from_new_block(arena, size, align, ordinary);
}

MARENA_API void *
marena_alloc_slow(marena_t *arena, size_t size, size_t align)
{
    void *memory;

    if (arena == NULL)
        return NULL;
    if (size == 0 || !is_power_of_two(align))
        return marena__fail(arena, size, align, 0);

    /* The inline path leaves large alignments here, and may be off. */
    memory = bump(arena, size, align);
    if (memory == NULL && (arena->flags & MARENA_RESERVE) &&
        size <= SIZE_MAX - (align - 1) &&
        marena__commit_room(arena, size + (align - 1)) == 0)
        memory = bump(arena, size, align);
    else if (memory == NULL && (arena->flags & MARENA_GROW))
        memory = grow(arena, size, align);

    return memory != NULL ? memory : marena__fail(arena, size, align, 1);
}

MARENA_API void *
(marena_alloc_aligned)(marena_t *arena, size_t size, size_t align)
{
    return marena__alloc_inline(arena, size, align);
}

MARENA_API void *
(marena_alloc)(marena_t *arena, size_t size)
{
    return marena__alloc_inline(arena, size, MARENA_ALIGNMENT);
}

MARENA_API void *
(marena_calloc_aligned)(marena_t *arena, size_t count, size_t size, size_t align)
{
    return marena__calloc_inline(arena, count, size, align);
}

MARENA_API void *
(marena_calloc)(marena_t *arena, size_t count, size_t size)
{
    return marena__calloc_inline(arena, count, size, MARENA_ALIGNMENT);
}

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
            ((arena->flags & MARENA_RESERVE) &&
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
