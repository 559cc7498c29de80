/* SPDX-License-Identifier: MIT */
/*
 * The two ways the library ends a program: API misuse caught by a debug
 * build, and marena_alloc_or_abort() failing. Messages go to stderr when
 * the build has stdio; abort() ends the program either way, or, in a
 * freestanding build (bare metal, no C library to call), a trap
 * instruction. Kept apart from the core, which neither prints nor aborts.
 */
#include "config.h"

#if !MARENA_FREESTANDING
#include <stdlib.h>
#endif

#include "arena.h"

#if MARENA_HAVE_STDIO
#include <stdio.h>
#endif

#if MARENA_FREESTANDING
#define end_program() __builtin_trap()
#else
#define end_program() abort()
#endif

static void
say(const char *message)
{
#if MARENA_HAVE_STDIO
    fputs("marena: ", stderr);
    fputs(message, stderr);
    fputc('\n', stderr);
#else
    (void)message;
#endif
}

#if MARENA_DEBUG
void
marena__misuse(const char *message)
{
    say(message);
    end_program();
}
#endif

MARENA_API void *
marena_alloc_or_abort(marena_t *arena, size_t size)
{
    /* The exported function, not the inline path: nothing here is hot. */
    void *memory = (marena_alloc)(arena, size);

    if (memory == NULL) {
        /* marena_alloc() called on_oom already when the request was valid. */
        say("marena_alloc_or_abort: out of memory");
        end_program();
    }
    return memory;
}
