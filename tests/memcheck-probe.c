/* SPDX-License-Identifier: MIT */
/*
 * Uses arena allocations in the way named on the command line, for
 * memcheck-check.sh to run under Valgrind:
 *
 * - misuses, each of which must be an "Invalid read": after-reset,
 *   past-last, after-rewind, shrunk-tail, shrunk-other
 *   (the tail of an allocation that is not the last), popped, past-sprintf (past the
 *   last marena_sprintf() result), past-cut (past the last allocation
 *   after a pop below the last chunk), spare-after-cut (in a block that
 *   a reset sent to the spare list, after such a pop had left its bytes
 *   plain defined memory), rewound-after-cut (after such a pop and a
 *   rewind to before it); after-reset, after-rewind and popped must also
 *   name the allocation a freed block;
 * - correct uses, which must be no error at all: clean, and the paths
 *   where memcheck's mempool requests are easy to get wrong: shrink-older
 *   (a shrinking realloc in an older block), shrink-middle (through a
 *   pointer into the last allocation), pop-tail (the tail of the last
 *   allocation), rewind-grown (to a mark inside an allocation that grew in
 *   place after it: memcheck 3.19's MEMPOOL_TRIM would mark memory past
 *   the arena's buffer inaccessible, and writing there is checked),
 *   rewind-shrunk (the same after the last allocation shrank, which
 *   must shrink its chunk);
 * - reads of allocated bytes never written, each of which must be an
 *   "uninitialised value" error: uninitialised (a fresh allocation),
 *   uninitialised-after-cut (one made after a pop below the last chunk,
 *   which starts the block's chunks over), uninitialised-after-shrink and
 *   uninitialised-after-pop (an allocation before one that shrinks or is
 *   popped whole), uninitialised-after-grow (one that grows in place, then
 *   shrinks within what it grew by), uninitialised-after-shrinks (one that
 *   shrinks twice);
 * - more correct uses: packed (allocations back to back, each read to its
 *   last byte: no red zone between them), cut-below-last (a pop in the
 *   allocation before a popped one, then reads of what is left),
 *   sprintf (strings formatted in the arena's free space, read whole),
 *   spare-reuse (blocks retired to the spare list by a reset serve
 *   again, their allocations written and read), buffer-after-destroy
 *   (the caller's buffer, all of it read and written after destroy);
 * - tracked / untracked: exit 0 when an arena is (not) tracked, i.e. when
 *   its inline fast path is trapped (marena_head.h). Under memcheck every
 *   arena must be tracked; under any other tool none may be.
 *
 * Without Valgrind the program proves nothing by itself (the reads are of
 * mapped memory) and is not a test on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marena.h"

#define CAPACITY 4096

/* The arena's buffer, with memory of the program's right after it. */
static struct {
    _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_STATIC_OVERHEAD + CAPACITY];
    unsigned char after[64];
} memory;

static void *
heap_acquire(void *ctx, size_t size, size_t *granted)
{
    void *block = malloc(size);

    (void)ctx;
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

static const marena_backend_t heap = {
    .name = "probe-heap",
    .acquire = heap_acquire,
    .release = heap_release,
};

static unsigned
sum(const volatile unsigned char *p, size_t n)
{
    unsigned total = 0;

    for (size_t i = 0; i < n; i++)
        total += p[i];
    return total;
}

/* A misuse: one read of memory the arena no longer (or never) handed out. */
static int
misuse(marena_t *arena, const char *how)
{
    marena_mark_t mark = marena_mark(arena);
    volatile unsigned char *p = marena_alloc_aligned(arena, 10, 1);
    size_t index;

    if (p == NULL)
        return 2;
    memset((void *)p, 1, 10);
    if (strcmp(how, "after-reset") == 0)
        marena_reset(arena);
    else if (strcmp(how, "after-rewind") == 0)
        marena_rewind(arena, mark);
    else if (strcmp(how, "popped") == 0)
        marena_pop(arena, (void *)p, 10);
    else if (strcmp(how, "shrunk-tail") == 0)
        marena_realloc(arena, (void *)p, 10, 2);
    else if (strcmp(how, "shrunk-other") == 0) { /* not the last allocation */
        if (marena_alloc_aligned(arena, 1, 1) == NULL)
            return 2;
        marena_realloc(arena, (void *)p, 10, 2);
    } else if (strcmp(how, "past-last") != 0 && strcmp(how, "clean") != 0)
        return 2;
    index = strcmp(how, "past-last") == 0                                         ? 10
            : strcmp(how, "shrunk-tail") == 0 || strcmp(how, "shrunk-other") == 0 ? 5
                                                                                  : 0;
    printf("read %u\n", sum(p + index, 1));
    return 0;
}

/* A shrinking realloc of an allocation in a block that is no longer the
 * current one. */
static int
shrink_older(void)
{
    marena_options_t options = {
        .backend = &heap, .block_size = 256, .flags = MARENA_GROW};
    marena_t *arena = marena_create_ex(&options);
    unsigned char *p = arena != NULL ? marena_alloc(arena, 100) : NULL;

    if (p == NULL)
        return 2;
    memset(p, 1, 100);
    while (marena_alloc(arena, 64) != NULL && marena_capacity(arena) < 1024)
        ;
    if (marena_realloc(arena, p, 100, 40) != p)
        return 2;
    printf("read %u\n", sum(p, 40));
    marena_destroy(arena);
    return 0;
}

/* Through a pointer into the middle of the last allocation: realloc
 * shrinks its tail, pop gives the tail back. */
static int
cut_middle(marena_t *arena, int pop)
{
    unsigned char *p = marena_alloc(arena, 100);

    if (p == NULL)
        return 2;
    memset(p, 1, 100);
    if (pop ? marena_pop(arena, p + 60, 40) != 1
            : marena_realloc(arena, p + 50, 50, 20) != p + 50)
        return 2;
    printf("read %u\n", sum(p, pop ? 60 : 70));
    memset(marena_alloc(arena, 64), 2, 64);
    return 0;
}

/* A mark just below the end; the allocation before it grows in place to
 * the end; a rewind to the mark. Then the program writes the memory that
 * follows the arena's buffer. */
static int
rewind_grown(marena_t *arena)
{
    unsigned char *first = marena_alloc(arena, 1024);
    size_t size = marena_remaining(arena) - 8;
    unsigned char *last = marena_alloc_aligned(arena, size, 1);
    marena_mark_t mark = marena_mark(arena);

    if (first == NULL || last == NULL ||
        marena_realloc(arena, last, size, size + 8) != last)
        return 2;
    memset(last, 1, size + 8);
    marena_rewind(arena, mark);
    printf("read %u\n", sum(last, size));
    memset(memory.after, 3, sizeof(memory.after));
    return 0;
}

/* The last allocation fills the arena to the end and shrinks by 8; a mark
 * there, an allocation of those 8 bytes, a rewind to the mark. Then the
 * program writes the memory that follows the arena's buffer. */
static int
rewind_shrunk(marena_t *arena)
{
    unsigned char *first = marena_alloc(arena, 1024);
    size_t size = marena_remaining(arena);
    unsigned char *last = marena_alloc_aligned(arena, size, 1);

    if (first == NULL || last == NULL ||
        marena_realloc(arena, last, size, size - 8) != last)
        return 2;
    marena_mark_t mark = marena_mark(arena);
    unsigned char *tail = marena_alloc_aligned(arena, 8, 1);

    if (tail != last + size - 8)
        return 2;
    memset(last, 1, size - 8);
    memset(tail, 2, 8);
    marena_rewind(arena, mark);
    printf("read %u\n", sum(last, size - 8));
    memset(memory.after, 3, sizeof(memory.after));
    return 0;
}

/* Allocations of 1-byte alignment back to back, each written and read
 * whole. */
static int
packed(marena_t *arena)
{
    unsigned char *p[4];

    for (int i = 0; i < 4; i++) {
        p[i] = marena_alloc_aligned(arena, 10, 1);
        if (p[i] == NULL || (i > 0 && p[i] != p[i - 1] + 10))
            return 2;
        memset(p[i], i + 1, 10);
    }
    unsigned total = 0;

    for (int i = 0; i < 4; i++)
        total += sum(p[i], 10);
    printf("read %u\n", total);
    return total == 100 ? 0 : 2;
}

/* `a` then `b`, packed; b is popped whole, then the tail of a (below the
 * last chunk the arena knows), and a new allocation follows. CUT_CLEAN:
 * what is left of a is read and written, the new allocation is written
 * before it is read; CUT_FRESH: its never-written bytes decide a branch;
 * CUT_PAST: a read past it, where the popped allocations were;
 * CUT_REWOUND: a rewind to before a, then a read of a. */
enum { CUT_CLEAN, CUT_FRESH, CUT_PAST, CUT_REWOUND };

static int
cut_below_last(marena_t *arena, int mode)
{
    marena_mark_t mark = marena_mark(arena);
    unsigned char *a = marena_alloc_aligned(arena, 100, 1);
    unsigned char *b = marena_alloc_aligned(arena, 50, 1);

    if (a == NULL || b != a + 100)
        return 2;
    memset(a, 1, 100);
    memset(b, 2, 50);
    if (marena_pop(arena, b, 50) != 1 || marena_pop(arena, a + 60, 40) != 1)
        return 2;
    volatile unsigned char *c = marena_alloc_aligned(arena, 16, 1);

    if (c != a + 60)
        return 2;
    if (mode == CUT_FRESH) {
        printf("read %s\n", c[3] != 0 ? "nonzero" : "zero");
        return 0;
    }
    memset((void *)c, 3, 16);
    if (mode == CUT_PAST) {
        printf("read %u\n", sum(a + 120, 1));
        return 0;
    }
    if (mode == CUT_REWOUND) {
        marena_rewind(arena, mark);
        printf("read %u\n", sum(a, 1));
        return 0;
    }
    printf("read %u\n", sum(a, 60) + sum(c, 16));
    memset(a, 4, 60);
    return 0;
}

/* A growing arena whose blocks go to the spare list at reset and serve
 * again, three times over. */
static int
spare_reuse(void)
{
    marena_options_t options = {
        .backend = &heap, .block_size = 256, .flags = MARENA_GROW};
    marena_t *arena = marena_create_ex(&options);
    unsigned total = 0;

    if (arena == NULL)
        return 2;
    for (int round = 0; round < 3; round++) {
        unsigned char *p[12];

        for (int i = 0; i < 12; i++) {
            p[i] = marena_alloc_aligned(arena, 100, 1);
            if (p[i] == NULL)
                return 2;
            memset(p[i], i, 100);
        }
        for (int i = 0; i < 12; i++)
            total += sum(p[i], 100);
        marena_reset(arena);
    }
    printf("read %u\n", total);
    marena_destroy(arena);
    return 0;
}

/* In the second block of a growing arena: `a` then `b`, b popped whole,
 * then the tail of a (so what is below is plain defined memory); a reset
 * sends the block to the spare list; then a read of a. */
static int
spare_after_cut(void)
{
    marena_options_t options = {
        .backend = &heap, .block_size = 256, .flags = MARENA_GROW};
    marena_t *arena = marena_create_ex(&options);
    unsigned char *first = arena != NULL ? marena_alloc_aligned(arena, 8, 1) : NULL;
    unsigned char *a = NULL;

    if (first == NULL)
        return 2;
    /* Fill the first block until an allocation lands in another. */
    for (int i = 0; i < 64 && a == NULL; i++) {
        unsigned char *p = marena_alloc_aligned(arena, 100, 1);

        if (p == NULL)
            return 2;
        if (p < first || p > first + 256)
            a = p;
    }
    unsigned char *b = marena_alloc_aligned(arena, 50, 1);

    if (a == NULL || b != a + 100)
        return 2;
    memset(a, 1, 100);
    memset(b, 2, 50);
    if (marena_pop(arena, b, 50) != 1 || marena_pop(arena, a + 60, 40) != 1)
        return 2;
    marena_reset(arena);
    printf("read %u\n", sum(a, 1));
    marena_destroy(arena);
    return 0;
}

/* marena_sprintf() writes into free space before it commits the result
 * (the free space must be writable then), and the result's bytes hold
 * values. A result too long for what is left fails, and the space still
 * serves. With `past`, a read past the last result follows. */
static int
formatted(marena_t *arena, int past)
{
#if MARENA_HAVE_STDIO
    char *first = marena_sprintf(arena, "%d-%s", 42, "probe");
    char *second = marena_sprintf(arena, "<%s>", first != NULL ? first : "");

    if (first == NULL || second == NULL || strcmp(second, "<42-probe>") != 0)
        return 2;
    if (marena_sprintf(arena, "%0*d", 2 * CAPACITY, 1) != NULL)
        return 2;
    char *third = marena_sprintf(arena, "%s", "after");

    if (third == NULL || strcmp(third, "after") != 0)
        return 2;
    printf("read %s %s %s\n", first, second, third);
    if (past)
        printf("read %u\n", sum((unsigned char *)third + 6, 1));
#else
    (void)arena;
    (void)past;
#endif
    return 0;
}

/* Is the arena's inline fast path trapped (marena_head.h: a tracked arena
 * keeps end == cursor)? */
static int
is_tracked(const marena_t *arena)
{
    const struct marena_head *head = (const struct marena_head *)(const void *)arena;

    return head->end == head->cursor;
}

int
main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "clean";
    marena_t *arena = marena_create_static(memory.buffer, sizeof(memory.buffer));
    int result;

    if (arena == NULL)
        return 2;
    if (strcmp(how, "tracked") == 0 || strcmp(how, "untracked") == 0)
        result = is_tracked(arena) == (strcmp(how, "tracked") == 0) ? 0 : 1;
    else if (strcmp(how, "shrink-older") == 0)
        result = shrink_older();
    else if (strcmp(how, "shrink-middle") == 0 || strcmp(how, "pop-tail") == 0)
        result = cut_middle(arena, strcmp(how, "pop-tail") == 0);
    else if (strcmp(how, "rewind-grown") == 0)
        result = rewind_grown(arena);
    else if (strcmp(how, "sprintf") == 0 || strcmp(how, "past-sprintf") == 0)
        result = formatted(arena, strcmp(how, "past-sprintf") == 0);
    else if (strcmp(how, "rewind-shrunk") == 0)
        result = rewind_shrunk(arena);
    else if (strcmp(how, "spare-after-cut") == 0)
        result = spare_after_cut();
    else if (strcmp(how, "spare-reuse") == 0)
        result = spare_reuse();
    else if (strcmp(how, "packed") == 0)
        result = packed(arena);
    else if (strcmp(how, "cut-below-last") == 0 ||
             strcmp(how, "uninitialised-after-cut") == 0 ||
             strcmp(how, "past-cut") == 0 || strcmp(how, "rewound-after-cut") == 0)
        result = cut_below_last(arena,
                                strcmp(how, "cut-below-last") == 0            ? CUT_CLEAN
                                : strcmp(how, "uninitialised-after-cut") == 0 ? CUT_FRESH
                                : strcmp(how, "rewound-after-cut") == 0 ? CUT_REWOUND
                                                                        : CUT_PAST);
    else if (strcmp(how, "uninitialised-after-shrink") == 0 ||
             strcmp(how, "uninitialised-after-pop") == 0) {
        /* Bytes never written stay uninitialised when the allocation
         * shrinks, or when the one after it is popped whole. */
        volatile unsigned char *p = marena_alloc_aligned(arena, 16, 1);
        unsigned char *q = marena_alloc_aligned(arena, 8, 1);

        result = p == NULL || q == NULL ? 2 : 0;
        if (strcmp(how, "uninitialised-after-pop") == 0) {
            if (marena_pop(arena, q, 8) != 1)
                result = 2;
        } else if (marena_realloc(arena, q, 8, 4) != q)
            result = 2;
        if (result == 0)
            printf("read %s\n", p[3] != 0 ? "nonzero" : "zero");
    } else if (strcmp(how, "uninitialised-after-grow") == 0 ||
               strcmp(how, "uninitialised-after-shrinks") == 0) {
        /* The same when the one after it grew in place and then shrank
         * within what it grew by, or shrank twice. */
        volatile unsigned char *p = marena_alloc_aligned(arena, 16, 1);
        unsigned char *q = marena_alloc_aligned(arena, 16, 1);
        int grow = strcmp(how, "uninitialised-after-grow") == 0;

        result = p == NULL || q == NULL ? 2 : 0;
        if (result == 0 && (marena_realloc(arena, q, 16, grow ? 32 : 12) != q ||
                            marena_realloc(arena, q, grow ? 32 : 12, grow ? 24 : 8) != q))
            result = 2;
        if (result == 0)
            printf("read %s\n", p[3] != 0 ? "nonzero" : "zero");
    } else if (strcmp(how, "uninitialised") == 0) {
        volatile unsigned char *p = marena_alloc_aligned(arena, 16, 1);

        result = p == NULL ? 2 : 0;
        if (p != NULL)
            printf("read %s\n", p[3] != 0 ? "nonzero" : "zero");
    } else if (strcmp(how, "buffer-after-destroy") == 0)
        result = misuse(arena, "clean");
    else
        result = misuse(arena, how);
    marena_destroy(arena);
    if (strcmp(how, "buffer-after-destroy") == 0) {
        /* The buffer is the caller's again: every byte readable and
         * holding a value (what the arena left there), and writable. */
        printf("buffer %s\n",
               sum(memory.buffer, sizeof(memory.buffer)) % 2 ? "odd" : "even");
        memset(memory.buffer, 5, sizeof(memory.buffer));
    }
    return result;
}
