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

    /* cursor, end, allocations, in this order and without padding: the
     * layout is ABI (README, "ABI"). */
    if (offsetof(struct marena_head, cursor) != 0)
        return 1;
    if (offsetof(struct marena_head, end) != sizeof(uintptr_t))
        return 2;
    if (offsetof(struct marena_head, allocations) != 2 * sizeof(uintptr_t))
        return 3;
    if (sizeof(struct marena_head) != 2 * sizeof(uintptr_t) + sizeof(size_t))
        return 4;

    head.cursor = 16;
    head.end = 64;
    head.allocations = 0;
    head.cursor += 8;
    head.allocations++;
    if (head.end - head.cursor != 40 || head.allocations != 1)
        return 5;
    return 0;
}
