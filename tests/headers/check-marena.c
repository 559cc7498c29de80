/* SPDX-License-Identifier: MIT */
/*
 * Header check for marena.h: it is included first and alone, so it must
 * bring everything it needs; then the program uses the API as a caller
 * would and returns non-zero on any wrong answer. tests/headers/meson.build
 * compiles this file as C99, as C11 and (copied to a .cpp) as C++11, each
 * with -pedantic -Wall -Wextra -Werror, and C++ with the strict warnings
 * of C++ projects too (-Wold-style-cast, -Wuseless-cast,
 * -Wzero-as-null-pointer-constant, ...), since the header's inline code
 * is compiled with the includer's warnings. So it is written in the common
 * subset of those languages (no designated initialisers, no compound
 * literals), with its conversions and null pointers in the macros below.
 */
#include "marena.h"
#include "marena.h" /* a second time: the include guard */

#include <string.h>

/* marena_dep carries MARENA_STATIC exactly when the library is static-only
 * (TEST_STATIC_LIBRARY, from tests/headers/meson.build), as the static
 * marena.pc and CMake target do: on Windows marena.h must not declare a
 * static library's symbols dllimport. */
#if defined(TEST_STATIC_LIBRARY) && TEST_STATIC_LIBRARY && !defined(MARENA_STATIC)
#error "marena_dep of a static-only library does not define MARENA_STATIC"
#endif
#if defined(TEST_STATIC_LIBRARY) && !TEST_STATIC_LIBRARY && defined(MARENA_STATIC)
#error "marena_dep of a shared library defines MARENA_STATIC"
#endif

#ifdef __cplusplus
#define CAST(T, x) static_cast<T>(x)
#define ADDRESS(p) reinterpret_cast<uintptr_t>(p)
#define NULL_POINTER nullptr
#else
#define CAST(T, x) ((T)(x))
#define ADDRESS(p) ((uintptr_t)(p))
#define NULL_POINTER NULL
#endif

struct point {
    double x, y;
};

/* The alignment of struct point, as offsetof finds it (C99 has no
 * _Alignof): 8 on x86-64, but 4 on i686, where doubles in structs are
 * aligned to 4. */
struct point_alignment {
    char c;
    struct point p;
};
#define POINT_ALIGNMENT offsetof(struct point_alignment, p)

#if MARENA_HAVE_STATIC_BACKEND || !MARENA_HAVE_DEFAULT_BACKEND
/* MARENA_STATIC_OVERHEAD must be a constant expression. */
static unsigned char buffer[MARENA_STATIC_OVERHEAD + 1024];
#endif

static marena_t *
make_arena(void)
{
#if MARENA_HAVE_STATIC_BACKEND
    return marena_create_static(buffer, sizeof buffer);
#elif MARENA_HAVE_DEFAULT_BACKEND
    return marena_create(1024);
#else
    /* Neither: a caller buffer through marena_create_ex(). */
    marena_options_t options;

    memset(&options, 0, sizeof options);
    options.buffer = buffer;
    options.buffer_size = sizeof buffer;
    return marena_create_ex(&options);
#endif
}

static int
aligned(const void *p, size_t align)
{
    return (ADDRESS(p) & (align - 1)) == 0;
}

int
main(void)
{
    /* The exported function, not the inline macro: links only if the
     * header declares it with C linkage (extern "C" in C++). */
    void *(*alloc_fn)(marena_t *, size_t) = (marena_alloc);
    marena_t *arena = make_arena();
    unsigned char *bytes;
    struct point *point;
    double *zeros;
    size_t i;

    if (arena == NULL_POINTER)
        return 1;
    if (marena_used(arena) != 0 || marena_capacity(arena) < 1024)
        return 2;

    bytes = CAST(unsigned char *, marena_alloc(arena, 100));
    if (bytes == NULL_POINTER || !aligned(bytes, MARENA_ALIGNMENT))
        return 3;
    memset(bytes, 0xa5, 100);
    if (marena_used(arena) < 100 ||
        marena_used(arena) + marena_remaining(arena) != marena_capacity(arena))
        return 4;

    point = MARENA_NEW(arena, struct point);
    if (point == NULL_POINTER || !aligned(point, POINT_ALIGNMENT) || point->x != 0.0)
        return 5;
    zeros = MARENA_NEW_ARRAY(arena, double, 8);
    if (zeros == NULL_POINTER)
        return 6;
    for (i = 0; i < 8; i++)
        if (zeros[i] != 0.0)
            return 7;
    point = CAST(struct point *, marena_alloc_aligned(arena, sizeof *point, 64));
    if (point == NULL_POINTER || !aligned(point, 64))
        return 8;
    if (marena_alloc(arena, 0) != NULL_POINTER ||
        marena_alloc_aligned(arena, 8, 3) != NULL_POINTER)
        return 9;
    if (marena_calloc(arena, SIZE_MAX, 2) != NULL_POINTER)
        return 10;
    if (alloc_fn(arena, 16) == NULL_POINTER)
        return 11;
    for (i = 0; i < 100; i++)
        if (bytes[i] != 0xa5)
            return 12;

#if MARENA_HAVE_MARKS
    {
        marena_mark_t mark = marena_mark(arena);
        size_t used = marena_used(arena);

        if (marena_alloc(arena, 32) == NULL_POINTER)
            return 13;
        marena_rewind(arena, mark);
        if (marena_used(arena) != used)
            return 14;
    }
#endif
#if MARENA_HAVE_STRINGS
    {
        char *copy = marena_strdup(arena, "marena");

        if (copy == NULL_POINTER || strcmp(copy, "marena") != 0)
            return 15;
    }
#endif
#if MARENA_HAVE_STATS
    {
        marena_stats_t stats;

        marena_stats(arena, &stats);
        if (stats.used != marena_used(arena) || stats.allocations < 5)
            return 16;
    }
#endif

    marena_reset(arena);
    if (marena_used(arena) != 0 || marena_remaining(arena) != marena_capacity(arena))
        return 17;
    marena_destroy(arena);
    return 0;
}
