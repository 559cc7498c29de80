/* SPDX-License-Identifier: MIT */
/*
 * Per-thread scratch arenas, after the Rad Debugger's scratch_begin(): each
 * thread has MARENA_SCRATCH_COUNT growing arenas, created on first use. A
 * caller names the arenas it already uses as conflicts and gets a scope on
 * the first scratch arena that is not among them, so a function handed a
 * scratch arena by its caller can still take scratch memory of its own
 * without clobbering the caller's.
 */
#include "config.h"

#include "marena.h"

/* The first block of a scratch arena; later blocks double from it. */
#define SCRATCH_BLOCK_SIZE ((size_t)64 * 1024)

static _Thread_local marena_t *scratch_arenas[MARENA_SCRATCH_COUNT];

static int
conflicts_with(const marena_t *arena, marena_t *const *conflicts, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (conflicts[i] == arena)
            return 1;
    return 0;
}

MARENA_API marena_scope_t
marena_scratch_begin(marena_t *const *conflicts, size_t count)
{
    marena_options_t options = {0};

    options.block_size = SCRATCH_BLOCK_SIZE;
    options.flags = MARENA_GROW;
    if (conflicts == NULL)
        count = 0;
    for (size_t i = 0; i < MARENA_SCRATCH_COUNT; i++) {
        if (scratch_arenas[i] != NULL &&
            conflicts_with(scratch_arenas[i], conflicts, count))
            continue;
        if (scratch_arenas[i] == NULL)
            scratch_arenas[i] = marena_create_ex(&options);
        return marena_scope_begin(scratch_arenas[i]);
    }
    return marena_scope_begin(NULL);
}

MARENA_API void
marena_scratch_release(void)
{
    for (size_t i = 0; i < MARENA_SCRATCH_COUNT; i++) {
        marena_destroy(scratch_arenas[i]);
        scratch_arenas[i] = NULL;
    }
}
