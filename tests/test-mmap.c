/* SPDX-License-Identifier: MIT */
/*
 * The mmap backend: page rounding becomes capacity, a large arena costs
 * nothing until touched (MAP_NORESERVE), an impossible one fails cleanly,
 * and reserve/commit arenas (MARENA_RESERVE) grow in place, contiguously,
 * committing as they go and decommitting on request.
 */
#ifndef _WIN32
#define _DEFAULT_SOURCE /* mincore() */
#endif
#include <errno.h>
#include <stdint.h>
#include <string.h>
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN 1
#include <windows.h>
#else
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "harness.h"
#include "subjects.h"

/* The system's pages, seen from outside the backend: its page size, a page
 * mapped and unmapped by hand, and whether a page is mapped. */
#ifdef _WIN32
static size_t
page_size(void)
{
    SYSTEM_INFO info;

    GetSystemInfo(&info);
    return info.dwPageSize;
}

static void *
map_page(void)
{
    return VirtualAlloc(NULL, page_size(), MEM_RESERVE | MEM_COMMIT, PAGE_READONLY);
}

static void
unmap_page(void *page)
{
    VirtualFree(page, 0, MEM_RELEASE);
}

/* Is the page at `at` free address space (neither reserved nor
 * committed)? */
static int
page_unmapped(uintptr_t at)
{
    MEMORY_BASIC_INFORMATION info;

    return VirtualQuery((void *)at, &info, sizeof info) == sizeof info &&
           info.State == MEM_FREE;
}
#else
static size_t
page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

static void *
map_page(void)
{
    void *page = mmap(NULL, page_size(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    return page != MAP_FAILED ? page : NULL;
}

static void
unmap_page(void *page)
{
    munmap(page, page_size());
}

/* mincore() fails with ENOMEM for a range that is not mapped; unlike
 * msync(), Valgrind lets it look at an unaddressable range. */
static int
page_unmapped(uintptr_t at)
{
    unsigned char resident;

    return mincore((void *)at, page_size(), &resident) != 0 && errno == ENOMEM;
}
#endif

/* Is every page of [p, p + size) unmapped? */
static int
unmapped(const void *p, size_t size)
{
    uintptr_t first = (uintptr_t)p & ~(uintptr_t)(page_size() - 1);

    for (uintptr_t at = first; at < (uintptr_t)p + size; at += page_size())
        if (!page_unmapped(at))
            return 0;
    return 1;
}

/* Can unmapped() see a page go? Not under qemu-user for a 32-bit guest,
 * which keeps the guest's whole address space mapped on the host. */
static int
can_see_unmapping(void)
{
    void *page = map_page();

    test_assert_nonnull(page);
    test_assert(!unmapped(page, page_size()));
    unmap_page(page);
    return unmapped(page, page_size());
}

/* The backends' own calls: grants are whole pages, exactly the request
 * rounded up; release unmaps all of it (the guard page too); impossible
 * sizes fail. */
static void
test_backend_calls(const void *data)
{
    const marena_backend_t *const backends[] = {&marena_backend_mmap,
                                                &marena_backend_mmap_guarded};
    const size_t page = page_size();
    const size_t sizes[] = {1, page - 1, page, page + 1, 3 * page, 5 * page + 17};
    const int probe = can_see_unmapping();

    (void)data;
    for (size_t b = 0; b < 2; b++) {
        const marena_backend_t *backend = backends[b];
        size_t guard = backend == &marena_backend_mmap_guarded ? page : 0;

        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            size_t granted = 0;
            unsigned char *block = backend->acquire(NULL, sizes[i], &granted);

            test_assert_nonnull(block);
            test_assert_size((uintptr_t)block % page, ==, 0);
            test_assert_size(granted, ==, (sizes[i] + page - 1) / page * page);
            memset(block, 0x5c, granted);
            test_assert(!unmapped(block, granted + guard));
            backend->release(NULL, block, granted);
            test_assert(!probe || unmapped(block, granted + guard));
        }
        size_t granted = 0;
        test_assert_null(backend->acquire(NULL, SIZE_MAX, &granted));
        test_assert_null(backend->acquire(NULL, SIZE_MAX - page, &granted));
    }
    size_t granted = 0;
    test_assert_null(marena_backend_mmap.reserve(NULL, SIZE_MAX, &granted));
}

/* After marena_destroy() no mapping of an arena is left: the first block,
 * the blocks of a growing arena, a reservation. */
static void
test_nothing_left_mapped(const void *data)
{
    marena_options_t options = {0};

    (void)data;
    if (!can_see_unmapping()) {
        test_skip("this system cannot tell an unmapped page (qemu-user?)");
        return;
    }
    options.backend = &marena_backend_mmap_guarded;
    options.block_size = 100;
    options.flags = MARENA_GROW;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    void *first = arena;
    unsigned char *large = marena_alloc(arena, 3 * page_size());
    test_assert_nonnull(large);
    marena_destroy(arena);
    test_assert(unmapped(first, page_size()));
    test_assert(unmapped(large, 3 * page_size()));

    options.backend = &marena_backend_mmap;
    options.block_size = 4 * MARENA_COMMIT_STEP;
    options.flags = MARENA_RESERVE;
    arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    first = arena;
    marena_destroy(arena);
    test_assert(unmapped(first, 4 * MARENA_COMMIT_STEP));
}

static void
test_page_rounding(const void *data)
{
    size_t page = page_size();
    marena_t *arena = marena_create_with(&marena_backend_mmap, NULL, 100);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_size((uintptr_t)arena % page, ==, 0);
    test_assert_size((marena_capacity(arena) + MARENA_CONTROL_SIZE) % page, ==, 0);
    test_assert_size(marena_capacity(arena), ==, page - MARENA_CONTROL_SIZE);
    /* All of the rounding is usable. */
    test_assert_nonnull(marena_alloc_aligned(arena, marena_capacity(arena), 1));
    marena_destroy(arena);
}

static void
test_large(const void *data)
{
    const size_t gib = (size_t)1 << 30;
    marena_t *arena = marena_create_with(&marena_backend_mmap, NULL, gib);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_size(marena_capacity(arena), >=, gib);
    unsigned char *first = marena_alloc(arena, 16);
    unsigned char *last = marena_alloc_aligned(arena, 16, (size_t)1 << 29);
    test_assert_nonnull(first);
    test_assert_nonnull(last);
    first[0] = 1;
    last[15] = 2;
    test_assert_size(first[0] + last[15], ==, 3);
    marena_destroy(arena);
}

/* The largest capacity the core lets through: mmap cannot map it on a 64-bit
 * target and create fails cleanly; a 32-bit target might, and must then give
 * all of it. */
static void
test_impossible(const void *data)
{
    marena_t *arena = marena_create_with(&marena_backend_mmap, NULL, MARENA_MAX_CAPACITY);

    (void)data;
    if (sizeof(void *) >= 8)
        test_assert_null(arena);
    else if (arena != NULL)
        test_assert_size(marena_capacity(arena), >=, MARENA_MAX_CAPACITY);
    marena_destroy(arena);
}

#ifdef _WIN32
/* What VirtualQuery() says of the page at p. */
static MEMORY_BASIC_INFORMATION
query(const void *p)
{
    MEMORY_BASIC_INFORMATION info;

    test_assert_size(VirtualQuery(p, &info, sizeof info), ==, sizeof info);
    return info;
}

/* Is the page at p committed and read-write? */
static int
committed(const void *p)
{
    MEMORY_BASIC_INFORMATION info = query(p);

    return info.State == MEM_COMMIT && info.Protect == PAGE_READWRITE;
}

/* Is the page at p reserved, not committed, and part of a PAGE_NOACCESS
 * reservation? */
static int
reserved(const void *p)
{
    MEMORY_BASIC_INFORMATION info = query(p);

    return info.State == MEM_RESERVE && info.AllocationProtect == PAGE_NOACCESS;
}

/* The Windows backend's calls as VirtualQuery() sees them: reservations
 * in allocation-granularity steps, commit and decommit of exact ranges,
 * the guard page reserved PAGE_NOACCESS, and release of everything. */
static void
test_windows_pages(const void *data)
{
    SYSTEM_INFO system;
    const size_t step = MARENA_COMMIT_STEP;
    size_t granted = 0;

    (void)data;
    GetSystemInfo(&system);
    test_assert_size(step % system.dwAllocationGranularity, ==, 0);
    unsigned char *r = marena_backend_mmap.reserve(NULL, 2 * step + 1, &granted);
    test_assert_nonnull(r);
    test_assert_size(granted, ==,
                     (2 * step + system.dwAllocationGranularity) /
                         system.dwAllocationGranularity * system.dwAllocationGranularity);
    test_assert_size((uintptr_t)r % system.dwAllocationGranularity, ==, 0);
    test_assert(reserved(r) && reserved(r + granted - 1));
    test_assert_size(marena_backend_mmap.commit(NULL, r + step, step), ==, 0);
    test_assert(reserved(r + step - 1) && reserved(r + 2 * step));
    test_assert(committed(r + step) && committed(r + 2 * step - 1));
    memset(r + step, 0x5a, step);
    marena_backend_mmap.decommit(NULL, r + step, step);
    test_assert(reserved(r + step) && reserved(r + 2 * step - 1));
    marena_backend_mmap.release(NULL, r, granted);
    test_assert(unmapped(r, granted));
    /* Nothing can be committed where nothing is reserved. */
    test_assert(marena_backend_mmap.commit(NULL, r, step) != 0);
    test_assert(unmapped(r, granted));

    unsigned char *g = marena_backend_mmap_guarded.acquire(NULL, 1, &granted);
    test_assert_nonnull(g);
    test_assert_size(granted, ==, system.dwPageSize);
    test_assert(committed(g) && committed(g + granted - 1));
    test_assert(reserved(g + granted));
    marena_backend_mmap_guarded.release(NULL, g, granted);
    test_assert(unmapped(g, granted + system.dwPageSize));
}

/* Reserved regions of at least `size` bytes in the whole address space. */
static size_t
large_reservations(size_t size)
{
    SYSTEM_INFO system;
    size_t n = 0;

    GetSystemInfo(&system);
    for (uintptr_t at = (uintptr_t)system.lpMinimumApplicationAddress;
         at < (uintptr_t)system.lpMaximumApplicationAddress;) {
        MEMORY_BASIC_INFORMATION info = query((const void *)at);

        if (info.State == MEM_RESERVE && info.RegionSize >= size)
            n++;
        at = (uintptr_t)info.BaseAddress + info.RegionSize;
    }
    return n;
}

/* A block that can be reserved but not committed (1 TiB: more than any
 * commit limit here) fails, and gives its reservation back. */
static void
test_windows_failed_commit(const void *data)
{
    const size_t tib = (size_t)1 << 40;
    size_t before = large_reservations(tib), granted = 0;
    void *block;

    (void)data;
    block = marena_backend_mmap.acquire(NULL, tib, &granted);
    if (block != NULL) {
        marena_backend_mmap.release(NULL, block, granted);
        test_skip("this system commits 1 TiB");
        return;
    }
    test_assert_size(large_reservations(tib), ==, before);
    test_assert_null(marena_backend_mmap_guarded.acquire(NULL, tib, &granted));
    test_assert_size(large_reservations(tib), ==, before);
}

/* A MARENA_RESERVE arena commits as it grows and decommits on request. */
static void
test_windows_reserve_arena(const void *data)
{
    marena_options_t options = {0};
    const size_t step = MARENA_COMMIT_STEP;

    (void)data;
    options.backend = &marena_backend_mmap;
    options.block_size = 8 * step;
    options.flags = MARENA_RESERVE;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    unsigned char *base = (unsigned char *)arena;
    test_assert(committed(base) && committed(base + step - 1));
    test_assert(reserved(base + step) && reserved(base + 8 * step - 1));
    test_assert_nonnull(marena_alloc_aligned(arena, 2 * step, 1));
    test_assert(committed(base + 3 * step - 1) && reserved(base + 3 * step));
    marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
    test_assert(committed(base + step - 1) && reserved(base + step));
    marena_destroy(arena);
    test_assert(unmapped(base, 8 * step));
}
#endif

static marena_options_t
reserving(size_t size, size_t limit)
{
    marena_options_t options = {0};

    options.backend = &marena_backend_mmap;
    options.block_size = size;
    options.limit = limit;
    options.flags = MARENA_RESERVE;
    return options;
}

/* 64 GiB of address space on 64-bit targets (256 MiB elsewhere, and 1 GiB
 * under Valgrind, which cannot map more): the arena never chains or moves;
 * memory is committed step by step. */
static void
test_reserve_contiguous(const void *data)
{
    const size_t reserve = sizeof(void *) < 8 ? (size_t)256 << 20
                           : under_valgrind() ? (size_t)1 << 30
                                              : (size_t)64 << 30;
    const size_t piece = 256 * 1024;
    marena_options_t options = reserving(reserve, 0);
    marena_t *arena = marena_create_ex(&options);
    unsigned char *first, *previous;

    (void)data;
    test_assert_nonnull(arena);
    test_assert_size(stats_of(arena).backend_bytes, ==, MARENA_COMMIT_STEP);
    first = previous = marena_alloc_aligned(arena, piece, 1);
    test_assert_nonnull(first);
    for (int i = 1; i < 64; i++) {
        unsigned char *p = marena_alloc_aligned(arena, piece, 1);

        test_assert_addr(p, ==, previous + piece);
        p[0] = p[piece - 1] = (unsigned char)i;
        previous = p;
    }
    marena_stats_t stats = stats_of(arena);
    test_assert_size(stats.blocks, ==, 1);
    test_assert_size(stats.used, ==, 64 * piece);
    test_assert_size(stats.backend_bytes % MARENA_COMMIT_STEP, ==, 0);
    test_assert_size(stats.backend_bytes, >=, 64 * piece + MARENA_CONTROL_SIZE);
    test_assert_size(stats.backend_bytes, <,
                     64 * piece + MARENA_CONTROL_SIZE + MARENA_COMMIT_STEP);
    test_assert_size(stats.capacity + MARENA_CONTROL_SIZE, ==, stats.backend_bytes);
    marena_destroy(arena);
}

/* Reset keeps what is committed; a byte budget decommits the rest. */
static void
test_reserve_decommit(const void *data)
{
    marena_options_t options = reserving((size_t)64 << 20, 0);
    marena_t *arena = marena_create_ex(&options);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_nonnull(marena_alloc(arena, (size_t)8 << 20));
    size_t committed = stats_of(arena).backend_bytes;
    marena_reset(arena);
    test_assert_size(stats_of(arena).backend_bytes, ==, committed);

    marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
    test_assert_size(stats_of(arena).backend_bytes, ==, MARENA_COMMIT_STEP);
    marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
    test_assert_size(stats_of(arena).backend_bytes, ==, MARENA_COMMIT_STEP);
    /* Committed again on demand, and usable. */
    unsigned char *p = marena_alloc(arena, (size_t)2 << 20);
    test_assert_nonnull(p);
    p[0] = p[((size_t)2 << 20) - 1] = 1;
    marena_reset_ex(arena, MARENA_RETAIN_BYTES, 3 * MARENA_COMMIT_STEP);
    test_assert_size(stats_of(arena).backend_bytes, ==, 3 * MARENA_COMMIT_STEP);
    marena_destroy(arena);
}

/* Decommitted memory is given back (it reads as zeros once committed
 * again) and is inaccessible meanwhile (a stray access faults). */
static void
test_reserve_decommit_gives_back(const void *data)
{
    marena_options_t options = reserving((size_t)4 * MARENA_COMMIT_STEP, 0);
    marena_t *arena = marena_create_ex(&options);

    (void)data;
    test_assert_nonnull(arena);
    test_assert_nonnull(marena_alloc_aligned(arena, MARENA_COMMIT_STEP, 1));
    unsigned char *p = marena_alloc_aligned(arena, MARENA_COMMIT_STEP, 1);
    test_assert_nonnull(p);
    memset(p, 0x77, MARENA_COMMIT_STEP);
    unsigned char *beyond = (unsigned char *)arena + 3 * MARENA_COMMIT_STEP - 1;
    marena_reset_ex(arena, MARENA_RETAIN_BYTES, 0);
    if (test_in_child()) {
        *(volatile unsigned char *)beyond = 1;
        return;
    }
    test_assert_child_aborted("*");
    test_assert_nonnull(marena_alloc_aligned(arena, MARENA_COMMIT_STEP, 1));
    test_assert_addr(marena_alloc_aligned(arena, MARENA_COMMIT_STEP, 1), ==, p);
    inspect_bytes(p, MARENA_COMMIT_STEP);
    for (size_t i = 0; i < MARENA_COMMIT_STEP; i += 512)
        test_assert_size(p[i], ==, 0);
    marena_destroy(arena);
}

static void
test_reserve_limit(const void *data)
{
    const size_t limit = (size_t)1 << 20;
    marena_options_t options = reserving((size_t)64 << 20, limit);
    marena_t *arena = marena_create_ex(&options);

    (void)data;
    test_assert_nonnull(arena);
    while (marena_alloc_aligned(arena, 1000, 1) != NULL)
        continue;
    marena_stats_t stats = stats_of(arena);
    test_assert_size(stats.backend_bytes, <=, limit);
    test_assert_size(stats.used, >, limit - MARENA_COMMIT_STEP - MARENA_CONTROL_SIZE);
    test_assert_size(stats.capacity, <=, limit);
    marena_destroy(arena);
}

/* The most recent allocation grows in place past committed memory. */
static void
test_reserve_realloc(const void *data)
{
    marena_options_t options = reserving((size_t)16 << 20, 0);
    marena_t *arena = marena_create_ex(&options);

    (void)data;
    test_assert_nonnull(arena);
    unsigned char *p = marena_alloc_aligned(arena, 1000, 1);
    p[999] = 9;
    test_assert_addr(marena_realloc(arena, p, 1000, (size_t)1 << 20), ==, p);
    p[((size_t)1 << 20) - 1] = 9;
    test_assert_size(p[999], ==, 9);
    marena_mark_t mark = marena_mark(arena);
    test_assert_nonnull(marena_alloc(arena, (size_t)4 << 20));
    marena_rewind(arena, mark);
    test_assert_size(marena_used(arena), ==, (size_t)1 << 20);
    /* Beyond the reservation: NULL, unchanged. */
    test_assert_null(marena_alloc(arena, (size_t)16 << 20));
    test_assert_null(marena_realloc(arena, p, (size_t)1 << 20, (size_t)17 << 20));
    test_assert_size(marena_used(arena), ==, (size_t)1 << 20);
    marena_destroy(arena);
}

/* Reserve needs a backend that can, and excludes growth and buffers. */
static void
test_reserve_invalid(const void *data)
{
    static const marena_backend_t no_reserve = {.name = "no-reserve"};
    static unsigned char buffer[4096];
    marena_options_t options = reserving((size_t)1 << 20, 0);

    (void)data;
    options.flags = MARENA_RESERVE | MARENA_GROW;
    test_assert_null(marena_create_ex(&options));
    options.flags = MARENA_RESERVE;
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    test_assert_null(marena_create_ex(&options));
    options.buffer = NULL;
    options.buffer_size = 0;
    options.backend = &no_reserve;
    test_assert_null(marena_create_ex(&options));
#if MARENA_HAVE_HEAP_BACKEND
    options.backend = &marena_backend_heap;
    test_assert_null(marena_create_ex(&options));
#endif
    /* Too small a limit for the first commit step. */
    options = reserving((size_t)1 << 20, MARENA_COMMIT_STEP - 1);
    test_assert_null(marena_create_ex(&options));
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_backend_calls, NULL, "/mmap/backend/calls");
    test_add(test_nothing_left_mapped, NULL, "/mmap/backend/nothing-left-mapped");
    test_add(test_reserve_decommit_gives_back, NULL, "/mmap/reserve/decommit-gives-back");
    test_add(test_page_rounding, NULL, "/mmap/create/page-rounding");
    test_add(test_large, NULL, "/mmap/create/large");
    test_add(test_impossible, NULL, "/mmap/create/impossible");
    test_add(test_reserve_contiguous, NULL, "/mmap/reserve/contiguous");
    test_add(test_reserve_decommit, NULL, "/mmap/reserve/decommit");
    test_add(test_reserve_limit, NULL, "/mmap/reserve/limit");
    test_add(test_reserve_realloc, NULL, "/mmap/reserve/realloc-and-rewind");
    test_add(test_reserve_invalid, NULL, "/mmap/reserve/invalid");
#ifdef _WIN32
    test_add(test_windows_pages, NULL, "/mmap/windows/pages");
    test_add(test_windows_reserve_arena, NULL, "/mmap/windows/reserve-arena");
    test_add(test_windows_failed_commit, NULL, "/mmap/windows/failed-commit");
#endif
    return test_run();
}
