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

size_t
marena__limit_room(const struct marena_arena *arena)
{
    size_t held;

    if (arena->limit == SIZE_MAX)
        return SIZE_MAX;
    held = marena__held(arena);
    if (held >= arena->limit || arena->limit - held < BLOCK_HEADER_SIZE)
        return 0;
    return (size_t)ALIGN_DOWN(arena->limit - held - BLOCK_HEADER_SIZE);
}

MARENA_API size_t
marena_limit(const marena_t *arena)
{
    if (arena == NULL)
        return 0;
    CHECK_LIVE(arena, "marena_limit");
    return arena->limit;
}

MARENA_API int
marena_set_limit(marena_t *arena, size_t limit)
{
    if (arena == NULL)
        return -1;
    CHECK_LIVE(arena, "marena_set_limit");
    if (limit == 0)
        limit = SIZE_MAX;
    if (limit < marena__held(arena)) {
        marena__set_error(arena, ARENA_EINVAL);
        return -1;
    }
    arena->limit = limit;
    return 0;
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

    if (backend == NULL || backend->acquire == NULL)
        return NULL;
    if (usable > (size_t)PTRDIFF_MAX - BLOCK_HEADER_SIZE - MARENA_ALIGNMENT) {
        note_why(arena, ARENA_ENOMEM);
        return NULL;
    }
    wanted = BLOCK_HEADER_SIZE + ROUND_UP(usable, MARENA_ALIGNMENT);
    held = marena__held(arena);
    if (wanted > arena->limit || held > arena->limit - wanted) {
        note_why(arena, ARENA_ELIMIT);
        return NULL;
    }

    count_saturating(&arena->backend_calls);
    block = backend->acquire(arena->backend_ctx, wanted, &granted);
    if (block == NULL) {
        note_why(arena, ARENA_ENOMEM);
        return NULL;
    }
    /* Refuse what breaks the contract, and what the limit cannot take. */
    if (!grant_valid(block, granted, wanted) || granted > arena->limit - held) {
        note_why(arena,
                 grant_valid(block, granted, wanted) ? ARENA_ELIMIT : ARENA_ENOMEM);
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

/* A block comes into use, empty, with a new serial (marks from before
 * cannot name it). */
static void
come_into_use(struct marena_arena *arena, struct marena_block *block)
{
    block->next = NULL;
    block->serial = ++arena->serial;
    block->fill = block_base(block);
    block->dedicated = 0;
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_block_open(block, block_base(block), block->end);
#endif
}

struct marena_block *
marena__obtain_block(struct marena_arena *arena, size_t usable)
{
    struct marena_block *block = take_spare(arena, usable);

    if (block == NULL)
        block = acquire_block(arena, usable);
    if (block != NULL)
        come_into_use(arena, block);
    return block;
}

void
marena__retire_block(struct marena_arena *arena, struct marena_block *block,
                     uintptr_t fill)
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
    if (needed > arena->limit) {
        note_why(arena, ARENA_ELIMIT);
        return -1;
    }

    count_saturating(&arena->backend_calls);
    if (arena->backend->commit(arena->backend_ctx, (void *)block->end,
                               needed - committed) != 0) {
        note_why(arena, ARENA_ENOMEM);
        return -1;
    }
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

/* Every block but the first, in use or spare, out of use and oldest
 * first; the spare list is empty afterwards. */
static struct marena_block *
take_all_but_first(struct marena_arena *arena)
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
    return sort_oldest_first(out);
}

void
marena__note_cycle_capacity(struct marena_arena *arena)
{
    size_t held = 0;

    for (const struct marena_block *block = arena->current; block != NULL;
         block = block->next)
        held += usable_size(block);
    if (held > arena->cycle_high)
        arena->cycle_high = held;
}

void
marena__retain_blocks(struct marena_arena *arena, size_t budget, size_t cover)
{
    struct marena_block *block, *next;

    for (block = take_all_but_first(arena); block != NULL; block = next) {
        next = block->next;
        if (cover > 0) {
            cover -= usable_size(block) < cover ? usable_size(block) : cover;
            push_spare(arena, block);
        } else if (block->size <= budget) {
            budget -= block->size;
            push_spare(arena, block);
        } else {
            marena__release_block(arena, block);
        }
    }
}

struct marena_block *
marena__retain_largest(struct marena_arena *arena)
{
    struct marena_block *block, *next, *largest = NULL;

    for (block = take_all_but_first(arena); block != NULL; block = next) {
        next = block->next;
        if (largest == NULL || usable_size(block) > usable_size(largest)) {
            if (largest != NULL)
                marena__release_block(arena, largest);
            largest = block;
        } else {
            marena__release_block(arena, block);
        }
    }
    if (largest == NULL)
        return first_block(arena);
    come_into_use(arena, largest);
    return largest;
}

/* A block a rewind took out of use: blocks larger than an ordinary block
 * go back to the backend, the others stay as spares (a scope in a loop
 * then calls no backend). */
static void
retire_rewound(struct marena_arena *arena, struct marena_block *block)
{
    marena__retire_block(arena, block, block->fill);
    if (usable_size(block) > arena->max_block_size)
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

    /* The current block leaves its place first: its fill is the cursor. */
    arena->current->fill = arena_cursor(arena);
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
