/* SPDX-License-Identifier: MIT */
/**
 * @file marena_head.h
 * @brief The start of every arena's control block: the part of its layout
 * that the inline allocation functions of marena.h read and write.
 *
 * This layout is ABI: code compiled against one version of this header
 * bumps the cursor of arenas made by the library it runs with. Changing it
 * (or the meaning of a field) requires a new soname major version. Include
 * marena.h, not this header; it is separate only so that the library can
 * lay out its private control block around it.
 */
#ifndef MARENA_HEAD_H
#define MARENA_HEAD_H

#include <stddef.h>
#include <stdint.h>

/**
 * The first member of every arena. Invariants the inline functions rely
 * on: cursor <= end, and end is a multiple of #MARENA_ALIGNMENT, so for any
 * alignment up to #MARENA_ALIGNMENT the aligned cursor never passes end;
 * reset_to is nonzero only while a reset is nothing but moving the cursor
 * there (one block, nothing to run, wipe, release or tell the tools).
 */
struct marena_head {
    uintptr_t cursor;   /**< first free byte of the current block */
    uintptr_t end;      /**< where allocation must stop */
    size_t allocations; /**< successful allocations since creation */
    uintptr_t reset_to; /**< where a reset puts the cursor, or 0: marena_reset()
                             has more to do than that */
    uintptr_t high;     /**< the highest cursor such a reset left (peak) */
    uint64_t resets;    /**< resets since creation (marks remember it) */
};

#endif /* MARENA_HEAD_H */
