/* SPDX-License-Identifier: MIT */
/*
 * The arena's control block and its block headers.
 *
 * Memory layout. Every block starts with a struct marena_block header and
 * its usable bytes follow at block + BLOCK_HEADER_SIZE. The first block is
 * special only in that the control block (struct marena_arena) comes first:
 *
 *   first block:  [struct marena_arena][struct marena_block][usable ...]
 *   other blocks: [struct marena_block][usable ...]
 *
 * Lists. The blocks in use form a list through `next`, its head the
 * current block (the one the cursor is in). A new ordinary block becomes
 * the head; a block of its own for a large request goes right behind the
 * head, so the current block keeps serving small requests. So every block
 * that came into use after some moment stands before the first older block
 * other than the head of that moment: a rewind walks only those. Blocks
 * kept for reuse after a reset or rewind form the spare list. Each block
 * gets a serial when it comes into use (the first block: at creation and at
 * every reset), so a rewind can tell which came after its mark.
 *
 * This header depends on nothing but the C library, marena_head.h and
 * the MARENA_HAVE_MARKS macro: meson.build measures it (defining that
 * macro itself) to publish MARENA_CONTROL_SIZE before marena_config.h
 * exists.
 */
#ifndef MARENA_SRC_LAYOUT_H
#define MARENA_SRC_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "marena_head.h"

struct marena_backend;
struct marena_cleanup;

struct marena_block {
    struct marena_block *next; /* the next block in its list */
    uintptr_t end;             /* one past the last usable byte, aligned
                                   (the end of the reservation for
                                   MARENA_RESERVE) */
    size_t size;               /* bytes from the backend: granted, or
                                   reserved for MARENA_RESERVE */
    uint64_t serial;           /* when it came into use (64 bits: never
                                   wraps, so no stale mark passes) */
    uintptr_t fill;            /* where its handed-out bytes end, while
                                   it is in use and not the current one */
    uint32_t dedicated;        /* 1: a block of its own for one request */
};

/*
 * A retreat: the arena went back to `used` bytes (a rewind, marena_pop, a
 * shrinking realloc of the last allocation) when its serial became
 * `serial`. A mark taken before a retreat and above its position is
 * stale. The arena keeps the retreats that can still make a mark stale:
 * a later retreat to a lower position makes earlier ones redundant, so
 * the list rises in both serial and used, and it is as long as marks are
 * nested (marks.c).
 */
struct marena_retreat {
    uint64_t serial;
    size_t used;
};

/* Retreats an arena remembers; nesting deeper than this may let a stale
 * mark pass unnoticed (never a valid one refused). */
#define MARENA_RETREATS 8

/*
 * Addresses are kept as integers: every state of the arena, including the
 * empty one a destroyed static arena is left in, is then ordinary unsigned
 * arithmetic, with no pointer subtraction that could be undefined.
 * Invariants: base(current) <= head.cursor <= head.end <= current->end,
 * and every end is a multiple of MARENA_ALIGNMENT (marena_head.h).
 */
struct marena_arena {
    struct marena_head head;              /* cursor, end (the current block's end, or
                                   its committed end), allocations: read
                                   and written by the inline fast path */
    struct marena_block *current;         /* heads the in-use list */
    struct marena_block *spare;           /* blocks kept for reuse */
    const struct marena_backend *backend; /* where growth takes blocks (NULL: none) */
    void *backend_ctx;
    size_t max_block_size;           /* growth cap for ordinary blocks */
    size_t limit;                    /* most bytes from the backend; SIZE_MAX: none */
    size_t used_retired;             /* bytes handed out in in-use blocks other
                                   than the current one */
    size_t peak;                     /* highest used, as of the last time used fell */
    size_t cycle_high;               /* most usable bytes of the blocks in use since
                                   the last reset (growth) */
    size_t need;                     /* what the next cycle will likely need:
                                   MARENA_RETAIN_ADAPTIVE keeps blocks for it */
    uint64_t need_resets;            /* head.resets when need was last halved */
    struct marena_cleanup *cleanups; /* newest first */
    void (*on_oom)(struct marena_arena *, size_t, size_t, void *);
    void *oom_data;
    uint64_t serial;        /* the clock of blocks, marks and retreats:
                               bumped when a block comes into use and at
                               every retreat */
    uintptr_t track_last;   /* a tracked arena's most recent allocation in
                               the current block, 0 when unknown (track.h) */
    uint32_t magic;         /* ARENA_MAGIC while the arena lives */
    uint32_t flags;         /* MARENA_GROW, MARENA_RESERVE, ARENA_* */
    uint32_t failed;        /* saturating */
    uint32_t backend_calls; /* saturating */
    uint8_t last_error;     /* why the last failed call failed (errors.c) */
    uint8_t why;            /* why the request under way cannot be served */
#if MARENA_HAVE_MARKS
    uint64_t retreat_resets; /* head.resets when the retreats were recorded */
    uint32_t retreat_count;
    struct marena_retreat retreats[MARENA_RETREATS]; /* oldest first */
#endif
};

#endif /* MARENA_SRC_LAYOUT_H */
