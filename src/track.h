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

/* Should an arena created now be tracked? */
static inline int
track_wanted(void)
{
#if MARENA_ASAN
    return 1;
#elif MARENA_HAVE_VALGRIND
    return RUNNING_ON_VALGRIND != 0;
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

/* A retired block's memory becomes ordinary again, before it goes back to
 * a backend or a caller. */
static inline void
track_block_release(uintptr_t base, uintptr_t end)
{
    track_unpoison(base, end);
#if MARENA_HAVE_VALGRIND
    (void)VALGRIND_MAKE_MEM_DEFINED((void *)base, end - base);
#endif
}

/* Bytes [from, to), written before they were handed out, hold values. */
static inline void
track_defined(uintptr_t from, uintptr_t to)
{
#if MARENA_HAVE_VALGRIND
    (void)VALGRIND_MAKE_MEM_DEFINED((void *)from, to - from);
#else
    (void)from;
    (void)to;
#endif
}

/* [start, start + size) was handed out from `block`. */
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

/* Everything `block` handed out from `from` on comes back. */
static inline void
track_give_back(const struct marena_block *block, uintptr_t base, uintptr_t from,
                uintptr_t end)
{
#if MARENA_HAVE_VALGRIND
    VALGRIND_MEMPOOL_TRIM(block, (void *)base, from - base);
#else
    (void)block;
#endif
    track_poison(from, end);
}

/* The allocation at `start` in `block` now has `size` bytes (0: gone);
 * [start + size, start + old_size) comes back. */
static inline void
track_resize(const struct marena_block *block, uintptr_t start, size_t old_size,
             size_t size)
{
#if MARENA_HAVE_VALGRIND
    if (size == 0)
        VALGRIND_MEMPOOL_FREE(block, (void *)start);
    else
        VALGRIND_MEMPOOL_CHANGE(block, (void *)start, (void *)start, size);
#else
    (void)block;
#endif
    if (size > old_size)
        track_unpoison(start + old_size, start + size);
    else
        track_poison(start + size, start + old_size);
}
#endif /* MARENA_TRACKING */

#endif /* MARENA_SRC_TRACK_H */
