/* SPDX-License-Identifier: MIT */
/*
 * Header check for marena_head.h: included first and alone (it needs no
 * marena_config.h), then the layout facts the inline fast path relies on
 * are checked. Compiled as C99, C11 and C++11 (see meson.build here).
 */
#include "marena_head.h"
#include "marena_head.h" /* a second time: the include guard */

int
main(void)
{
    struct marena_head head;

    /* cursor, end, allocations, reset_to, high, resets, in this order and
     * without padding before resets: the layout is ABI (README, "ABI"). */
    if (offsetof(struct marena_head, cursor) != 0)
        return 1;
    if (offsetof(struct marena_head, end) != sizeof(uintptr_t))
        return 2;
    if (offsetof(struct marena_head, allocations) != 2 * sizeof(uintptr_t))
        return 3;
    if (offsetof(struct marena_head, reset_to) !=
            2 * sizeof(uintptr_t) + sizeof(size_t) ||
        offsetof(struct marena_head, high) != 3 * sizeof(uintptr_t) + sizeof(size_t))
        return 4;
    if (offsetof(struct marena_head, resets) < 4 * sizeof(uintptr_t) + sizeof(size_t) ||
        sizeof(head.resets) != 8)
        return 6;
    head.cursor = 16;
    head.end = 64;
    head.allocations = 0;
    head.cursor += 8;
    head.allocations++;
    if (head.end - head.cursor != 40 || head.allocations != 1)
        return 5;
    return 0;
}
