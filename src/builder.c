/* SPDX-License-Identifier: MIT */
/*
 * Growing objects (obstack's grow/finish): a builder appends bytes to one
 * allocation and finishes it as a NUL-terminated string.
 *
 * The allocation grows in place while it is the arena's last one
 * (realloc.c's marena__resize_last()); when something else was allocated
 * meanwhile, or its block has no room, it moves (allocated anew and
 * copied). Its first capacity is FIRST_CAPACITY and it at least doubles,
 * so appending costs amortised O(1) per byte; when that does not fit the
 * block but the request does, it takes just what the request needs, so a
 * builder can fill a fixed arena to its last byte. Each append tries each
 * way once, so a failed append leaves the builder, and the arena, as they
 * were (on_oom and marena_last_error() see one failure). Finishing gives
 * back the capacity beyond the string when it is still the last
 * allocation. Compiled with the builder option (which needs realloc).
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "arena.h"

#if MARENA_HAVE_STDIO
#include <stdio.h>
#endif

/* The builder's allocation is the arena's last, its capacity ending at
 * the cursor. */
static int
is_last(const marena_builder_t *b)
{
    return b->data != NULL && marena__is_last(b->arena, (uintptr_t)b->data, b->capacity);
}

/* The first capacity at least: short strings then grow once or twice. */
#define FIRST_CAPACITY 256u

/* The capacity to grow to for `need` bytes: double (or need, if more, and
 * at least FIRST_CAPACITY); just need when that fits where the rest does
 * not. */
static size_t
grown_capacity(const marena_builder_t *b, size_t need, int last)
{
    size_t doubled = b->capacity > SIZE_MAX / 2 ? SIZE_MAX : 2 * b->capacity;
    size_t target = doubled > need ? doubled : need;
    size_t room = marena_remaining(b->arena) + (last ? b->capacity : 0);

    if (target < FIRST_CAPACITY)
        target = FIRST_CAPACITY;
    return target > room && need <= room ? need : target;
}

/* Room for `extra` more bytes and the NUL; 0, or -1 (nothing changed).
 * The last allocation grows in place; anything else, and the last when
 * its block (or reservation) has no room, moves: one attempt each. */
static int
reserve(marena_builder_t *b, size_t extra)
{
    size_t need, capacity;
    char *data;
    int last;

    if (b == NULL || b->arena == NULL)
        return -1;
    if (extra > SIZE_MAX - 1 - b->length) {
        marena__fail(b->arena, SIZE_MAX, 1, ARENA_EINVAL); /* the length overflows */
        return -1;
    }
    need = b->length + extra + 1;
    if (need <= b->capacity)
        return 0;
    last = is_last(b);
    capacity = grown_capacity(b, need, last);
    if (last &&
        marena__resize_last(b->arena, (uintptr_t)b->data, b->capacity, capacity) == 0) {
        data = b->data;
    } else {
        data = marena_alloc_aligned(b->arena, capacity, 1);
        if (data == NULL)
            return -1;
        if (b->length > 0)
            memcpy(data, b->data, b->length);
    }
    b->data = data;
    b->capacity = capacity;
    return 0;
}

MARENA_API void
marena_builder_begin(marena_builder_t *b, marena_t *arena)
{
    if (b == NULL)
        return;
    b->arena = arena;
    b->data = NULL;
    b->length = 0;
    b->capacity = 0;
}

MARENA_API int(marena_builder_append)(marena_builder_t *b, const void *data, size_t n)
{
    if (n == 0)
        return b != NULL && b->arena != NULL ? 0 : -1;
    if (data == NULL || reserve(b, n) != 0)
        return -1;
    memcpy(b->data + b->length, data, n);
    b->length += n;
    return 0;
}

#if MARENA_HAVE_STDIO
MARENA_API int
marena_builder_appendf(marena_builder_t *b, const char *fmt, ...)
{
    va_list args;
    int length;

    if (fmt == NULL)
        return -1;
    va_start(args, fmt);
    length = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (length < 0) {
        if (b != NULL && b->arena != NULL)
            marena__fail(b->arena, 0, 1, ARENA_EINVAL); /* does not encode */
        return -1;
    }
    if (reserve(b, (size_t)length) != 0)
        return -1;
    va_start(args, fmt);
    vsnprintf(b->data + b->length, (size_t)length + 1, fmt, args);
    va_end(args);
    b->length += (size_t)length;
    return 0;
}
#endif

MARENA_API size_t
marena_builder_length(const marena_builder_t *b)
{
    return b != NULL ? b->length : 0;
}

MARENA_API void *
marena_builder_finish(marena_builder_t *b, size_t *length)
{
    char *text;

    if (b == NULL || b->arena == NULL || (b->data == NULL && reserve(b, 0) != 0))
        return NULL;
    text = b->data;
    text[b->length] = '\0';
    if (is_last(b))
        marena__resize_last(b->arena, (uintptr_t)text, b->capacity, b->length + 1);
    if (length != NULL)
        *length = b->length;
    marena_builder_begin(b, b->arena);
    return text;
}

MARENA_API void
marena_builder_abandon(marena_builder_t *b)
{
    if (b == NULL)
        return;
    if (b->arena != NULL && is_last(b))
        marena_pop(b->arena, b->data, b->capacity);
    marena_builder_begin(b, b->arena);
}
