/* SPDX-License-Identifier: MIT */
/*
 * The arena's control block and the core's interface to the backends.
 *
 * This header depends on nothing but <stddef.h> and <stdint.h>: meson.build
 * measures sizeof(struct marena) with it to publish MARENA_CONTROL_SIZE
 * before marena_config.h exists.
 */
#ifndef MARENA_SRC_ARENA_H
#define MARENA_SRC_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct marena_backend;

/*
 * Addresses are kept as integers: every state of the arena, including the
 * empty one a destroyed static arena is left in, is then ordinary unsigned
 * arithmetic, with no pointer subtraction that could be undefined.
 * Invariant: base <= cursor <= end, all inside the block.
 */
struct marena {
    uintptr_t cursor;   /* first free byte */
    uintptr_t end;      /* one past the last usable byte */
    uintptr_t base;     /* first usable byte, just past this control block */
    const struct marena_backend *backend; /* NULL: the caller owns the block */
    void *backend_ctx;
    size_t block_size;  /* the block's size as granted; it starts at the arena */
};

/*
 * Builds an arena at the start of a block.
 * pre: block is aligned to MARENA_ALIGNMENT; size > MARENA_CONTROL_SIZE.
 * backend is NULL when nothing must be released on destroy.
 */
struct marena *
marena__place(void *block, size_t size, const struct marena_backend *backend,
              void *backend_ctx);

#endif /* MARENA_SRC_ARENA_H */
