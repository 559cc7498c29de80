/* SPDX-License-Identifier: MIT */
/*
 * Cleanups: functions an arena calls when the memory they belong to goes
 * away. Each record is allocated in the arena itself and remembers how
 * much was in use when it was registered; reset and destroy run them all,
 * a rewind those registered after its mark, newest first. Compiled with
 * the cleanups option.
 */
#include "config.h"

#include "arena.h"

struct marena_cleanup {
    struct marena_cleanup *next; /* the one registered before */
    marena_cleanup_fn fn;
    void *data;
    size_t used; /* used when it was registered */
};

MARENA_API int
marena_add_cleanup(marena_t *arena, marena_cleanup_fn fn, void *data)
{
    struct marena_cleanup *cleanup;
    size_t used;

    if (arena == NULL || fn == NULL)
        return -1;
    CHECK_LIVE(arena, "marena_add_cleanup");
    used = arena_used(arena);
    cleanup =
        marena_alloc_aligned(arena, sizeof(*cleanup), _Alignof(struct marena_cleanup));
    if (cleanup == NULL)
        return -1;
    cleanup->next = arena->cleanups;
    cleanup->fn = fn;
    cleanup->data = data;
    cleanup->used = used;
    arena->cleanups = cleanup;
    arena->head.reset_to = 0; /* a reset has a cleanup to run */
    return 0;
}

void
marena__run_cleanups(struct marena_arena *arena, size_t from)
{
    while (arena->cleanups != NULL && arena->cleanups->used >= from) {
        struct marena_cleanup *cleanup = arena->cleanups;

        arena->cleanups = cleanup->next;
        cleanup->fn(cleanup->data);
    }
}
