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
 * leaves the arena as it was. Resizing the last allocation is realloc.c.
 */
#include "config.h"

#include <string.h>

#include "arena.h"

/* The usable size of the next ordinary block: double the current one,
 * capped at max_block_size, and at what the limit still allows (a smaller
 * block the limit can take is better than none). */
static size_t
next_block_size(const struct marena_arena *arena)
{
    size_t current = (size_t)(arena->current->end - block_base(arena->current));
    size_t ordinary =
        current > arena->max_block_size / 2 ? arena->max_block_size : 2 * current;
    size_t allowed = marena__limit_room(arena);

    return ordinary < allowed ? ordinary : allowed;
}

/* The bytes a request takes from the cursor on: padding, size, red zone;
 * SIZE_MAX, which no block has, when that overflows. */
static size_t
room_for(const struct marena_arena *arena, size_t size, size_t align)
{
    size_t padding = (size_t)(0u - arena_cursor(arena)) & (align - 1);

    if (is_tracked(arena))
        padding += ARENA_REDZONE;
    return size <= SIZE_MAX - padding ? size + padding : SIZE_MAX;
}

/* A block of its own, behind the current one; the cursor stays put. */
static void *
alloc_dedicated(struct marena_arena *arena, size_t size, size_t align, size_t worst)
{
    struct marena_block *block = marena__obtain_block(arena, worst);
    uintptr_t start;

    if (block == NULL)
        return NULL;
    block->next = arena->current->next;
    arena->current->next = block;
    arena->head.reset_to = 0; /* more than one block */
    start = ROUND_UP(block_base(block), align);
    block->fill = start + taken_by(arena, size);
    block->dedicated = 1;
    arena->used_retired += (size_t)(block->fill - block_base(block));
    if (MARENA_HAVE_STATS)
        arena->head.allocations++;
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_alloc(block, start, size);
#endif
    return (void *)start;
}

/* A new current block; what the old one handed out is kept in used. */
static void *
alloc_from_new_block(struct marena_arena *arena, size_t size, size_t align, size_t usable)
{
    struct marena_block *block = marena__obtain_block(arena, usable);

    if (block == NULL)
        return NULL;
    arena->current->fill = arena_cursor(arena);
    arena->used_retired += (size_t)(arena->current->fill - block_base(arena->current));
    block->next = arena->current;
    enter_block(arena, block, block_base(block));
    arena->head.reset_to = 0; /* more than one block */
    return bump(arena, size, align);
}

/* The block a request needs is decided before one is taken, so that a
 * request no block can serve changes nothing. */
static void *
grow(struct marena_arena *arena, size_t size, size_t align)
{
    /* Blocks start aligned to MARENA_ALIGNMENT: only a larger alignment
     * can need padding there. A tracked arena's red zone follows. */
    size_t padding = align > MARENA_ALIGNMENT ? align - MARENA_ALIGNMENT : 0;
    size_t worst, ordinary;

    if (is_tracked(arena))
        padding += ARENA_REDZONE;
    if (size > SIZE_MAX - padding) {
        note_why(arena, ARENA_ENOMEM);
        return NULL;
    }
    worst = size + padding;
    ordinary = next_block_size(arena);
    if (worst > ordinary)
        return alloc_dedicated(arena, size, align, worst);
    return alloc_from_new_block(arena, size, align, ordinary);
}

MARENA_API void *
marena_alloc_slow(marena_t *arena, size_t size, size_t align)
{
    void *memory = NULL;
    int valid;

    if (arena == NULL)
        return NULL;
    CHECK_LIVE(arena, "marena_alloc");
    valid = size != 0 && is_power_of_two(align);
    if (valid) {
        note_why(arena, ARENA_EFULL);
        /* The inline path leaves large alignments here, and may be off. */
        memory = bump(arena, size, align);
        if (memory == NULL && MARENA_HAVE_GROWTH && (arena->flags & MARENA_RESERVE) &&
            marena__commit_room(arena, room_for(arena, size, align)) == 0)
            memory = bump(arena, size, align);
        else if (memory == NULL && MARENA_HAVE_GROWTH && (arena->flags & MARENA_GROW))
            memory = grow(arena, size, align);
    }
    return memory != NULL ? memory
                          : marena__fail(arena, size, align,
                                         valid ? noted_why(arena) : ARENA_EINVAL);
}

/* The exported entry points, for callers that do not inline (function
 * pointers, other languages, MARENA_NO_INLINE): the inline bump of
 * marena.h first, as a caller that inlines gets it, then the full path.
 * Built for size (-Os), they are the full path alone, which gives the same
 * results in less code. */

#if defined(__OPTIMIZE_SIZE__) && defined(__ELF__) && \
    (defined(__GNUC__) || defined(__clang__))
/* The same function under a second name: no code of its own. */
MARENA_API void *(marena_alloc_aligned)(marena_t *arena, size_t size, size_t align)
    __attribute__((alias("marena_alloc_slow")));

MARENA_API void *(marena_alloc)(marena_t *arena, size_t size)
{
    return marena_alloc_slow(arena, size, MARENA_ALIGNMENT);
}
#else
MARENA_API void *(marena_alloc_aligned)(marena_t *arena, size_t size, size_t align)
{
    return marena__alloc_inline(arena, size, align);
}

MARENA_API void *(marena_alloc)(marena_t *arena, size_t size)
{
    return marena__alloc_inline(arena, size, MARENA_ALIGNMENT);
}
#endif

MARENA_API void *(marena_calloc_aligned)(marena_t *arena, size_t count, size_t size,
                                         size_t align)
{
    size_t bytes = marena__calloc_bytes(count, size);
    void *memory = marena_alloc_slow(arena, bytes, align);

    if (memory != NULL)
        memset(memory, 0, bytes);
    return memory;
}

MARENA_API void *(marena_calloc)(marena_t *arena, size_t count, size_t size)
{
    return (marena_calloc_aligned)(arena, count, size, MARENA_ALIGNMENT);
}
