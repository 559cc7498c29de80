/* SPDX-License-Identifier: MIT */
/*
 * What the core's files share: sizes and addresses derived from the
 * layout (layout.h), and the internal functions of blocks.c, alloc.c and
 * report.c. Internal names start with marena__ and are never exported.
 */
#ifndef MARENA_SRC_ARENA_H
#define MARENA_SRC_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "marena.h"
#include "layout.h"

#define ROUND_UP(n, align) (((n) + (align) - 1) & ~(size_t)((align) - 1))
#define ALIGN_DOWN(address) ((address) & ~(uintptr_t)(MARENA_ALIGNMENT - 1))

/* Bytes of the control block and of a block header, each kept aligned. */
#define ARENA_SIZE ROUND_UP(sizeof(struct marena), MARENA_ALIGNMENT)
#define BLOCK_HEADER_SIZE ROUND_UP(sizeof(struct marena_block), MARENA_ALIGNMENT)

/* Internal flags, above the public ones. */
#define ARENA_CALLER_BUFFER 0x100u  /* the first block is the caller's */
#define ARENA_PUBLIC_FLAGS (MARENA_GROW | MARENA_RESERVE)

static inline int
is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static inline struct marena_block *
first_block(const struct marena *arena)
{
    return (struct marena_block *)((uintptr_t)arena + ARENA_SIZE);
}

static inline uintptr_t
block_base(const struct marena_block *block)
{
    return (uintptr_t)block + BLOCK_HEADER_SIZE;
}

/* Where allocation in a block must stop: the current block's committed end
 * (arena->head.end), or a block's end. */
static inline uintptr_t
block_limit(const struct marena *arena, const struct marena_block *block)
{
    return block == arena->current ? arena->head.end : block->end;
}

static inline size_t
arena_used(const struct marena *arena)
{
    return arena->used_retired + (size_t)(arena->head.cursor - block_base(arena->current));
}

/* used is about to fall: remember the high-water mark first. Between two
 * falls used only grows, so this keeps peak exact. */
static inline void
note_peak(struct marena *arena)
{
    size_t used = arena_used(arena);

    if (used > arena->peak)
        arena->peak = used;
}

static inline void
count_saturating(uint32_t *counter)
{
    if (*counter != UINT32_MAX)
        ++*counter;
}

/* Bumps the cursor if the current block has room; NULL otherwise.
 * pre: align is a power of two. */
static inline void *
bump(struct marena *arena, size_t size, size_t align)
{
    size_t available = (size_t)(arena->head.end - arena->head.cursor);
    size_t padding = (size_t)(0u - arena->head.cursor) & (align - 1);
    uintptr_t start;

    if (padding > available || size > available - padding)
        return NULL;
    start = arena->head.cursor + padding;
    arena->head.cursor = start + size;
    arena->head.allocations++;
    return (void *)start;
}

/* ---- blocks.c: everything that talks to the backend ---- */

/* Bytes held from the backend now, headers included. */
size_t
marena__held(const struct marena *arena);

/* A block with at least `usable` usable bytes: a spare that fits, else a
 * new one from the backend within the limit. Not linked anywhere; its
 * serial is set. NULL on failure. */
struct marena_block *
marena__obtain_block(struct marena *arena, size_t usable);

/* Gives a block (not the first) back to the backend. */
void
marena__release_block(struct marena *arena, struct marena_block *block);

/* Reserve arenas: commits enough for `bytes` more at the cursor (within
 * the reservation and the limit). Returns 0 on success. */
int
marena__commit_room(struct marena *arena, size_t bytes);

/* Reserve arenas: decommits everything beyond the first `keep` bytes of
 * the reservation (rounded up to MARENA_COMMIT_STEP). */
void
marena__decommit_beyond(struct marena *arena, size_t keep);

/* ---- alloc.c ---- */

/* ---- report.c ---- */

/* Counts a failed request and, for a valid one, calls on_oom. Returns NULL
 * so callers can `return marena__fail(...)`. */
void *
marena__fail(struct marena *arena, size_t size, size_t align, int valid);

/* API misuse that cannot be answered with NULL: with MARENA_DEBUG, prints
 * the message and aborts; otherwise does nothing. */
void
marena__misuse(const char *message);

#endif /* MARENA_SRC_ARENA_H */
