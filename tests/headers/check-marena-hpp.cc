// SPDX-License-Identifier: MIT
/*
 * Header check for marena.hpp: it is included first and alone, so it must
 * bring everything it needs; then the program uses each of its pieces as a
 * caller would and returns non-zero on any wrong answer.
 * tests/headers/meson.build compiles it as C++17 (and as C++20, for the
 * std::span constructor) with the strict warnings of C++ projects
 * (-Wold-style-cast, -Wuseless-cast, -Wconversion, ...), since a header's
 * code is compiled with the includer's warnings. It runs
 * in every build: the arena is in a buffer (no backend needed), and the
 * parts a build may leave out are used only where it has them. The
 * behaviour itself is tested in tests/test-cpp.cc.
 */
#include "marena.hpp"
#include "marena.hpp" // a second time: the include guard

#include <memory_resource>
#include <utility>
#include <vector>

namespace
{

struct point {
    double x = 1.5, y = 2.5;
};

alignas(std::max_align_t) unsigned char buffer[MARENA_STATIC_OVERHEAD + 4096];

#if MARENA_HAVE_CLEANUPS
struct counted {
    explicit counted(int *destroyed) noexcept : destroyed_(destroyed)
    {
    }
    counted(const counted &) = delete;
    counted &operator=(const counted &) = delete;
    ~counted()
    {
        ++*destroyed_;
    }

  private:
    int *destroyed_;
};
#endif

} // namespace

int
main()
{
    marena::arena arena(buffer, sizeof buffer);

    if (arena.get() == nullptr || arena.used() != 0 || arena.capacity() < 4096)
        return 1;
    if (arena.alloc(100) == nullptr || arena.alloc_aligned(8, 64) == nullptr ||
        arena.alloc(0) != nullptr)
        return 2;

    point *p = marena::make<point>(arena);
    point *points = marena::make_array<point>(arena, 3);
    if (p->x != 1.5 || points[2].y != 2.5)
        return 3;

    std::vector<int, marena::allocator<int>> numbers(arena);
    numbers.assign(10, 7);
    marena::memory_resource resource(arena);
    std::pmr::vector<int> pmr_numbers({1, 2, 3}, &resource);
    if (numbers[9] != 7 || pmr_numbers[2] != 3 ||
        arena.used() + arena.remaining() != arena.capacity())
        return 4;
    // Zero bytes: a pointer of its own each time.
    if (resource.allocate(0) == resource.allocate(0) ||
        !resource.is_equal(marena::memory_resource(arena)))
        return 5;

#if MARENA_HAVE_MARKS && MARENA_HAVE_CLEANUPS
    int destroyed = 0;
    {
        auto scope = arena.mark();
        marena::make<counted>(arena, &destroyed);
    }
    if (destroyed != 1)
        return 6;
#endif

#if defined(__cpp_lib_span)
    {
        std::byte bytes[MARENA_STATIC_OVERHEAD + 256];
        marena::arena in_span{std::span<std::byte>(bytes)};

        if (in_span.capacity() < 256 || in_span.alloc(256) == nullptr)
            return 9;
    }
#endif

    marena::arena moved(std::move(arena));
    if (arena.get() != nullptr || moved.get() == nullptr)
        return 7;
    numbers.clear();
    numbers.shrink_to_fit();
    pmr_numbers = std::pmr::vector<int>(&resource);
    moved.reset();
    return moved.used() == 0 ? 0 : 8;
}
