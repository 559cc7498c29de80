/* SPDX-License-Identifier: MIT */
/*
 * The mmap backend on Windows: the operating system's virtual memory through
 * VirtualAlloc/VirtualFree (backends/mmap.c is the POSIX one; the names,
 * the contract and the tests are the same).
 *
 * A block is reserved and committed in one call and granted in whole pages
 * (the rounding becomes capacity). Windows reserves address space in steps
 * of its allocation granularity (64 KiB), so a small block leaves the rest
 * of its step unused: address space only, never memory.
 *
 * For MARENA_RESERVE arenas a reservation is MEM_RESERVE address space,
 * rounded up to the allocation granularity (it costs no memory, and the
 * step is taken anyway); commit is MEM_COMMIT with PAGE_READWRITE, decommit
 * MEM_DECOMMIT, which gives the memory back and makes the range fault
 * again. Release is MEM_RELEASE of the whole range, whatever its state.
 *
 * marena_backend_mmap_guarded reserves one page more after each block and
 * leaves it PAGE_NOACCESS, never committed: the arena's usable end is the
 * block's end, so running off the end of the last allocation faults at
 * once (an access violation).
 */
#define WIN32_LEAN_AND_MEAN 1

#include "config.h"

#include <stdint.h>
#include <windows.h>

#include "marena.h"

/* The page size and the allocation granularity, from GetSystemInfo(). */
static SYSTEM_INFO
system_info(void)
{
    SYSTEM_INFO info;

    GetSystemInfo(&info);
    return info;
}

static size_t
page_size(void)
{
    return system_info().dwPageSize;
}

/* size rounded up to a multiple of step (a power of two), or 0 when that
 * does not fit in a size_t. */
static size_t
round_up(size_t size, size_t step)
{
    if (size > SIZE_MAX - (step - 1))
        return 0;
    return (size + step - 1) & ~(step - 1);
}

/* Reserves length bytes (a nonzero multiple of the page size) and commits
 * the first committed of them, read-write; the rest stays PAGE_NOACCESS. */
static void *
reserve_pages(size_t length, size_t committed)
{
    void *block = VirtualAlloc(NULL, length, MEM_RESERVE, PAGE_NOACCESS);

    if (block == NULL)
        return NULL;
    if (committed > 0 &&
        VirtualAlloc(block, committed, MEM_COMMIT, PAGE_READWRITE) == NULL) {
        VirtualFree(block, 0, MEM_RELEASE);
        return NULL;
    }
    return block;
}

static void *
mmap_acquire(void *ctx, size_t size, size_t *granted)
{
    size_t length = round_up(size, page_size());
    void *block;

    (void)ctx;
    if (length == 0)
        return NULL;
    block = reserve_pages(length, length);
    if (block != NULL)
        *granted = length;
    return block;
}

/* Every block of this file, guarded or not, reserved or committed, goes
 * back in one call: MEM_RELEASE frees the whole reservation. */
static void
mmap_release(void *ctx, void *block, size_t size)
{
    (void)ctx;
    (void)size;
    VirtualFree(block, 0, MEM_RELEASE);
}

static void *
guarded_acquire(void *ctx, size_t size, size_t *granted)
{
    size_t page = page_size();
    size_t length = round_up(size, page);
    void *block;

    (void)ctx;
    if (length == 0 || length > SIZE_MAX - page)
        return NULL;
    block = reserve_pages(length + page, length);
    if (block != NULL)
        *granted = length;
    return block;
}

static void *
mmap_reserve(void *ctx, size_t size, size_t *granted)
{
    size_t length = round_up(size, system_info().dwAllocationGranularity);
    void *block;

    (void)ctx;
    if (length == 0)
        return NULL;
    block = reserve_pages(length, 0);
    if (block != NULL)
        *granted = length;
    return block;
}

static int
mmap_commit(void *ctx, void *addr, size_t size)
{
    (void)ctx;
    return VirtualAlloc(addr, size, MEM_COMMIT, PAGE_READWRITE) != NULL ? 0 : -1;
}

static void
mmap_decommit(void *ctx, void *addr, size_t size)
{
    (void)ctx;
    VirtualFree(addr, size, MEM_DECOMMIT);
}

MARENA_API const marena_backend_t marena_backend_mmap = {
    .name = "mmap",
    .acquire = mmap_acquire,
    .release = mmap_release,
    .reserve = mmap_reserve,
    .commit = mmap_commit,
    .decommit = mmap_decommit,
};

MARENA_API const marena_backend_t marena_backend_mmap_guarded = {
    .name = "mmap-guarded",
    .acquire = guarded_acquire,
    .release = mmap_release,
};
