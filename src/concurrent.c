/* SPDX-License-Identifier: MIT */
/*
 * Concurrent arenas: many threads allocate at once, lock-free.
 *
 * Blocks. The first block is an ordinary arena's, so every backend, the
 * caller-buffer option and wipes work as for marena_create_ex(); this
 * file's record is its first allocation. With MARENA_GROW more blocks come
 * from the backend, each starting with a struct cblock header. A thread
 * allocates with compare-and-swap on the current block's cursor. When the
 * block is full, the thread takes another (the spare slot, a block kept at
 * the last reset, or the backend within the limit, which an atomic count
 * of bytes held enforces) and installs it with compare-and-swap on
 * `current`; a thread that loses that race allocates in the winner's
 * block and leaves its own in the spare slot. A request larger than an
 * ordinary block gets a block of its own, pushed on `large`. No thread
 * waits for another; only a backend call may block.
 *
 * Lists and ABA. While threads allocate, blocks are only pushed onto
 * `current` and `large`, only popped from `ready` (filled at reset, when
 * no thread allocates), and the spare slot is taken by exchange: no
 * compare-and-swap can see a block leave a list and come back.
 *
 * Ordering. Installing or pushing a block publishes its header (release);
 * readers load the list heads with acquire. Cursors need no ordering: they
 * publish no data, they only hand each thread a disjoint range.
 *
 * Children (marena_backend_concurrent, backends/concurrent.c): ordinary
 * arenas whose blocks are allocations of this arena. The epoch, the count
 * of resets, lets debug builds catch a child used after a reset.
 */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include "arena.h"

#define RECORD_SIZE ROUND_UP(sizeof(struct marena_concurrent), MARENA_ALIGNMENT)
#define CBLOCK_HEADER_SIZE ROUND_UP(sizeof(struct cblock), MARENA_ALIGNMENT)

struct cblock {
    _Atomic uintptr_t cursor;
    _Atomic(struct cblock *) next; /* in use: the older block; kept: the next
                                      to reuse; large: the one pushed before */
    uintptr_t base;                /* first usable byte */
    uintptr_t end;                 /* one past the last, aligned */
    size_t size;                   /* bytes from the backend (0: the first block) */
};

struct marena_concurrent {
    _Atomic(struct cblock *) current;     /* blocks in use, newest first; ends at first */
    _Atomic(struct cblock *) large;       /* blocks of their own for large requests */
    _Atomic(struct cblock *) ready;       /* kept at the last reset, oldest first */
    _Atomic(struct cblock *) ready_large; /* large ones kept then, oldest first */
    _Atomic(struct cblock *) spare;       /* one block a lost race left over */
    _Atomic size_t held;                  /* bytes from the backend, headers included */
    _Atomic size_t backend_calls;
    _Atomic size_t failed;
    size_t limit;          /* SIZE_MAX: none */
    size_t max_block_size; /* growth cap for ordinary blocks */
    size_t peak;           /* highest used, as of the last reset */
    uint64_t epoch;        /* resets so far: children's blocks carry it */
    marena_t *arena;       /* owns the first block; this record lives in it */
    struct cblock first;
};

static size_t
usable_of(const struct cblock *block)
{
    return (size_t)(block->end - block->base);
}

static void
init_block(struct cblock *block, uintptr_t base, uintptr_t end, size_t size)
{
    atomic_init(&block->cursor, base);
    atomic_init(&block->next, NULL);
    block->base = base;
    block->end = end;
    block->size = size;
}

/* The record goes at the start of the block, on top of block_size: the
 * capacity is what was asked for. */
MARENA_API marena_concurrent_t *
marena_concurrent_create(const marena_options_t *options)
{
    marena_options_t block = {0};
    struct marena_concurrent *shared;
    marena_t *arena;

    if (options != NULL)
        block = *options;
    if (block.flags & MARENA_RESERVE)
        return NULL;
    if (block.block_size == 0)
        block.block_size = MARENA_DEFAULT_BLOCK_SIZE;
    /* The record goes through bump(): a tracked arena puts its red zone
     * after it, which must not come out of the capacity asked for. */
    if (block.block_size > MARENA_MAX_CAPACITY - RECORD_SIZE - ARENA_REDZONE)
        return NULL;
    block.block_size += RECORD_SIZE + ARENA_REDZONE;
    arena = marena_create_ex(&block);
    if (arena == NULL)
        return NULL;
    /* Straight from the block: a buffer too small for the record and a
     * byte is an invalid option, not an out-of-memory condition for on_oom. */
    shared = bump(arena, RECORD_SIZE, _Alignof(struct marena_concurrent));
    if (shared == NULL || arena_cursor(arena) == arena->current->end) {
        marena_destroy(arena);
        return NULL;
    }
    init_block(&shared->first, arena_cursor(arena), arena->current->end, 0);
#if MARENA_TRACKING
    /* Threads allocate concurrently: the tools see the whole block as one
     * allocation (per-allocation shadow updates could race). */
    if (is_tracked(arena))
        track_alloc(arena->current, shared->first.base, usable_of(&shared->first));
#endif
    atomic_init(&shared->current, &shared->first);
    atomic_init(&shared->large, NULL);
    atomic_init(&shared->ready, NULL);
    atomic_init(&shared->ready_large, NULL);
    atomic_init(&shared->spare, NULL);
    atomic_init(&shared->held, MARENA_HAVE_GROWTH ? marena__held(arena) : 0);
    atomic_init(&shared->backend_calls, 0);
    atomic_init(&shared->failed, 0);
    shared->limit = MARENA_HAVE_GROWTH ? arena->limit : SIZE_MAX;
    shared->max_block_size = arena->max_block_size;
    shared->peak = 0;
    shared->epoch = 0;
    shared->arena = arena;
    return shared;
}

/* ------------------------------------------------------------ allocating */

/* Bumps the block's cursor if it has room, lock-free; NULL otherwise.
 * pre: align is a power of two. */
static void *
carve(struct cblock *block, size_t size, size_t align)
{
    uintptr_t cursor = atomic_load_explicit(&block->cursor, memory_order_relaxed);
    uintptr_t start;

    do {
        size_t available = (size_t)(block->end - cursor);
        size_t padding = (size_t)(0u - cursor) & (align - 1);

        if (padding > available || size > available - padding)
            return NULL;
        start = cursor + padding;
    } while (!atomic_compare_exchange_weak_explicit(&block->cursor, &cursor, start + size,
                                                    memory_order_relaxed,
                                                    memory_order_relaxed));
    return (void *)start;
}

/* Counts `bytes` more as held from the backend if the limit allows it
 * (held never passes the limit, whichever threads race); -1 if not. */
static int
hold(struct marena_concurrent *shared, size_t bytes)
{
    size_t held = atomic_load_explicit(&shared->held, memory_order_relaxed);

    do {
        if (bytes > shared->limit - held)
            return -1;
    } while (!atomic_compare_exchange_weak_explicit(
        &shared->held, &held, held + bytes, memory_order_relaxed, memory_order_relaxed));
    return 0;
}

static void
unhold(struct marena_concurrent *shared, size_t bytes)
{
    atomic_fetch_sub_explicit(&shared->held, bytes, memory_order_relaxed);
}

/* Gives `size` bytes at `memory` back to the backend (not to the count
 * of bytes held: the caller does that). */
static void
release_memory(struct marena_concurrent *shared, void *memory, size_t size)
{
    const marena_backend_t *backend = shared->arena->backend;

    if (backend->release != NULL) {
        atomic_fetch_add_explicit(&shared->backend_calls, 1, memory_order_relaxed);
        backend->release(shared->arena->backend_ctx, memory, size);
    }
}

/* A new block from the backend with `usable` bytes at least, within the
 * limit, checked as marena_create_ex() checks grants; NULL on failure. */
static struct cblock *
acquire(struct marena_concurrent *shared, size_t usable)
{
    const marena_backend_t *backend = shared->arena->backend;
    size_t wanted, granted = 0;
    void *memory;

    if (usable > (size_t)PTRDIFF_MAX - CBLOCK_HEADER_SIZE - MARENA_ALIGNMENT)
        return NULL;
    wanted = CBLOCK_HEADER_SIZE + ROUND_UP(usable, MARENA_ALIGNMENT);
    if (hold(shared, wanted) != 0)
        return NULL;
    atomic_fetch_add_explicit(&shared->backend_calls, 1, memory_order_relaxed);
    memory = backend->acquire(shared->arena->backend_ctx, wanted, &granted);
    if (memory == NULL) {
        unhold(shared, wanted);
        return NULL;
    }
    /* The bytes granted beyond those wanted count too. */
    if (!grant_valid(memory, granted, wanted) || hold(shared, granted - wanted) != 0) {
        release_memory(shared, memory, granted);
        unhold(shared, wanted);
        return NULL;
    }
    init_block(memory, (uintptr_t)memory + CBLOCK_HEADER_SIZE,
               ALIGN_DOWN((uintptr_t)memory + granted), granted);
    return memory;
}

static void
give_back(struct marena_concurrent *shared, struct cblock *block)
{
    size_t size = block->size;

    release_memory(shared, block, size);
    unhold(shared, size);
}

/* The next block of a list kept at the last reset, if it has `usable`
 * bytes. Only popped while threads allocate, so a compare-and-swap that
 * sees the same head sees the same next. */
static struct cblock *
pop_ready(_Atomic(struct cblock *) *list, size_t usable)
{
    struct cblock *block = atomic_load_explicit(list, memory_order_acquire);

    while (block != NULL && usable_of(block) >= usable) {
        struct cblock *next = atomic_load_explicit(&block->next, memory_order_relaxed);

        if (atomic_compare_exchange_weak_explicit(
                list, &block, next, memory_order_acquire, memory_order_acquire))
            return block;
    }
    return NULL;
}

/* An empty block kept for reuse with room for `worst` bytes: the spare,
 * or the next ordinary or large block kept at the last reset; NULL if
 * none fits. */
static struct cblock *
take_kept(struct marena_concurrent *shared, size_t worst)
{
    struct cblock *block =
        atomic_exchange_explicit(&shared->spare, NULL, memory_order_acquire);

    if (block != NULL && usable_of(block) >= worst)
        return block;
    if (block != NULL)
        give_back(shared, block);
    block = pop_ready(&shared->ready, worst);
    return block != NULL ? block : pop_ready(&shared->ready_large, worst);
}

/* A block this thread took but did not need: the spare slot, if empty. */
static void
leave_spare(struct marena_concurrent *shared, struct cblock *block)
{
    struct cblock *empty = NULL;

    atomic_store_explicit(&block->next, NULL, memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(
            &shared->spare, &empty, block, memory_order_release, memory_order_relaxed))
        give_back(shared, block);
}

static void
push(_Atomic(struct cblock *) *list, struct cblock *block)
{
    struct cblock *head = atomic_load_explicit(list, memory_order_relaxed);

    do
        atomic_store_explicit(&block->next, head, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(
        list, &head, block, memory_order_release, memory_order_relaxed));
}

/* A block of its own for one request; the current block stays. */
static void *
alloc_large(struct marena_concurrent *shared, size_t size, size_t align, size_t worst)
{
    struct cblock *block = acquire(shared, worst);
    void *memory;

    if (block == NULL)
        return NULL;
    memory = carve(block, size, align);
    push(&shared->large, block);
    return memory;
}

/* The usable bytes of the next ordinary block after `block`: double,
 * capped at max_block_size and at what the limit still allows. */
static size_t
next_block_size(struct marena_concurrent *shared, const struct cblock *block)
{
    size_t current = usable_of(block);
    size_t ordinary =
        current > shared->max_block_size / 2 ? shared->max_block_size : 2 * current;
    size_t held = atomic_load_explicit(&shared->held, memory_order_relaxed);
    size_t room = shared->limit - held; /* held <= limit */
    size_t allowed =
        room > CBLOCK_HEADER_SIZE ? (size_t)ALIGN_DOWN(room - CBLOCK_HEADER_SIZE) : 0;

    return ordinary < allowed ? ordinary : allowed;
}

/* `seen`, the current block as this thread saw it, is full. Installs a new
 * block with the request in it; or, when another thread installed one
 * meanwhile, allocates there (and leaves the block it took as the spare).
 * A block kept for reuse serves any request it fits (its bytes are held
 * already, whatever the limit says); a new block is an ordinary one, or
 * one of its own for a request larger than that. */
static void *
grow(struct marena_concurrent *shared, struct cblock *seen, size_t size, size_t align)
{
    /* Blocks start aligned to MARENA_ALIGNMENT: only a larger alignment
     * can need padding there. */
    size_t padding = align > MARENA_ALIGNMENT ? align - MARENA_ALIGNMENT : 0;
    struct cblock *fresh;
    size_t ordinary, worst;
    void *memory;

    if (!(shared->arena->flags & MARENA_GROW) || size > SIZE_MAX - padding)
        return NULL;
    worst = size + padding;
    ordinary = next_block_size(shared, seen);
    fresh = take_kept(shared, worst);
    if (fresh == NULL && worst > ordinary)
        return alloc_large(shared, size, align, worst);
    for (;;) {
        if (fresh == NULL)
            fresh = acquire(shared, ordinary);
        if (fresh != NULL) {
            /* Fits: the block is empty and has room for the worst case. */
            memory = carve(fresh, size, align);
            atomic_store_explicit(&fresh->next, seen, memory_order_relaxed);
            if (atomic_compare_exchange_strong_explicit(&shared->current, &seen, fresh,
                                                        memory_order_release,
                                                        memory_order_acquire))
                return memory;
            atomic_store_explicit(&fresh->cursor, fresh->base, memory_order_relaxed);
        } else {
            struct cblock *now =
                atomic_load_explicit(&shared->current, memory_order_acquire);

            if (now == seen)
                return NULL;
            seen = now;
        }
        /* Another thread installed a block: try it. */
        memory = carve(seen, size, align);
        if (memory != NULL) {
            if (fresh != NULL)
                leave_spare(shared, fresh);
            return memory;
        }
    }
}

MARENA_API void *
marena_concurrent_alloc(marena_concurrent_t *shared, size_t size, size_t align)
{
    struct cblock *block;
    void *memory = NULL;

    if (shared == NULL)
        return NULL;
    if (size != 0 && is_power_of_two(align)) {
        block = atomic_load_explicit(&shared->current, memory_order_acquire);
        memory = carve(block, size, align);
        if (memory == NULL && MARENA_HAVE_GROWTH)
            memory = grow(shared, block, size, align);
    }
    if (memory == NULL)
        atomic_fetch_add_explicit(&shared->failed, 1, memory_order_relaxed);
    return memory;
}

/* ------------------------------------------------------- reset, destroy */

/* Wipes what the block handed out (MARENA_WIPE) and empties it. */
static void
empty_block(struct marena_concurrent *shared, struct cblock *block)
{
    wipe_range(shared->arena, block->base,
               atomic_load_explicit(&block->cursor, memory_order_relaxed));
    atomic_store_explicit(&block->cursor, block->base, memory_order_relaxed);
}

/* Empties the blocks of a list up to `stop` and gives them back. */
static void
give_back_list(struct marena_concurrent *shared, struct cblock *block,
               const struct cblock *stop)
{
    while (block != stop) {
        struct cblock *next = atomic_load_explicit(&block->next, memory_order_relaxed);

        empty_block(shared, block);
        give_back(shared, block);
        block = next;
    }
}

/* Everything but the blocks in use, given back. */
static void
give_back_unused(struct marena_concurrent *shared)
{
    give_back_list(shared, atomic_exchange(&shared->large, NULL), NULL);
    give_back_list(shared, atomic_exchange(&shared->ready, NULL), NULL);
    give_back_list(shared, atomic_exchange(&shared->ready_large, NULL), NULL);
    give_back_list(shared, atomic_exchange(&shared->spare, NULL), NULL);
}

MARENA_API void
marena_concurrent_destroy(marena_concurrent_t *shared)
{
    if (shared != NULL) {
        give_back_unused(shared);
        give_back_list(shared, atomic_load(&shared->current), &shared->first);
        empty_block(shared, &shared->first);
        marena_destroy(shared->arena);
    }
}

/* Empties the blocks of a list (newest first) up to `stop`, and returns
 * them oldest first: the next cycle takes them again in that order. */
static struct cblock *
empty_oldest_first(struct marena_concurrent *shared, struct cblock *block,
                   const struct cblock *stop)
{
    struct cblock *next, *kept = NULL;

    for (; block != stop; block = next) {
        next = atomic_load_explicit(&block->next, memory_order_relaxed);
        empty_block(shared, block);
        atomic_store_explicit(&block->next, kept, memory_order_relaxed);
        kept = block;
    }
    return kept;
}

/* Keeps the blocks this cycle used, ordinary and large, and gives back
 * those kept at the last reset that it did not need. */
MARENA_API void
marena_concurrent_reset(marena_concurrent_t *shared)
{
    struct cblock *kept, *kept_large;
    size_t used;

    if (shared == NULL)
        return;
    used = marena_concurrent_used(shared);
    if (used > shared->peak)
        shared->peak = used;
    kept = empty_oldest_first(shared, atomic_load(&shared->current), &shared->first);
    kept_large = empty_oldest_first(shared, atomic_exchange(&shared->large, NULL), NULL);
    give_back_unused(shared);
    empty_block(shared, &shared->first);
    atomic_store(&shared->ready, kept);
    atomic_store(&shared->ready_large, kept_large);
    atomic_store(&shared->current, &shared->first);
    shared->epoch++;
}

/* --------------------------------------------------------------- queries */

/* Adds a list's blocks to `out`: in use (used counts) or kept. */
static void
tally(const struct cblock *block, marena_stats_t *out, int in_use)
{
    for (; block != NULL;
         block = atomic_load_explicit(&block->next, memory_order_relaxed)) {
        out->capacity += usable_of(block);
        out->blocks++;
        if (in_use)
            out->used +=
                (size_t)(atomic_load_explicit(&block->cursor, memory_order_relaxed) -
                         block->base);
        else
            out->spare_blocks++;
    }
}

/* The statistics every query reads. */
static void
fill_stats(const marena_concurrent_t *shared, marena_stats_t *out)
{
    struct marena_concurrent *s = (struct marena_concurrent *)shared; /* atomics */

    memset(out, 0, sizeof(*out));
    tally(atomic_load_explicit(&s->current, memory_order_acquire), out, 1);
    tally(atomic_load_explicit(&s->large, memory_order_acquire), out, 1);
    tally(atomic_load_explicit(&s->ready, memory_order_acquire), out, 0);
    tally(atomic_load_explicit(&s->ready_large, memory_order_acquire), out, 0);
    tally(atomic_load_explicit(&s->spare, memory_order_acquire), out, 0);
    out->peak = out->used > s->peak ? out->used : s->peak;
    out->backend_bytes = atomic_load_explicit(&s->held, memory_order_relaxed);
    out->backend_calls = atomic_load_explicit(&s->backend_calls, memory_order_relaxed) +
                         s->arena->backend_calls;
    out->failed = atomic_load_explicit(&s->failed, memory_order_relaxed);
}

MARENA_API size_t
marena_concurrent_used(const marena_concurrent_t *shared)
{
    marena_stats_t stats;

    if (shared == NULL)
        return 0;
    fill_stats(shared, &stats);
    return stats.used;
}

MARENA_API size_t
marena_concurrent_capacity(const marena_concurrent_t *shared)
{
    marena_stats_t stats;

    if (shared == NULL)
        return 0;
    fill_stats(shared, &stats);
    return stats.capacity;
}

#if MARENA_HAVE_STATS
MARENA_API void
marena_concurrent_stats(const marena_concurrent_t *shared, marena_stats_t *out)
{
    if (out == NULL)
        return;
    if (shared == NULL)
        memset(out, 0, sizeof(*out));
    else
        fill_stats(shared, out);
}
#endif

uint64_t
marena__concurrent_epoch(const marena_concurrent_t *shared)
{
    return shared->epoch;
}
