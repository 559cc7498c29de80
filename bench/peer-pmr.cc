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
 * allocate(size, align) is called on a final subclass, so the compiler
 * knows the dynamic type and inlines do_allocate() as it would for a
 * resource of known type: pmr at its best, not through a
 * memory_resource pointer.
 */
#include <cstdlib>
#include <memory_resource>
#include <new>

#include "bench.h"

namespace
{

struct resource final : std::pmr::monotonic_buffer_resource {
    using std::pmr::monotonic_buffer_resource::monotonic_buffer_resource;
};

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
    return static_cast<resource *>(ctx)->allocate(size, align);
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

} // namespace

BENCH_RESET_WORKLOAD_FNS(pmr, fixed, nullptr, pmr_alloc, pmr_alloc, pmr_release)
BENCH_WORKLOAD_FN(bench_pmr_static, BENCH_STATIC, in_static, nullptr, pmr_alloc,
                  pmr_release)
BENCH_WORKLOAD_FN(bench_pmr_growth, BENCH_GROWTH, nullptr, pmr_create, pmr_alloc,
                  pmr_destroy)

extern "C" const bench_allocator bench_pmr = {
    "pmr",
    pmr_setup,
    {bench_pmr_small, bench_pmr_mixed, bench_pmr_burst, bench_pmr_static,
     bench_pmr_growth},
    nullptr,
};
