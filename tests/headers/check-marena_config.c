/* SPDX-License-Identifier: MIT */
/*
 * Header check for the generated marena_config.h: included first and
 * alone, then every macro it must define is checked, at compile time where
 * the preprocessor can (-Wundef turns a missing one into an error) and at
 * run time. Compiled as C99, C11 and C++11 (see meson.build here).
 */
#include "marena_config.h"
#include "marena_config.h" /* a second time: #pragma once */

#include <string.h>

#if MARENA_ALIGNMENT < 1 || (MARENA_ALIGNMENT & (MARENA_ALIGNMENT - 1)) != 0
#error "MARENA_ALIGNMENT is not a power of two"
#endif
#if MARENA_CONTROL_SIZE <= 0 || MARENA_CONTROL_SIZE % MARENA_ALIGNMENT != 0
#error "MARENA_CONTROL_SIZE is not a positive multiple of MARENA_ALIGNMENT"
#endif

#define STRING(x) #x
#define EXPAND_STRING(x) STRING(x)

/* Every 0/1 macro of the build's parts. */
static const long flags[] = {
    MARENA_HAVE_HEAP_BACKEND,
    MARENA_HAVE_MMAP_BACKEND,
    MARENA_HAVE_STATIC_BACKEND,
    MARENA_HAVE_DEFAULT_BACKEND,
    MARENA_HAVE_BACKENDS,
    MARENA_HAVE_GROWTH,
    MARENA_HAVE_MARKS,
    MARENA_HAVE_REALLOC,
    MARENA_HAVE_STRINGS,
    MARENA_HAVE_CLEANUPS,
    MARENA_HAVE_STATS,
    MARENA_HAVE_STDIO,
    MARENA_HAVE_CONCURRENT,
    MARENA_HAVE_SCRATCH,
    MARENA_HAVE_WIPE,
    MARENA_HAVE_INTROSPECTION,
    MARENA_HAVE_ERRORS,
    MARENA_HAVE_BUILDER,
    MARENA_DEBUG,
};

int
main(void)
{
    const char *backend = MARENA_DEFAULT_BACKEND_NAME;
    const char *version = EXPAND_STRING(MARENA_VERSION_MAJOR) "." EXPAND_STRING(
        MARENA_VERSION_MINOR) "." EXPAND_STRING(MARENA_VERSION_MICRO);
    size_t i;

    for (i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (flags[i] != 0 && flags[i] != 1)
            return 1;
    if (strcmp(version, MARENA_VERSION_STRING) != 0)
        return 2;
    if (MARENA_VERSION_MAJOR < 0 || MARENA_VERSION_MINOR < 0 || MARENA_VERSION_MICRO < 0)
        return 3;
    /* The default backend is one of the choices, and is built. */
    if (strcmp(backend, "none") == 0) {
        if (MARENA_HAVE_DEFAULT_BACKEND)
            return 4;
    } else if (strcmp(backend, "heap") == 0) {
        if (!MARENA_HAVE_DEFAULT_BACKEND || !MARENA_HAVE_HEAP_BACKEND)
            return 5;
    } else if (strcmp(backend, "mmap") == 0) {
        if (!MARENA_HAVE_DEFAULT_BACKEND || !MARENA_HAVE_MMAP_BACKEND)
            return 6;
    } else {
        return 7;
    }
    /* Implications the build enforces. */
    if ((MARENA_HAVE_HEAP_BACKEND || MARENA_HAVE_MMAP_BACKEND) && !MARENA_HAVE_BACKENDS)
        return 8;
    if (MARENA_HAVE_GROWTH && !MARENA_HAVE_BACKENDS)
        return 9;
    if (MARENA_HAVE_SCRATCH &&
        !(MARENA_HAVE_DEFAULT_BACKEND && MARENA_HAVE_GROWTH && MARENA_HAVE_MARKS))
        return 10;
    return 0;
}
