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

/* Bytes an allocator must be able to hold for one round of each workload
 * (sizes plus worst-case padding), for fixed-buffer allocators. */
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

/* 8..64 bytes (small, burst, static, growth). */
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

#endif /* MARENA_BENCH_WORKLOADS_H */
