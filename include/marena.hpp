// SPDX-License-Identifier: MIT
/**
 * @file marena.hpp
 * @brief marena for C++17: an RAII arena, objects with destructors in
 * arenas, a standard allocator and a std::pmr::memory_resource.
 *
 * Header-only, over the C API of marena.h (the library is the same one; no
 * C++ is compiled into it), in namespace marena:
 * - marena::arena owns a marena_t and destroys it; arena::mark() returns a
 *   marena::scope that rewinds the arena when it goes out of scope.
 * - marena::make() and marena::make_array() construct objects in an arena
 *   and register their destructors as cleanups, so that a reset, a rewind
 *   past them or the arena's destruction runs them, newest first.
 * - marena::allocator is a standard allocator, marena::memory_resource a
 *   std::pmr::memory_resource; both give the most recent allocation back
 *   (marena_pop()) when a container frees it, and otherwise free nothing:
 *   the arena's reset, rewind or destruction frees in bulk.
 *
 * Failure conventions: the members that mirror a C call (arena::alloc(),
 * arena::used(), ...) answer as the C function does, with nullptr or 0;
 * what C++ code expects to behave like `new` throws std::bad_alloc:
 * arena's constructors, make(), make_array(), allocator::allocate() and
 * memory_resource's allocate(). It needs exceptions, and RTTI (the
 * dynamic_cast of memory_resource's do_is_equal()).
 *
 * Lifetimes: an arena must outlive everything allocated from it, the
 * containers on its allocator or resource included. Destroy those (or let
 * them go out of scope) before the arena is reset, or rewound below their
 * memory: a container that frees memory the arena has forgotten is misuse,
 * as marena_pop() with such a pointer is (a debug build aborts, see
 * #MARENA_DEBUG). A less obvious misuse of marks: a container from before
 * a scope's mark that frees its allocation while that is still the arena's
 * most recent (nothing allocated since the mark) takes the arena below the
 * mark, which makes the mark stale (see marena_rewind()): at the scope's
 * end a debug build aborts, a release build does not rewind.
 *
 * Parts of the library a build can leave out (marena_config.h): without
 * cleanups, make() and make_array() of a type with a non-trivial
 * destructor do not compile (a static_assert says why); without realloc,
 * deallocation gives nothing back; without marks there is no scope; without
 * a default backend, no arena(std::size_t).
 */
#ifndef MARENA_HPP
#define MARENA_HPP

#if !defined(_MSVC_LANG) && __cplusplus < 201703L
#error "marena.hpp needs C++17 (std::pmr); marena.h alone is C and C++11"
#endif

#include <cstddef>
#include <limits>
#include <memory>
#include <memory_resource>
#include <new>
#include <type_traits>
#include <utility>
#if __cplusplus >= 202002L
#include <span>
#endif

#include "marena.h"

/** marena's C++ interface (marena.hpp). */
namespace marena
{

/** @cond MARENA_INTERNAL */
namespace detail
{

#if MARENA_HAVE_CLEANUPS
inline constexpr bool have_cleanups = true;
#else
inline constexpr bool have_cleanups = false;
#endif

[[noreturn]] inline void
throw_bad_alloc()
{
    throw std::bad_alloc();
}

// What a request of @p bytes takes from the arena: zero-byte requests take
// one, so that each gets a pointer of its own (marena_alloc() refuses 0).
constexpr std::size_t
request_size(std::size_t bytes) noexcept
{
    return bytes != 0 ? bytes : 1;
}

// Gives [memory, memory + size) back when it is the arena's most recent
// allocation (marena_pop()); otherwise, and in builds without realloc,
// nothing happens.
inline void
give_back([[maybe_unused]] marena_t *arena, [[maybe_unused]] void *memory,
          [[maybe_unused]] std::size_t size) noexcept
{
#if MARENA_HAVE_REALLOC
    marena_pop(arena, memory, size);
#endif
}

// Checked before constructing anything: a destructor needs a cleanup.
template <class T>
constexpr void
check_makeable() noexcept
{
    static_assert(
        !std::is_array_v<T>,
        "marena::make<T>: T is an array type; use marena::make_array<T>(arena, n)");
    static_assert(std::is_trivially_destructible_v<T> || have_cleanups,
                  "marena::make<T>, make_array<T>: T has a destructor to run, and this "
                  "marena was built without cleanups (-Dcleanups=disabled, "
                  "MARENA_HAVE_CLEANUPS 0): use a trivially destructible T, or a "
                  "build with cleanups");
}

// A make_array() of a T with a destructor: this record, then the elements.
template <class T> struct array_record {
    T *first;
    std::size_t count;
};

#if MARENA_HAVE_CLEANUPS
template <class T>
void
destroy_object(void *object) noexcept
{
    static_cast<T *>(object)->~T();
}

// The elements in reverse order of construction, as delete[] does.
template <class T>
void
destroy_array(void *record) noexcept
{
    const auto *array = static_cast<array_record<T> *>(record);

    for (std::size_t i = array->count; i > 0; i--)
        array->first[i - 1].~T();
}

// Registers fn(data), the destruction of what was just constructed in
// [memory, memory + size). When the cleanup's record finds no room, runs
// it at once, gives the memory back and throws std::bad_alloc: the object
// is never left without its destructor.
inline void
add_destructor(marena_t *arena, marena_cleanup_fn fn, void *data, void *memory,
               std::size_t size)
{
    if (marena_add_cleanup(arena, fn, data) != 0) {
        fn(data);
        give_back(arena, memory, size);
        throw_bad_alloc();
    }
}
#endif

} // namespace detail
/** @endcond */

#if MARENA_HAVE_MARKS
/**
 * A scope guard: takes a mark of an arena (marena_mark()) and rewinds the
 * arena to it when it is destroyed (marena_rewind()), which forgets what
 * was allocated since and runs the destructors that make() and
 * make_array() registered since, newest first. The C++ form of
 * marena_scope_t; get one from arena::mark().
 *
 * Neither copyable nor movable (like std::lock_guard): one mark, rewound to
 * once, where the guard was declared. C++17's guaranteed copy elision lets
 * arena::mark() return it. It must not outlive its arena. Scopes nest: the
 * inner one must end first, as blocks do. A mark that went stale meanwhile
 * (see marena_rewind()) is misuse: a debug build aborts at the scope's
 * end, a release build leaves the arena as it is.
 */
class scope
{
  public:
    /**
     * Marks @p arena (a C arena, or arena::get()).
     * @param arena The arena; nullptr gives a scope that does nothing.
     */
    explicit scope(marena_t *arena) noexcept : arena_(arena), mark_(marena_mark(arena))
    {
    }

    scope(const scope &) = delete;
    scope &operator=(const scope &) = delete;

    /** Rewinds the arena to the mark. */
    ~scope()
    {
        marena_rewind(arena_, mark_);
    }

  private:
    marena_t *arena_;
    marena_mark_t mark_;
};
#endif

/**
 * An arena and its owner: destroying the object destroys the arena
 * (marena_destroy(): cleanups run, the blocks go back). Move-only.
 *
 * Default-constructed and moved-from arenas hold no arena: get() is
 * nullptr, alloc() gives nullptr, the queries give 0, reset() and the
 * destructor do nothing, and make() and the adaptors throw std::bad_alloc.
 * A move keeps the marena_t (get() moves with it), so pointers,
 * allocators, resources and scopes made from the old object stay valid.
 *
 * Like a marena_t, an arena is not thread-safe.
 */
class arena
{
  public:
    /** An object that holds no arena (see the class description). */
    arena() noexcept = default;

#if MARENA_HAVE_DEFAULT_BACKEND
    /**
     * A fixed-size arena on the build's default backend (marena_create()).
     * @param capacity Usable bytes wanted; the arena may get more.
     * @throws std::bad_alloc when marena_create() returns NULL (capacity 0
     *         or above #MARENA_MAX_CAPACITY, or the backend failed).
     */
    explicit arena(std::size_t capacity) : handle_(marena_create(capacity))
    {
        if (handle_ == nullptr)
            detail::throw_bad_alloc();
    }
#endif

    /**
     * An arena as @p options describe (marena_create_ex()): growing, with a
     * backend of the caller's, a limit, in a buffer, ...
     * @throws std::bad_alloc when marena_create_ex() returns NULL: invalid
     *         options as well as a failed backend.
     */
    explicit arena(const marena_options_t &options) : handle_(marena_create_ex(&options))
    {
        if (handle_ == nullptr)
            detail::throw_bad_alloc();
    }

    /**
     * A fixed-size arena inside the caller's buffer (marena_create_ex()
     * with a buffer: marena_create_static() without needing the static
     * backend). The arena's control block goes inside the buffer; the
     * buffer needs no alignment, is never freed, and must outlive the
     * arena. #MARENA_STATIC_OVERHEAD + n bytes give at least n.
     * @throws std::bad_alloc when @p buffer is nullptr or too small.
     */
    arena(void *buffer, std::size_t size) : handle_(create_in_buffer(buffer, size))
    {
        if (handle_ == nullptr)
            detail::throw_bad_alloc();
    }

#if defined(__cpp_lib_span)
    /** arena(void *, std::size_t) with a std::span (C++20). */
    explicit arena(std::span<std::byte> buffer) : arena(buffer.data(), buffer.size())
    {
    }
#endif

    /** Takes @p other's arena; @p other then holds none. */
    arena(arena &&other) noexcept : handle_(std::exchange(other.handle_, nullptr))
    {
    }

    /** Destroys the arena this object holds, then takes @p other's. */
    arena &operator=(arena &&other) noexcept
    {
        if (this != &other) {
            marena_destroy(handle_);
            handle_ = std::exchange(other.handle_, nullptr);
        }
        return *this;
    }

    arena(const arena &) = delete;
    arena &operator=(const arena &) = delete;

    /** Destroys the arena (marena_destroy()); nothing when there is none. */
    ~arena()
    {
        marena_destroy(handle_);
    }

    /** marena_alloc(): @p size bytes aligned to #MARENA_ALIGNMENT, or
     * nullptr (size 0, no room). */
    void *alloc(std::size_t size) noexcept
    {
        return marena_alloc(handle_, size);
    }

    /** marena_alloc_aligned(): @p size bytes aligned to @p align (a power of
     * two), or nullptr. */
    void *alloc_aligned(std::size_t size, std::size_t align) noexcept
    {
        return marena_alloc_aligned(handle_, size, align);
    }

    /** marena_reset(): forgets every allocation and runs the registered
     * destructors, newest first. */
    void reset() noexcept
    {
        marena_reset(handle_);
    }

    /** marena_used(): bytes handed out, padding included. */
    std::size_t used() const noexcept
    {
        return marena_used(handle_);
    }

    /** marena_remaining(): bytes the current block can still hand out. */
    std::size_t remaining() const noexcept
    {
        return marena_remaining(handle_);
    }

    /** marena_capacity(): usable bytes of every block held. */
    std::size_t capacity() const noexcept
    {
        return marena_capacity(handle_);
    }

    /** The marena_t, for the C API; still owned by this object. nullptr
     * when it holds none. */
    marena_t *get() const noexcept
    {
        return handle_;
    }

#if MARENA_HAVE_MARKS
    /** A scope guard that rewinds the arena to where it stands now when it
     * goes out of scope (see marena::scope). */
    [[nodiscard]] scope mark() noexcept
    {
        return scope(handle_);
    }
#endif

  private:
    // marena_create_static()'s answers, in every build (options with a
    // NULL buffer would mean the default backend instead).
    static marena_t *create_in_buffer(void *buffer, std::size_t size) noexcept
    {
        marena_options_t options{};

        if (buffer == nullptr)
            return nullptr;
        options.buffer = buffer;
        options.buffer_size = size;
        return marena_create_ex(&options);
    }

    marena_t *handle_ = nullptr;
};

/**
 * Constructs a T in @p owner from @p args, as `new T(args...)` would, and,
 * when T is not trivially destructible, registers its destructor as a
 * cleanup: a reset, a rewind to a mark taken before this call, or the
 * arena's destruction runs it (newest first, so objects made later are
 * destroyed first). Nothing else ever destroys it, and nothing must: the
 * arena owns the object. Its destructor must not allocate from the arena
 * (giving memory back through allocator or memory_resource is fine: it
 * runs before the arena changes anything), and whatever it uses must still
 * exist when the arena runs it.
 *
 * Order: allocate, construct, register. If the constructor throws, nothing
 * is registered, the memory is given back when it is still the arena's
 * most recent allocation (marena_pop(); else it stays used until a reset),
 * and the exception propagates. If the cleanup's record finds no room, the
 * new object is destroyed, its memory given back the same way, and
 * std::bad_alloc is thrown.
 *
 * A T over-aligned beyond #MARENA_ALIGNMENT is aligned as it asks. Needs a
 * build with cleanups when T has a destructor (a static_assert says so).
 *
 * @returns The object, never nullptr.
 * @throws std::bad_alloc when there is no room (or @p owner holds no
 *         arena); whatever T's constructor throws.
 */
template <class T, class... Args>
T *
make(arena &owner, Args &&...args)
{
    detail::check_makeable<T>();
    marena_t *handle = owner.get();
    void *memory = marena_alloc_aligned(handle, sizeof(T), alignof(T));

    if (memory == nullptr)
        detail::throw_bad_alloc();
    T *object;
    try {
        object = ::new (memory) T(std::forward<Args>(args)...);
    } catch (...) {
        detail::give_back(handle, memory, sizeof(T));
        throw;
    }
    if constexpr (!std::is_trivially_destructible_v<T>) {
#if MARENA_HAVE_CLEANUPS
        detail::add_destructor(handle, &detail::destroy_object<T>, object, memory,
                               sizeof(T));
#endif
    }
    return object;
}

/**
 * Constructs @p n value-initialised T (as `new T[n]()`) in @p owner, and,
 * when T is not trivially destructible, registers one cleanup that
 * destroys them in reverse order, as make() does for one object. Such an
 * array takes a small record (a pointer and a count) in front of its
 * elements.
 *
 * If an element's constructor throws, the elements constructed so far are
 * destroyed, the memory is given back as make() does, and the exception
 * propagates. @p n 0 gives a pointer of its own to no elements (as
 * `new T[0]` does), never nullptr.
 *
 * @returns The first element, never nullptr.
 * @throws std::bad_array_new_length when @p n elements would not fit in a
 *         size_t; std::bad_alloc when there is no room (or @p owner holds
 *         no arena); whatever T's constructor throws.
 */
template <class T>
T *
make_array(arena &owner, std::size_t n)
{
    detail::check_makeable<T>();
    constexpr bool has_destructor = !std::is_trivially_destructible_v<T>;
    using record = detail::array_record<T>;
    // The elements start after the record, if there is one.
    constexpr std::size_t offset =
        has_destructor ? (sizeof(record) + alignof(T) - 1) / alignof(T) * alignof(T) : 0;
    constexpr std::size_t align =
        has_destructor && alignof(record) > alignof(T) ? alignof(record) : alignof(T);
    marena_t *handle = owner.get();

    if (n > (std::numeric_limits<std::size_t>::max() - offset) / sizeof(T))
        throw std::bad_array_new_length();
    const std::size_t size = detail::request_size(offset + n * sizeof(T));
    void *memory = marena_alloc_aligned(handle, size, align);

    if (memory == nullptr)
        detail::throw_bad_alloc();
    T *storage = reinterpret_cast<T *>(static_cast<unsigned char *>(memory) + offset);
    try {
        std::uninitialized_value_construct_n(storage, n);
    } catch (...) {
        detail::give_back(handle, memory, size);
        throw;
    }
    T *first = std::launder(storage);
    if constexpr (has_destructor) {
#if MARENA_HAVE_CLEANUPS
        auto *elements = ::new (memory) record{first, n};
        detail::add_destructor(handle, &detail::destroy_array<T>, elements, memory, size);
#endif
    }
    return first;
}

/**
 * A standard allocator (std::allocator_traits) over an arena, for
 * std::vector, std::map, std::basic_string, std::unordered_map and the
 * other allocator-aware containers.
 *
 * allocate() bumps the arena (aligned for T, over-aligned T included) and
 * throws std::bad_alloc when it cannot; deallocate() gives the memory back
 * when it is the arena's most recent allocation (marena_pop(), so a vector
 * that grows as the last thing allocated reuses what it frees), and
 * otherwise does nothing: the arena frees in bulk. In a build without
 * realloc it never gives anything back. A deallocation that is not the
 * most recent costs O(blocks in use) (marena_pop()'s check that the
 * pointer is the arena's).
 *
 * It holds a marena_t *, not an arena object: copies, rebinds and
 * containers stay valid when the owning marena::arena is moved.
 * Allocators are equal when they use the same arena (is_always_equal is
 * false). A container keeps the arena it was created with: copy, move and
 * swap do not propagate allocators (propagate_on_container_* are false, as
 * for std::pmr), so move-assigning between containers on different arenas
 * moves the elements into the target's arena, and swapping them is
 * undefined (as for every allocator that does not propagate). A copy of a
 * container uses the same arena (allocator_traits'
 * select_on_container_copy_construction() returns the allocator itself).
 * There is no default constructor: an allocator needs an arena.
 *
 * @tparam T The element type.
 */
template <class T> class allocator
{
  public:
    /** The element type. */
    using value_type = T;
    /** Containers keep their arena on copy assignment. */
    using propagate_on_container_copy_assignment = std::false_type;
    /** Containers keep their arena on move assignment. */
    using propagate_on_container_move_assignment = std::false_type;
    /** Containers keep their arena on swap. */
    using propagate_on_container_swap = std::false_type;
    /** Allocators of different arenas differ. */
    using is_always_equal = std::false_type;

    /** An allocator on @p owner's arena (implicit, so a container can take
     * the arena itself: `std::vector<int, marena::allocator<int>> v(arena);`). */
    allocator(arena &owner) noexcept : arena_(owner.get())
    {
    }

    /** An allocator on a C arena, which must outlive its use. */
    explicit allocator(marena_t *arena) noexcept : arena_(arena)
    {
    }

    /** The same arena, for another element type (rebinding). */
    template <class U> allocator(const allocator<U> &other) noexcept : arena_(other.get())
    {
    }

    /**
     * Memory for @p n T, aligned for T, not constructed. @p n 0 gives a
     * pointer of its own (one byte is taken), never nullptr.
     * @throws std::bad_array_new_length when n * sizeof(T) overflows;
     *         std::bad_alloc when the arena cannot serve it.
     */
    [[nodiscard]] T *allocate(std::size_t n)
    {
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T))
            throw std::bad_array_new_length();
        void *memory =
            marena_alloc_aligned(arena_, detail::request_size(n * sizeof(T)), alignof(T));

        if (memory == nullptr)
            detail::throw_bad_alloc();
        return static_cast<T *>(memory);
    }

    /** Gives back what allocate(@p n) returned if it is the arena's most
     * recent allocation; otherwise nothing. */
    void deallocate(T *p, std::size_t n) noexcept
    {
        detail::give_back(arena_, p, detail::request_size(n * sizeof(T)));
    }

    /** The arena it allocates from. */
    marena_t *get() const noexcept
    {
        return arena_;
    }

  private:
    marena_t *arena_;
};

/** Equal when they allocate from the same arena. */
template <class T, class U>
bool
operator==(const allocator<T> &a, const allocator<U> &b) noexcept
{
    return a.get() == b.get();
}

/** Different when they allocate from different arenas. */
template <class T, class U>
bool
operator!=(const allocator<T> &a, const allocator<U> &b) noexcept
{
    return a.get() != b.get();
}

/**
 * A std::pmr::memory_resource over an arena, for std::pmr containers
 * (std::pmr::vector, std::pmr::string, std::pmr::unordered_map, ...) and
 * std::pmr::polymorphic_allocator.
 *
 * allocate(bytes, alignment) bumps the arena; a zero-byte request takes one
 * byte, so that every allocation has an address of its own, never nullptr
 * (no two live zero-byte allocations compare equal); std::bad_alloc is
 * thrown when the arena cannot serve a request (no room, an alignment it
 * cannot meet, no arena). deallocate() gives the memory back when it is the
 * arena's most recent allocation (marena_pop()), and otherwise does
 * nothing, as allocator::deallocate() does. Two resources are equal when
 * both are marena::memory_resource objects on the same arena.
 *
 * The resource does not own its arena (destroying it does nothing to the
 * arena), and the arena must outlive the resource's use; neither need
 * outlive the other's object. Unlike std::pmr::monotonic_buffer_resource
 * it has no release(): reset or rewind the arena.
 */
class memory_resource final : public std::pmr::memory_resource
{
  public:
    /** A resource on @p owner's arena. */
    explicit memory_resource(arena &owner) noexcept : arena_(owner.get())
    {
    }

    /** A resource on a C arena, which must outlive its use. */
    explicit memory_resource(marena_t *arena) noexcept : arena_(arena)
    {
    }

    /** The arena it allocates from. */
    marena_t *get() const noexcept
    {
        return arena_;
    }

  protected:
    /** @p bytes (one for 0) aligned to @p alignment; throws std::bad_alloc. */
    void *do_allocate(std::size_t bytes, std::size_t alignment) override
    {
        void *memory =
            marena_alloc_aligned(arena_, detail::request_size(bytes), alignment);

        if (memory == nullptr)
            detail::throw_bad_alloc();
        return memory;
    }

    /** Gives @p p back if it is the arena's most recent allocation. */
    void do_deallocate(void *p, std::size_t bytes, std::size_t /* alignment */) override
    {
        detail::give_back(arena_, p, detail::request_size(bytes));
    }

    /** The same type, on the same arena. */
    bool do_is_equal(const std::pmr::memory_resource &other) const noexcept override
    {
        const auto *same_type = dynamic_cast<const memory_resource *>(&other);

        return same_type != nullptr && same_type->arena_ == arena_;
    }

  private:
    marena_t *arena_;
};

} // namespace marena

#endif /* MARENA_HPP */
