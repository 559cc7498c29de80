/* SPDX-License-Identifier: MIT */
/*
 * bumpalo (Rust) as a benchmark peer: the workloads of bench/workloads.h,
 * each run entirely in Rust (src/lib.rs) and linked as a static library.
 *
 * Each function runs ONE full repetition of its workload - the same
 * xorshift32 seed and sequence, counts, rounds, sizes and alignments, and
 * the same first/last-byte touch - and returns the repetition's checksum,
 * which must equal the checksum of every other implementation of the
 * workload.
 *
 * @tables is bench.h's struct bench_tables: NULL runs small, mixed, burst
 * and growth in the generated mode (the requests drawn in Rust), the
 * tables in the table mode (the requests read from them); strbuild and
 * strdup need them.
 *
 *   small     ROUNDS_SMALL x COUNT_SMALL allocations, Bump::reset() per round
 *   mixed     ROUNDS_MIXED x COUNT_MIXED allocations, Bump::reset() per round
 *   burst     BURSTS x BURST_SIZE allocations, Bump::reset() per burst
 *   strbuild  bumpalo::collections::String, push_str() per piece
 *   strdup    Bump::alloc_str() per string
 *             (these five share one Bump per thread, with a chunk of
 *             BENCH_ROUND_BYTES, made by the first call and kept between
 *             repetitions, like the other peers' fixed arenas)
 *   growth    ROUNDS_GROWTH x COUNT_SMALL allocations, each round in a new
 *             Bump::with_capacity(GROWTH_FIRST_BLOCK), dropped at its end
 *
 * There is no static-buffer workload (bumpalo takes no caller buffer) and
 * no rewind (bumpalo 3.12 has no checkpoints). Available when meson's
 * bumpalo_dep is found (bench/bumpalo/meson.build).
 */
#ifndef MARENA_BENCH_BUMPALO_H
#define MARENA_BENCH_BUMPALO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bench_tables;

uint32_t
bench_bumpalo_small(const struct bench_tables *tables);
uint32_t
bench_bumpalo_mixed(const struct bench_tables *tables);
uint32_t
bench_bumpalo_burst(const struct bench_tables *tables);
uint32_t
bench_bumpalo_growth(const struct bench_tables *tables);
uint32_t
bench_bumpalo_strbuild(const struct bench_tables *tables);
uint32_t
bench_bumpalo_strdup(const struct bench_tables *tables);

#ifdef __cplusplus
}
#endif

#endif /* MARENA_BENCH_BUMPALO_H */
