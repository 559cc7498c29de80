/* SPDX-License-Identifier: MIT */
/*
 * Static backend: an arena inside a buffer the caller owns.
 *
 * Nothing is allocated and nothing is released: the control block goes at
 * the buffer's first MARENA_ALIGNMENT-aligned byte, the rest is capacity,
 * and marena_destroy() hands the buffer back untouched but for the control
 * block it wipes. This file needs no C library at all.
 */
#include "config.h"

#include <stdint.h>

#include "marena.h"
#include "arena.h"

MARENA_API marena_t *
marena_create_static(void *buffer, size_t size)
{
    uintptr_t start = (uintptr_t)buffer;
    size_t padding;

    if (buffer == NULL || size > UINTPTR_MAX - start)
        return NULL;
    padding = (size_t)(0u - start) & (MARENA_ALIGNMENT - 1);
    if (size <= padding || size - padding <= MARENA_CONTROL_SIZE)
        return NULL;
    return marena__place((unsigned char *)buffer + padding, size - padding,
                         NULL, NULL);
}
