/* SPDX-License-Identifier: MIT */
/*
 * The two ways the library ends a program: API misuse caught by a debug
 * build, and marena_alloc_or_abort() failing. Messages go to stderr when
 * the build has stdio; abort() ends the program either way. Kept apart
 * from the core, which neither prints nor aborts.
 */
#include "config.h"

#include <stdlib.h>

#include "arena.h"

#if MARENA_HAVE_STDIO
#include <stdio.h>
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
    abort();
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
        abort();
    }
    return memory;
}
