/* SPDX-License-Identifier: MIT */
/*
 * The tables of the table mode and of the string workloads (bench.h),
 * made once before anything is timed, from the generators of workloads.h.
 *
 * The request tables hold exactly what the generated mode draws: small's
 * sequence (which burst, static, growth and rewind share: each starts at
 * the seed and reads as far as it needs) and mixed's, as size_t pairs.
 * Every value is in memory the compiler knows nothing about, so an
 * allocator reading its alignment from there cannot fold it.
 *
 * The string tables: strdup's pool of STRDUP_COUNT NUL-terminated strings
 * of 1..32 printable bytes, and one round of strbuild: STRBUILD_STRINGS
 * piece counts and the pieces in order, each a pointer into a text of
 * printable bytes and a length. Each has its own seed.
 */
#include <stdlib.h>

#include "bench.h"

#define STRDUP_SEED 0x85ebca6bu
#define STRBUILD_SEED 0xc2b2ae35u

struct bench_tables bench_tables;

static void *
table_alloc(size_t count, size_t size)
{
    void *p = calloc(count, size);

    if (p == NULL)
        bench_fail("calloc of a table");
    return p;
}

static const struct bench_request *
small_requests(void)
{
    struct bench_request *t = table_alloc(BENCH_SMALL_REQUESTS, sizeof *t);
    uint32_t state = BENCH_SEED;

    for (size_t i = 0; i < BENCH_SMALL_REQUESTS; i++) {
        t[i].size = bench_small_size(&state);
        t[i].align = BENCH_SMALL_ALIGN;
    }
    return t;
}

static const struct bench_request *
mixed_requests(void)
{
    struct bench_request *t = table_alloc(BENCH_MIXED_REQUESTS, sizeof *t);
    uint32_t state = BENCH_SEED;

    for (size_t i = 0; i < BENCH_MIXED_REQUESTS; i++)
        bench_mixed_request(&state, &t[i].size, &t[i].align);
    return t;
}

static const struct bench_string_in *
strdup_pool(void)
{
    struct bench_string_in *t = table_alloc(STRDUP_COUNT, sizeof *t);
    char *bytes = table_alloc(STRDUP_COUNT, 33);
    uint32_t state = STRDUP_SEED;

    for (size_t i = 0; i < STRDUP_COUNT; i++) {
        size_t len = bench_string_length(&state);

        t[i].s = bytes;
        t[i].len = len;
        while (len-- > 0)
            *bytes++ = bench_text_char(&state);
        *bytes++ = '\0';
    }
    return t;
}

static void
strbuild_round(void)
{
    uint32_t *counts = table_alloc(STRBUILD_STRINGS, sizeof *counts);
    char *text = table_alloc(STRBUILD_TEXT + 16, 1);
    uint32_t state = STRBUILD_SEED;
    struct bench_piece *pieces;
    size_t n = 0;

    for (size_t i = 0; i < STRBUILD_TEXT + 16; i++)
        text[i] = bench_text_char(&state);
    for (size_t i = 0; i < STRBUILD_STRINGS; i++) {
        counts[i] = bench_piece_count(&state);
        n += counts[i];
    }
    pieces = table_alloc(n, sizeof *pieces);
    for (size_t i = 0; i < n; i++) {
        size_t offset;

        bench_piece(&state, &offset, &pieces[i].len);
        pieces[i].text = text + offset;
    }
    bench_tables.string_pieces = counts;
    bench_tables.pieces = pieces;
    bench_tables.npieces = n;
}

void
bench_tables_init(void)
{
    bench_tables.small = small_requests();
    bench_tables.mixed = mixed_requests();
    bench_tables.strings = strdup_pool();
    strbuild_round();
}
