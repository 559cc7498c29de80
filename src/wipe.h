/* SPDX-License-Identifier: MIT */
/*
 * A wipe the compiler may not remove as a dead store: libbsd's
 * explicit_bzero() when the build has libbsd, otherwise memset() called
 * through a volatile function pointer, which the compiler cannot see through.
 */
#ifndef MARENA_SRC_WIPE_H
#define MARENA_SRC_WIPE_H

#include <stddef.h>
#include <string.h>

#if MARENA_HAVE_LIBBSD
#include <bsd/string.h>

static inline void
marena__wipe(void *memory, size_t size)
{
    explicit_bzero(memory, size);
}
#else
static inline void
marena__wipe(void *memory, size_t size)
{
    static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;

    wipe_memset(memory, 0, size);
}
#endif

#endif /* MARENA_SRC_WIPE_H */
