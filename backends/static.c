/* SPDX-License-Identifier: MIT */
/*
 * Static backend: a fixed arena inside a buffer the caller owns.
 *
 * Nothing is allocated and nothing is released: the control block goes at
 * the buffer's first MARENA_ALIGNMENT-aligned byte, the rest is capacity,
 * and marena_destroy() hands the buffer back untouched but for the control
 * block it wipes. This is marena_create_ex() with a buffer and no growth;
 * with MARENA_GROW there, a backend takes over when the buffer is full.
 */
#include "config.h"

#include "arena.h"

MARENA_API marena_t *
marena_create_static(void *buffer, size_t size)
{
    return marena__create_in_buffer(buffer, size, 0);
}
