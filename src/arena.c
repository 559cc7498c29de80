/* SPDX-License-Identifier: MIT */
/*
 * The arena's life: creation, reset, marks and rewind, cleanups, destroy,
 * and what can be asked of it.
 *
 * The control block and the first block's header sit at the start of the
 * first block (layout.h). Creation validates every option before it asks a
 * backend for anything. Reset and rewind run the cleanups that fall due,
 * then hand blocks back or keep them as spares; reset is O(1) for an arena
 * with one block and no cleanups. The core makes no OS calls and uses
 * nothing from libc but memset and memcpy.
 */
#include "config.h"

#include <string.h>

#include "arena.h"

_Static_assert(MARENA_ALIGNMENT == _Alignof(max_align_t),
               "marena_config.h was generated for another target");
_Static_assert((MARENA_ALIGNMENT & (MARENA_ALIGNMENT - 1)) == 0,
               "MARENA_ALIGNMENT must be a power of two");
_Static_assert(MARENA_CONTROL_SIZE == ARENA_SIZE + BLOCK_HEADER_SIZE,
               "MARENA_CONTROL_SIZE must match the layout");
_Static_assert(MARENA_COMMIT_STEP % MARENA_ALIGNMENT == 0 &&
                   MARENA_COMMIT_STEP > MARENA_CONTROL_SIZE,
               "a commit step must hold the control block");

/* ---------------------------------------------------------------- create */

/* Builds an arena at `start`, the beginning of a first block of `size`
 * bytes from a backend (0 for a caller's buffer), usable up to `end` (aligned down to MARENA_ALIGNMENT here:
 * marena_head.h); for a reserve arena, `end` is the committed end.
 * pre: start is aligned to MARENA_ALIGNMENT;
 *      start + MARENA_CONTROL_SIZE < ALIGN_DOWN(end). */
static struct marena_arena *
place(uintptr_t start, size_t size, uintptr_t end, uint32_t flags)
{
    struct marena_arena *arena = (struct marena_arena *)start;
    struct marena_block *first = first_block(arena);

    memset(arena, 0, MARENA_CONTROL_SIZE);
    first->end = ALIGN_DOWN(end);
    if (MARENA_HAVE_BACKENDS) /* only a backend wants it back */
        first->size = size;
    if (MARENA_DEBUG)
        arena->magic = ARENA_MAGIC;
    if (MARENA_HAVE_GROWTH)
        arena->limit = SIZE_MAX;
    arena->flags = flags | (track_wanted() ? ARENA_TRACKED : 0u);
    enter_block(arena, first, block_base(first));
    marena__refresh_reset_to(arena);
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_block_open(first, block_base(first), first->end);
#endif
    return arena;
}

/* What marena_create_ex() sets beyond place(): the backend that serves
 * growth (NULL: none), and the options. */
static struct marena_arena *
configure(struct marena_arena *arena, const marena_options_t *options,
          const marena_backend_t *backend)
{
    size_t usable;

    if (arena == NULL)
        return NULL;
    usable = (size_t)(first_block(arena)->end - block_base(first_block(arena)));
    arena->on_oom = options->on_oom;
    arena->oom_data = options->oom_data;
    if (MARENA_HAVE_BACKENDS) {
        arena->backend = backend;
        arena->backend_ctx = options->backend_ctx;
    }
    if (MARENA_HAVE_GROWTH) {
        arena->max_block_size = options->max_block_size != 0
                                    ? options->max_block_size
                                    : MARENA_DEFAULT_MAX_BLOCK_SIZE;
        if (arena->max_block_size < usable)
            arena->max_block_size = usable;
        if (options->limit != 0)
            arena->limit = options->limit;
    }
    return arena;
}

/* A backend the core may call: acquire is set, and reserve, commit and
 * decommit are all set or all NULL. */
static int
backend_valid(const marena_backend_t *backend)
{
    int reserve_parts = (backend->reserve != NULL) + (backend->commit != NULL) +
                        (backend->decommit != NULL);

    return backend->acquire != NULL && (reserve_parts == 0 || reserve_parts == 3);
}

/* `backend` is the one the arena would use (the default when none is
 * set). Every path is checked here, before anything is acquired: a caller
 * buffer that grows needs a backend as much as an arena without one. */
static int
options_valid(const marena_options_t *options, const marena_backend_t *backend)
{
    for (size_t i = 0; i < sizeof(options->reserved) / sizeof(options->reserved[0]); i++)
        if (options->reserved[i] != NULL)
            return 0;
    if (options->flags & ~ARENA_PUBLIC_FLAGS)
        return 0;
    /* A build without backends calls none, and takes none. */
    if (backend != NULL && (!MARENA_HAVE_BACKENDS || !backend_valid(backend)))
        return 0;
    if (MARENA_HAVE_GROWTH && (options->flags & MARENA_RESERVE))
        return options->buffer == NULL && !(options->flags & MARENA_GROW) &&
               backend != NULL && backend->reserve != NULL;
    /* A buffer that does not grow is the whole arena: no backend is called. */
    return backend != NULL ||
           (options->buffer != NULL && !(options->flags & MARENA_GROW));
}

struct marena_arena *
marena__create_in_buffer(void *buffer, size_t size, uint32_t flags)
{
    uintptr_t start = (uintptr_t)buffer;
    size_t padding;

    if (buffer == NULL || size > UINTPTR_MAX - start)
        return NULL;
    /* Room for the control block and at least one aligned unit between the
     * aligned start and the aligned end, measured as sizes: near the top
     * of the address space, start + padding + MARENA_CONTROL_SIZE wraps. */
    padding = (size_t)(0u - start) & (MARENA_ALIGNMENT - 1);
    if (size <= padding ||
        (size_t)(ALIGN_DOWN(start + size) - (start + padding)) <= MARENA_CONTROL_SIZE)
        return NULL;
    return place(start + padding, 0, start + size, flags | ARENA_CALLER_BUFFER);
}

#if MARENA_HAVE_BACKENDS
/* The first block from the backend: acquired, or reserved with its first
 * commit step committed. A block that breaks the backend contract (short,
 * misaligned, wrapping) or the limit goes straight back. */
static struct marena_arena *
acquire_first_block(const marena_options_t *options, const marena_backend_t *backend,
                    size_t wanted)
{
    int reserve = MARENA_HAVE_GROWTH && (options->flags & MARENA_RESERVE);
    void *ctx = options->backend_ctx;
    size_t granted = 0, held;
    void *block = reserve ? backend->reserve(ctx, wanted, &granted)
                          : backend->acquire(ctx, wanted, &granted);
    uintptr_t start = (uintptr_t)block;
    struct marena_arena *arena;

    if (block == NULL)
        return NULL;
    /* A reservation is committed a step at a time: the first step, or all
     * of it (its end aligned down: marena_head.h); what it holds is what
     * is committed. Any other block holds all it was granted. */
    held = !reserve                       ? granted
           : granted > MARENA_COMMIT_STEP ? MARENA_COMMIT_STEP
                                          : (size_t)ALIGN_DOWN(granted);
    if (!grant_valid(block, granted, wanted) ||
        (options->limit != 0 && held > options->limit) ||
        (reserve && backend->commit(ctx, block, held) != 0)) {
        if (backend->release != NULL)
            backend->release(ctx, block, granted);
        return NULL;
    }
    arena = place(start, granted, start + held, options->flags);
    arena->backend_calls = reserve ? 2 : 1;
    return configure(arena, options, backend);
}

/* An arena whose first block comes from the backend. */
static struct marena_arena *
create_from_backend(const marena_options_t *options, const marena_backend_t *backend)
{
    size_t capacity, wanted;

    /* No object may be larger than PTRDIFF_MAX (pointer differences inside
     * it would overflow), so no backend is asked for a larger block. */
    capacity = options->block_size != 0 ? options->block_size : MARENA_DEFAULT_BLOCK_SIZE;
    if (capacity > MARENA_MAX_CAPACITY)
        return NULL;
    wanted = MARENA_CONTROL_SIZE + ROUND_UP(capacity, MARENA_ALIGNMENT);
    if (!(options->flags & MARENA_RESERVE) && options->limit != 0 &&
        wanted > options->limit)
        return NULL;
    return acquire_first_block(options, backend, wanted);
}
#endif /* MARENA_HAVE_BACKENDS */

MARENA_API marena_t *
marena_create_ex(const marena_options_t *options)
{
    const marena_backend_t *backend;

    if (options == NULL) {
#if MARENA_HAVE_DEFAULT_BACKEND
        return marena_create(MARENA_DEFAULT_BLOCK_SIZE);
#else
        return NULL; /* no backend, no buffer */
#endif
    }
    backend = options->backend;
#if MARENA_HAVE_DEFAULT_BACKEND
    if (backend == NULL)
        backend = &MARENA_DEFAULT_BACKEND;
#endif
    if (!options_valid(options, backend))
        return NULL;
    if (options->buffer != NULL) /* only growth calls the backend */
        return configure(marena__create_in_buffer(options->buffer, options->buffer_size,
                                                  options->flags),
                         options, backend);
#if MARENA_HAVE_BACKENDS
    return create_from_backend(options, backend);
#else
    return NULL;
#endif
}

#if MARENA_HAVE_BACKENDS
MARENA_API marena_t *
marena_create_with(const marena_backend_t *backend, void *ctx, size_t capacity)
{
    marena_options_t options = {0};

    if (backend == NULL || capacity == 0)
        return NULL;
    options.backend = backend;
    options.backend_ctx = ctx;
    options.block_size = capacity;
    return marena_create_ex(&options);
}

#if MARENA_HAVE_DEFAULT_BACKEND
MARENA_API marena_t *
marena_create(size_t capacity)
{
    return marena_create_with(&MARENA_DEFAULT_BACKEND, NULL, capacity);
}
#endif
#endif /* MARENA_HAVE_BACKENDS */

/* ---------------------------------------------------------------- reset */

void
marena__refresh_reset_to(struct marena_arena *arena)
{
    struct marena_block *first = first_block(arena);
    int simple = !has_more_blocks(arena) &&
                 (!MARENA_HAVE_CLEANUPS || arena->cleanups == NULL) &&
                 !(arena->flags & (MARENA_WIPE | ARENA_TRACKED));

    arena->head.reset_to = simple ? block_base(first) : 0;
}

/* Makes `block` the only block in use, with nothing handed out before it. */
static void
restart_at(struct marena_arena *arena, struct marena_block *block)
{
    if (MARENA_HAVE_GROWTH) {
        block->next = NULL;
        arena->used_retired = 0;
    }
    enter_block(arena, block, block_base(block));
}

/* Everything the first block handed out comes back. */
static void
empty_first_block(struct marena_arena *arena)
{
    struct marena_block *first = first_block(arena);

    wipe_range(arena, block_base(first), fill_of(arena, first));
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_give_back(first, block_base(first), block_base(first), first->end);
#endif
}

/* Sorts the blocks other than the first as `retain` says; returns the
 * block to allocate from next. */
static struct marena_block *
retain_blocks(struct marena_arena *arena, marena_retain_t retain, size_t bytes)
{
    struct marena_block *first = first_block(arena);
    size_t first_held = (arena->flags & ARENA_CALLER_BUFFER) ? 0 : first->size;
    size_t first_usable = (size_t)(first->end - block_base(first));
    size_t need;

    if (!has_more_blocks(arena))
        return first;
    need = marena__next_need(arena);
    if (retain == MARENA_RETAIN_LARGEST)
        return marena__retain_largest(arena);
    if (retain == MARENA_RETAIN_ALL)
        marena__retain_blocks(arena, SIZE_MAX, 0);
    else if (retain == MARENA_RETAIN_BYTES && bytes > first_held)
        marena__retain_blocks(arena, bytes - first_held, 0);
    else if (retain == MARENA_RETAIN_ADAPTIVE && need > first_usable)
        marena__retain_blocks(arena, 0, need - first_usable);
    else
        marena__retain_blocks(arena, 0, 0);
    return first;
}

MARENA_API void
marena_reset_ex(marena_t *arena, marena_retain_t retain, size_t bytes)
{
    struct marena_block *first, *next;

    if (arena == NULL)
        return;
    CHECK_LIVE(arena, "marena_reset_ex");
    first = first_block(arena);
    marena__run_cleanups(arena, 0, 0);
    note_peak(arena);
    marena__note_cycle_capacity(arena);
    count_reset(arena);

    empty_first_block(arena);
    next = retain_blocks(arena, retain, bytes);
    restart_at(arena, first);
    if (next != first) {
        /* The largest block is current; the first stays in use, empty,
         * behind it. */
        first->fill = block_base(first);
        next->next = first;
        enter_block(arena, next, block_base(next));
    }
    if ((arena->flags & MARENA_RESERVE) && retain == MARENA_RETAIN_BYTES)
        marena__decommit_beyond(arena, bytes);
    marena__refresh_reset_to(arena);
}

/* The inline reset of marena.h does the common case in the caller; what
 * reaches the library (that inline reset with more to do, a call through
 * a pointer) is the full reset, which has the same result. */
MARENA_API void(marena_reset)(marena_t *arena)
{
    marena_reset_ex(arena, MARENA_RETAIN_ADAPTIVE, 0);
}

/* ---------------------------------------------------------------- destroy */

MARENA_API void
marena_destroy(marena_t *arena)
{
    struct marena_block *first;
    const marena_backend_t *backend;
    void *ctx;
    size_t size;
    uint32_t flags;

    if (arena == NULL)
        return;
    CHECK_LIVE(arena, "marena_destroy");
    first = first_block(arena);
    marena__run_cleanups(arena, 0, 0);
    empty_first_block(arena);
    marena__retain_blocks(arena, 0, 0);
#if MARENA_TRACKING
    if (is_tracked(arena)) {
        track_block_retire(first, block_base(first), first->end);
        track_release(block_base(first), first->end);
    }
#endif
    backend = arena->backend;
    ctx = arena->backend_ctx;
    size = first->size;
    flags = arena->flags;

    /* Leave an empty, zero-capacity arena behind, with no backend and
     * marked as a caller's buffer: a stale handle to a caller's buffer
     * then gets NULL and 0 from every call, and a second destroy gives
     * nothing back (debug builds abort on both: the magic is gone). */
    memset(arena, 0, MARENA_CONTROL_SIZE);
    first->end = block_base(first);
    arena->flags = ARENA_CALLER_BUFFER;
    restart_at(arena, first);

    if (MARENA_HAVE_BACKENDS && !(flags & ARENA_CALLER_BUFFER) &&
        backend->release != NULL)
        backend->release(ctx, arena, size);
}

/* ---------------------------------------------------------------- queries */

MARENA_API size_t
marena_remaining(const marena_t *arena)
{
    if (arena == NULL)
        return 0;
    CHECK_LIVE(arena, "marena_remaining");
    return (size_t)(arena->current->end - arena_cursor(arena));
}

MARENA_API size_t
marena_used(const marena_t *arena)
{
    if (arena == NULL)
        return 0;
    CHECK_LIVE(arena, "marena_used");
    return arena_used(arena);
}

/* Usable bytes of the blocks in a list. */
static size_t
list_capacity(const struct marena_block *block)
{
    size_t capacity = 0;

    for (; block != NULL; block = block->next)
        capacity += (size_t)(block->end - block_base(block));
    return capacity;
}

MARENA_API size_t
marena_capacity(const marena_t *arena)
{
    if (arena == NULL)
        return 0;
    CHECK_LIVE(arena, "marena_capacity");
    if (!MARENA_HAVE_GROWTH) /* one block */
        return (size_t)(arena->current->end - block_base(arena->current));
    return list_capacity(arena->current) + list_capacity(arena->spare);
}
