/* SPDX-License-Identifier: MIT */
/*
 * Everything that needs stdio: formatted strings and the statistics text.
 * Left out of builds with -Dstdio=disabled (and the statistics text of
 * builds with -Dstats=disabled).
 *
 * marena_vsprintf() formats straight into the free space of the current
 * block and, when the result fits, commits it with one bump: one pass.
 * Only a result that does not fit is formatted a second time, into memory
 * allocated for its exact size (a new or dedicated block when growing).
 * Bytes written into free space that is not committed are simply free
 * space again.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#if MARENA_HAVE_LIBBSD
#include <bsd/libutil.h>
#endif

#include "arena.h"

MARENA_API char *
marena_vsprintf(marena_t *arena, const char *fmt, va_list args)
{
    uintptr_t cursor, end;
    size_t available;
    va_list first_pass;
    int length;
    char *text;

    if (arena == NULL || fmt == NULL)
        return NULL;
    CHECK_LIVE(arena, "marena_vsprintf");
    cursor = arena_cursor(arena);
    end = arena->current->end;
    /* Some C libraries refuse sizes above INT_MAX (EOVERFLOW). */
    available = end - cursor > INT_MAX ? INT_MAX : (size_t)(end - cursor);
#if MARENA_TRACKING
    if (is_tracked(arena))
        track_unpoison(cursor, end);
#endif
    va_copy(first_pass, args);
    length = vsnprintf((char *)cursor, available, fmt, first_pass);
    va_end(first_pass);
    text = length >= 0 && (size_t)length < available ? bump(arena, (size_t)length + 1, 1)
                                                     : NULL;
    /* A first pass that did not fit filled the free space with part of
     * the text and is not kept: a wiping arena wipes it at once. */
    if (text == NULL)
        wipe_range(arena, cursor, cursor + available);
#if MARENA_TRACKING
    /* Poisoned again from the end of the text (its red zone included), or
     * all of it when nothing was kept. */
    if (is_tracked(arena)) {
        uintptr_t kept = text != NULL ? (uintptr_t)text + (size_t)length + 1 : cursor;

        track_poison(kept, end);
        track_defined(cursor, kept);
    }
#endif
    if (length < 0)
        return marena__fail(arena, 0, 1, ARENA_EINVAL);
    if (text != NULL)
        return text;

    text = marena_alloc_aligned(arena, (size_t)length + 1, 1);
    if (text != NULL)
        vsnprintf(text, (size_t)length + 1, fmt, args);
    return text;
}

MARENA_API char *
marena_sprintf(marena_t *arena, const char *fmt, ...)
{
    va_list args;
    char *text;

    va_start(args, fmt);
    text = marena_vsprintf(arena, fmt, args);
    va_end(args);
    return text;
}

#if MARENA_HAVE_STATS
/* A size for humans in at most 5 characters plus a NUL: "512", "1.2K",
 * "64K", "3.0M". */
#if MARENA_HAVE_LIBBSD
static void
human_size(char out[8], size_t bytes)
{
    /* Cannot fail: every size_t has a scale that fits 5 characters. */
    humanize_number(out, 6, (int64_t)bytes, "", HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE);
}
#else
static void
human_size(char out[8], size_t bytes)
{
    static const char units[] = "KMGTPE";
    double value = (double)bytes;
    size_t unit = 0;

    if (bytes < 1024) {
        snprintf(out, 8, "%zu", bytes);
        return;
    }
    for (value /= 1024; value >= 1024 && unit + 1 < sizeof(units) - 1; value /= 1024)
        unit++;
    snprintf(out, 8, value < 10 ? "%.1f%c" : "%.0f%c", value, units[unit]);
}
#endif

MARENA_API size_t
marena_stats_format(const marena_t *arena, char *buffer, size_t size)
{
    marena_stats_t stats;
    char used[8], capacity[8], peak[8], backend[8];
    int length;

    marena_stats(arena, &stats);
    human_size(used, stats.used);
    human_size(capacity, stats.capacity);
    human_size(peak, stats.peak);
    human_size(backend, stats.backend_bytes);
    length = snprintf(buffer, size,
                      "used %s of %s in %zu blocks (%zu spare), peak %s; "
                      "%zu allocations, %zu failed; backend %s, %zu calls",
                      used, capacity, stats.blocks, stats.spare_blocks, peak,
                      stats.allocations, stats.failed, backend, stats.backend_calls);
    return length > 0 ? (size_t)length : 0;
}
#endif /* MARENA_HAVE_STATS */
