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

/* Prints "marena: <function>: <problem>" and ends the program. */
static void
fail(const char *function, const char *problem)
{
#if MARENA_HAVE_STDIO
    fprintf(stderr, "marena: %s: %s\n", function, problem);
#else
    (void)function;
    (void)problem;
#endif
    end_program();
}

#if MARENA_DEBUG
void
marena__misuse(const char *function, const char *problem)
{
    fail(function, problem);
}
#endif

MARENA_API void *
marena_alloc_or_abort(marena_t *arena, size_t size)
{
    /* The exported function, not the inline path: nothing here is hot. */
    void *memory = (marena_alloc)(arena, size);

    /* marena_alloc() called on_oom already when the request was valid:
     * bad input is not a shortage of memory, and on_oom never hears of it. */
    if (memory == NULL)
        fail("marena_alloc_or_abort", arena == NULL || size == 0
                                          ? "invalid request (a NULL arena, or size 0)"
                                          : "out of memory");
    return memory;
}
