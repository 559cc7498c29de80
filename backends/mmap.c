/* SPDX-License-Identifier: MIT */
/*
 * mmap backend: each arena block is a private anonymous mapping.
 *
 * Sizes are rounded up to whole pages and the whole mapping is granted to
 * the arena, so the rounding becomes capacity instead of waste. Mappings
 * are page-aligned, which exceeds MARENA_ALIGNMENT. MAP_NORESERVE (where
 * the platform has it) lets a large arena cost nothing until it is touched.
 *
 * For MARENA_RESERVE arenas a reservation is a PROT_NONE mapping: commit
 * makes a range readable and writable, decommit drops its pages
 * (MADV_DONTNEED) and makes it inaccessible again, so a stray access to
 * decommitted memory faults instead of silently reading zeros.
 *
 * marena_backend_mmap_guarded maps one PROT_NONE page more after each
 * block. The arena's usable end is the block's end, a page boundary, so
 * running off the end of the last allocation faults at once.
 */
/* MAP_ANONYMOUS and MAP_NORESERVE are not POSIX: ask glibc for them. */
#define _DEFAULT_SOURCE 1

#include "config.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "marena.h"

#if MARENA_HAVE_MAP_ANONYMOUS
#define MMAP_ANONYMOUS MAP_ANONYMOUS
#else
#define MMAP_ANONYMOUS MAP_ANON
#endif

#if MARENA_HAVE_MAP_NORESERVE
#define MMAP_NORESERVE MAP_NORESERVE
#else
#define MMAP_NORESERVE 0
#endif

static size_t
page_size(void)
{
    long size = sysconf(_SC_PAGESIZE);

    return size > 0 ? (size_t)size : 4096;
}

/* Maps at least size bytes, page-rounded, with the given protection. */
static void *
map_pages(size_t size, int protection, size_t *granted)
{
    size_t page = page_size();
    size_t length;
    void *block;

    if (size > SIZE_MAX - (page - 1))
        return NULL;
    length = (size + page - 1) & ~(page - 1);
    block = mmap(NULL, length, protection, MAP_PRIVATE | MMAP_ANONYMOUS | MMAP_NORESERVE,
                 -1, 0);
    if (block == MAP_FAILED)
        return NULL;
    *granted = length;
    return block;
}

static void *
mmap_acquire(void *ctx, size_t size, size_t *granted)
{
    (void)ctx;
    return map_pages(size, PROT_READ | PROT_WRITE, granted);
}

static void
mmap_release(void *ctx, void *block, size_t size)
{
    (void)ctx;
    munmap(block, size);
}

static void *
guarded_acquire(void *ctx, size_t size, size_t *granted)
{
    size_t page = page_size(), length;
    unsigned char *block;

    (void)ctx;
    if (size > SIZE_MAX - page)
        return NULL;
    block = map_pages(size + page, PROT_READ | PROT_WRITE, &length);
    if (block == NULL)
        return NULL;
    if (mprotect(block + length - page, page, PROT_NONE) != 0) {
        munmap(block, length);
        return NULL;
    }
    *granted = length - page;
    return block;
}

static void
guarded_release(void *ctx, void *block, size_t size)
{
    (void)ctx;
    munmap(block, size + page_size());
}

static void *
mmap_reserve(void *ctx, size_t size, size_t *granted)
{
    (void)ctx;
    return map_pages(size, PROT_NONE, granted);
}

static int
mmap_commit(void *ctx, void *addr, size_t size)
{
    (void)ctx;
    return mprotect(addr, size, PROT_READ | PROT_WRITE);
}

static void
mmap_decommit(void *ctx, void *addr, size_t size)
{
    (void)ctx;
    madvise(addr, size, MADV_DONTNEED);
    mprotect(addr, size, PROT_NONE);
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
    .release = guarded_release,
};
