/* SPDX-License-Identifier: MIT */
/*
 * Copies of strings and memory into an arena. Strings are allocated with
 * alignment 1, so consecutive strings are packed; memdup keeps
 * MARENA_ALIGNMENT, as the bytes may be any object.
 */
#include "config.h"

#include <string.h>

#include "marena.h"

/* The length of s, or n when s has no NUL among its first n bytes
 * (n == SIZE_MAX: no bound). A freestanding build has no strlen/memchr to
 * call. */
static size_t
bounded_length(const char *s, size_t n)
{
#if MARENA_FREESTANDING
    size_t length = 0;

    while (length < n && s[length] != '\0')
        length++;
    return length;
#else
    const char *nul;

    if (n == SIZE_MAX)
        return strlen(s);
    nul = memchr(s, '\0', n);
    return nul != NULL ? (size_t)(nul - s) : n;
#endif
}

static char *
copy_string(marena_t *arena, const char *s, size_t length)
{
    char *copy;

    if (length == SIZE_MAX)
        return NULL;
    copy = marena_alloc_aligned(arena, length + 1, 1);
    if (copy != NULL) {
        memcpy(copy, s, length);
        copy[length] = '\0';
    }
    return copy;
}

MARENA_API char *(marena_strdup)(marena_t *arena, const char *s)
{
    return s != NULL ? copy_string(arena, s, bounded_length(s, SIZE_MAX)) : NULL;
}

MARENA_API char *
marena_strndup(marena_t *arena, const char *s, size_t n)
{
    return s != NULL ? copy_string(arena, s, bounded_length(s, n)) : NULL;
}

MARENA_API void *
marena_memdup(marena_t *arena, const void *p, size_t n)
{
    void *copy;

    if (p == NULL)
        return NULL;
    copy = marena_alloc(arena, n);
    if (copy != NULL)
        memcpy(copy, p, n);
    return copy;
}
