/* SPDX-License-Identifier: MIT */
/*
 * A wipe the compiler may not remove as a dead store: libbsd's
 * explicit_bzero() when the build has libbsd, SecureZeroMemory() on
 * Windows (an inline function of the Windows headers, not a system call),
 * otherwise memset() called through a volatile function pointer, which the
 * compiler cannot see through.
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
#elif defined(_WIN32)
#define WIN32_LEAN_AND_MEAN 1
#include <windows.h>

static inline void
marena__wipe(void *memory, size_t size)
{
    SecureZeroMemory(memory, size);
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
