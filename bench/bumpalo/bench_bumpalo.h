/* SPDX-License-Identifier: MIT */
/*
 * bumpalo (Rust) as a benchmark peer: the workloads of bench/workloads.h,
 * each run entirely in Rust (src/lib.rs) and linked as a static library.
 *
 * Each function runs ONE full repetition of its workload - the same
 * xorshift32 seed and sequence, counts, rounds, sizes and alignments, and
 * the same first/last-byte touch - and returns the repetition's checksum:
 * the wrapping sum of bench_touch() over every allocation, with i the
 * allocation's index within its round. It must equal the checksum of every
 * other implementation of the workload.
 *
 *   small   ROUNDS_SMALL x COUNT_SMALL allocations, Bump::reset() per round
 *   mixed   ROUNDS_MIXED x COUNT_MIXED allocations, Bump::reset() per round
 *   burst   BURSTS x BURST_SIZE allocations, Bump::reset() per burst
 *           (these three share one Bump per thread, with a chunk of
 *           BENCH_ROUND_BYTES, made by the first call and kept between
 *           repetitions, like the other peers' fixed arenas)
 *   growth  ROUNDS_GROWTH x COUNT_SMALL allocations, each round in a new
 *           Bump::with_capacity(GROWTH_FIRST_BLOCK), dropped at its end
 *
 * There is no static-buffer workload: bumpalo takes no caller buffer.
 * Available when meson's bumpalo_dep is found (bench/bumpalo/meson.build).
 */
#ifndef MARENA_BENCH_BUMPALO_H
#define MARENA_BENCH_BUMPALO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint32_t
bench_bumpalo_small(void);
uint32_t
bench_bumpalo_mixed(void);
uint32_t
bench_bumpalo_burst(void);
uint32_t
bench_bumpalo_growth(void);

#ifdef __cplusplus
}
#endif

#endif /* MARENA_BENCH_BUMPALO_H */
