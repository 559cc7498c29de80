// SPDX-License-Identifier: MIT
/*
 * Peer: C++17 std::pmr::monotonic_buffer_resource.
 *
 * small, mixed, burst: one resource on a malloc'd buffer that holds a
 * round (upstream: the default resource); release() per round returns it
 * to that buffer. static: a resource on a static buffer with
 * null_memory_resource() upstream. growth: a resource with initial_size
 * GROWTH_FIRST_BLOCK per round, destroyed at its end.
 *
 * allocate(size, align) is called through a std::pmr::memory_resource
 * pointer, as std::pmr::polymorphic_allocator and every pmr container
 * call it: a virtual call to do_allocate() (unless the compiler can prove
 * the dynamic type, as it may for growth's resource, constructed in the
 * loop). That is the way pmr is used; marena-fnptr is marena called the
 * same way.
 *
 * pmr has no strdup, no growing of an allocation and no marks: those
 * workloads are not run.
 */
#include <cstdlib>
#include <memory_resource>
#include <new>

#include "bench.h"

namespace
{

using resource = std::pmr::monotonic_buffer_resource;

alignas(std::max_align_t) unsigned char static_buffer[BENCH_ROUND_BYTES];
alignas(resource) unsigned char growth_storage[sizeof(resource)];
resource *fixed, *in_static;

void
pmr_setup()
{
    void *buffer = std::malloc(BENCH_ROUND_BYTES);

    if (buffer == nullptr)
        bench_fail("pmr: malloc of its buffer");
    fixed = new resource(buffer, BENCH_ROUND_BYTES);
    in_static = new resource(static_buffer, sizeof static_buffer,
                             std::pmr::null_memory_resource());
}

void *
pmr_alloc(void *ctx, size_t size, size_t align)
{
    std::pmr::memory_resource *r = static_cast<resource *>(ctx);

    return r->allocate(size, align);
}

void
pmr_release(void *ctx)
{
    static_cast<resource *>(ctx)->release();
}

void *
pmr_create(void *)
{
    return new (growth_storage) resource(GROWTH_FIRST_BLOCK);
}

void
pmr_destroy(void *ctx)
{
    static_cast<resource *>(ctx)->~resource();
}

constexpr const char *no_ops = "std::pmr has no such operation";

} // namespace

BENCH_RESET_WORKLOAD_FNS(pmr, fixed, nullptr, pmr_alloc, pmr_alloc, pmr_release)
BENCH_WORKLOAD_FN(bench_pmr_static, BENCH_STATIC, in_static, nullptr, pmr_alloc,
                  pmr_alloc, pmr_release)
BENCH_WORKLOAD_FN(bench_pmr_growth, BENCH_GROWTH, nullptr, pmr_create, pmr_alloc,
                  pmr_alloc, pmr_destroy)

extern "C" const bench_allocator bench_pmr = {
    "pmr",
    pmr_setup,
    {bench_pmr_small, bench_pmr_mixed, bench_pmr_burst, bench_pmr_static,
     bench_pmr_growth, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr, no_ops, no_ops, no_ops},
};
