// SPDX-License-Identifier: MIT
/*
 * marena::memory_resource (marena.hpp) against std::pmr's
 * monotonic_buffer_resource, both called as std::pmr users call a
 * resource: through a std::pmr::memory_resource pointer, so every
 * allocation is a virtual call to do_allocate().
 *
 *   mar_pmr   marena::memory_resource on a marena::arena; the round's end
 *             is arena::reset() (growth: the arena is destroyed).
 *   pmr_virt  std::pmr::monotonic_buffer_resource set up as peer-pmr.cc
 *             sets it up; the round's end is release().
 *
 * small, mixed, burst: one fixed arena of BENCH_ROUND_BYTES on the default
 * backend (mar_pmr), a resource on a malloc'd buffer of that size with the
 * default upstream (pmr_virt). static: both in a static buffer (pmr_virt
 * with null_memory_resource() upstream). growth: per round, a growing arena
 * whose first block is GROWTH_FIRST_BLOCK bytes, or a resource with that
 * initial_size, destroyed at the round's end.
 *
 * The hooks reach the resource through a std::pmr::memory_resource *
 * stored in the subject (never through its own type), so the compiler
 * cannot tell which do_allocate() it calls, as in a program that passes a
 * resource around. peer-pmr.cc measures monotonic_buffer_resource through
 * its own type instead (do_allocate() inlined): pmr at its best.
 */
#include <cstdlib>
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
mar_pmr_setup()
{
    try {
        marena_fixed = new marena_subject(marena::arena(BENCH_ROUND_BYTES));
        marena_in_static = new marena_subject(
            marena::arena(marena_static_buffer, sizeof marena_static_buffer));
    } catch (const std::bad_alloc &) {
        bench_fail("mar_pmr: an arena");
    }
}

void *
mar_pmr_allocate(void *ctx, size_t size, size_t align)
{
    return static_cast<marena_subject *>(ctx)->memory->allocate(size, align);
}

void
mar_pmr_reset(void *ctx)
{
    static_cast<marena_subject *>(ctx)->arena.reset();
}

void *
mar_pmr_create(void *)
{
    return new (marena_growth_storage) marena_subject(marena::arena(growth_options()));
}

void
mar_pmr_destroy(void *ctx)
{
    static_cast<marena_subject *>(ctx)->~marena_subject();
}

// --------------------------------- std::pmr::monotonic_buffer_resource

struct monotonic_subject {
    template <class... Args>
    explicit monotonic_subject(Args &&...args)
        : resource(std::forward<Args>(args)...), memory(&resource)
    {
    }

    std::pmr::monotonic_buffer_resource resource;
    std::pmr::memory_resource *memory; // what the workloads call
};

alignas(std::max_align_t) unsigned char monotonic_static_buffer[BENCH_ROUND_BYTES];
alignas(
    monotonic_subject) unsigned char monotonic_growth_storage[sizeof(monotonic_subject)];
monotonic_subject *monotonic_fixed, *monotonic_in_static;

void
pmr_virt_setup()
{
    void *buffer = std::malloc(BENCH_ROUND_BYTES);

    if (buffer == nullptr)
        bench_fail("pmr_virt: malloc of its buffer");
    monotonic_fixed = new monotonic_subject(buffer, BENCH_ROUND_BYTES);
    monotonic_in_static =
        new monotonic_subject(monotonic_static_buffer, sizeof monotonic_static_buffer,
                              std::pmr::null_memory_resource());
}

void *
pmr_virt_allocate(void *ctx, size_t size, size_t align)
{
    return static_cast<monotonic_subject *>(ctx)->memory->allocate(size, align);
}

void
pmr_virt_release(void *ctx)
{
    static_cast<monotonic_subject *>(ctx)->resource.release();
}

void *
pmr_virt_create(void *)
{
    return new (monotonic_growth_storage)
        monotonic_subject(std::size_t{GROWTH_FIRST_BLOCK});
}

void
pmr_virt_destroy(void *ctx)
{
    static_cast<monotonic_subject *>(ctx)->~monotonic_subject();
}

} // namespace

BENCH_RESET_WORKLOAD_FNS(mar_pmr, marena_fixed, nullptr, mar_pmr_allocate,
                         mar_pmr_allocate, mar_pmr_reset)
BENCH_WORKLOAD_FN(bench_mar_pmr_static, BENCH_STATIC, marena_in_static, nullptr,
                  mar_pmr_allocate, mar_pmr_reset)
BENCH_WORKLOAD_FN(bench_mar_pmr_growth, BENCH_GROWTH, nullptr, mar_pmr_create,
                  mar_pmr_allocate, mar_pmr_destroy)

BENCH_RESET_WORKLOAD_FNS(pmr_virt, monotonic_fixed, nullptr, pmr_virt_allocate,
                         pmr_virt_allocate, pmr_virt_release)
BENCH_WORKLOAD_FN(bench_pmr_virt_static, BENCH_STATIC, monotonic_in_static, nullptr,
                  pmr_virt_allocate, pmr_virt_release)
BENCH_WORKLOAD_FN(bench_pmr_virt_growth, BENCH_GROWTH, nullptr, pmr_virt_create,
                  pmr_virt_allocate, pmr_virt_destroy)

extern "C" const bench_allocator bench_mar_pmr = {
    "mar_pmr",
    mar_pmr_setup,
    {bench_mar_pmr_small, bench_mar_pmr_mixed, bench_mar_pmr_burst, bench_mar_pmr_static,
     bench_mar_pmr_growth},
    nullptr,
};

extern "C" const bench_allocator bench_pmr_virt = {
    "pmr_virt",
    pmr_virt_setup,
    {bench_pmr_virt_small, bench_pmr_virt_mixed, bench_pmr_virt_burst,
     bench_pmr_virt_static, bench_pmr_virt_growth},
    nullptr,
};
