// SPDX-License-Identifier: MIT
/*
 * marena-pmr: marena::memory_resource (marena.hpp) called as std::pmr users
 * call a resource, through a std::pmr::memory_resource pointer stored in
 * the subject, so that every allocation is a virtual call to
 * do_allocate(), as it is for the pmr peer (peer-pmr.cc): the two columns
 * compare the resources the way a program that passes one around uses
 * them.
 *
 * small, mixed, burst: one fixed arena of BENCH_ROUND_BYTES on the default
 * backend; the round's end is arena::reset(). static: an arena in a static
 * buffer. growth: per round, a growing arena whose first block is
 * GROWTH_FIRST_BLOCK bytes, destroyed at the round's end.
 */
#include <memory_resource>
#include <new>
#include <utility>

#include "marena.hpp"

#include "bench.h"

namespace
{

// ----------------------------------------------- marena::memory_resource

struct marena_subject {
    explicit marena_subject(marena::arena &&owner)
        : arena(std::move(owner)), resource(arena), memory(&resource)
    {
    }

    marena::arena arena;
    marena::memory_resource resource;
    std::pmr::memory_resource *memory; // what the workloads call
};

marena_options_t
growth_options()
{
    marena_options_t options{};

    options.block_size = GROWTH_FIRST_BLOCK;
    options.flags = MARENA_GROW;
    return options;
}

alignas(std::max_align_t) unsigned char marena_static_buffer[BENCH_ROUND_BYTES +
                                                             MARENA_STATIC_OVERHEAD];
alignas(marena_subject) unsigned char marena_growth_storage[sizeof(marena_subject)];
marena_subject *marena_fixed, *marena_in_static;

void
marena_pmr_setup()
{
    try {
        marena_fixed = new marena_subject(marena::arena(BENCH_ROUND_BYTES));
        marena_in_static = new marena_subject(
            marena::arena(marena_static_buffer, sizeof marena_static_buffer));
    } catch (const std::bad_alloc &) {
        bench_fail("marena-pmr: an arena");
    }
}

void *
marena_pmr_allocate(void *ctx, size_t size, size_t align)
{
    return static_cast<marena_subject *>(ctx)->memory->allocate(size, align);
}

void
marena_pmr_reset(void *ctx)
{
    static_cast<marena_subject *>(ctx)->arena.reset();
}

void *
marena_pmr_create(void *)
{
    return new (marena_growth_storage) marena_subject(marena::arena(growth_options()));
}

void
marena_pmr_destroy(void *ctx)
{
    static_cast<marena_subject *>(ctx)->~marena_subject();
}

constexpr const char *no_ops = "std::pmr::memory_resource has no such operation";

} // namespace

BENCH_RESET_WORKLOAD_FNS(marena_pmr, marena_fixed, nullptr, marena_pmr_allocate,
                         marena_pmr_allocate, marena_pmr_reset)
BENCH_WORKLOAD_FN(bench_marena_pmr_static, BENCH_STATIC, marena_in_static, nullptr,
                  marena_pmr_allocate, marena_pmr_allocate, marena_pmr_reset)
BENCH_WORKLOAD_FN(bench_marena_pmr_growth, BENCH_GROWTH, nullptr, marena_pmr_create,
                  marena_pmr_allocate, marena_pmr_allocate, marena_pmr_destroy)

extern "C" const bench_allocator bench_marena_pmr = {
    "marena-pmr",
    marena_pmr_setup,
    {bench_marena_pmr_small, bench_marena_pmr_mixed, bench_marena_pmr_burst,
     bench_marena_pmr_static, bench_marena_pmr_growth, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr, no_ops, no_ops, no_ops},
};
