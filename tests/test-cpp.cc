// SPDX-License-Identifier: MIT
/*
 * The C++ interface, marena.hpp (paths /cpp/<piece>/<case>): marena::arena
 * (its constructors, move semantics, the C calls it mirrors, its scope
 * guard), marena::make() and make_array() (destructors run at reset,
 * rewind and destroy in reverse order; what a throwing constructor or a
 * full arena leaves behind), marena::allocator and marena::memory_resource
 * (the standard containers on each, zero-byte requests, exhaustion, memory
 * given back when it is the most recent allocation).
 *
 * Most arenas live in a buffer the test owns, which every build can make
 * (no backend needed), so the suite runs in every configuration and tests
 * what the build has: cases that need marks, cleanups, realloc, growth or
 * the default backend are compiled where marena_config.h says so. Objects
 * whose destruction is checked write their id to a log when destroyed.
 */
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <memory_resource>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "harness.h"
#include "marena.hpp"

namespace
{

// A fixed arena of at least `capacity` bytes in a buffer of its own (the
// buffer is declared first, so it outlives the arena).
struct buffered_arena {
    explicit buffered_arena(std::size_t capacity)
        : size(capacity + MARENA_STATIC_OVERHEAD), memory(new unsigned char[size]),
          arena(memory.get(), size)
    {
    }

    // Is [p, p + bytes) inside the buffer?
    bool holds(const void *p, std::size_t bytes = 1) const
    {
        auto address = reinterpret_cast<std::uintptr_t>(p);
        auto start = reinterpret_cast<std::uintptr_t>(memory.get());

        return address >= start && address - start <= size &&
               bytes <= size - (address - start);
    }

    std::size_t size;
    std::unique_ptr<unsigned char[]> memory;
    marena::arena arena;
};

constexpr std::size_t capacity = 64 * 1024;

// Does f() throw an E?
template <class E, class F>
bool
throws(F &&f)
{
    try {
        f();
    } catch (const E &) {
        return true;
    }
    return false;
}

bool
aligned(const void *p, std::size_t align)
{
    return reinterpret_cast<std::uintptr_t>(p) % align == 0;
}

#if MARENA_HAVE_CLEANUPS
using ids = std::vector<int>;

void
assert_ids(const ids &got, const ids &want)
{
    test_assert_size(got.size(), ==, want.size());
    for (std::size_t i = 0; i < want.size(); i++)
        test_assert_size(got[i], ==, want[i]);
}

// Writes its id to a log when destroyed.
struct logged {
    logged(ids *log_, int id_) noexcept : log(log_), id(id_)
    {
    }
    logged(const logged &) = delete;
    logged &operator=(const logged &) = delete;
    ~logged()
    {
        log->push_back(id);
    }

    ids *log;
    int id;
};
#endif

struct alignas(64) over_aligned {
    unsigned char bytes[64];
};

// Counts constructions; the one numbered `throw_at` (from 1) throws.
// Trivially destructible, so every build can make it.
struct refusing {
    static inline int constructed, throw_at;

    static void start(int throwing_at)
    {
        constructed = 0;
        throw_at = throwing_at;
    }

    refusing()
    {
        if (++constructed == throw_at)
            throw std::runtime_error("refusing: construction refused");
    }

    int value = 42;
};

#if MARENA_HAVE_CLEANUPS
// refusing with a destructor, which counts.
struct counted : refusing {
    static inline int destroyed;

    static void start(int throwing_at)
    {
        refusing::start(throwing_at);
        destroyed = 0;
    }

    counted() = default;
    counted(const counted &) = delete;
    counted &operator=(const counted &) = delete;
    ~counted()
    {
        destroyed++;
    }
};
#endif

// ------------------------------------------------------------------ arena

void
test_arena_constructors(const void *)
{
#if MARENA_HAVE_DEFAULT_BACKEND
    {
        marena::arena a(4096);
        test_assert_nonnull(a.get());
        test_assert_size(a.capacity(), >=, 4096);
        test_assert_size(a.used(), ==, 0);
    }
    test_assert(throws<std::bad_alloc>([] { marena::arena a(0); }));
    test_assert(throws<std::bad_alloc>([] { marena::arena a(MARENA_MAX_CAPACITY + 1); }));
#endif
    {
        unsigned char buffer[MARENA_STATIC_OVERHEAD + 256];
        marena::arena a(buffer, sizeof buffer);

        test_assert_size(a.capacity(), >=, 256);
        void *p = a.alloc(100);
        test_assert(p >= static_cast<void *>(buffer) &&
                    p < static_cast<void *>(buffer + sizeof buffer));
    }
    test_assert(throws<std::bad_alloc>([] { marena::arena a(nullptr, 1024); }));
    test_assert(throws<std::bad_alloc>([] {
        unsigned char tiny[8];
        marena::arena a(tiny, sizeof tiny);
    }));
    {
        unsigned char buffer[MARENA_STATIC_OVERHEAD + 256];
        marena_options_t options{};

        options.buffer = buffer;
        options.buffer_size = sizeof buffer;
        marena::arena a(options);
        test_assert_size(a.capacity(), >=, 256);
        options.flags = 0x80u; // unknown
        test_assert(throws<std::bad_alloc>([&] { marena::arena b(options); }));
    }
#if MARENA_HAVE_GROWTH && MARENA_HAVE_DEFAULT_BACKEND
    {
        marena_options_t options{};

        options.block_size = 256;
        options.flags = MARENA_GROW;
        marena::arena a(options);
        test_assert_nonnull(a.alloc(10000));
        test_assert_size(a.capacity(), >=, 10000 + 256);
    }
#endif
}

void
test_arena_mirrors_c(const void *)
{
    buffered_arena b(capacity);
    marena::arena &a = b.arena;

    test_assert_size(a.used() + a.remaining(), ==, a.capacity());
    test_assert_null(a.alloc(0));
    test_assert_null(a.alloc_aligned(8, 3));
    test_assert_null(a.alloc(a.remaining() + 1));
    void *p = a.alloc(10);
    test_assert(aligned(p, MARENA_ALIGNMENT));
    test_assert(aligned(a.alloc_aligned(1, 256), 256));
    test_assert_size(a.used(), >, 10);
    test_assert_size(a.used() + a.remaining(), ==, a.capacity());
    a.reset();
    test_assert_size(a.used(), ==, 0);
    test_assert_addr(a.alloc(10), ==, p);
    test_assert_size(marena_used(a.get()), ==, a.used());
}

// Default-constructed and moved-from arenas hold none: every call answers
// as the C API does for a NULL arena, and the throwing pieces throw.
void
test_arena_empty(const void *)
{
    marena::arena empty;

    test_assert_null(empty.get());
    test_assert_null(empty.alloc(8));
    test_assert_null(empty.alloc_aligned(8, 8));
    test_assert_size(empty.used(), ==, 0);
    test_assert_size(empty.remaining(), ==, 0);
    test_assert_size(empty.capacity(), ==, 0);
    empty.reset();
    test_assert(throws<std::bad_alloc>([&] { marena::make<int>(empty, 1); }));
    test_assert(throws<std::bad_alloc>([&] { marena::make_array<int>(empty, 2); }));
    test_assert(throws<std::bad_alloc>(
        [&] { static_cast<void>(marena::allocator<int>(empty).allocate(1)); }));
    marena::memory_resource resource(empty);
    test_assert(throws<std::bad_alloc>([&] { static_cast<void>(resource.allocate(8)); }));
#if MARENA_HAVE_MARKS
    {
        auto scope = empty.mark();
    }
#endif
}

void
test_arena_move(const void *)
{
    static_assert(!std::is_copy_constructible_v<marena::arena>);
    static_assert(!std::is_copy_assignable_v<marena::arena>);
    static_assert(std::is_nothrow_move_constructible_v<marena::arena>);
    static_assert(std::is_nothrow_move_assignable_v<marena::arena>);

    buffered_arena b(capacity);
    marena_t *handle = b.arena.get();
    int *p = marena::make<int>(b.arena, 7);
    marena::allocator<int> alloc(b.arena);

    marena::arena moved(std::move(b.arena));
    test_assert_null(b.arena.get());
    test_assert(moved.get() == handle);
    test_assert_size(*p, ==, 7);
    test_assert(alloc.get() == handle); // allocators keep the marena_t

    marena::arena assigned;
    assigned = std::move(moved);
    test_assert(assigned.get() == handle);
    test_assert_null(moved.get());
    auto &self = assigned;
    assigned = std::move(self);
    test_assert(assigned.get() == handle);
    test_assert_nonnull(assigned.alloc(8));

#if MARENA_HAVE_CLEANUPS
    // Assigning destroys the arena the target held: its destructors run.
    ids log;
    buffered_arena other(capacity);
    marena::make<logged>(other.arena, &log, 1);
    other.arena = std::move(assigned);
    assert_ids(log, {1});
    test_assert(other.arena.get() == handle);
#endif
}

#if MARENA_HAVE_MARKS
void
test_scope(const void *)
{
    static_assert(!std::is_copy_constructible_v<marena::scope>);
    static_assert(!std::is_move_constructible_v<marena::scope>);
    static_assert(!std::is_copy_assignable_v<marena::scope>);

    buffered_arena b(capacity);
    marena::arena &a = b.arena;

    test_assert_nonnull(a.alloc(100));
    const std::size_t outer_used = a.used();
    {
        auto outer = a.mark();
        test_assert_nonnull(a.alloc(200));
        const std::size_t inner_used = a.used();
        {
            auto inner = a.mark();
            test_assert_nonnull(a.alloc(300));
        }
        test_assert_size(a.used(), ==, inner_used);
        {
            marena::scope on_c_arena(a.get()); // a scope on a marena_t
            test_assert_nonnull(a.alloc(300));
        }
        test_assert_size(a.used(), ==, inner_used);
    }
    test_assert_size(a.used(), ==, outer_used);
    {
        marena::scope nothing(nullptr); // a scope on no arena does nothing
    }
    test_assert_size(a.used(), ==, outer_used);
}
#endif

// ------------------------------------------------------ make, make_array

void
test_make(const void *)
{
    buffered_arena b(capacity);
    marena::arena &a = b.arena;

    auto *pair = marena::make<std::pair<int, double>>(a, 3, 4.5);
    test_assert(b.holds(pair, sizeof *pair));
    test_assert_size(pair->first, ==, 3);
    test_assert(pair->second == 4.5);
    test_assert_size(*marena::make<int>(a), ==, 0); // value-initialised

    // A trivially destructible type takes its own size and no cleanup.
    a.reset();
    marena::make<std::uint64_t>(a, 1);
    test_assert_size(a.used(), ==, sizeof(std::uint64_t));

    auto *big = marena::make<over_aligned>(a);
    test_assert(aligned(big, alignof(over_aligned)));
    test_assert(b.holds(big, sizeof *big));

    int *array = marena::make_array<int>(a, 100);
    for (int i = 0; i < 100; i++)
        test_assert_size(array[i], ==, 0);
    auto *aligned_array = marena::make_array<over_aligned>(a, 3);
    test_assert(aligned(aligned_array, alignof(over_aligned)));

    // n 0: a pointer of its own to no elements.
    int *none = marena::make_array<int>(a, 0),
        *none_again = marena::make_array<int>(a, 0);
    test_assert_nonnull(none);
    test_assert(none != none_again);

    const std::size_t used = a.used();
    test_assert(throws<std::bad_array_new_length>(
        [&] { marena::make_array<std::uint64_t>(a, SIZE_MAX / 4); }));
    test_assert(
        throws<std::bad_alloc>([&] { marena::make_array<char>(a, a.remaining() + 1); }));
    test_assert(
        throws<std::bad_alloc>([&] { marena::make_array<over_aligned>(a, capacity); }));
    test_assert_size(a.used(), ==, used);
}

// No room: nothing is constructed, the arena is unchanged.
void
test_make_full(const void *)
{
    buffered_arena b(1024);
    marena::arena &a = b.arena;

    // Less than one object's room left.
    test_assert_nonnull(a.alloc_aligned(a.remaining() - (sizeof(refusing) - 1), 1));
    const std::size_t used = a.used();
    refusing::start(0);
    test_assert(throws<std::bad_alloc>([&] { marena::make<refusing>(a); }));
    test_assert(throws<std::bad_alloc>([&] { marena::make_array<refusing>(a, 2); }));
#if MARENA_HAVE_CLEANUPS
    test_assert(throws<std::bad_alloc>([&] { marena::make<counted>(a); }));
    test_assert(throws<std::bad_alloc>([&] { marena::make_array<counted>(a, 2); }));
#endif
    test_assert_size(refusing::constructed, ==, 0);
    test_assert_size(a.used(), ==, used);
}

// A constructor that throws: the exception propagates, the memory is
// given back (builds with realloc), and nothing is registered.
void
test_make_throwing(const void *)
{
    buffered_arena b(capacity);
    marena::arena &a = b.arena;

    test_assert_nonnull(a.alloc(MARENA_ALIGNMENT)); // no padding before what follows
    const std::size_t used = a.used();
    refusing::start(1);
    test_assert(throws<std::runtime_error>([&] { marena::make<refusing>(a); }));
    refusing::start(4);
    test_assert(throws<std::runtime_error>([&] { marena::make_array<refusing>(a, 10); }));
    test_assert_size(refusing::constructed, ==, 4);
#if MARENA_HAVE_REALLOC
    test_assert_size(a.used(), ==, used);
#else
    test_assert_size(a.used(), >=, used);
#endif

#if MARENA_HAVE_CLEANUPS
    counted::start(1);
    test_assert(throws<std::runtime_error>([&] { marena::make<counted>(a); }));
    test_assert_size(counted::constructed, ==, 1);
    test_assert_size(counted::destroyed, ==, 0);
    // make_array: the elements constructed before the throw are destroyed.
    counted::start(4);
    test_assert(throws<std::runtime_error>([&] { marena::make_array<counted>(a, 10); }));
    test_assert_size(counted::constructed, ==, 4);
    test_assert_size(counted::destroyed, ==, 3);
#if MARENA_HAVE_REALLOC
    test_assert_size(a.used(), ==, used);
#endif
    counted::start(0);
    a.reset(); // no destructor was registered
    test_assert_size(counted::destroyed, ==, 0);
#endif
}

#if MARENA_HAVE_CLEANUPS
void
test_make_destroy_order(const void *)
{
    ids log;
    {
        buffered_arena b(capacity);
        marena::arena &a = b.arena;

        // reset: every object, newest first.
        marena::make<logged>(a, &log, 1);
        marena::make<logged>(a, &log, 2);
        marena::make<logged>(a, &log, 3);
        a.reset();
        assert_ids(log, {3, 2, 1});
        a.reset();
        assert_ids(log, {3, 2, 1}); // each once

        // destroy (the arena's destructor), newest first.
        log.clear();
        marena::make<logged>(a, &log, 4);
        auto *made = marena::make<logged>(a, &log, 5);
        test_assert(b.holds(made, sizeof *made));
        test_assert_size(made->id, ==, 5);
    }
    assert_ids(log, {5, 4});

    // make_array: value-initialised elements, destroyed in reverse order.
    counted::start(0);
    {
        buffered_arena b(capacity);
        counted *array = marena::make_array<counted>(b.arena, 5);
        test_assert_size(counted::constructed, ==, 5);
        for (int i = 0; i < 5; i++)
            test_assert_size(array[i].value, ==, 42);
        test_assert(aligned(array, alignof(counted)));
        auto *strings = marena::make_array<std::string>(b.arena, 2);
        strings[1] = "a string too long for the small-string buffer: on the heap";
        test_assert(marena::make_array<counted>(b.arena, 0) != nullptr);
        test_assert_size(counted::constructed, ==, 5);
    }
    test_assert_size(counted::destroyed, ==, 5); // and ASan sees the string freed
}

#if MARENA_HAVE_MARKS
void
test_make_rewind(const void *)
{
    ids log;
    buffered_arena b(capacity);
    marena::arena &a = b.arena;

    marena::make<logged>(a, &log, 1);
    {
        auto scope = a.mark();
        marena::make<logged>(a, &log, 2);
        {
            auto inner = a.mark();
            marena::make<logged>(a, &log, 3);
            marena::make<logged>(a, &log, 4);
        }
        assert_ids(log, {4, 3});
        marena::make<logged>(a, &log, 5);
    }
    assert_ids(log, {4, 3, 5, 2});
    a.reset();
    assert_ids(log, {4, 3, 5, 2, 1});
}
#endif

// The cleanup's record finds no room after the object was constructed:
// the object is destroyed, its memory given back, std::bad_alloc thrown.
void
test_make_no_room_for_cleanup(const void *)
{
    buffered_arena b(1024);
    marena::arena &a = b.arena;

    // Exactly room for the object, not for its record.
    test_assert_nonnull(a.alloc_aligned(a.remaining() - sizeof(counted), 1));
    const std::size_t used = a.used();
    counted::start(0);
    test_assert(throws<std::bad_alloc>([&] { marena::make<counted>(a); }));
    test_assert_size(counted::constructed, ==, 1);
    test_assert_size(counted::destroyed, ==, 1);
#if MARENA_HAVE_REALLOC
    test_assert_size(a.used(), ==, used);
#endif
    a.reset();
    test_assert_size(counted::destroyed, ==, 1);
}

// A destructor that gives memory back to its own arena (a container on
// marena::allocator made with make<T>) runs at reset, rewind and destroy.
void
test_make_container(const void *)
{
    using arena_vector = std::vector<int, marena::allocator<int>>;
    buffered_arena b(capacity);
    marena::arena &a = b.arena;

    auto *numbers = marena::make<arena_vector>(a, a);
    numbers->assign(100, 1);
    test_assert(b.holds(numbers->data(), 100 * sizeof(int)));
    a.reset();
    test_assert_size(a.used(), ==, 0);
#if MARENA_HAVE_MARKS
    {
        auto scope = a.mark();
        marena::make<arena_vector>(a, 1000, 2, a);
    }
    test_assert_size(a.used(), ==, 0);
#endif
    marena::make<arena_vector>(a, 10, 3, a);
}
#endif /* MARENA_HAVE_CLEANUPS */

// ------------------------------------------------------------- allocator

template <class T> using arena_allocator = marena::allocator<T>;
using arena_string =
    std::basic_string<char, std::char_traits<char>, arena_allocator<char>>;

void
test_allocator_traits(const void *)
{
    using traits = std::allocator_traits<arena_allocator<int>>;
    static_assert(!traits::propagate_on_container_copy_assignment::value);
    static_assert(!traits::propagate_on_container_move_assignment::value);
    static_assert(!traits::propagate_on_container_swap::value);
    static_assert(!traits::is_always_equal::value);
    static_assert(!std::is_default_constructible_v<arena_allocator<int>>);
    static_assert(std::is_same_v<traits::rebind_alloc<long>, arena_allocator<long>>);

    buffered_arena one(1024), two(1024);
    arena_allocator<int> a(one.arena), b(two.arena), also_a(one.arena.get());
    arena_allocator<long> rebound(a);

    test_assert(a == also_a);
    test_assert(a != b);
    test_assert(!(a == b));
    test_assert(rebound == a);
    test_assert(traits::select_on_container_copy_construction(a) == a);
}

void
test_allocator_allocate(const void *)
{
    buffered_arena b(4096);
    arena_allocator<std::uint32_t> alloc(b.arena);

    std::uint32_t *p = alloc.allocate(10);
    test_assert(b.holds(p, 10 * sizeof *p));
    test_assert(aligned(p, alignof(std::uint32_t)));

    // Zero elements: a pointer of its own.
    std::uint32_t *zero = alloc.allocate(0), *zero_again = alloc.allocate(0);
    test_assert_nonnull(zero);
    test_assert(zero != zero_again);

    // Over-aligned types are aligned as they ask.
    arena_allocator<over_aligned> big(b.arena);
    over_aligned *q = big.allocate(2);
    test_assert(aligned(q, alignof(over_aligned)));

    const std::size_t used = b.arena.used();
    test_assert(throws<std::bad_array_new_length>(
        [&] { static_cast<void>(alloc.allocate(SIZE_MAX / 2)); }));
    test_assert(throws<std::bad_alloc>(
        [&] { static_cast<void>(alloc.allocate(b.arena.remaining())); }));
    test_assert_size(b.arena.used(), ==, used);
}

#if MARENA_HAVE_REALLOC
// deallocate gives back the most recent allocation only.
void
test_allocator_deallocate(const void *)
{
    buffered_arena b(4096);
    arena_allocator<std::uint64_t> alloc(b.arena);

    const std::size_t start = b.arena.used();
    std::uint64_t *first = alloc.allocate(8);
    const std::size_t after_first = b.arena.used();
    std::uint64_t *second = alloc.allocate(8);
    alloc.deallocate(first, 8); // not the most recent: nothing
    test_assert_size(b.arena.used(), >, after_first);
    alloc.deallocate(second, 8); // the most recent: given back
    test_assert_size(b.arena.used(), ==, after_first);
    test_assert_addr(alloc.allocate(8), ==, second); // and reused
    alloc.deallocate(second, 8);
    alloc.deallocate(first, 8);
    test_assert_size(b.arena.used(), ==, start);
    std::uint64_t *zero = alloc.allocate(0);
    alloc.deallocate(zero, 0);
    test_assert_size(b.arena.used(), ==, start);

    // A vector that grows as the arena's last allocation: the old buffer
    // is not the most recent, the last one it frees is.
    {
        std::vector<std::uint64_t, arena_allocator<std::uint64_t>> v(alloc);
        v.push_back(1);
        v.push_back(2);
        v.push_back(3);
    }
    test_assert_size(b.arena.used(), >, start);
}
#endif

// A container of each kind on the allocator, all its memory in the arena.
void
test_allocator_containers(const void *)
{
    buffered_arena b(capacity);
    marena::arena &a = b.arena;

    std::vector<int, arena_allocator<int>> vector(a);
    for (int i = 0; i < 1000; i++)
        vector.push_back(i);
    test_assert(b.holds(vector.data(), vector.size() * sizeof(int)));
    test_assert_size(vector[999], ==, 999);

    std::map<int, int, std::less<int>, arena_allocator<std::pair<const int, int>>> map(a);
    for (int i = 0; i < 100; i++)
        map[i % 10] += i;
    test_assert_size(map.size(), ==, 10);
    test_assert_size(map.at(9), ==, 9 + 19 + 29 + 39 + 49 + 59 + 69 + 79 + 89 + 99);
    test_assert(b.holds(&*map.begin()));

    arena_string string("a string that the small-string buffer cannot hold", a);
    string += ", and more of it";
    test_assert(b.holds(string.data(), string.size()));
    test_assert(string.compare(string.size() - 4, 4, "f it") == 0);

    std::unordered_map<int, int, std::hash<int>, std::equal_to<int>,
                       arena_allocator<std::pair<const int, int>>>
        unordered(a);
    for (int i = 0; i < 500; i++)
        unordered.emplace(i, 2 * i);
    test_assert_size(unordered.size(), ==, 500);
    test_assert_size(unordered.at(321), ==, 642);
    test_assert(b.holds(&*unordered.find(123)));

    // Copies use the same arena; move assignment keeps the target's.
    auto copy = vector;
    test_assert(copy.get_allocator() == vector.get_allocator());
    buffered_arena other(capacity);
    std::vector<int, arena_allocator<int>> elsewhere(other.arena);
    elsewhere = std::move(copy);
    test_assert(elsewhere.get_allocator().get() == other.arena.get());
    test_assert(other.holds(elsewhere.data()));
    test_assert_size(elsewhere[500], ==, 500);
}

// Exhaustion: std::bad_alloc from the container, which stays valid.
void
test_allocator_exhausted(const void *)
{
    buffered_arena b(1024);
    std::vector<std::uint64_t, arena_allocator<std::uint64_t>> vector(b.arena);

    test_assert(throws<std::bad_alloc>([&] {
        for (std::uint64_t i = 0; i < 1000; i++)
            vector.push_back(i);
    }));
    test_assert_size(vector.size(), >, 0);
    for (std::size_t i = 0; i < vector.size(); i++)
        test_assert_size(vector[i], ==, i);
}

// ------------------------------------------------------- memory_resource

void
test_resource_allocate(const void *)
{
    buffered_arena b(4096);
    marena::memory_resource resource(b.arena);
    std::pmr::memory_resource &base = resource;

    test_assert(resource.get() == b.arena.get());
    void *p = base.allocate(100, 8);
    test_assert(b.holds(p, 100));
    test_assert(aligned(base.allocate(10, 256), 256));
    test_assert(aligned(base.allocate(10), alignof(std::max_align_t)));

    // Zero bytes: never refused, never nullptr, never the same pointer.
    void *zero = base.allocate(0, 1), *zero_again = base.allocate(0, 1);
    void *zero_aligned = base.allocate(0, 64);
    test_assert_nonnull(zero);
    test_assert(zero != zero_again);
    test_assert(zero_aligned != zero && zero_aligned != zero_again);
    test_assert(aligned(zero_aligned, 64));

    const std::size_t used = b.arena.used();
    test_assert(throws<std::bad_alloc>(
        [&] { static_cast<void>(base.allocate(b.arena.remaining() + 1, 1)); }));
    // Through a volatile: gcc refuses a constant above PTRDIFF_MAX at -O0
    // (-Walloc-size-larger-than), the point of this test.
    volatile std::size_t huge = SIZE_MAX;
    test_assert(
        throws<std::bad_alloc>([&] { static_cast<void>(base.allocate(huge, 8)); }));
    // An alignment the arena cannot meet.
    test_assert(throws<std::bad_alloc>(
        [&] { static_cast<void>(base.allocate(8, std::size_t{1} << 30)); }));
    test_assert_size(b.arena.used(), ==, used);
}

#if MARENA_HAVE_REALLOC
void
test_resource_deallocate(const void *)
{
    buffered_arena b(4096);
    marena::memory_resource resource(b.arena);
    std::pmr::memory_resource &base = resource;

    const std::size_t start = b.arena.used();
    void *first = base.allocate(32, 8); // the next one needs no padding
    void *second = base.allocate(40, 16);
    const std::size_t used = b.arena.used();
    base.deallocate(first, 32, 8); // not the most recent: nothing
    test_assert_size(b.arena.used(), ==, used);
    base.deallocate(second, 40, 16);
    test_assert_size(b.arena.used(), <, used);
    test_assert_addr(base.allocate(40, 16), ==, second);
    base.deallocate(second, 40, 16);
    base.deallocate(first, 32, 8);
    test_assert_size(b.arena.used(), ==, start);
    void *zero = base.allocate(0, 1);
    base.deallocate(zero, 0, 1);
    test_assert_size(b.arena.used(), ==, start);
}
#endif

void
test_resource_equality(const void *)
{
    buffered_arena one(1024), two(1024);
    marena::memory_resource a(one.arena), also_a(one.arena.get()), b(two.arena);
    std::pmr::monotonic_buffer_resource other;

    test_assert(a.is_equal(a));
    test_assert(a.is_equal(also_a));
    test_assert(a == also_a); // std::pmr's operator==: is_equal
    test_assert(!a.is_equal(b));
    test_assert(!a.is_equal(other));
    test_assert(!a.is_equal(*std::pmr::new_delete_resource()));
    test_assert(std::pmr::polymorphic_allocator<int>(&a) ==
                std::pmr::polymorphic_allocator<int>(&also_a));
}

// The std::pmr containers, all their memory in the arena: the default
// resource is null_memory_resource() meanwhile, so nothing can go
// elsewhere unnoticed.
void
test_resource_containers(const void *)
{
    buffered_arena b(16 * capacity);
    marena::memory_resource resource(b.arena);
    std::pmr::memory_resource *previous =
        std::pmr::set_default_resource(std::pmr::null_memory_resource());
    {
        std::pmr::vector<int> vector(&resource);
        for (int i = 0; i < 1000; i++)
            vector.push_back(i);
        test_assert(b.holds(vector.data(), vector.size() * sizeof(int)));
        test_assert_size(vector[999], ==, 999);

        std::pmr::string string("a string that the small-string buffer cannot hold",
                                &resource);
        string += ", and more of it";
        test_assert(b.holds(string.data(), string.size()));

        std::pmr::map<int, std::pmr::string> map(&resource);
        for (int i = 0; i < 50; i++)
            map[i].assign(40, static_cast<char>('a' + i % 26));
        test_assert_size(map.size(), ==, 50);
        test_assert(map.at(27) == std::pmr::string(40, 'b', &resource));
        test_assert(b.holds(map.at(27).data()));

        std::pmr::unordered_map<std::pmr::string, int> unordered(&resource);
        for (int i = 0; i < 300; i++)
            unordered.emplace(
                std::pmr::string(30, static_cast<char>('A' + i % 26), &resource) +
                    std::to_string(i).c_str(),
                i);
        test_assert_size(unordered.size(), ==, 300);
        auto found = unordered.find(std::pmr::string(30, 'C', &resource) + "54");
        test_assert(found != unordered.end());
        test_assert_size(found->second, ==, 54);
        test_assert(b.holds(found->first.data()));
        test_assert(unordered.get_allocator().resource() == &resource);
    }
    std::pmr::set_default_resource(previous);
    test_assert_size(b.arena.used(), >, 0);
}

void
test_resource_exhausted(const void *)
{
    buffered_arena b(1024);
    marena::memory_resource resource(b.arena);
    std::pmr::vector<std::uint64_t> vector(&resource);

    test_assert(throws<std::bad_alloc>([&] {
        for (std::uint64_t i = 0; i < 1000; i++)
            vector.push_back(i);
    }));
    test_assert_size(vector.size(), >, 0);
    for (std::size_t i = 0; i < vector.size(); i++)
        test_assert_size(vector[i], ==, i);
}

} // namespace

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_arena_constructors, nullptr, "/cpp/arena/constructors");
    test_add(test_arena_mirrors_c, nullptr, "/cpp/arena/mirrors-c");
    test_add(test_arena_empty, nullptr, "/cpp/arena/empty");
    test_add(test_arena_move, nullptr, "/cpp/arena/move");
#if MARENA_HAVE_MARKS
    test_add(test_scope, nullptr, "/cpp/arena/scope");
#endif
    test_add(test_make, nullptr, "/cpp/make/construct");
    test_add(test_make_full, nullptr, "/cpp/make/full");
    test_add(test_make_throwing, nullptr, "/cpp/make/throwing");
#if MARENA_HAVE_CLEANUPS
    test_add(test_make_destroy_order, nullptr, "/cpp/make/destroy-order");
#if MARENA_HAVE_MARKS
    test_add(test_make_rewind, nullptr, "/cpp/make/rewind");
#endif
    test_add(test_make_no_room_for_cleanup, nullptr, "/cpp/make/no-room-for-cleanup");
    test_add(test_make_container, nullptr, "/cpp/make/container");
#endif
    test_add(test_allocator_traits, nullptr, "/cpp/allocator/traits");
    test_add(test_allocator_allocate, nullptr, "/cpp/allocator/allocate");
#if MARENA_HAVE_REALLOC
    test_add(test_allocator_deallocate, nullptr, "/cpp/allocator/deallocate");
#endif
    test_add(test_allocator_containers, nullptr, "/cpp/allocator/containers");
    test_add(test_allocator_exhausted, nullptr, "/cpp/allocator/exhausted");
    test_add(test_resource_allocate, nullptr, "/cpp/resource/allocate");
#if MARENA_HAVE_REALLOC
    test_add(test_resource_deallocate, nullptr, "/cpp/resource/deallocate");
#endif
    test_add(test_resource_equality, nullptr, "/cpp/resource/equality");
    test_add(test_resource_containers, nullptr, "/cpp/resource/containers");
    test_add(test_resource_exhausted, nullptr, "/cpp/resource/exhausted");
    return test_run();
}
