/* SPDX-License-Identifier: MIT */
/*
 * What AddressSanitizer and Valgrind's memcheck are told about arena
 * memory, in one place.
 *
 * A tracked arena (the library was built with ASan, or it runs under
 * Valgrind with the valgrind option on) keeps every byte it has not handed
 * out poisoned / NOACCESS, unpoisons each allocation exactly (its bytes,
 * not its padding), and poisons again what reset, rewind, pop and a
 * shrinking realloc give back. For memcheck every block is a mempool
 * (its header is the pool handle) and every allocation a chunk, so a read
 * after reset or past the last allocation is an "Invalid read" with the
 * allocation's stack.
 *
 * Tracked arenas never take the inline fast path (arena.h: the trap), so
 * all of this happens in the library. When nothing is tracked these
 * functions do nothing: without ASan and without valgrind support they
 * compile to nothing at all.
 */
#ifndef MARENA_SRC_TRACK_H
#define MARENA_SRC_TRACK_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SANITIZE_ADDRESS__)
#define MARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MARENA_ASAN 1
#endif
#endif
#ifndef MARENA_ASAN
#define MARENA_ASAN 0
#endif

#if MARENA_ASAN
#include <sanitizer/asan_interface.h>
#endif
#if MARENA_HAVE_VALGRIND
#include <valgrind/memcheck.h>
#endif

#include "layout.h"

#define MARENA_TRACKING (MARENA_ASAN || MARENA_HAVE_VALGRIND)

/* Should an arena created now be tracked? Under Valgrind only memcheck
 * needs to see allocations: callgrind, cachegrind, massif, helgrind and
 * DRD would only see every allocation take the slow path, so a profile of
 * the program would be wrong. VALGRIND_GET_VBITS is a memcheck request:
 * memcheck answers 1 for an addressable byte, other tools leave the
 * default, 0. */
static inline int
track_wanted(void)
{
#if MARENA_ASAN
    return 1;
#elif MARENA_HAVE_VALGRIND
    unsigned char probe = 0, vbits = 0;

    return RUNNING_ON_VALGRIND != 0 && VALGRIND_GET_VBITS(&probe, &vbits, 1) == 1;
#else
    return 0;
#endif
}

#if MARENA_TRACKING
/* Bytes [from, to) are not to be touched. */
static inline void
track_poison(uintptr_t from, uintptr_t to)
{
    if (from >= to)
        return;
#if MARENA_ASAN
    ASAN_POISON_MEMORY_REGION((void *)from, to - from);
#endif
#if MARENA_HAVE_VALGRIND
    (void)VALGRIND_MAKE_MEM_NOACCESS((void *)from, to - from);
#endif
}

/* Bytes [from, to) may be written (their contents are undefined). */
static inline void
track_unpoison(uintptr_t from, uintptr_t to)
{
    if (from >= to)
        return;
#if MARENA_ASAN
    ASAN_UNPOISON_MEMORY_REGION((void *)from, to - from);
#endif
#if MARENA_HAVE_VALGRIND
    (void)VALGRIND_MAKE_MEM_UNDEFINED((void *)from, to - from);
#endif
}

/* Bytes [from, to), written before they were handed out, hold values. */
static inline void
track_defined(uintptr_t from, uintptr_t to)
{
#if MARENA_HAVE_VALGRIND
    if (from < to)
        (void)VALGRIND_MAKE_MEM_DEFINED((void *)from, to - from);
#else
    (void)from;
    (void)to;
#endif
}

/* A block came into use with usable bytes [base, end), none handed out. */
static inline void
track_block_open(const struct marena_block *block, uintptr_t base, uintptr_t end)
{
#if MARENA_HAVE_VALGRIND
    VALGRIND_CREATE_MEMPOOL(block, 0, 0);
#else
    (void)block;
#endif
    track_poison(base, end);
}

/* A block goes out of use (to the spare list): its allocations are
 * forgotten and all of it is poisoned. */
static inline void
track_block_retire(const struct marena_block *block, uintptr_t base, uintptr_t end)
{
#if MARENA_HAVE_VALGRIND
    VALGRIND_DESTROY_MEMPOOL(block);
#else
    (void)block;
#endif
    track_poison(base, end);
}

/* Memory leaves the arena (a block or a decommitted range goes back to
 * its backend or its caller): it becomes ordinary memory again, so that
 * whatever is mapped or allocated there later is not reported. */
static inline void
track_release(uintptr_t from, uintptr_t to)
{
    track_unpoison(from, to);
    track_defined(from, to);
}

/* [start, start + size) was handed out from `block`: a memcheck chunk. */
static inline void
track_alloc(const struct marena_block *block, uintptr_t start, size_t size)
{
#if MARENA_HAVE_VALGRIND
    VALGRIND_MEMPOOL_ALLOC(block, (void *)start, size);
#else
    (void)block;
#endif
#if MARENA_ASAN
    ASAN_UNPOISON_MEMORY_REGION((void *)start, size);
#endif
}

/*
 * Chunks and positions. Every position the cursor of a block has stood at
 * is a chunk boundary: a bump starts a chunk at the cursor, and growing
 * the last allocation in place adds chunks for the new bytes, split where
 * the cursor stood (track_grow_last), instead of growing the old chunk
 * across that position. Going back to such a position (reset, rewind) is
 * then one MEMPOOL_TRIM with no chunk crossing its end; memcheck 3.19
 * mishandles a chunk that does (it marks bytes past the trimmed range
 * inaccessible, even past the block). marena_pop and a shrinking realloc
 * may cut anywhere in the last allocation: they shrink the chunk they cut,
 * which the arena knows as track_last (track_cut_last).
 */

/* Everything `block` handed out from `from` on comes back; `from` is a
 * position the cursor stood at. */
static inline void
track_give_back(const struct marena_block *block, uintptr_t base, uintptr_t from,
                uintptr_t end)
{
#if MARENA_HAVE_VALGRIND
    VALGRIND_MEMPOOL_TRIM(block, (void *)base, from - base);
#else
    (void)block;
    (void)base;
#endif
    track_poison(from, end);
}

/*
 * The last allocation of `block` grew in place from old_end to new_end;
 * the cursor stood at `cursor` (old_end plus the red zone). Returns the
 * start of its last chunk now.
 */
static inline uintptr_t
track_grow_last(const struct marena_block *block, uintptr_t old_end, uintptr_t cursor,
                uintptr_t new_end)
{
    uintptr_t split = new_end < cursor ? new_end : cursor;

    if (old_end < split)
        track_alloc(block, old_end, (size_t)(split - old_end));
    if (cursor < new_end)
        track_alloc(block, cursor, (size_t)(new_end - cursor));
    return cursor < new_end ? cursor : old_end;
}

/*
 * Everything `block` handed out from `cut` up to `old_end` (the old
 * cursor) comes back, `cut` anywhere in the last allocation (marena_pop,
 * a shrinking realloc). `last` is the start of the block's last chunk, 0
 * when unknown. When `cut` falls in it, that chunk shrinks (or goes, when
 * `cut` is its start). Below it, the chunk that `cut` falls in is unknown:
 * the block's chunks are dropped and what lies below `cut` becomes plain
 * defined memory (memcheck then knows less about those allocations, and
 * reports nothing false). Returns the start of the last chunk now, 0 when
 * unknown.
 */
static inline uintptr_t
track_cut_last(const struct marena_block *block, uintptr_t base, uintptr_t last,
               uintptr_t cut, uintptr_t old_end)
{
    int known = last != 0 && last <= cut;

#if MARENA_HAVE_VALGRIND
    if (known && last == cut) {
        VALGRIND_MEMPOOL_FREE(block, (void *)last);
    } else if (known) {
        VALGRIND_MEMPOOL_CHANGE(block, (void *)last, (void *)last, cut - last);
    } else {
        VALGRIND_DESTROY_MEMPOOL(block);
        VALGRIND_CREATE_MEMPOOL(block, 0, 0);
        track_defined(base, cut);
    }
#else
    (void)block;
    (void)base;
#endif
    track_poison(cut, old_end);
    return known && last < cut ? last : 0;
}
#endif /* MARENA_TRACKING */

#endif /* MARENA_SRC_TRACK_H */
