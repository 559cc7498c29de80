/* SPDX-License-Identifier: MIT */
/*
 * Blocks: the only place that calls the backend after creation.
 *
 * A block is obtained from the spare list when one fits, else acquired
 * from the backend, after checking the arena's limit against the bytes it
 * already holds. Reserve arenas instead commit and decommit ranges of their
 * one reservation, in MARENA_COMMIT_STEP steps, and count committed bytes
 * against the limit. Nothing here runs per allocation.
 */
#include "config.h"

#include "arena.h"

size_t
marena__held(const struct marena_arena *arena)
{
    const struct marena_block *first = first_block(arena);
    const struct marena_block *block;
    size_t held = 0;

    if (arena->flags & MARENA_RESERVE)
        return (size_t)(first->end - (uintptr_t)arena);
    if (!(arena->flags & ARENA_CALLER_BUFFER))
        held = first->size;
    for (block = arena->current; block != NULL; block = block->next)
        if (block != first)
            held += block->size;
    for (block = arena->spare; block != NULL; block = block->next)
        held += block->size;
    return held;
}

static size_t
usable_size(const struct marena_block *block)
{
    return (size_t)(block->end - block_base(block));
}

/* Takes the smallest spare with room for `usable` bytes off the spare
 * list, so that growth reuses the blocks it had in the order it took them. */
static struct marena_block *
take_spare(struct marena_arena *arena, size_t usable)
{
    struct marena_block **link, **best = NULL, *block;

    for (link = &arena->spare; *link != NULL; link = &(*link)->next)
        if (usable_size(*link) >= usable &&
            (best == NULL || usable_size(*link) < usable_size(*best)))
            best = link;
    if (best == NULL)
        return NULL;
    block = *best;
    *best = block->next;
    return block;
}

static struct marena_block *
acquire_block(struct marena_arena *arena, size_t usable)
{
    const marena_backend_t *backend = arena->backend;
    size_t wanted, granted = 0, held;
    struct marena_block *block;

    if (backend == NULL || backend->acquire == NULL ||
        usable > (size_t)PTRDIFF_MAX - BLOCK_HEADER_SIZE - MARENA_ALIGNMENT)
        return NULL;
    wanted = BLOCK_HEADER_SIZE + ROUND_UP(usable, MARENA_ALIGNMENT);
    held = marena__held(arena);
    if (wanted > arena->limit || held > arena->limit - wanted)
        return NULL;

    count_saturating(&arena->backend_calls);
    block = backend->acquire(arena->backend_ctx, wanted, &granted);
    if (block == NULL)
        return NULL;
    /* Refuse what breaks the contract, and what the limit cannot take. */
    if (granted < wanted || granted > UINTPTR_MAX - (uintptr_t)block ||
        (uintptr_t)block % MARENA_ALIGNMENT != 0 || granted > arena->limit - held) {
        if (backend->release != NULL) {
            count_saturating(&arena->backend_calls);
            backend->release(arena->backend_ctx, block, granted);
        }
        return NULL;
    }
    block->end = ALIGN_DOWN((uintptr_t)block + granted);
    block->size = granted;
    return block;
}

struct marena_block *
marena__obtain_block(struct marena_arena *arena, size_t usable)
{
    struct marena_block *block = take_spare(arena, usable);

    if (block == NULL)
        block = acquire_block(arena, usable);
    if (block != NULL) {
        block->next = NULL;
        block->serial = ++arena->serial;
#if MARENA_TRACKING
        if (is_tracked(arena))
            track_block_open(block, block_base(block), block->end);
#endif
    }
    return block;
}

void
marena__retire_block(struct marena_arena *arena, struct marena_block *block, uintptr_t fill)
{
    wipe_range(arena, block_base(block), fill);
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_block_retire(block, block_base(block), block->end);
#else
    (void)arena;
#endif
}

void
marena__release_block(struct marena_arena *arena, struct marena_block *block)
{
    const marena_backend_t *backend = arena->backend;

#if MARENA_TRACKING
    if (is_tracked(arena))
        track_release(block_base(block), block->end);
#endif
    if (backend->release != NULL) {
        count_saturating(&arena->backend_calls);
        backend->release(arena->backend_ctx, block, block->size);
    }
}

int
marena__commit_room(struct marena_arena *arena, size_t bytes)
{
    struct marena_block *block = arena->current;
    uintptr_t start = (uintptr_t)arena;
    /* The usable end of a reservation is aligned down like every block
     * end (marena_head.h), whatever size the backend granted. */
    size_t reserved = (size_t)ALIGN_DOWN(block->size);
    size_t offset = (size_t)(arena_cursor(arena) - start);
    size_t committed = (size_t)(block->end - start);
    size_t needed;

    if (bytes > reserved - offset)
        return -1;
    /* Commit whole steps (the last one stops at the reservation's usable
     * end); reserved <= PTRDIFF_MAX, so rounding cannot overflow. */
    needed = ROUND_UP(offset + bytes, MARENA_COMMIT_STEP);
    if (needed > reserved)
        needed = reserved;
    if (needed <= committed)
        return 0;
    if (needed > arena->limit)
        return -1;

    count_saturating(&arena->backend_calls);
    if (arena->backend->commit(arena->backend_ctx, (void *)block->end,
                               needed - committed) != 0)
        return -1;
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_poison(block->end, start + needed);
#endif
    block->end = start + needed;
    set_end(arena);
    return 0;
}

void
marena__decommit_beyond(struct marena_arena *arena, size_t keep)
{
    struct marena_block *block = arena->current;
    uintptr_t start = (uintptr_t)arena;
    size_t committed = (size_t)(block->end - start);

    /* The control block and everything up to the cursor stay committed. */
    if (keep < (size_t)(arena_cursor(arena) - start))
        keep = (size_t)(arena_cursor(arena) - start);
    if (keep >= committed)
        return;
    keep = ROUND_UP(keep, MARENA_COMMIT_STEP);
    if (keep >= committed)
        return;
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_release(start + keep, block->end);
#endif
    count_saturating(&arena->backend_calls);
    arena->backend->decommit(arena->backend_ctx, (void *)(start + keep),
                             committed - keep);
    block->end = start + keep;
    set_end(arena);
}

static void
push_spare(struct marena_arena *arena, struct marena_block *block)
{
    block->next = arena->spare;
    arena->spare = block;
}

/* Merges two lists of blocks that are each oldest first. */
static struct marena_block *
merge_oldest_first(struct marena_block *a, struct marena_block *b)
{
    struct marena_block *head = NULL, **tail = &head;

    while (a != NULL && b != NULL) {
        struct marena_block *older;

        if (a->serial <= b->serial) {
            older = a;
            a = a->next;
        } else {
            older = b;
            b = b->next;
        }
        *tail = older;
        tail = &older->next;
    }
    *tail = a != NULL ? a : b;
    return head;
}

/* Sorts a list of blocks by when they came into use, oldest first (a
 * merge sort: an arena may hold many blocks). */
static struct marena_block *
sort_oldest_first(struct marena_block *list)
{
    struct marena_block *middle = list, *fast, *second;

    if (list == NULL || list->next == NULL)
        return list;
    for (fast = list->next; fast->next != NULL && fast->next->next != NULL;
         fast = fast->next->next)
        middle = middle->next;
    second = middle->next;
    middle->next = NULL;
    return merge_oldest_first(sort_oldest_first(list), sort_oldest_first(second));
}

void
marena__retain_blocks(struct marena_arena *arena, size_t budget)
{
    struct marena_block *first = first_block(arena);
    struct marena_block *block, *next, *out = arena->spare;

    for (block = arena->current; block != NULL; block = next) {
        next = block->next;
        if (block != first) {
            marena__retire_block(arena, block, fill_of(arena, block));
            block->next = out;
            out = block;
        }
    }
    arena->spare = NULL;
    /* Oldest first, each that still fits the budget is kept. */
    for (block = sort_oldest_first(out); block != NULL; block = next) {
        next = block->next;
        if (block->size <= budget) {
            budget -= block->size;
            push_spare(arena, block);
        } else {
            marena__release_block(arena, block);
        }
    }
}

/* A block a rewind took out of use: ordinary ones stay as spares, blocks
 * larger than an ordinary block go back to the backend. */
static void
retire_rewound(struct marena_arena *arena, struct marena_block *block)
{
    marena__retire_block(arena, block, fill_of(arena, block));
    if ((size_t)(block->end - block_base(block)) > arena->max_block_size)
        marena__release_block(arena, block);
    else
        push_spare(arena, block);
}

/* They stand before the target (new current blocks) or right behind it
 * (blocks of their own for large requests), never past the first older
 * block (layout.h). */
void
marena__retire_newer_blocks(struct marena_arena *arena, struct marena_block *target,
                            uint64_t mark)
{
    struct marena_block *block, **link;

    link = &arena->current;
    while ((block = *link) != target) {
        *link = block->next;
        retire_rewound(arena, block);
    }
    link = &target->next;
    while ((block = *link) != NULL && newer_than(block, mark)) {
        *link = block->next;
        retire_rewound(arena, block);
    }
}
