/* SPDX-License-Identifier: MIT */
/*
 * Peer: Rust's bumpalo. Its workloads run entirely in Rust (bumpalo/),
 * one exported function per workload that takes the tables (NULL: the
 * generated mode), so this file only adapts them to bench.h's signature.
 */
#include "bench.h"
#include "bench_bumpalo.h"

/* bumpalo_W(mode): bench_bumpalo_W with the tables in table mode. */
#define BUMPALO_FN(w) \
    static uint32_t bumpalo_##w(enum bench_mode mode) \
    { \
        return bench_bumpalo_##w(mode == BENCH_TABLE ? &bench_tables : NULL); \
    }

BUMPALO_FN(small)
BUMPALO_FN(mixed)
BUMPALO_FN(burst)
BUMPALO_FN(growth)
BUMPALO_FN(strbuild)
BUMPALO_FN(strdup)

const struct bench_allocator bench_bumpalo = {
    .name = "bumpalo",
    .run = {bumpalo_small, bumpalo_mixed, bumpalo_burst, NULL, bumpalo_growth, NULL,
            bumpalo_strbuild, bumpalo_strdup},
    .na = {[BENCH_STATIC] = "bumpalo takes no caller buffer",
           [BENCH_REWIND] = "bumpalo has no checkpoints"},
};
