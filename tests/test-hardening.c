/* SPDX-License-Identifier: MIT */
/*
 * Hardening that can be observed: AddressSanitizer reports reads of memory
 * an arena has not handed out or has taken back (registered only in ASan
 * builds); MARENA_WIPE leaves given-back bytes zero; a guard page stops a
 * run off the end of a block. Memcheck's side is tests/memcheck-probe.c.
 *
 * Wipes are checked through a caller's buffer after marena_destroy(): the
 * bytes are the caller's again then (and unpoisoned), and destroy itself
 * wipes only what is still handed out, so a zero proves that the earlier
 * operation wiped.
 */
#include <string.h>

#include "harness.h"
#include "subjects.h"

#if TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif
/* The redzone build option (tests/meson.build passes it). */
#ifndef TEST_REDZONE
#define TEST_REDZONE 0
#endif

#define SECRET 0x5a

#if MARENA_HAVE_WIPE || (TEST_ASAN && TEST_REDZONE > 0)
static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_STATIC_OVERHEAD + 4096];

static marena_t *
open_in_buffer(unsigned flags)
{
    marena_options_t options = {0};
    marena_t *arena;

    memset(buffer, 0, sizeof(buffer));
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    options.flags = flags;
    arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    return arena;
}
#endif

#if MARENA_HAVE_WIPE
/* Offset of p in the buffer, valid after the arena is gone. */
static size_t
offset_of(const void *p)
{
    return (size_t)((const unsigned char *)p - buffer);
}

static unsigned char *
secret(marena_t *arena, size_t size)
{
    unsigned char *p = marena_alloc_aligned(arena, size, 1);

    test_assert_nonnull(p);
    memset(p, SECRET, size);
    return p;
}

static void
assert_bytes(size_t offset, size_t size, unsigned char value)
{
    for (size_t i = 0; i < size; i++)
        test_assert_size(buffer[offset + i], ==, value);
}

enum give_back { BY_RESET, BY_REWIND, BY_POP, BY_SHRINK, BY_SHRINK_OTHER, BY_DESTROY };

/* A secret given back one way is zero afterwards with MARENA_WIPE, and
 * still there without (so the check can fail). */
static void
check_wipe(enum give_back how, unsigned flags, unsigned char expected)
{
    marena_t *arena = open_in_buffer(flags);
#if MARENA_HAVE_MARKS
    marena_mark_t mark = marena_mark(arena);
#endif
    unsigned char *p = secret(arena, 64);
    size_t at = offset_of(p), from = at, count = 64;

    switch (how) {
    case BY_RESET:
        marena_reset(arena);
        break;
    case BY_REWIND:
#if MARENA_HAVE_MARKS
        marena_rewind(arena, mark);
#endif
        break;
    case BY_POP:
#if MARENA_HAVE_REALLOC
        test_assert_size(marena_pop(arena, p, 64), ==, 1);
#endif
        break;
    case BY_SHRINK:
#if MARENA_HAVE_REALLOC
        test_assert_addr(marena_realloc(arena, p, 64, 8), ==, p);
        assert_bytes(at, 8, SECRET); /* what it keeps is not wiped */
        from = at + 8;
        count = 56;
#endif
        break;
    case BY_SHRINK_OTHER: /* not the last allocation: it keeps its place */
#if MARENA_HAVE_REALLOC
        test_assert_nonnull(marena_alloc_aligned(arena, 1, 1));
        test_assert_addr(marena_realloc(arena, p, 64, 8), ==, p);
        assert_bytes(at, 8, SECRET);
        from = at + 8;
        count = 56;
        /* Destroy wipes the whole allocation, which the arena still holds:
         * the shrink's own wipe is seen before it, where reading what the
         * allocation gave up is not reported (ASan and memcheck poison it). */
        if (!TEST_ASAN && !under_valgrind())
            assert_bytes(from, count, expected);
#endif
        break;
    case BY_DESTROY:
        break;
    }
    marena_destroy(arena);
    assert_bytes(from, count, expected);
}

static void
test_wipe(const void *data)
{
    (void)data;
    for (int how = BY_RESET; how <= BY_DESTROY; how++) {
        /* Ways the build has (without them, the secret would simply be
         * given back by destroy: tested as BY_DESTROY). */
        if ((how == BY_REWIND && !MARENA_HAVE_MARKS) ||
            ((how == BY_POP || how == BY_SHRINK || how == BY_SHRINK_OTHER) &&
             !MARENA_HAVE_REALLOC))
            continue;
        check_wipe((enum give_back)how, MARENA_WIPE, 0);
        check_wipe((enum give_back)how, 0, SECRET);
    }
}
#endif

#if MARENA_HAVE_WIPE && MARENA_HAVE_GROWTH && MARENA_HAVE_MARKS
/* Blocks that leave use in a growing arena are wiped before they become
 * spares or go back to the backend. Checked after destroy, when the
 * counting backend's memory is ordinary memory again. */
static int
has_secret_run(const unsigned char *p, size_t size)
{
    size_t run = 0;

    for (size_t i = 0; i < size; i++) {
        run = p[i] == SECRET ? run + 1 : 0;
        if (run == 8)
            return 1;
    }
    return 0;
}

static void
check_wipe_blocks(unsigned flags, int expect_secret)
{
    struct counting_backend counter;
    marena_options_t options = {0};
    size_t count, found = 0;

    counting_init(&counter);
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.block_size = 256;
    options.flags = MARENA_GROW | flags;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    marena_mark_t mark = marena_mark(arena);
    for (int i = 0; i < 20; i++)
        memset(marena_alloc_aligned(arena, 100, 1), SECRET, 100);
    marena_rewind(arena, mark); /* later blocks become spares */
    count = counter.out;
    test_assert_size(count, >, 1);
    struct counting_block blocks[COUNTING_MAX_BLOCKS];
    memcpy(blocks, counter.blocks, sizeof(blocks));
    marena_destroy(arena);
    for (size_t b = 0; b < count; b++)
        found += (size_t)has_secret_run(blocks[b].block, blocks[b].size);
    if (expect_secret)
        test_assert_size(found, >, 0);
    else
        test_assert_size(found, ==, 0);
}

static void
test_wipe_blocks(const void *data)
{
    (void)data;
    check_wipe_blocks(MARENA_WIPE, 0);
    check_wipe_blocks(0, 1);
}
#endif

#if MARENA_HAVE_MMAP_BACKEND
/* Running off the end of a full block faults on the guard page. */
static void
test_guard_page(const void *data)
{
    marena_t *arena = marena_create_with(&marena_backend_mmap_guarded, NULL, 1000);

    (void)data;
    test_assert_nonnull(arena);
    /* A tracked arena keeps its red zone after the allocation. */
    size_t size = marena_remaining(arena) - (TEST_ASAN ? TEST_REDZONE : 0);
    volatile unsigned char *p = marena_alloc_aligned(arena, size, 1);
    test_assert_nonnull(p);
    p[0] = 1;
    p[size - 1] = 1;
    if (test_in_child()) {
        p[size] = 1;
        return;
    }
    test_assert_child_aborted("*");
    marena_destroy(arena);
}
#endif

#if TEST_ASAN && MARENA_HAVE_MARKS && MARENA_HAVE_REALLOC
enum misuse { AFTER_RESET, PAST_LAST, AFTER_REWIND, SHRUNK_TAIL, POPPED };

static const enum misuse misuses[] = {AFTER_RESET, PAST_LAST, AFTER_REWIND, SHRUNK_TAIL,
                                      POPPED};

/* Misuses one 10-byte allocation in a child; ASan must report the read. */
static void
test_asan(const void *data)
{
    enum misuse how = *(const enum misuse *)data;
    struct subject s;
    size_t index = 0;

    subject_open(&s, arena_kinds[0], 4096);
    marena_mark_t mark = marena_mark(s.arena);
    volatile unsigned char *p = marena_alloc_aligned(s.arena, 10, 1);
    p[0] = 1;
    if (test_in_child()) {
        if (how == AFTER_RESET)
            marena_reset(s.arena);
        else if (how == AFTER_REWIND)
            marena_rewind(s.arena, mark);
        else if (how == POPPED)
            marena_pop(s.arena, (void *)p, 10);
        else if (how == SHRUNK_TAIL)
            marena_realloc(s.arena, (void *)p, 10, 2);
        index = how == PAST_LAST ? 10 : how == SHRUNK_TAIL ? 5 : 0;
        (void)p[index];
        return;
    }
    test_assert_child_aborted("*AddressSanitizer: use-after-poison*");
    subject_close(&s);
}
#endif

#if TEST_ASAN && MARENA_HAVE_GROWTH
/* Memory an arena gives back (a decommitted range, every block at
 * destroy) is unpoisoned first: whatever is mapped or allocated there
 * later must not look poisoned. */
static void
test_asan_given_back(const void *data)
{
    struct reserving_backend reserving;
    struct counting_backend counter;
    struct counting_block blocks[COUNTING_MAX_BLOCKS];
    marena_options_t options = {0};

    (void)data;
    if (!pool_holds(5 * MARENA_COMMIT_STEP))
        return;
    reserving_init(&reserving, 0);
    options.backend = &reserving_backend;
    options.backend_ctx = &reserving;
    options.block_size = 4 * MARENA_COMMIT_STEP;
    options.flags = MARENA_RESERVE;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    unsigned char *reservation = reserving.counter.block;
    size_t reserved = reserving.counter.granted;
    for (int i = 0; i < 3; i++)
        test_assert_nonnull(marena_alloc_aligned(arena, MARENA_COMMIT_STEP, 1));
    marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
    test_assert_size(reserving.decommits, ==, 1);
    test_assert_null(__asan_region_is_poisoned(reservation + MARENA_COMMIT_STEP,
                                               3 * MARENA_COMMIT_STEP));
    marena_destroy(arena);
    test_assert_null(__asan_region_is_poisoned(reservation, reserved));

    /* A growing arena's blocks, spares included. */
    counting_init(&counter);
    options = (marena_options_t){0};
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.block_size = 1024;
    options.flags = MARENA_GROW;
    arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    marena_mark_t mark = marena_mark(arena);
    for (int i = 0; i < 40; i++)
        test_assert_nonnull(marena_alloc(arena, 200));
    marena_rewind(arena, mark); /* the newer blocks become spares */
    size_t out = counter.out;
    memcpy(blocks, counter.blocks, sizeof(blocks));
    test_assert_size(out, >, 2);
    marena_destroy(arena);
    for (size_t i = 0; i < out; i++)
        test_assert_null(__asan_region_is_poisoned(blocks[i].block, blocks[i].size));
}
#endif

#if TEST_ASAN && TEST_REDZONE > 0
/* A red zone follows every allocation of a tracked arena, strings from
 * marena_sprintf() too. */
static void
test_redzone_sprintf(const void *data)
{
    marena_t *arena = open_in_buffer(0);

    (void)data;
#if MARENA_HAVE_STDIO
    char *s = marena_sprintf(arena, "%s", "abc");
    test_assert_nonnull(s);
    test_assert_null(__asan_region_is_poisoned(s, 4));
    test_assert_size(__asan_address_is_poisoned(s + 4), ==, 1);
    test_assert_size(__asan_address_is_poisoned(s + 3 + TEST_REDZONE), ==, 1);
#endif
    unsigned char *p = marena_alloc_aligned(arena, 5, 1);
    test_assert_nonnull(p);
    test_assert_size(__asan_address_is_poisoned(p + 5), ==, 1);
    marena_destroy(arena);
}

#if MARENA_HAVE_REALLOC
/* [p, p + size) is addressable and the red zone after it is not. */
static void
assert_redzone_after(const unsigned char *p, size_t size)
{
    test_assert_null(__asan_region_is_poisoned((void *)p, size));
    for (size_t i = 0; i < TEST_REDZONE; i++)
        test_assert_size(__asan_address_is_poisoned(p + size + i), ==, 1);
}

/* The last allocation resized in place keeps a red zone after its new
 * end: grown past where its red zone was, grown within it after a
 * shrink, shrunk. */
static void
test_redzone_realloc(const void *data)
{
    marena_t *arena = open_in_buffer(0);

    (void)data;
    unsigned char *p = marena_alloc_aligned(arena, 16, 1);
    test_assert_nonnull(p);
    assert_redzone_after(p, 16);
    test_assert_addr(marena_realloc(arena, p, 16, 40), ==, p);
    assert_redzone_after(p, 40);
    test_assert_addr(marena_realloc(arena, p, 40, 8), ==, p);
    assert_redzone_after(p, 8);
    test_assert_addr(marena_realloc(arena, p, 8, 12), ==, p);
    assert_redzone_after(p, 12);
    test_assert_addr(marena_realloc(arena, p, 12, 12 + 2 * TEST_REDZONE), ==, p);
    assert_redzone_after(p, 12 + 2 * TEST_REDZONE);
    marena_destroy(arena);
}
#endif

#if MARENA_HAVE_GROWTH
/* Growth takes the block the red zone needs too: a request that fits the
 * next ordinary block only without its red zone gets a block of its own
 * (and does not leave a new, unusable current block behind). */
static void
test_redzone_growth(const void *data)
{
    struct counting_backend counter;
    marena_options_t options = {0};

    (void)data;
    counting_init(&counter);
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.block_size = 1024;
    options.max_block_size = 8192;
    options.flags = MARENA_GROW;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    size_t ordinary = 2 * marena_capacity(arena);
    unsigned char *p = marena_alloc_aligned(arena, ordinary - TEST_REDZONE / 2, 1);
    test_assert_nonnull(p);
    test_assert_size(__asan_address_is_poisoned(p + ordinary - TEST_REDZONE / 2), ==, 1);
    marena_destroy(arena);
    test_assert_size(counter.out, ==, 0);
}

/* A reserve arena commits for the red zone too: a request that ends
 * exactly at a commit step, its red zone past it, succeeds. */
static void
test_redzone_reserve(const void *data)
{
    struct reserving_backend reserving;
    marena_options_t options = {0};

    (void)data;
    if (!pool_holds(3 * MARENA_COMMIT_STEP))
        return;
    reserving_init(&reserving, 0);
    options.backend = &reserving_backend;
    options.backend_ctx = &reserving;
    options.block_size = 2 * MARENA_COMMIT_STEP;
    options.flags = MARENA_RESERVE;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    unsigned char *start = reserving.counter.block;
    unsigned char *p = marena_alloc_aligned(arena, 1, 1);
    test_assert_nonnull(p);
    size_t offset = (size_t)(p + 1 + TEST_REDZONE - start);
    test_assert_nonnull(marena_alloc_aligned(arena, MARENA_COMMIT_STEP - offset, 1));
    marena_destroy(arena);
}
#endif
#endif

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
#if MARENA_HAVE_WIPE
    test_add(test_wipe, NULL, "/hardening/wipe/given-back");
#endif
#if MARENA_HAVE_WIPE && MARENA_HAVE_GROWTH && MARENA_HAVE_MARKS
    test_add(test_wipe_blocks, NULL, "/hardening/wipe/blocks");
#endif
#if MARENA_HAVE_MMAP_BACKEND
    test_add(test_guard_page, NULL, "/hardening/guard-page/run-off-the-end");
#endif
#if TEST_ASAN && MARENA_HAVE_MARKS && MARENA_HAVE_REALLOC
    static const char *const names[] = {"after-reset", "past-last", "after-rewind",
                                        "shrunk-tail", "popped"};
    for (size_t i = 0; i < sizeof(misuses) / sizeof(misuses[0]); i++)
        test_add(test_asan, &misuses[i], "/hardening/asan/%s", names[i]);
#endif
#if TEST_ASAN && MARENA_HAVE_GROWTH
    test_add(test_asan_given_back, NULL, "/hardening/asan/given-back-unpoisoned");
#endif
#if TEST_ASAN && TEST_REDZONE > 0
    test_add(test_redzone_sprintf, NULL, "/hardening/redzone/after-each-allocation");
#if MARENA_HAVE_REALLOC
    test_add(test_redzone_realloc, NULL, "/hardening/redzone/realloc-in-place");
#endif
#if MARENA_HAVE_GROWTH
    test_add(test_redzone_growth, NULL, "/hardening/redzone/growth");
    test_add(test_redzone_reserve, NULL, "/hardening/redzone/reserve-commit");
#endif
#endif
    return test_run();
}
