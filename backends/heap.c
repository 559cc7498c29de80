/* SPDX-License-Identifier: MIT */
/*
 * Heap backend: one malloc() per arena block, one free() per release.
 *
 * malloc() returns memory aligned for any object with fundamental alignment,
 * which is MARENA_ALIGNMENT, and grants exactly what was asked.
 */
#include "config.h"

#include <stdlib.h>

#include "marena.h"

static void *
heap_acquire(void *ctx, size_t size, size_t *granted)
{
    void *block = malloc(size);

    (void)ctx;
    if (block != NULL)
        *granted = size;
    return block;
}

static void
heap_release(void *ctx, void *block, size_t size)
{
    (void)ctx;
    (void)size;
    free(block);
}

MARENA_API const marena_backend_t marena_backend_heap = {
    .name = "heap",
    .acquire = heap_acquire,
    .release = heap_release,
};
