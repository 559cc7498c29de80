/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's workloads, defined once for every allocator measured.
 *
 * Every allocator runs the same deterministic sequence of requests: sizes
 * and alignments come from xorshift32 with a fixed seed, so a C, C++ or
 * Rust implementation of a workload makes exactly the same requests (the
 * Rust one in bench/bumpalo reimplements bench_next() and the parameters
 * below bit for bit). Each allocation has its first and last byte written,
 * and a round's bytes are summed into a checksum, so no compiler can drop
 * the work; every implementation must return the same checksum.
 *
 * The allocation workloads, each in two modes (bench.h): generated, the
 * requests drawn inside the loop, and table, the same requests read from
 * arrays made before timing (tables.c), the alignment a runtime value.
 *
 *   small   ROUNDS_SMALL rounds of COUNT_SMALL allocations of 8..64 bytes,
 *           alignment 8, then a reset.
 *   mixed   rounds of COUNT_MIXED allocations of 1..512 bytes, alignment
 *           1..64 (a power of two), then a reset.
 *   burst   BURSTS bursts of 64 allocations of 8..64 bytes, alignment 8,
 *           each followed by a reset.
 *   static  as small, in a caller-supplied buffer (allocators without
 *           caller buffers are skipped).
 *   growth  rounds of creating an allocator with a GROWTH_FIRST_BLOCK-byte
 *           first block, COUNT_SMALL allocations of 8..64 bytes, alignment
 *           8, and destroying it.
 *   rewind  REWIND_CYCLES cycles of taking a mark, REWIND_SIZE allocations
 *           of 8..64 bytes, alignment 8, and going back to the mark.
 *
 * The string workloads, in table mode only (their input is data: the
 * tables of tables.c, made from the generators below):
 *
 *   strbuild  STRBUILD_ROUNDS rounds of building STRBUILD_STRINGS strings,
 *             each from 8..64 pieces of 1..16 bytes appended one by one
 *             (the string grows by each piece), then a reset.
 *   strdup    STRDUP_ROUNDS rounds of copying the STRDUP_COUNT strings of
 *             a pool (1..32 bytes and a NUL each, lengths unknown to the
 *             allocator), then a reset.
 *
 * A finished string is checked by bench_string_sum() (first and last
 * byte, and length) instead of bench_touch(): it only reads.
 */
#ifndef MARENA_BENCH_WORKLOADS_H
#define MARENA_BENCH_WORKLOADS_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_SEED 0x9e3779b9u

#define COUNT_SMALL 4096u
#define ROUNDS_SMALL 256u
#define COUNT_MIXED 2048u
#define ROUNDS_MIXED 256u
#define BURST_SIZE 64u
#define BURSTS 16384u
#define GROWTH_FIRST_BLOCK 256u
#define ROUNDS_GROWTH 128u
#define REWIND_SIZE 32u
#define REWIND_CYCLES 32768u

#define STRBUILD_STRINGS 1024u
#define STRBUILD_ROUNDS 32u
#define STRBUILD_TEXT 4096u /* bytes of text the pieces are cut from */
#define STRDUP_COUNT 4096u
#define STRDUP_ROUNDS 256u

/* Requests of 8..64 bytes in the longest such workload (small, static,
 * burst and rewind make this many; growth the first half): the length of
 * the small request table. */
#define BENCH_SMALL_REQUESTS ((size_t)ROUNDS_SMALL * COUNT_SMALL)
#define BENCH_MIXED_REQUESTS ((size_t)ROUNDS_MIXED * COUNT_MIXED)

/* Bytes an allocator must be able to hold for one round of each workload
 * (sizes plus worst-case padding), for fixed-buffer allocators: mixed
 * needs the most (strbuild at most STRBUILD_STRINGS * 64 * 16 bytes,
 * strdup STRDUP_COUNT * 33). */
#define BENCH_ROUND_BYTES ((size_t)COUNT_MIXED * (512u + 63u))

static inline uint32_t
bench_next(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* 8..64 bytes (small, burst, static, growth, rewind). */
static inline size_t
bench_small_size(uint32_t *state)
{
    return 8u + bench_next(state) % 57u;
}

/* 1..512 bytes and 1..64 alignment (mixed); one draw for both. */
static inline void
bench_mixed_request(uint32_t *state, size_t *size, size_t *align)
{
    uint32_t x = bench_next(state);

    *size = 1u + x % 512u;
    *align = (size_t)1 << ((x >> 16) % 7u);
}

/* Writes the first and last byte of an allocation and adds them up. */
static inline uint32_t
bench_touch(unsigned char *p, size_t size, uint32_t i)
{
    p[0] = (unsigned char)i;
    p[size - 1] = (unsigned char)(i >> 3);
    return (uint32_t)p[0] + p[size - 1];
}

/* A printable character (the strings' and the pieces' bytes). */
static inline char
bench_text_char(uint32_t *state)
{
    return (char)(' ' + bench_next(state) % 95u);
}

/* 1..32 bytes (strdup's strings). */
static inline size_t
bench_string_length(uint32_t *state)
{
    return 1u + bench_next(state) % 32u;
}

/* 8..64 pieces (a strbuild string). */
static inline uint32_t
bench_piece_count(uint32_t *state)
{
    return 8u + bench_next(state) % 57u;
}

/* A piece of 1..16 bytes at an offset below STRBUILD_TEXT; one draw. */
static inline void
bench_piece(uint32_t *state, size_t *offset, size_t *len)
{
    uint32_t x = bench_next(state);

    *offset = x % STRBUILD_TEXT;
    *len = 1u + (x >> 16) % 16u;
}

/* The checksum of a finished string of @len >= 1 bytes. */
static inline uint32_t
bench_string_sum(const char *s, size_t len)
{
    return (uint32_t)(unsigned char)s[0] + (unsigned char)s[len - 1] + (uint32_t)len;
}

#endif /* MARENA_BENCH_WORKLOADS_H */
