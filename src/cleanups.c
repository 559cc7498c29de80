/* SPDX-License-Identifier: MIT */
/*
 * Cleanups: functions an arena calls when the memory they belong to goes
 * away. Each record is allocated in the arena itself and remembers when it
 * was registered, as a mark does: the arena's serial and how much was in
 * use. Within one serial used only grows (every retreat and every block
 * that comes into use advances the serial), so (serial, used) orders
 * records and marks in time, even after marena_pop() took back memory
 * below a record that went to another block. Reset and destroy run them
 * all, a rewind those registered after its mark, newest first. Compiled
 * with the cleanups option.
 */
#include "config.h"

#include "arena.h"

struct marena_cleanup {
    struct marena_cleanup *next; /* the one registered before */
    marena_cleanup_fn fn;
    void *data;
    uint64_t serial; /* the arena's serial when it was registered */
    size_t used;     /* and used */
};

MARENA_API int
marena_add_cleanup(marena_t *arena, marena_cleanup_fn fn, void *data)
{
    struct marena_cleanup *cleanup;
    uint64_t serial;
    size_t used;

    if (arena == NULL || fn == NULL)
        return -1;
    CHECK_LIVE(arena, "marena_add_cleanup");
    serial = arena->serial;
    used = arena_used(arena);
    cleanup =
        marena_alloc_aligned(arena, sizeof(*cleanup), _Alignof(struct marena_cleanup));
    if (cleanup == NULL)
        return -1;
    cleanup->next = arena->cleanups;
    cleanup->fn = fn;
    cleanup->data = data;
    cleanup->serial = serial;
    cleanup->used = used;
    arena->cleanups = cleanup;
    arena->head.reset_to = 0; /* a reset has a cleanup to run */
    return 0;
}

/* Was the cleanup registered at or after (serial, used)? */
static int
registered_since(const struct marena_cleanup *cleanup, uint64_t serial, size_t used)
{
    return cleanup->serial > serial ||
           (cleanup->serial == serial && cleanup->used >= used);
}

void
marena__run_cleanups(struct marena_arena *arena, uint64_t serial, size_t used)
{
    while (arena->cleanups != NULL && registered_since(arena->cleanups, serial, used)) {
        struct marena_cleanup *cleanup = arena->cleanups;

        arena->cleanups = cleanup->next;
        cleanup->fn(cleanup->data);
    }
}
