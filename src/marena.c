/* SPDX-License-Identifier: MIT */
/*
 * The bump core.
 *
 * An arena is one block from a backend. Its control block (struct marena)
 * sits at the block's start, and the usable bytes [base, end) follow it.
 * Allocation moves `cursor` upward; nothing is freed individually, and
 * marena_reset() moves the cursor back to `base` in O(1).
 *
 * The core makes no OS calls and uses nothing from libc but memset. It
 * talks to a backend only to acquire the block (create) and to release it
 * (destroy), never per allocation. Every size computation is checked before
 * anything is changed, so a failed call leaves the arena as it was.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "marena.h"
#include "arena.h"
#include "wipe.h"

_Static_assert(MARENA_ALIGNMENT == _Alignof(max_align_t),
               "marena_config.h was generated for another target");
_Static_assert((MARENA_ALIGNMENT & (MARENA_ALIGNMENT - 1)) == 0,
               "MARENA_ALIGNMENT must be a power of two");
_Static_assert(MARENA_CONTROL_SIZE % MARENA_ALIGNMENT == 0 &&
               MARENA_CONTROL_SIZE >= sizeof(struct marena) &&
               MARENA_CONTROL_SIZE - sizeof(struct marena) < MARENA_ALIGNMENT,
               "MARENA_CONTROL_SIZE must be sizeof(struct marena) rounded up");

static int
is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

struct marena *
marena__place(void *block, size_t size, const marena_backend_t *backend,
              void *backend_ctx)
{
    struct marena *arena = block;
    uintptr_t start = (uintptr_t)block;

    arena->base = start + MARENA_CONTROL_SIZE;
    arena->cursor = arena->base;
    arena->end = start + size;
    arena->backend = backend;
    arena->backend_ctx = backend_ctx;
    arena->block_size = size;
    return arena;
}

MARENA_API marena_t *
marena_create_with(const marena_backend_t *backend, void *ctx, size_t capacity)
{
    size_t wanted, granted = 0;
    void *block;

    /* No object may be larger than PTRDIFF_MAX (pointer differences inside
     * it would overflow), so no backend is asked for a larger block. */
    if (backend == NULL || backend->acquire == NULL || capacity == 0 ||
        capacity > MARENA_MAX_CAPACITY)
        return NULL;

    wanted = MARENA_CONTROL_SIZE + capacity;
    block = backend->acquire(ctx, wanted, &granted);
    if (block == NULL)
        return NULL;
    /* A backend that grants less than asked, or a block that would wrap the
     * address space or is misaligned, is refused rather than trusted. */
    if (granted < wanted || granted > UINTPTR_MAX - (uintptr_t)block ||
        (uintptr_t)block % MARENA_ALIGNMENT != 0) {
        if (backend->release != NULL)
            backend->release(ctx, block, granted);
        return NULL;
    }
    return marena__place(block, granted, backend, ctx);
}

#if MARENA_HAVE_DEFAULT_BACKEND
MARENA_API marena_t *
marena_create(size_t capacity)
{
    return marena_create_with(&MARENA_DEFAULT_BACKEND, NULL, capacity);
}
#endif

MARENA_API void
marena_destroy(marena_t *arena)
{
    const marena_backend_t *backend;
    void *ctx;
    size_t size;

    if (arena == NULL)
        return;
    backend = arena->backend;
    ctx = arena->backend_ctx;
    size = arena->block_size;

    /* Leave an empty, zero-capacity arena behind: a stale handle to a
     * static buffer then gets NULL and 0 from every call. */
    marena__wipe(arena, sizeof(*arena));
    arena->base = arena->cursor = arena->end = (uintptr_t)arena;

    if (backend != NULL && backend->release != NULL)
        backend->release(ctx, arena, size);
}

MARENA_API void *
marena_alloc_aligned(marena_t *arena, size_t size, size_t align)
{
    size_t available, padding;
    uintptr_t start;

    if (arena == NULL || size == 0 || !is_power_of_two(align))
        return NULL;

    available = (size_t)(arena->end - arena->cursor);
    /* Bytes from the cursor up to the next multiple of align; any power of
     * two works, and a padding larger than what is left simply fails. */
    padding = (size_t)(0u - arena->cursor) & (align - 1);
    if (padding > available || size > available - padding)
        return NULL;

    start = arena->cursor + padding;
    arena->cursor = start + size;
    return (void *)start;
}

MARENA_API void *
marena_alloc(marena_t *arena, size_t size)
{
    return marena_alloc_aligned(arena, size, MARENA_ALIGNMENT);
}

MARENA_API void *
marena_calloc(marena_t *arena, size_t count, size_t size)
{
    void *memory;

    if (count == 0 || size == 0 || count > SIZE_MAX / size)
        return NULL;
    memory = marena_alloc(arena, count * size);
    if (memory != NULL)
        memset(memory, 0, count * size);
    return memory;
}

MARENA_API void
marena_reset(marena_t *arena)
{
    if (arena != NULL)
        arena->cursor = arena->base;
}

MARENA_API size_t
marena_remaining(const marena_t *arena)
{
    return arena != NULL ? (size_t)(arena->end - arena->cursor) : 0;
}

MARENA_API size_t
marena_used(const marena_t *arena)
{
    return arena != NULL ? (size_t)(arena->cursor - arena->base) : 0;
}

MARENA_API size_t
marena_capacity(const marena_t *arena)
{
    return arena != NULL ? (size_t)(arena->end - arena->base) : 0;
}
