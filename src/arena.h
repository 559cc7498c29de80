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
#include "track.h"
#include "wipe.h"

#define ROUND_UP(n, align) (((n) + (align)-1) & ~(size_t)((align)-1))
#define ALIGN_DOWN(address) ((address) & ~(uintptr_t)(MARENA_ALIGNMENT - 1))

/* Bytes of the control block and of a block header, each kept aligned. */
#define ARENA_SIZE ROUND_UP(sizeof(struct marena_arena), MARENA_ALIGNMENT)
#define BLOCK_HEADER_SIZE ROUND_UP(sizeof(struct marena_block), MARENA_ALIGNMENT)

/* control block's magic while the arena lives (marena_destroy() wipes it):
 * debug builds check it on every call that leaves the inline path. */
#define ARENA_MAGIC 0x6d61726eu /* "mare" */

/* Internal flags, above the public ones. */
#define ARENA_CALLER_BUFFER 0x100u /* the first block is the caller's */
#define ARENA_TRACKED 0x200u       /* ASan/memcheck see it (track.h) */
/* Flags marena_create_ex() takes: without the growth option an arena is
 * its one block, and asking for growth or a reservation fails; without
 * the wipe option, so does asking for wipes. */
#define ARENA_PUBLIC_FLAGS \
    ((MARENA_HAVE_GROWTH ? MARENA_GROW | MARENA_RESERVE : 0u) | \
     (MARENA_HAVE_WIPE ? MARENA_WIPE : 0u))
/* A tracked arena keeps in the top byte of flags how far its head.cursor
 * stands past the real cursor (below). */
#define ARENA_TRAP_SHIFT 24u
#define ARENA_TRAP_MASK (0xffu << ARENA_TRAP_SHIFT)

/* Bytes left unused after each allocation of a tracked arena, poisoned
 * (the redzone build option). */
#define ARENA_REDZONE ((size_t)MARENA_REDZONE)

static inline int
is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static inline struct marena_block *
first_block(const struct marena_arena *arena)
{
    return (struct marena_block *)((uintptr_t)arena + ARENA_SIZE);
}

static inline uintptr_t
block_base(const struct marena_block *block)
{
    return (uintptr_t)block + BLOCK_HEADER_SIZE;
}

static inline int
is_tracked(const struct marena_arena *arena)
{
    return MARENA_TRACKING && (arena->flags & ARENA_TRACKED);
}

/*
 * The cursor. In an untracked arena it is head.cursor, and head.end is the
 * current block's end: the inline fast path bumps them directly. A tracked
 * arena must see every allocation, so it traps the fast path: head.cursor
 * is the real cursor aligned up to MARENA_ALIGNMENT and head.end equals it,
 * so that `size - 1 < end - start` fails for every size and alignment the
 * inline path takes. The distance from the real cursor is kept in flags.
 */
static inline uintptr_t
arena_cursor(const struct marena_arena *arena)
{
    if (!MARENA_TRACKING)
        return arena->head.cursor;
    return arena->head.cursor - (arena->flags >> ARENA_TRAP_SHIFT);
}

static inline void
set_cursor(struct marena_arena *arena, uintptr_t cursor)
{
    if (is_tracked(arena)) {
        uintptr_t trap = ROUND_UP(cursor, MARENA_ALIGNMENT);

        arena->flags = (arena->flags & ~ARENA_TRAP_MASK) | (uint32_t)(trap - cursor)
                                                               << ARENA_TRAP_SHIFT;
        arena->head.cursor = arena->head.end = trap;
    } else {
        arena->head.cursor = cursor;
    }
}

/* The current block, or its committed part, ends elsewhere now (a new
 * current block, a commit or decommit): so does the inline path. */
static inline void
set_end(struct marena_arena *arena)
{
    if (!is_tracked(arena))
        arena->head.end = arena->current->end;
}

/* Makes `block` the current block, its cursor at `cursor`; a tracked
 * arena does not know the start of its last allocation there. */
static inline void
enter_block(struct marena_arena *arena, struct marena_block *block, uintptr_t cursor)
{
    arena->current = block;
    if (MARENA_TRACKING)
        arena->track_last = 0;
    set_cursor(arena, cursor);
    set_end(arena);
}

static inline size_t
arena_used(const struct marena_arena *arena)
{
    size_t in_current = (size_t)(arena_cursor(arena) - block_base(arena->current));

    return MARENA_HAVE_GROWTH ? arena->used_retired + in_current : in_current;
}

/* used is about to fall: remember the high-water mark first. Between two
 * falls used only grows, so this keeps peak exact. (Only marena_stats()
 * reports it.) */
static inline void
note_peak(struct marena_arena *arena)
{
    size_t used = arena_used(arena);

    if (MARENA_HAVE_STATS && used > arena->peak)
        arena->peak = used;
}

/* Where a block in use stops holding handed-out bytes: the cursor in the
 * current block, the block's end (as far as anyone knows) in the others. */
static inline uintptr_t
fill_of(const struct marena_arena *arena, const struct marena_block *block)
{
    return !MARENA_HAVE_GROWTH || block == arena->current ? arena_cursor(arena)
                                                          : block->fill;
}

/* Did the block come into use after serial `mark`? */
static inline int
newer_than(const struct marena_block *block, uint64_t mark)
{
    return block->serial > mark;
}

/* Does a block from a backend keep the contract: at least what was
 * wanted, aligned, no larger than the largest object C can index
 * (PTRDIFF_MAX), and not wrapping the address space? Checked before the
 * block is touched. */
static inline int
grant_valid(const void *block, size_t granted, size_t wanted)
{
    uintptr_t start = (uintptr_t)block;

    return granted >= wanted && granted <= (size_t)PTRDIFF_MAX &&
           granted <= UINTPTR_MAX - start && start % MARENA_ALIGNMENT == 0;
}

/* Counters only marena_stats() reads: not counted without it. */
static inline void
count_saturating(uint32_t *counter)
{
    if (MARENA_HAVE_STATS && *counter != UINT32_MAX)
        ++*counter;
}

/* Bumps the cursor if the current block has room; NULL otherwise. A
 * tracked arena also tells the tools, and leaves ARENA_REDZONE poisoned
 * bytes after the allocation.
 * pre: align is a power of two. */
static inline void *
bump(struct marena_arena *arena, size_t size, size_t align)
{
    uintptr_t cursor = arena_cursor(arena);
    size_t available = (size_t)(arena->current->end - cursor);
    size_t padding = (size_t)(0u - cursor) & (align - 1);
    size_t taken = size;
    uintptr_t start;

    if (is_tracked(arena) && ARENA_REDZONE != 0)
        taken = size > SIZE_MAX - ARENA_REDZONE ? SIZE_MAX : size + ARENA_REDZONE;
    if (padding > available || taken > available - padding)
        return NULL;
    start = cursor + padding;
    set_cursor(arena, start + taken);
    if (MARENA_HAVE_STATS) /* the only reader */
        arena->head.allocations++;
#if MARENA_TRACKING
    if (is_tracked(arena)) {
        track_alloc(arena->current, start, size);
        arena->track_last = start;
    }
#endif
    return (void *)start;
}

/* Bytes an allocation of `size` takes from its block: its red zone too
 * in a tracked arena. pre: size <= PTRDIFF_MAX. */
static inline size_t
taken_by(const struct marena_arena *arena, size_t size)
{
    return is_tracked(arena) ? size + ARENA_REDZONE : size;
}

/* Is [p, p + size) the most recent allocation of the current block (or
 * its tail)? It must start between the block's base and the cursor: a
 * range above the cursor, or one whose end wraps the address space to
 * meet the cursor, is not. */
static inline int
marena__is_last(const struct marena_arena *arena, uintptr_t p, size_t size)
{
    uintptr_t cursor = arena_cursor(arena);

    return p >= block_base(arena->current) && p <= cursor && size <= cursor - p &&
           taken_by(arena, size) == cursor - p;
}

#if MARENA_HAVE_REALLOC
/* The last allocation, at p, from old_size to new_size in place (realloc.c):
 * 0, or -1 (nothing changed) when its block has no room to grow. */
int
marena__resize_last(struct marena_arena *arena, uintptr_t p, size_t old_size,
                    size_t new_size);
#endif

/* Is [p, p + size) memory the arena handed out and still holds (size 0:
 * is p a handed-out byte)? A block in use holds handed-out bytes from its
 * base to where it is filled. O(blocks). */
static inline int
marena__holds(const struct marena_arena *arena, uintptr_t p, size_t size)
{
    const struct marena_block *block;

    for (block = arena->current; block != NULL; block = block->next) {
        uintptr_t fill = fill_of(arena, block);

        if (p >= block_base(block) && p < fill && size <= fill - p)
            return 1;
    }
    return 0;
}

/* Makes [from, to) writable and wipes it (MARENA_WIPE), before it is given
 * back; the caller poisons it again. */
static inline void
wipe_range(struct marena_arena *arena, uintptr_t from, uintptr_t to)
{
    if (!MARENA_HAVE_WIPE || !(arena->flags & MARENA_WIPE) || from >= to)
        return;
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_unpoison(from, to);
#endif
    marena__wipe((void *)from, (size_t)(to - from));
}

/* ---- blocks.c: everything that talks to the backend after creation;
 * compiled only with the growth option ---- */

#if MARENA_HAVE_GROWTH
/* Bytes held from the backend now, headers included. */
size_t
marena__held(const struct marena_arena *arena);

/* The usable bytes of the largest block the limit still lets the arena
 * take (aligned down); SIZE_MAX without a limit. */
size_t
marena__limit_room(const struct marena_arena *arena);

/* Blocks are about to go out of use (a reset, a rewind): remember the
 * most usable bytes the blocks in use had this cycle, for
 * MARENA_RETAIN_ADAPTIVE. O(blocks in use), as what follows is. */
void
marena__note_cycle_capacity(struct marena_arena *arena);

/* The estimate MARENA_RETAIN_ADAPTIVE keeps blocks for, at a reset (after
 * count_reset() and marena__note_cycle_capacity()). */
size_t
marena__next_need(struct marena_arena *arena);

/* A block with at least `usable` usable bytes: a spare that fits, else a
 * new one from the backend within the limit. Not linked anywhere; its
 * serial is set. NULL on failure. */
struct marena_block *
marena__obtain_block(struct marena_arena *arena, size_t usable);

/* A block goes out of use (to the spare list or, after
 * marena__release_block(), to its backend): its handed-out bytes up to
 * `fill` are wiped (MARENA_WIPE) and the tools forget its allocations. */
void
marena__retire_block(struct marena_arena *arena, struct marena_block *block,
                     uintptr_t fill);

/* Gives a retired block (not the first) back to the backend. */
void
marena__release_block(struct marena_arena *arena, struct marena_block *block);

/* Reserve arenas: commits enough for `bytes` more at the cursor (within
 * the reservation and the limit). Returns 0 on success. */
int
marena__commit_room(struct marena_arena *arena, size_t bytes);

/* Reserve arenas: decommits everything beyond the first `keep` bytes of
 * the reservation (rounded up to MARENA_COMMIT_STEP). */
void
marena__decommit_beyond(struct marena_arena *arena, size_t keep);

/* Takes every block but the first out of use and sorts them, spares
 * included, oldest first (by when they came into use). A block goes onto
 * the spare list while the kept blocks' usable bytes have not reached
 * `cover`, or when it still fits in `budget` (bytes held from the
 * backend, headers included); the rest go back to the backend. */
void
marena__retain_blocks(struct marena_arena *arena, size_t budget, size_t cover);

/* Takes every block but the first out of use, keeps the largest (in use
 * again, empty: the caller makes it current) and gives the rest back.
 * Returns it, or the first block when there is no other. */
struct marena_block *
marena__retain_largest(struct marena_arena *arena);

/* Rewind: takes the blocks that came into use after serial `mark` out of
 * use, `target` (the mark's block) becoming the head of the list. */
void
marena__retire_newer_blocks(struct marena_arena *arena, struct marena_block *target,
                            uint64_t mark);
#else
/* Without growth an arena is its first block and nothing else: these are
 * the only answers, and the compiler folds the callers' block handling
 * away. */
static inline size_t
marena__held(const struct marena_arena *arena)
{
    return (arena->flags & ARENA_CALLER_BUFFER) ? 0 : first_block(arena)->size;
}

static inline size_t
marena__limit_room(const struct marena_arena *arena)
{
    (void)arena;
    return 0;
}

static inline void
marena__note_cycle_capacity(struct marena_arena *arena)
{
    (void)arena;
}

static inline size_t
marena__next_need(struct marena_arena *arena)
{
    (void)arena;
    return 0;
}

static inline struct marena_block *
marena__obtain_block(struct marena_arena *arena, size_t usable)
{
    (void)arena;
    (void)usable;
    return NULL;
}

static inline int
marena__commit_room(struct marena_arena *arena, size_t bytes)
{
    (void)arena;
    (void)bytes;
    return -1;
}

static inline void
marena__decommit_beyond(struct marena_arena *arena, size_t keep)
{
    (void)arena;
    (void)keep;
}

static inline void
marena__retain_blocks(struct marena_arena *arena, size_t budget, size_t cover)
{
    (void)arena;
    (void)budget;
    (void)cover;
}

static inline struct marena_block *
marena__retain_largest(struct marena_arena *arena)
{
    return first_block(arena);
}

static inline void
marena__retire_newer_blocks(struct marena_arena *arena, struct marena_block *target,
                            uint64_t mark)
{
    (void)arena;
    (void)target;
    (void)mark;
}
#endif /* MARENA_HAVE_GROWTH */

/* Does the arena have blocks besides the first (in use or spare)? */
static inline int
has_more_blocks(const struct marena_arena *arena)
{
    return MARENA_HAVE_GROWTH && (arena->current->next != NULL || arena->spare != NULL ||
                                  arena->current != first_block(arena));
}

/* ---- marks.c ---- */

#if MARENA_HAVE_MARKS
/* The arena went back to `used` (marena_pop, a shrinking realloc; rewind
 * records its own): marks above it are stale from now on. */
void
marena__retreat(struct marena_arena *arena, size_t used);
#else
static inline void
marena__retreat(struct marena_arena *arena, size_t used)
{
    (void)arena;
    (void)used;
}
#endif

/* A reset: every earlier mark is stale (it remembers how many resets
 * there were), and no retreat before it matters any more (marks.c forgets
 * them when it next looks). The inline reset of marena.h counts too. */
static inline void
count_reset(struct marena_arena *arena)
{
    arena->head.resets++;
}

/* Is a reset nothing but moving the cursor back to the first block's base
 * (one block, no cleanups, nothing to wipe or tell the tools)? The head
 * says so to the inline reset (marena_head.h); every change to what is
 * checked here calls this again (arena.c). */
void
marena__refresh_reset_to(struct marena_arena *arena);

/* The high-water mark of used: the peak noted when used fell, and the
 * highest cursor the inline reset saw (used then, in the first block). */
static inline size_t
arena_peak(const struct marena_arena *arena)
{
    uintptr_t base = block_base(first_block(arena));
    size_t used = arena_used(arena);
    size_t reset_high = arena->head.high > base ? (size_t)(arena->head.high - base) : 0;
    size_t peak = arena->peak > used ? arena->peak : used;

    return reset_high > peak ? reset_high : peak;
}

/* ---- cleanups.c ---- */

#if MARENA_HAVE_CLEANUPS
/* Runs, newest first, the cleanups registered at or after the moment a
 * mark with this serial and used would name (0, 0: all), and forgets
 * them. */
void
marena__run_cleanups(struct marena_arena *arena, uint64_t serial, size_t used);
#else
static inline void
marena__run_cleanups(struct marena_arena *arena, uint64_t serial, size_t used)
{
    (void)arena;
    (void)serial;
    (void)used;
}
#endif

/* ---- arena.c ---- */

/* An arena in the caller's buffer (flags: MARENA_WIPE; MARENA_GROW with a
 * backend set afterwards). NULL when buffer is NULL or too small. */
struct marena_arena *
marena__create_in_buffer(void *buffer, size_t size, uint32_t flags);

/* ---- alloc.c ---- */

/* Why a call failed: the values of marena_error_t (marena.h), which only
 * builds with the errors option declare. */
#define ARENA_EINVAL 1u /* bad input */
#define ARENA_EFULL 2u  /* no room in a fixed arena or a reservation */
#define ARENA_ELIMIT 3u /* the limit would be passed */
#define ARENA_ENOMEM 4u /* the backend refused, or no block could be so large */

/* The request under way cannot be served, for this reason (the deepest
 * code that knows says so; marena_alloc_slow() starts from ARENA_EFULL). */
static inline void
note_why(struct marena_arena *arena, unsigned why)
{
    if (MARENA_HAVE_ERRORS)
        arena->why = (uint8_t)why;
}

/* Why the request under way failed: what was noted, or no room. */
static inline unsigned
noted_why(const struct marena_arena *arena)
{
    return MARENA_HAVE_ERRORS ? arena->why : ARENA_EFULL;
}

/* A call failed for this reason (marena_last_error()). */
static inline void
marena__set_error(struct marena_arena *arena, unsigned why)
{
    if (MARENA_HAVE_ERRORS)
        arena->last_error = (uint8_t)why;
}

/* Records a failed call (its reason for marena_last_error(), a count for
 * marena_stats()) and, unless the input was bad, calls on_oom, which may
 * read the reason. Returns NULL so callers can `return marena__fail(...)`. */
static inline void *
marena__fail(struct marena_arena *arena, size_t size, size_t align, unsigned why)
{
    marena__set_error(arena, why);
    count_saturating(&arena->failed);
    if (why != ARENA_EINVAL && arena->on_oom != NULL)
        arena->on_oom(arena, size, align, arena->oom_data);
    return NULL;
}

/* ---- report.c ---- */

/* API misuse that a debug build (MARENA_DEBUG) catches: prints
 * "marena: <function>: <problem>" and aborts. Release builds do nothing
 * here (the messages are not even compiled in) and answer with NULL or 0
 * where they can. */
#if MARENA_DEBUG
void
marena__misuse(const char *function, const char *problem);
#else
#define marena__misuse(function, problem) ((void)0)
#endif

/* ---- concurrent.c, backends/concurrent.c ---- */

#if MARENA_HAVE_CONCURRENT
/* How many times the concurrent arena was reset. */
uint64_t
marena__concurrent_epoch(const marena_concurrent_t *shared);
#endif

/* Debug builds: a child of a concurrent arena (marena_backend_concurrent)
 * whose concurrent arena was reset since the child was created is misuse. */
#if MARENA_DEBUG && MARENA_HAVE_CONCURRENT
void
marena__check_child(const struct marena_arena *arena, const char *function);
#define CHECK_CHILD(arena, function) marena__check_child((arena), (function))
#else
#define CHECK_CHILD(arena, function) ((void)0)
#endif

/* Every exported function that takes an arena checks, in debug builds,
 * that it is one that lives (not destroyed, not some other memory). The
 * inline allocation path does not (it would cost every allocation); a
 * destroyed arena's allocation reaches marena_alloc_slow() anyway when the
 * control block is still readable, because destroy leaves it empty. */
#if MARENA_DEBUG
#define CHECK_LIVE(arena, function) \
    do { \
        if ((arena)->magic != ARENA_MAGIC) \
            marena__misuse((function), "the arena was destroyed, or is not an arena"); \
        CHECK_CHILD((arena), (function)); \
    } while (0)
#else
#define CHECK_LIVE(arena, function) ((void)0)
#endif

#endif /* MARENA_SRC_ARENA_H */
