/* SPDX-License-Identifier: MIT */
/*
 * Misuses one arena allocation in the way named on the command line, for
 * memcheck-check.sh to run under Valgrind: every misuse must be an
 * "Invalid read", and "clean" (no misuse) must be no error at all. Without
 * Valgrind the reads are harmless (the memory is mapped), so this program
 * proves nothing by itself and is not a test on its own.
 */
#include <stdio.h>
#include <string.h>

#include "marena.h"

static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_STATIC_OVERHEAD + 4096];

int
main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "clean";
    marena_t *arena = marena_create_static(buffer, sizeof(buffer));
    marena_mark_t mark = marena_mark(arena);
    volatile unsigned char *p = marena_alloc_aligned(arena, 10, 1);
    size_t index = 0;
    unsigned sum;

    if (arena == NULL || p == NULL)
        return 2;
    memset((void *)p, 1, 10);
    if (strcmp(how, "after-reset") == 0)
        marena_reset(arena);
    else if (strcmp(how, "after-rewind") == 0)
        marena_rewind(arena, mark);
    else if (strcmp(how, "popped") == 0)
        marena_pop(arena, (void *)p, 10);
    else if (strcmp(how, "shrunk-tail") == 0)
        marena_realloc(arena, (void *)p, 10, 2);
    else if (strcmp(how, "past-last") != 0 && strcmp(how, "clean") != 0)
        return 2;
    index = strcmp(how, "past-last") == 0 ? 10 : strcmp(how, "shrunk-tail") == 0 ? 5 : 0;
    sum = p[index];
    printf("read %u\n", sum);
    marena_destroy(arena);
    return 0;
}
