/* SPDX-License-Identifier: MIT */
/*
 * Peer: Rust's bumpalo. Its workloads run entirely in Rust (bumpalo/),
 * one exported function per workload with the same signature as ours, so
 * this file only lists them.
 */
#include "bench.h"
#include "bench_bumpalo.h"

const struct bench_allocator bench_bumpalo = {
    .name = "bumpalo",
    .run = {bench_bumpalo_small, bench_bumpalo_mixed, bench_bumpalo_burst, NULL,
            bench_bumpalo_growth},
    .na = "bumpalo takes no caller buffer",
};
