/* SPDX-License-Identifier: MIT */
/**
 * @file marena.h
 * @brief marena: a bump-pointer memory arena with pluggable backing stores.
 *
 * An arena hands out memory by moving a cursor upward through a block it
 * got once from a backend (the heap, mmap, or a buffer the caller owns).
 * There is no per-allocation free: marena_reset() forgets every allocation
 * at once in O(1), and marena_destroy() gives the block back.
 *
 * Conventions that hold for every function below:
 * - A failed call returns NULL (or 0) and leaves the arena exactly as it was.
 * - Bad input (size 0, an alignment that is not a power of two, a size whose
 *   arithmetic would overflow, a NULL arena) is answered with NULL or 0,
 *   never with undefined behaviour.
 * - An arena is not thread-safe: one thread at a time may use it.
 *
 * The header is C99 and C++ compatible.
 */
#ifndef MARENA_H
#define MARENA_H

#include <stddef.h>
#include <stdint.h>

#include "marena_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @cond MARENA_INTERNAL */
#if defined(_WIN32) && defined(MARENA_BUILDING_DLL)
#define MARENA_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define MARENA_API __attribute__((visibility("default")))
#else
#define MARENA_API
#endif
/** @endcond */

/**
 * @def MARENA_ALIGNMENT
 * The alignment of marena_alloc() and marena_calloc() results:
 * alignof(max_align_t) on the build's target. Defined in marena_config.h.
 */

/**
 * @def MARENA_CONTROL_SIZE
 * Bytes an arena's control block takes from the start of its block (a
 * multiple of #MARENA_ALIGNMENT). Defined in marena_config.h.
 */

/**
 * The largest capacity an arena can be created with: a block (capacity plus
 * control block) may not exceed PTRDIFF_MAX, the size of the largest object
 * C can index. Larger capacities are refused before any backend is called.
 */
#define MARENA_MAX_CAPACITY ((size_t)PTRDIFF_MAX - MARENA_CONTROL_SIZE)

/**
 * @struct marena
 * An arena. Opaque; its control block lives inside the memory its backend
 * supplied (inside the caller's buffer for marena_create_static()), so an
 * arena needs no memory besides its backend's.
 */
typedef struct marena marena_t;

/**
 * A backing store: where an arena gets its block from and gives it back to.
 *
 * The core calls a backend only when an arena is created (acquire) and
 * destroyed (release), never per allocation. Initialise it with designated
 * initialisers: later versions may append optional members, which stay NULL
 * in your initialiser and are then not used.
 */
typedef struct marena_backend {
    /** A short name for diagnostics, e.g. "heap". May be NULL. */
    const char *name;
    /**
     * Returns a block of at least @p size bytes aligned to at least
     * #MARENA_ALIGNMENT and stores its real size in @p *granted; or returns
     * NULL. @p size is never 0 and @p granted never NULL. Required.
     */
    void *(*acquire)(void *ctx, size_t size, size_t *granted);
    /**
     * Gives back a block that acquire returned; @p size is the *granted
     * value. May be NULL for a backend whose blocks need no release.
     */
    void (*release)(void *ctx, void *block, size_t size);
} marena_backend_t;

#if MARENA_HAVE_HEAP_BACKEND
/** Blocks from malloc(); released with free(). The context is unused. */
MARENA_API extern const marena_backend_t marena_backend_heap;
#endif

#if MARENA_HAVE_MMAP_BACKEND
/**
 * Private anonymous mappings from mmap(), rounded up to whole pages (the
 * rounding is given to the arena, not wasted), with MAP_NORESERVE where the
 * platform has it; released with munmap(). The context is unused.
 */
MARENA_API extern const marena_backend_t marena_backend_mmap;
#endif

#if MARENA_HAVE_DEFAULT_BACKEND
/**
 * Creates an arena on the build's default backend
 * (#MARENA_DEFAULT_BACKEND_NAME, chosen with the meson option
 * default_backend). Absent when the library was built with
 * default_backend=none.
 *
 * @param capacity Usable bytes wanted; the arena may get more (the backend's
 *                 rounding), never less.
 * @returns The arena, to be destroyed with marena_destroy(); or NULL when
 *          @p capacity is 0 or above #MARENA_MAX_CAPACITY, or when the
 *          backend fails.
 */
MARENA_API marena_t *
marena_create(size_t capacity);
#endif

/**
 * Creates an arena whose one block comes from @p backend.
 *
 * The arena acquires a single block of capacity plus its control block,
 * keeps the control block at the block's start, and releases the block in
 * marena_destroy().
 *
 * @param backend The backing store. It must outlive the arena. NULL, or a
 *                backend without acquire, gives NULL.
 * @param ctx     Passed unchanged to the backend's functions; may be NULL.
 * @param capacity Usable bytes wanted (at least; whatever the backend grants
 *                 beyond is usable too).
 * @returns The arena, or NULL when @p capacity is 0 or above
 *          #MARENA_MAX_CAPACITY (the backend is then not called), when
 *          acquire returns NULL, or when acquire breaks its contract
 *          (grants less than it was asked for, or a block not aligned to
 *          #MARENA_ALIGNMENT; the block is then released). Nothing is
 *          leaked on failure.
 */
MARENA_API marena_t *
marena_create_with(const marena_backend_t *backend, void *ctx, size_t capacity);

#if MARENA_HAVE_STATIC_BACKEND
/**
 * Creates an arena inside a buffer the caller owns. Nothing is allocated:
 * the control block is placed at the buffer's first suitably aligned byte
 * and the rest of the buffer is the arena's capacity.
 *
 * The buffer needs no particular alignment (the arena aligns inside it) and
 * must stay valid until marena_destroy(); marena_destroy() does not free it.
 * Two arenas in disjoint parts of one buffer are independent.
 *
 * @param buffer The memory to use; NULL gives NULL.
 * @param size   Its size in bytes.
 * @returns The arena, or NULL when @p buffer is NULL, when buffer + size
 *          would wrap the address space, or when the buffer is too small to
 *          hold the aligned control block plus at least one usable byte
 *          (see #MARENA_STATIC_OVERHEAD).
 */
MARENA_API marena_t *
marena_create_static(void *buffer, size_t size);

/**
 * Bytes of a static buffer that may not become capacity: the control block
 * (#MARENA_CONTROL_SIZE) plus the worst-case padding to align it. A buffer of
 * MARENA_STATIC_OVERHEAD + n bytes always gives at least n bytes of
 * capacity, whatever its alignment. A constant expression, so it can size
 * a static array.
 */
#define MARENA_STATIC_OVERHEAD (MARENA_CONTROL_SIZE + MARENA_ALIGNMENT - 1)
#endif

/**
 * Destroys an arena: every allocation from it becomes invalid and its block
 * goes back to the backend (a static arena's buffer goes back to the
 * caller, who may free or reuse it).
 *
 * The control block is wiped before release, so a stale handle to a static
 * arena whose buffer still exists answers every call with NULL or 0 instead
 * of handing out memory (a hardening measure, not a licence to use it).
 *
 * @param arena The arena; NULL does nothing.
 */
MARENA_API void
marena_destroy(marena_t *arena);

/**
 * Allocates @p size bytes aligned to #MARENA_ALIGNMENT.
 *
 * The memory is not initialised and stays valid until the arena is reset or
 * destroyed. Allocations move upward through the block.
 *
 * @param arena The arena; NULL gives NULL.
 * @param size  Bytes wanted; 0 gives NULL.
 * @returns The memory, or NULL when the arena cannot serve the request (the
 *          arena is then unchanged).
 */
MARENA_API void *
marena_alloc(marena_t *arena, size_t size);

/**
 * Allocates @p size bytes aligned to @p align.
 *
 * Alignment padding comes out of the arena's remaining bytes. With align 1
 * consecutive allocations are contiguous.
 *
 * @param arena The arena; NULL gives NULL.
 * @param size  Bytes wanted; 0 gives NULL.
 * @param align A power of two (any size: an alignment the block cannot meet
 *              simply fails); 0 or a non-power of two gives NULL.
 * @returns The memory, or NULL (the arena is then unchanged).
 */
MARENA_API void *
marena_alloc_aligned(marena_t *arena, size_t size, size_t align);

/**
 * Allocates @p count * @p size zeroed bytes aligned to #MARENA_ALIGNMENT.
 *
 * @param arena The arena; NULL gives NULL.
 * @param count Number of elements; 0 gives NULL.
 * @param size  Size of one element; 0 gives NULL.
 * @returns The zeroed memory, or NULL when count * size overflows size_t or
 *          the arena cannot serve it (the arena is then unchanged).
 */
MARENA_API void *
marena_calloc(marena_t *arena, size_t count, size_t size);

/**
 * Forgets every allocation: the next allocation starts where the first one
 * did. O(1); the backend is not called and the block is kept.
 *
 * @param arena The arena; NULL does nothing.
 */
MARENA_API void
marena_reset(marena_t *arena);

/**
 * Bytes the arena can still hand out: an allocation of exactly this many
 * bytes with align 1 succeeds. Requests with a larger alignment may need
 * padding from these bytes.
 *
 * @param arena The arena; NULL gives 0.
 */
MARENA_API size_t
marena_remaining(const marena_t *arena);

/**
 * Bytes handed out since creation or the last reset, alignment padding
 * included. Always used + remaining == capacity.
 *
 * @param arena The arena; NULL gives 0.
 */
MARENA_API size_t
marena_used(const marena_t *arena);

/**
 * Usable bytes of the arena's block: at least the capacity asked for at
 * creation, never counting the control block.
 *
 * @param arena The arena; NULL gives 0.
 */
MARENA_API size_t
marena_capacity(const marena_t *arena);

#ifdef __cplusplus
}
#endif

#endif /* MARENA_H */
