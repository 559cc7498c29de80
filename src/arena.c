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
#include "wipe.h"

_Static_assert(MARENA_ALIGNMENT == _Alignof(max_align_t),
               "marena_config.h was generated for another target");
_Static_assert((MARENA_ALIGNMENT & (MARENA_ALIGNMENT - 1)) == 0,
               "MARENA_ALIGNMENT must be a power of two");
_Static_assert(MARENA_CONTROL_SIZE == ARENA_SIZE + BLOCK_HEADER_SIZE,
               "MARENA_CONTROL_SIZE must match the layout");
_Static_assert(MARENA_COMMIT_STEP % MARENA_ALIGNMENT == 0 &&
               MARENA_COMMIT_STEP > MARENA_CONTROL_SIZE,
               "a commit step must hold the control block");

struct marena_cleanup {
    struct marena_cleanup *next;    /* the one registered before */
    marena_cleanup_fn fn;
    void *data;
    size_t used;                    /* used when it was registered */
};

/* ---------------------------------------------------------------- create */

/* Builds an arena at `start`, the beginning of a first block of `size`
 * bytes, usable up to `end` (aligned down to MARENA_ALIGNMENT here:
 * marena_head.h); for a reserve arena, `end` is the committed end.
 * pre: start is aligned to MARENA_ALIGNMENT;
 *      start + MARENA_CONTROL_SIZE < ALIGN_DOWN(end). */
static struct marena *
place(uintptr_t start, size_t size, uintptr_t end,
      const marena_options_t *options, const marena_backend_t *backend,
      uint32_t flags)
{
    struct marena *arena = (struct marena *)start;
    struct marena_block *first = first_block(arena);
    size_t usable;

    memset(arena, 0, MARENA_CONTROL_SIZE);
    first->end = ALIGN_DOWN(end);
    first->size = size;
    usable = (size_t)(first->end - block_base(first));
    arena->backend = backend;
    arena->backend_ctx = options->backend_ctx;
    arena->max_block_size = options->max_block_size != 0 ? options->max_block_size
                                                         : MARENA_DEFAULT_MAX_BLOCK_SIZE;
    if (arena->max_block_size < usable)
        arena->max_block_size = usable;
    arena->limit = options->limit != 0 ? options->limit : SIZE_MAX;
    arena->on_oom = options->on_oom;
    arena->oom_data = options->oom_data;
    arena->flags = flags | (track_wanted() ? ARENA_TRACKED : 0u);
    enter_block(arena, first, block_base(first));
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_block_open(first, block_base(first), first->end);
#endif
    return arena;
}

static int
options_valid(const marena_options_t *options, const marena_backend_t *backend)
{
    for (size_t i = 0; i < sizeof(options->reserved) / sizeof(options->reserved[0]); i++)
        if (options->reserved[i] != NULL)
            return 0;
    if (options->flags & ~ARENA_PUBLIC_FLAGS)
        return 0;
    if (options->flags & MARENA_RESERVE)
        return options->buffer == NULL && !(options->flags & MARENA_GROW) &&
               backend != NULL && backend->reserve != NULL &&
               backend->commit != NULL && backend->decommit != NULL;
    return 1;
}

/* An arena in the caller's buffer; the backend (if any) serves growth. */
static struct marena *
create_in_buffer(const marena_options_t *options, const marena_backend_t *backend)
{
    uintptr_t start = (uintptr_t)options->buffer;
    size_t size = options->buffer_size;
    size_t padding;

    if (size > UINTPTR_MAX - start)
        return NULL;
    /* Room for the control block and at least one aligned unit between the
     * aligned start and the aligned end. */
    padding = (size_t)(0u - start) & (MARENA_ALIGNMENT - 1);
    if (size <= padding ||
        ALIGN_DOWN(start + size) <= start + padding + MARENA_CONTROL_SIZE)
        return NULL;
    if (!(options->flags & MARENA_GROW))
        backend = NULL;     /* a fixed buffer never calls a backend */
    return place(start + padding, size - padding, start + size, options,
                 backend, options->flags | ARENA_CALLER_BUFFER);
}

/* The first block from the backend: acquired, or reserved with its first
 * commit step committed. A block that breaks the backend contract (short,
 * misaligned, wrapping) or the limit goes straight back. */
static struct marena *
create_from_backend(const marena_options_t *options,
                    const marena_backend_t *backend, size_t wanted)
{
    int reserve = (options->flags & MARENA_RESERVE) != 0;
    void *ctx = options->backend_ctx;
    size_t granted = 0, held;
    void *block = reserve ? backend->reserve(ctx, wanted, &granted)
                          : backend->acquire(ctx, wanted, &granted);
    uintptr_t start = (uintptr_t)block;
    struct marena *arena;

    if (block == NULL)
        return NULL;
    held = reserve && granted > MARENA_COMMIT_STEP ? MARENA_COMMIT_STEP : granted;
    if (granted < wanted || granted > UINTPTR_MAX - start ||
        start % MARENA_ALIGNMENT != 0 ||
        (options->limit != 0 && held > options->limit) ||
        (reserve && backend->commit(ctx, block, held) != 0)) {
        if (backend->release != NULL)
            backend->release(ctx, block, granted);
        return NULL;
    }
    arena = place(start, granted, start + held, options, backend, options->flags);
    arena->backend_calls = reserve ? 2 : 1;
    return arena;
}

MARENA_API marena_t *
marena_create_ex(const marena_options_t *options)
{
    static const marena_options_t defaults;
    const marena_backend_t *backend;
    size_t capacity, wanted;

    if (options == NULL)
        options = &defaults;
    backend = options->backend;
#if MARENA_HAVE_DEFAULT_BACKEND
    if (backend == NULL)
        backend = &MARENA_DEFAULT_BACKEND;
#endif
    if (!options_valid(options, backend))
        return NULL;
    if (options->buffer != NULL)
        return create_in_buffer(options, backend);
    if (backend == NULL || backend->acquire == NULL)
        return NULL;

    /* No object may be larger than PTRDIFF_MAX (pointer differences inside
     * it would overflow), so no backend is asked for a larger block. */
    capacity = options->block_size != 0 ? options->block_size
                                        : MARENA_DEFAULT_BLOCK_SIZE;
    if (capacity > MARENA_MAX_CAPACITY)
        return NULL;
    wanted = MARENA_CONTROL_SIZE + ROUND_UP(capacity, MARENA_ALIGNMENT);
    if (!(options->flags & MARENA_RESERVE) && options->limit != 0 &&
        wanted > options->limit)
        return NULL;
    return create_from_backend(options, backend, wanted);
}

MARENA_API marena_t *
marena_create_with(const marena_backend_t *backend, void *ctx, size_t capacity)
{
    marena_options_t options = { 0 };

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

/* ---------------------------------------------------------------- cleanups */

MARENA_API int
marena_add_cleanup(marena_t *arena, marena_cleanup_fn fn, void *data)
{
    struct marena_cleanup *cleanup;
    size_t used;

    if (arena == NULL || fn == NULL)
        return -1;
    used = arena_used(arena);
    cleanup = marena_alloc_aligned(arena, sizeof(*cleanup),
                                   _Alignof(struct marena_cleanup));
    if (cleanup == NULL)
        return -1;
    cleanup->next = arena->cleanups;
    cleanup->fn = fn;
    cleanup->data = data;
    cleanup->used = used;
    arena->cleanups = cleanup;
    return 0;
}

/* Runs, newest first, the cleanups registered when used was at least
 * `from`, and forgets them. */
static void
run_cleanups(struct marena *arena, size_t from)
{
    while (arena->cleanups != NULL && arena->cleanups->used >= from) {
        struct marena_cleanup *cleanup = arena->cleanups;

        arena->cleanups = cleanup->next;
        cleanup->fn(cleanup->data);
    }
}

/* ---------------------------------------------------------------- reset */

/* Makes `block` the only block in use, with nothing handed out before it. */
static void
restart_at(struct marena *arena, struct marena_block *block)
{
    block->next = NULL;
    arena->used_retired = 0;
    enter_block(arena, block, block_base(block));
}

/* Where a block in use stops holding handed-out bytes: the cursor in the
 * current block, the block's end (as far as anyone knows) in the others. */
static uintptr_t
fill_of(const struct marena *arena, const struct marena_block *block)
{
    return block == arena->current ? arena_cursor(arena) : block->end;
}

/* Everything the first block handed out comes back. */
static void
empty_first_block(struct marena *arena)
{
    struct marena_block *first = first_block(arena);

    wipe_range(arena, block_base(first), fill_of(arena, first));
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_give_back(first, block_base(first), block_base(first), first->end);
#endif
}

static void
push_spare(struct marena *arena, struct marena_block *block)
{
    block->next = arena->spare;
    arena->spare = block;
}

/* Sorts the blocks other than the first: kept ones onto the spare list,
 * the rest back to the backend. budget: bytes that may stay held beyond
 * the first block. */
static void
retain_blocks(struct marena *arena, size_t budget)
{
    struct marena_block *first = first_block(arena);
    struct marena_block *in_use = arena->current, *spare = arena->spare;

    arena->spare = NULL;
    while (in_use != NULL || spare != NULL) {
        struct marena_block *block;

        if (in_use != NULL) {
            block = in_use;
            in_use = block->next;
            if (block == first)
                continue;
            marena__retire_block(arena, block, fill_of(arena, block));
        } else {
            block = spare;
            spare = block->next;
        }
        if (block->size <= budget) {
            budget -= block->size;
            push_spare(arena, block);
        } else {
            marena__release_block(arena, block);
        }
    }
}

MARENA_API void
marena_reset_ex(marena_t *arena, marena_retain_t retain, size_t bytes)
{
    struct marena_block *first;
    size_t first_held;

    if (arena == NULL)
        return;
    first = first_block(arena);
    run_cleanups(arena, 0);
    note_peak(arena);
    /* A new serial for the first block: every mark taken before is older
     * than the block it names, so rewind refuses it. */
    first->serial = ++arena->serial;

    empty_first_block(arena);
    if (arena->current->next != NULL || arena->spare != NULL) {
        first_held = (arena->flags & ARENA_CALLER_BUFFER) ? 0 : first->size;
        if (retain == MARENA_RETAIN_ALL)
            retain_blocks(arena, SIZE_MAX);
        else if (retain == MARENA_RETAIN_BYTES && bytes > first_held)
            retain_blocks(arena, bytes - first_held);
        else
            retain_blocks(arena, 0);
    }
    restart_at(arena, first);
    if ((arena->flags & MARENA_RESERVE) && retain == MARENA_RETAIN_BYTES)
        marena__decommit_beyond(arena, bytes);
}

MARENA_API void
marena_reset(marena_t *arena)
{
    struct marena_block *first;

    if (arena == NULL)
        return;
    /* The common case, in a few instructions: one block, nothing to run,
     * wipe, decommit or tell the tools. */
    first = first_block(arena);
    if (arena->current == first && first->next == NULL && arena->spare == NULL &&
        arena->cleanups == NULL &&
        !(arena->flags & (MARENA_RESERVE | MARENA_WIPE | ARENA_TRACKED))) {
        note_peak(arena);
        first->serial = ++arena->serial;
        arena->head.cursor = block_base(first);
        return;
    }
    marena_reset_ex(arena, MARENA_RETAIN_FIRST, 0);
}

/* ---------------------------------------------------------------- marks */

MARENA_API marena_mark_t
marena_mark(const marena_t *arena)
{
    marena_mark_t mark = { 0 };

    if (arena != NULL) {
        mark.block = arena->current;
        mark.cursor = arena_cursor(arena);
        mark.used = arena_used(arena);
        mark.serial = arena->serial;
    }
    return mark;
}

/* Did the block come into use after serial `mark` (modulo wrap-around)? */
static int
newer_than(const struct marena_block *block, uint32_t mark)
{
    return (int32_t)(block->serial - mark) > 0;
}

/* Is `mark` a position this arena can go back to? Its block must still be
 * in use and not have come into use again since (reset restamps the first
 * block), and the position must not lie beyond where the arena stands. */
static int
mark_valid(const struct marena *arena, const marena_mark_t *mark)
{
    const struct marena_block *block = arena->current;

    if (mark->used > arena_used(arena))
        return 0;
    while (block != NULL && block != mark->block)
        block = block->next;
    return block != NULL && !newer_than(block, mark->serial) &&
           mark->cursor >= block_base(block) &&
           mark->cursor <= fill_of(arena, block);
}

/* A block a rewind took out of use: ordinary ones stay as spares, blocks
 * larger than an ordinary block go back to the backend. */
static void
retire_rewound(struct marena *arena, struct marena_block *block)
{
    marena__retire_block(arena, block, fill_of(arena, block));
    if ((size_t)(block->end - block_base(block)) > arena->max_block_size)
        marena__release_block(arena, block);
    else
        push_spare(arena, block);
}

MARENA_API void
marena_rewind(marena_t *arena, marena_mark_t mark)
{
    struct marena_block *target = mark.block, *block, **link;

    if (arena == NULL)
        return;
    if (!mark_valid(arena, &mark)) {
        marena__misuse("marena_rewind: the mark is not from this arena, "
                       "is from before a reset, or was rewound past");
        return;
    }
    run_cleanups(arena, mark.used);
    note_peak(arena);
    /* What the target block handed out after the mark comes back. */
    wipe_range(arena, mark.cursor, fill_of(arena, target));
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_give_back(target, block_base(target), mark.cursor, target->end);
#endif

    /* Blocks that came into use after the mark stand before the target
     * (new current blocks) or right behind it (blocks of their own for
     * large requests), never past the first older block (layout.h). */
    link = &arena->current;
    while ((block = *link) != target) {
        *link = block->next;
        retire_rewound(arena, block);
    }
    link = &target->next;
    while ((block = *link) != NULL && newer_than(block, mark.serial)) {
        *link = block->next;
        retire_rewound(arena, block);
    }

    arena->used_retired = mark.used - (size_t)(mark.cursor - block_base(target));
    enter_block(arena, target, mark.cursor);
}

MARENA_API marena_scope_t
marena_scope_begin(marena_t *arena)
{
    marena_scope_t scope;

    scope.arena = arena;
    scope.mark = marena_mark(arena);
    return scope;
}

MARENA_API void
marena_scope_end(marena_scope_t scope)
{
    marena_rewind(scope.arena, scope.mark);
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
    first = first_block(arena);
    run_cleanups(arena, 0);
    empty_first_block(arena);
    retain_blocks(arena, 0);
#if MARENA_TRACKING
    if (is_tracked(arena)) {
        track_block_retire(first, block_base(first), first->end);
        track_block_release(block_base(first), first->end);
    }
#endif
    backend = arena->backend;
    ctx = arena->backend_ctx;
    size = first->size;
    flags = arena->flags;

    /* Leave an empty, zero-capacity arena behind: a stale handle to a
     * caller's buffer then gets NULL and 0 from every call. */
    marena__wipe(arena, MARENA_CONTROL_SIZE);
    first->end = block_base(first);
    restart_at(arena, first);

    if (!(flags & ARENA_CALLER_BUFFER) && backend->release != NULL)
        backend->release(ctx, arena, size);
}

/* ---------------------------------------------------------------- queries */

MARENA_API size_t
marena_remaining(const marena_t *arena)
{
    return arena != NULL ? (size_t)(arena->current->end - arena_cursor(arena)) : 0;
}

MARENA_API size_t
marena_used(const marena_t *arena)
{
    return arena != NULL ? arena_used(arena) : 0;
}

MARENA_API size_t
marena_capacity(const marena_t *arena)
{
    const struct marena_block *block;
    size_t capacity = 0;

    if (arena == NULL)
        return 0;
    for (block = arena->current; block != NULL; block = block->next)
        capacity += (size_t)(block->end - block_base(block));
    for (block = arena->spare; block != NULL; block = block->next)
        capacity += (size_t)(block->end - block_base(block));
    return capacity;
}

MARENA_API void
marena_stats(const marena_t *arena, marena_stats_t *out)
{
    const struct marena_block *block;

    if (out == NULL)
        return;
    memset(out, 0, sizeof(*out));
    if (arena == NULL)
        return;
    out->used = arena_used(arena);
    out->capacity = marena_capacity(arena);
    out->peak = arena->peak > out->used ? arena->peak : out->used;
    out->allocations = arena->head.allocations;
    for (block = arena->current; block != NULL; block = block->next)
        out->blocks++;
    for (block = arena->spare; block != NULL; block = block->next)
        out->spare_blocks++;
    out->blocks += out->spare_blocks;
    out->backend_bytes = marena__held(arena);
    out->backend_calls = arena->backend_calls;
    out->failed = arena->failed;
}
