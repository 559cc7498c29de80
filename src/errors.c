/* SPDX-License-Identifier: MIT */
/*
 * Why did it fail? Every call that fails on an arena records its reason
 * (arena.h: marena__fail(), marena__set_error()), the deepest code that
 * knows it choosing (the limit, the backend, no room); this file reads it
 * back and words it. Recording costs the inline fast path nothing: only
 * the library fails. Compiled with the errors option.
 */
#include "config.h"

#include "arena.h"

_Static_assert(MARENA_EINVAL == ARENA_EINVAL && MARENA_EFULL == ARENA_EFULL &&
                   MARENA_ELIMIT == ARENA_ELIMIT && MARENA_ENOMEM == ARENA_ENOMEM,
               "arena.h's reasons are marena_error_t's values");

MARENA_API marena_error_t
marena_last_error(const marena_t *arena)
{
    if (arena == NULL)
        return MARENA_OK;
    CHECK_LIVE(arena, "marena_last_error");
    return (marena_error_t)arena->last_error;
}

MARENA_API const char *
marena_strerror(marena_error_t error)
{
    switch (error) {
    case MARENA_OK:
        return "no error";
    case MARENA_EINVAL:
        return "invalid request";
    case MARENA_EFULL:
        return "the arena is full";
    case MARENA_ELIMIT:
        return "the arena's limit would be passed";
    case MARENA_ENOMEM:
        return "the backend has no memory for it";
    }
    return "unknown error";
}
