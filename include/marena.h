/* SPDX-License-Identifier: MIT */
/**
 * @file marena.h
 * @brief marena: a bump-pointer memory arena with pluggable backing stores.
 *
 * An arena hands out memory by moving a cursor upward through blocks it
 * gets from a backend (the heap, mmap, or a buffer the caller owns). There
 * is no per-allocation free: marena_reset() and marena_rewind() forget
 * allocations in bulk, and marena_destroy() gives the blocks back.
 *
 * Conventions that hold for every function below:
 * - A failed call returns NULL (or 0, or -1) and leaves the arena exactly
 *   as it was; in builds with the errors option, marena_last_error() says
 *   why.
 * - Bad input (size 0, an alignment that is not a power of two, a size whose
 *   arithmetic would overflow, a NULL arena) is answered with NULL or 0,
 *   never with undefined behaviour.
 * - An arena is not thread-safe: one thread at a time may use it.
 *
 * The header is C99 and C++ compatible.
 */

/* The reference's groups, in the order it lists them; each part of
 * this header goes into one with @addtogroup. */
/**
 * @defgroup creating Creating arenas
 * Arenas on the build's default backend, in a buffer of the caller's, on a
 * backend of the caller's, or as #marena_options_t describes (growth,
 * reserve/commit, a limit, wipes, an out-of-memory callback); reading and
 * changing the limit later (marena_limit(), marena_set_limit()); and
 * destroying them. See also @ref page_growth.
 *
 * Manual pages: `man marena_create`, `man marena_limit`.
 */

/**
 * @defgroup allocating Allocating
 * Memory from an arena, aligned for any type or to any power of two,
 * zeroed or not, typed (#MARENA_NEW), or never NULL
 * (marena_alloc_or_abort()). The allocation functions are also inline
 * code in the caller: a few instructions and no call in the common case.
 * See also @ref page_behaviour.
 *
 * Manual page: `man marena_alloc`.
 */

/**
 * @defgroup giving_back Giving memory back
 * Everything at once (marena_reset(), inline for a one-block arena, and
 * marena_reset_ex() with a choice of what to keep, #marena_retain_t), or
 * the most recent allocation (marena_realloc(), marena_realloc_aligned(),
 * marena_pop()). Going back to a mark is in @ref marks, and destroying an
 * arena in @ref creating.
 *
 * Manual pages: `man marena_reset`, `man marena_realloc`.
 */

/**
 * @defgroup marks Marks and scopes
 * Going back to where an arena stood: marks, scopes that pair a mark with
 * its arena, and each thread's scratch arenas.
 *
 * Manual pages: `man marena_reset`, `man marena_scratch_begin`.
 */

/**
 * @defgroup strings Strings and builders
 * Copies of strings and memory, and formatted strings, packed into an
 * arena; and builders (#marena_builder_t), which grow one string or byte
 * object by appending, in place while it is the arena's last allocation.
 *
 * Manual pages: `man marena_strdup`, `man marena_builder_begin`.
 */

/**
 * @defgroup cleanups Cleanups
 * Functions an arena runs when the memory they belong to is given back.
 *
 * Manual page: `man marena_add_cleanup`.
 */

/**
 * @defgroup statistics Statistics and introspection
 * What an arena holds and has done: the queries marena_used(),
 * marena_remaining() and marena_capacity(), marena_stats() with the
 * high-water mark and counts, and which memory is the arena's:
 * marena_owns() and marena_walk(). See also @ref page_accounting.
 *
 * Manual pages: `man marena_stats`, `man marena_owns`.
 */

/**
 * @defgroup errors Failure reasons
 * Why an arena's most recent failed call failed (#marena_error_t,
 * marena_last_error()), and a message for it (marena_strerror()). The
 * arena's on_oom callback (#marena_oom_fn) can read it too.
 *
 * Manual page: `man marena_last_error`.
 */

/**
 * @defgroup backends Backends
 * Where arenas get their blocks: the built-in heap and mmap backends, and
 * the contract of a backend of your own. See also @ref page_backends.
 *
 * Manual page: `man marena_backend`.
 */

/**
 * @defgroup concurrent Concurrent arenas
 * An arena that many threads allocate from at once, lock-free, and the
 * backend that makes ordinary per-thread arenas its children.
 *
 * Manual page: `man marena_concurrent_create`.
 */

/**
 * @defgroup configuration Configuration and version
 * What the library was built with: the macros of the generated
 * marena_config.h (documented here), the version, and whether debug
 * checks are on. See also @ref page_options and @ref page_embedded.
 *
 * Manual page: `man marena_version`.
 */

#ifndef MARENA_H
#define MARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "marena_config.h"
#include "marena_head.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @cond MARENA_INTERNAL */
/* What every public function and object is declared with. On Windows the
 * library's own sources export them from the DLL (MARENA_BUILDING_DLL, set
 * by its build), a program that uses the DLL imports them, and a program
 * that links the static library defines MARENA_STATIC (the static
 * library's marena.pc, CMake target and Meson dependency do it). See the
 * README, "Windows". Elsewhere they are the shared library's default-
 * visibility symbols, and MARENA_STATIC changes nothing. */
#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(MARENA_BUILDING_DLL)
#define MARENA_API __declspec(dllexport)
#elif defined(MARENA_STATIC)
#define MARENA_API
#else
#define MARENA_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define MARENA_API __attribute__((visibility("default")))
#else
#define MARENA_API
#endif

/* The conversions of the macros and inline functions below. C++ programs
 * (marena.hpp among them) include this header with -I, not -isystem, so
 * its code is compiled with their warnings: in C++ the conversions are
 * C++ casts (-Wold-style-cast), no cast is to the type it converts from
 * (-Wuseless-cast: size_t and uintptr_t are often one type), and null
 * pointers are nullptr (-Wzero-as-null-pointer-constant). In C each is the
 * cast it stands for. */
#ifdef __cplusplus
#define MARENA__CAST(T, x) static_cast<T>(x)
#define MARENA__TO_POINTER(x) reinterpret_cast<void *>(x)
#define MARENA__HEAD(arena) reinterpret_cast<struct marena_head *>(arena)
/* uintptr_t arithmetic on x: the usual conversions turn x into uintptr_t
 * where it is narrower, as the C cast does, with no cast when it is not. */
#define MARENA__UINTPTR(x) (uintptr_t{0} + (x))
#define MARENA__NULL nullptr
#else
#define MARENA__CAST(T, x) ((T)(x))
#define MARENA__TO_POINTER(x) ((void *)(x))
#define MARENA__HEAD(arena) ((struct marena_head *)(void *)(arena))
#define MARENA__UINTPTR(x) ((uintptr_t)(x))
#define MARENA__NULL NULL
#endif
/** @endcond */

/**
 * @file marena_config.h
 * @brief The build's configuration, generated by meson and installed next
 * to marena.h, which includes it.
 *
 * Its macros record the choices the library was built with (the meson
 * options in meson_options.txt): test them with `#if`. They are documented
 * in marena.h.
 */

/** @addtogroup configuration
 * @{ */
/**
 * @def MARENA_VERSION_MAJOR
 * The library's major version (the soname's major number follows the ABI,
 * not this). Defined in marena_config.h, as are the three below.
 */
/** @def MARENA_VERSION_MINOR
 * The library's minor version. */
/** @def MARENA_VERSION_MICRO
 * The library's micro (patch) version. */
/** @def MARENA_VERSION_STRING
 * The version as a string, "MAJOR.MINOR.MICRO". */

/**
 * The version of the library the program runs with: the
 * #MARENA_VERSION_STRING the library was built with, "MAJOR.MINOR.MICRO".
 * A program's own #MARENA_VERSION_STRING is the version of the headers it
 * was compiled with; the two differ when it runs with another build of
 * the shared library. Every build has this function.
 *
 * @returns A string in static storage, never NULL; it must not be
 *          modified or freed.
 */
MARENA_API const char *
marena_version(void);

/**
 * @def MARENA_DEFAULT_BACKEND_NAME
 * The backend of marena_create() as a string: "heap", "mmap", or "none"
 * when the library has no default backend (#MARENA_HAVE_DEFAULT_BACKEND is
 * then 0). The meson option default_backend. Defined in marena_config.h.
 */

/**
 * @def MARENA_ALIGNMENT
 * The alignment of marena_alloc() and marena_calloc() results:
 * alignof(max_align_t) on the build's target. Defined in marena_config.h.
 */

/**
 * @def MARENA_CONTROL_SIZE
 * Bytes an arena's control block and its first block's header take from
 * the start of the first block (a multiple of #MARENA_ALIGNMENT). Defined in
 * marena_config.h.
 */

/**
 * @def MARENA_DEBUG
 * 1 when the library was built with debug checks: without NDEBUG, as in
 * the default debugoptimized build. Defined in marena_config.h.
 *
 * A debug build aborts, after printing "marena: <function>: <mistake>" to
 * stderr (when the build has stdio), on these misuses:
 * - using or destroying an arena that was destroyed, or a pointer that is
 *   not an arena, in any exported function that takes an arena (a magic
 *   value in the control block, set at creation and wiped by destroy);
 * - marena_realloc(), marena_realloc_aligned() or marena_pop() with a
 *   pointer that is not an allocation of the arena (the message of
 *   marena_realloc_aligned() names marena_realloc());
 * - marena_rewind() with a mark that is not valid (see marena_rewind()).
 *
 * What it cannot catch: the inline allocation path checks nothing beyond
 * what release builds check (that would cost every allocation), and reads
 * the control block, so it catches a destroyed arena only once the call
 * reaches the library. For an arena in a caller's buffer that is at once
 * (destroy leaves the control block empty, so every allocation leaves the
 * inline path). For an arena whose block went back to a backend, the
 * control block is freed memory: whatever the backend (malloc) wrote
 * there decides what happens, and the inline path may hand out wild
 * pointers. Build with AddressSanitizer, or run under Valgrind, to catch
 * that.
 *
 * Release builds answer the same misuses with NULL or 0 and leave the
 * arena as it was wherever that costs nothing per allocation: a destroyed
 * arena in a caller's buffer answers NULL or 0 (and destroying it again
 * does nothing), a foreign pointer gets NULL or 0, an invalid mark is
 * ignored.
 */

/**
 * @name What the build contains
 * Each is 1 or 0 in marena_config.h (test them with `#if`), following the
 * meson options of the same name (meson_options.txt). A function whose
 * part is left out is not declared, so a program that needs it fails to
 * compile rather than to link.
 * @{
 */
/** @def MARENA_HAVE_HEAP_BACKEND
 * #marena_backend_heap (option heap_backend). */
/** @def MARENA_HAVE_MMAP_BACKEND
 * #marena_backend_mmap and #marena_backend_mmap_guarded (mmap_backend). */
/** @def MARENA_HAVE_STATIC_BACKEND
 * marena_create_static() (static_backend). */
/** @def MARENA_HAVE_DEFAULT_BACKEND
 * marena_create() (default_backend is not none). */
/** @def MARENA_HAVE_BACKENDS
 * marena_create_with(), and backends in marena_create_ex() (a heap or mmap
 * backend, or custom_backends). Without it, arenas live in caller buffers
 * only. */
/** @def MARENA_HAVE_GROWTH
 * Arenas with more than one block: #MARENA_GROW, #MARENA_RESERVE, spare
 * blocks (growth). Without it, marena_create_ex() refuses those flags and
 * every arena is one fixed block. */
/** @def MARENA_HAVE_MARKS
 * marena_mark(), marena_rewind() and scopes (marks). */
/** @def MARENA_HAVE_REALLOC
 * marena_realloc() and marena_pop() (realloc). */
/** @def MARENA_HAVE_STRINGS
 * marena_strdup(), marena_strndup() and marena_memdup() (strings). */
/** @def MARENA_HAVE_CLEANUPS
 * marena_add_cleanup() (cleanups). */
/** @def MARENA_HAVE_STATS
 * marena_stats(), and marena_stats_format() with stdio (stats). Without
 * it the library keeps no counters. */
/** @def MARENA_HAVE_BUILDER
 * The marena_builder_* functions (builder; needs realloc). */
/** @def MARENA_HAVE_ERRORS
 * marena_last_error() and marena_strerror() (errors). */
/** @def MARENA_HAVE_INTROSPECTION
 * marena_owns() and marena_walk() (introspection). */
/** @def MARENA_HAVE_WIPE
 * #MARENA_WIPE (wipe). Without it, marena_create_ex() refuses that flag. */
/** @def MARENA_HAVE_STDIO
 * marena_sprintf(), marena_vsprintf(), marena_stats_format(), and messages
 * on stderr before an abort (stdio). */
/** @def MARENA_HAVE_SCRATCH
 * marena_scratch_begin() and marena_scratch_release() (needs the default
 * backend, growth, marks and _Thread_local). */
/** @def MARENA_HAVE_CONCURRENT
 * The lock-free concurrent arena (concurrent). */
/** @} */
/** @} */

/** @addtogroup creating
 * @{ */
/**
 * The largest capacity an arena can be created with: a block (capacity plus
 * control block) may not exceed PTRDIFF_MAX, the size of the largest object
 * C can index. Larger capacities are refused before any backend is called.
 */
#define MARENA_MAX_CAPACITY \
    ((MARENA__CAST(size_t, PTRDIFF_MAX) - MARENA_CONTROL_SIZE) & \
     ~MARENA__CAST(size_t, MARENA_ALIGNMENT - 1))

/**
 * An arena (struct marena_arena). Opaque; its control block lives inside the
 * memory its backend supplied (inside the caller's buffer for
 * marena_create_static()), so an arena needs no memory besides its
 * backend's. (The tag is not `struct marena`, so that C++'s namespace
 * marena (marena.hpp) can exist beside it; tags are not part of the ABI.)
 */
typedef struct marena_arena marena_t;
/** @} */

/** @addtogroup backends
 * @{ */
/**
 * A backing store: where an arena gets its block from and gives it back to.
 *
 * The core calls a backend only when an arena is created (acquire) and
 * destroyed (release), never per allocation. Initialise it with designated
 * initialisers: later versions may append optional members, which stay NULL
 * in your initialiser and are then not used.
 */
typedef struct marena_backend {
    /** A short name for diagnostics, e.g. "heap". May be NULL. */
    const char *name;
    /**
     * Returns a block of at least @p size bytes aligned to at least
     * #MARENA_ALIGNMENT and stores its real size in @p *granted; or returns
     * NULL. @p size is never 0 and @p granted never NULL. Required.
     */
    void *(*acquire)(void *ctx, size_t size, size_t *granted);
    /**
     * Gives back a block that acquire returned; @p size is the *granted
     * value. May be NULL for a backend whose blocks need no release.
     */
    void (*release)(void *ctx, void *block, size_t size);

    /* Optional members for reserve/commit arenas (#MARENA_RESERVE): NULL in
     * backends without them. All three, or none, must be set. */

    /**
     * Reserves at least @p size bytes of address space without making it
     * usable, and stores the reserved size in @p *granted (any size: the
     * arena's usable end is aligned down to #MARENA_ALIGNMENT). The range
     * must start at a page boundary, and the backend's page size must
     * divide #MARENA_COMMIT_STEP. It goes back through release(ctx, block,
     * *granted). Returns NULL on failure.
     */
    void *(*reserve)(void *ctx, size_t size, size_t *granted);
    /**
     * Makes [@p addr, @p addr + @p size) of a reserved range readable and
     * writable. @p addr and @p size are multiples of #MARENA_COMMIT_STEP
     * from the start of the reservation. Returns 0, or nonzero on failure.
     */
    int (*commit)(void *ctx, void *addr, size_t size);
    /**
     * Gives the memory of [@p addr, @p addr + @p size) back to the system
     * while keeping the range reserved (e.g. madvise(MADV_DONTNEED)); a
     * later commit makes it usable again. Same alignment as commit.
     */
    void (*decommit)(void *ctx, void *addr, size_t size);
} marena_backend_t;

#if MARENA_HAVE_HEAP_BACKEND
/** Blocks from malloc(); released with free(). The context is unused.
 * (With the DLL on Windows, see #marena_backend_mmap on taking the address
 * of a backend object.) */
MARENA_API extern const marena_backend_t marena_backend_heap;
#endif

#if MARENA_HAVE_MMAP_BACKEND
/**
 * The operating system's virtual memory: mmap on POSIX, VirtualAlloc on
 * Windows. Blocks are rounded up to whole pages (the rounding is given to
 * the arena, not wasted). POSIX: private anonymous mappings with
 * MAP_NORESERVE where the platform has it, released with munmap().
 * Windows: MEM_RESERVE | MEM_COMMIT (page size from GetSystemInfo()),
 * released with MEM_RELEASE. Both reserve and commit for #MARENA_RESERVE
 * arenas (PROT_NONE and mprotect(); MEM_RESERVE rounded up to the
 * allocation granularity, MEM_COMMIT and MEM_DECOMMIT). The context is
 * unused.
 *
 * On Windows, a program that uses the DLL imports this object: its address
 * is not a constant expression in C there, so take it in code, not in a
 * static initialiser (README, "Windows"). The same holds for every
 * exported backend object.
 */
MARENA_API extern const marena_backend_t marena_backend_mmap;

/**
 * The mmap backend with a guard page: one inaccessible page follows each
 * block (PROT_NONE; on Windows reserved PAGE_NOACCESS and never
 * committed), and the arena's usable end is exactly where it starts, so
 * writing or reading past the end of the last allocation in a full block
 * faults (SIGSEGV, an access violation on Windows) instead of touching
 * other memory. Costs a page of address space (not memory) per block. No
 * reserve/commit: a #MARENA_RESERVE arena's uncommitted tail already
 * faults.
 */
MARENA_API extern const marena_backend_t marena_backend_mmap_guarded;
#endif
/** @} */

/* ------------------------------------------------------------------------
 * Creating and destroying arenas
 * --------------------------------------------------------------------- */

/** @addtogroup creating
 * @{ */

/** Flag for marena_options_t::flags: when the current block cannot serve a
 * request, acquire another from the backend instead of returning NULL. */
#define MARENA_GROW 0x1u
/** Flag for marena_options_t::flags: reserve block_size bytes of address
 * space once and commit it in #MARENA_COMMIT_STEP steps as the cursor
 * advances; the arena stays one contiguous block and never moves. Needs a
 * backend with reserve, commit and decommit (e.g. #marena_backend_mmap). */
#define MARENA_RESERVE 0x2u

/** Flag for marena_options_t::flags: zero the bytes an arena gives back
 * (reset, rewind, marena_pop(), a shrinking marena_realloc(), destroy)
 * with a wipe the compiler cannot remove (libbsd's explicit_bzero() when
 * available). For secrets; costs a pass over the memory given back.
 * Builds without the wipe option (#MARENA_HAVE_WIPE 0) refuse it. */
#define MARENA_WIPE 0x4u

/** Usable bytes of the first block when marena_options_t::block_size is 0. */
#define MARENA_DEFAULT_BLOCK_SIZE MARENA__CAST(size_t, 8192)
/** Growth cap when marena_options_t::max_block_size is 0 (or the block
 * size, if that is larger). */
#define MARENA_DEFAULT_MAX_BLOCK_SIZE (MARENA__CAST(size_t, 1) << 20)
/** Granularity of commits and decommits in #MARENA_RESERVE arenas. */
#define MARENA_COMMIT_STEP MARENA__CAST(size_t, 65536)

/**
 * Called when a valid request cannot be served (no room, the limit, or the
 * backend failed), just before NULL is returned. It may log, abort or
 * longjmp; it must not use @p arena.
 *
 * @param arena The arena that failed.
 * @param size  The bytes requested.
 * @param align The alignment requested.
 * @param data  marena_options_t::oom_data.
 */
typedef void (*marena_oom_fn)(marena_t *arena, size_t size, size_t align, void *data);

/**
 * How to create an arena with marena_create_ex(). Zero-initialise it, then
 * set what you need: every zero field means its documented default.
 *
 * ABI: fields are never removed or reordered; new fields take the place of
 * `reserved`, whose zero value keeps the old behaviour.
 */
typedef struct marena_options {
    /** Where blocks come from. NULL: the build's default backend (and no
     * backend at all when it has none). With a buffer, the backend serves
     * only the blocks beyond the buffer (#MARENA_GROW). */
    const marena_backend_t *backend;
    /** Passed to the backend's functions (default NULL). */
    void *backend_ctx;
    /** Usable bytes of the first block (default #MARENA_DEFAULT_BLOCK_SIZE);
     * for a #MARENA_RESERVE arena, the bytes to reserve. Ignored with a
     * buffer, whose size decides. */
    size_t block_size;
    /** Growth cap for ordinary blocks (default: the larger of
     * #MARENA_DEFAULT_MAX_BLOCK_SIZE and the first block). Blocks double from
     * the current one up to this; a larger request gets a block of its own. */
    size_t max_block_size;
    /** Most bytes the arena may take from its backend in total, block
     * headers included (default 0: no limit). Bytes of a caller buffer do
     * not count. */
    size_t limit;
    /** #MARENA_GROW, #MARENA_RESERVE, #MARENA_WIPE (default 0: one fixed
     * block, nothing wiped). */
    unsigned flags;
    /** Memory of the caller's to use as the first block (default NULL); the
     * arena's control block goes inside it, as with marena_create_static().
     * It must outlive the arena and is never released. */
    void *buffer;
    /** Size of @ref buffer in bytes. */
    size_t buffer_size;
    /** Called before an allocation returns NULL for want of memory
     * (default NULL: none). */
    marena_oom_fn on_oom;
    /** Passed to on_oom (default NULL). */
    void *oom_data;
    /** Must be zero (room for future fields). */
    void *reserved[4];
} marena_options_t;

/**
 * Creates an arena as @p options describe.
 *
 * @param options The options; NULL means all defaults (a growing arena is
 *                not the default: set #MARENA_GROW).
 * @returns The arena, or NULL when: an option is invalid (nonzero
 *          `reserved`, unknown flags, #MARENA_RESERVE with a buffer or with
 *          a backend lacking reserve/commit/decommit, a buffer with no room
 *          for the control block and one byte); the backend is invalid (no
 *          acquire, or some but not all of reserve, commit and decommit:
 *          checked on every path, a buffer's included, before anything is
 *          called); there is no backend and no buffer, or a buffer with
 *          #MARENA_GROW and no backend; the first block exceeds
 *          #MARENA_MAX_CAPACITY or the limit; or the backend fails. Nothing
 *          is leaked on failure.
 */
MARENA_API marena_t *
marena_create_ex(const marena_options_t *options);

#if MARENA_HAVE_GROWTH
/**
 * The arena's limit: the most bytes it may take from its backend, block
 * headers and control block included (marena_options_t::limit).
 *
 * @param arena The arena; NULL gives 0.
 * @returns The limit, or SIZE_MAX when there is none.
 */
MARENA_API size_t
marena_limit(const marena_t *arena);

/**
 * Changes the arena's limit (bumpalo's set_allocation_limit). Later
 * growth and commits stay within it; nothing held is given back. When the
 * next ordinary block would pass the limit, growth takes the largest block
 * the limit still allows, if the request fits in it.
 *
 * @param arena The arena; NULL gives -1.
 * @param limit The new limit; 0 or SIZE_MAX removes it.
 * @returns 0; or -1, changing nothing, when @p limit is below what the
 *          arena already holds from its backend (marena_stats_t's
 *          backend_bytes; marena_last_error() then gives #MARENA_EINVAL).
 */
MARENA_API int
marena_set_limit(marena_t *arena, size_t limit);
#endif

#if MARENA_HAVE_DEFAULT_BACKEND
/**
 * Creates a fixed-size arena on the build's default backend
 * (#MARENA_DEFAULT_BACKEND_NAME, chosen with the meson option
 * default_backend). Absent when the library was built with
 * default_backend=none.
 *
 * @param capacity Usable bytes wanted; the arena may get more (the backend's
 *                 rounding), never less.
 * @returns The arena, to be destroyed with marena_destroy(); or NULL when
 *          @p capacity is 0 or above #MARENA_MAX_CAPACITY, or when the
 *          backend fails.
 */
MARENA_API marena_t *
marena_create(size_t capacity);
#endif

#if MARENA_HAVE_BACKENDS
/**
 * Creates a fixed-size arena whose one block comes from @p backend.
 *
 * The arena acquires a single block of capacity plus its control block,
 * keeps the control block at the block's start, and releases the block in
 * marena_destroy().
 *
 * @param backend The backing store. It must outlive the arena. NULL, or a
 *                backend without acquire, gives NULL.
 * @param ctx     Passed unchanged to the backend's functions; may be NULL.
 * @param capacity Usable bytes wanted (at least; whatever the backend grants
 *                 beyond is usable too).
 * @returns The arena, or NULL when @p capacity is 0 or above
 *          #MARENA_MAX_CAPACITY (the backend is then not called), when
 *          acquire returns NULL, or when acquire breaks its contract
 *          (grants less than it was asked for, or a block not aligned to
 *          #MARENA_ALIGNMENT; the block is then released). Nothing is
 *          leaked on failure.
 */
MARENA_API marena_t *
marena_create_with(const marena_backend_t *backend, void *ctx, size_t capacity);
#endif /* MARENA_HAVE_BACKENDS */

#if MARENA_HAVE_STATIC_BACKEND
/**
 * Creates a fixed-size arena inside a buffer the caller owns. Nothing is
 * allocated: the control block is placed at the buffer's first suitably
 * aligned byte and the rest of the buffer is the arena's capacity.
 *
 * The buffer needs no particular alignment (the arena aligns inside it) and
 * must stay valid until marena_destroy(); marena_destroy() does not free it.
 * Two arenas in disjoint parts of one buffer are independent. To spill into
 * a backend when the buffer is full, use marena_create_ex() with a buffer
 * and #MARENA_GROW.
 *
 * @param buffer The memory to use; NULL gives NULL.
 * @param size   Its size in bytes.
 * Capacity runs from the end of the control block to the buffer's last
 * #MARENA_ALIGNMENT boundary (the fast path relies on aligned ends), so up
 * to MARENA_ALIGNMENT - 1 bytes at each end of an unaligned buffer are not
 * used.
 *
 * @returns The arena, or NULL when @p buffer is NULL, when buffer + size
 *          would wrap the address space, or when the buffer is too small to
 *          hold the aligned control block plus #MARENA_ALIGNMENT usable bytes
 *          (see #MARENA_STATIC_OVERHEAD).
 */
MARENA_API marena_t *
marena_create_static(void *buffer, size_t size);
#endif

/**
 * Bytes of a static buffer that may not become capacity: the control block
 * (#MARENA_CONTROL_SIZE) plus the worst-case padding to align the buffer's
 * start up and its end down to #MARENA_ALIGNMENT. A buffer of
 * MARENA_STATIC_OVERHEAD + n bytes always gives at least n bytes of
 * capacity, whatever its alignment. A constant expression, so it can size
 * a static array.
 */
#define MARENA_STATIC_OVERHEAD (MARENA_CONTROL_SIZE + 2 * (MARENA_ALIGNMENT - 1))

/**
 * Destroys an arena: runs its cleanups (newest first), and gives every
 * block back to the backend (a caller buffer goes back to the caller, who
 * may free or reuse it). Every allocation from it becomes invalid.
 *
 * The control block is wiped before release, so a stale handle to a static
 * arena whose buffer still exists answers every call with NULL or 0 instead
 * of handing out memory, and destroying it again does nothing (a
 * hardening measure, not a licence to use it: a debug build aborts on
 * both, see #MARENA_DEBUG).
 *
 * @param arena The arena; NULL does nothing.
 */
MARENA_API void
marena_destroy(marena_t *arena);
/** @} */

/* ------------------------------------------------------------------------
 * Allocating
 * --------------------------------------------------------------------- */

/** @addtogroup allocating
 * @{ */

/**
 * Allocates @p size bytes aligned to #MARENA_ALIGNMENT.
 *
 * The memory is not initialised and stays valid until the arena is reset,
 * rewound past it, or destroyed. Allocations move upward through a block.
 *
 * @param arena The arena; NULL gives NULL.
 * @param size  Bytes wanted; 0 gives NULL.
 * @returns The memory, or NULL when the arena cannot serve the request (the
 *          arena is then unchanged).
 */
MARENA_API void *
marena_alloc(marena_t *arena, size_t size);

/**
 * Allocates @p size bytes aligned to @p align.
 *
 * Alignment padding comes out of the arena's remaining bytes. With align 1
 * consecutive allocations from one block are contiguous.
 *
 * @param arena The arena; NULL gives NULL.
 * @param size  Bytes wanted; 0 gives NULL.
 * @param align A power of two (any size: an alignment the block cannot meet
 *              simply fails); 0 or a non-power of two gives NULL.
 * @returns The memory, or NULL (the arena is then unchanged).
 */
MARENA_API void *
marena_alloc_aligned(marena_t *arena, size_t size, size_t align);

/**
 * Allocates @p count * @p size zeroed bytes aligned to #MARENA_ALIGNMENT.
 *
 * @param arena The arena; NULL gives NULL.
 * @param count Number of elements; 0 gives NULL.
 * @param size  Size of one element; 0 gives NULL.
 * @returns The zeroed memory, or NULL when count * size overflows size_t or
 *          the arena cannot serve it (the arena is then unchanged).
 */
MARENA_API void *
marena_calloc(marena_t *arena, size_t count, size_t size);

/**
 * marena_calloc() with a chosen alignment: @p count * @p size zeroed bytes
 * aligned to @p align (a power of two). NULL for the same reasons as
 * marena_calloc() and marena_alloc_aligned().
 */
MARENA_API void *
marena_calloc_aligned(marena_t *arena, size_t count, size_t size, size_t align);

/**
 * marena_alloc() for callers who prefer not to check: never returns NULL.
 * When a valid request cannot be served, the arena's on_oom is called (as
 * for every allocation), then "marena: marena_alloc_or_abort: out of
 * memory" is printed to stderr (when the build has stdio) and the program
 * aborts. Bad input (size 0, a NULL arena) is not a shortage of memory:
 * on_oom is not called, and the message says "invalid request" before the
 * abort.
 */
MARENA_API void *
marena_alloc_or_abort(marena_t *arena, size_t size);

/**
 * The out-of-line part of the allocation functions: everything the inline
 * fast path does not decide (bad input, alignments above #MARENA_ALIGNMENT,
 * a full block: commit, growth, limits, on_oom, failure counts). Callable
 * directly with marena_alloc_aligned()'s meaning, but there is no reason
 * to: it is exported so that inline code compiled into programs can reach
 * it.
 */
MARENA_API void *
marena_alloc_slow(marena_t *arena, size_t size, size_t align);
/** @} */

/* ------------------------------------------------------------------------
 * The inline fast path
 *
 * marena_alloc(), marena_alloc_aligned(), marena_calloc(),
 * marena_calloc_aligned() and so MARENA_NEW() and MARENA_NEW_ARRAY() are
 * also macros that expand to the inline functions below, so the common
 * case costs a few instructions and no call. The functions stay exported
 * (take their address, or call them from bindings); define MARENA_NO_INLINE
 * before including this header to always call them.
 *
 * Every alignment, a constant or not, takes the same three tests over the
 * bare pointer bump (start = cursor + mask, aligned down; next = start +
 * size): the alignment is a power of two; cursor + mask did not wrap
 * (which also refuses 0, and an alignment too large for the address
 * space; for a constant alignment up to MARENA_ALIGNMENT it cannot wrap,
 * and gcc drops the test); and start < next <= end, which refuses size 0,
 * a size whose addition wraps, and a size that does not fit. No branch
 * depends on which alignment it is, so alignments that vary from call to
 * call cost nothing extra. Everything else (bad input, a full block)
 * goes to marena_alloc_slow(). marena_reset() is inline too: for an arena
 * whose head says a reset only moves the cursor back (marena_head.h:
 * reset_to), it does that and keeps the peak and the marks' bookkeeping;
 * anything else calls the library.
 * --------------------------------------------------------------------- */

/** @cond MARENA_INTERNAL */
#if defined(__GNUC__) || defined(__clang__)
#define MARENA__LIKELY(x) __builtin_expect(!!(x), 1)
#define MARENA__CONSTANT(x) __builtin_constant_p(x)
#define MARENA__MEMSET __builtin_memset
#define MARENA__MEMCPY __builtin_memcpy
#define MARENA__STRLEN __builtin_strlen
#else
#define MARENA__LIKELY(x) (x)
#define MARENA__CONSTANT(x) 0
#define MARENA__MEMSET memset
#define MARENA__MEMCPY memcpy
#define MARENA__STRLEN strlen
#endif
#if !defined(__GNUC__) && !defined(__clang__)
#include <string.h>
#endif

/* cursor + mask, or nonzero when that wraps the address space. */
#if defined(__GNUC__) || defined(__clang__)
#define MARENA__ADD_OVERFLOW(a, b, sum) __builtin_add_overflow((a), (b), (sum))
#else
#define MARENA__ADD_OVERFLOW(a, b, sum) ((*(sum) = (a) + (b)) < (a))
#endif

/* Is align a power of two? For gcc, align & mask == 0, which also lets 0
 * through (its mask is all ones, so cursor + mask wraps and is caught
 * there); clang turns that into a population count, which without popcnt
 * is a dozen instructions, so for clang (align ^ mask) > mask, which also
 * refuses 0. A constant alignment from 1 to MARENA_ALIGNMENT cannot make
 * cursor + mask wrap, because end is aligned (cursor <= end <= UINTPTR_MAX
 * - mask): gcc drops that test there (clang's __builtin_constant_p, tried
 * in the same condition, also brings the population count back). */
#if defined(__clang__)
#define MARENA__POWER_OF_TWO(align, mask) (((align) ^ (mask)) > (mask))
#define MARENA__NO_WRAP(align, mask, cursor, start) \
    !MARENA__ADD_OVERFLOW((cursor), (mask), (start))
#else
#define MARENA__POWER_OF_TWO(align, mask) (((align) & (mask)) == 0)
#define MARENA__NO_WRAP(align, mask, cursor, start) \
    ((MARENA__CONSTANT(align) && (mask) < MARENA__CAST(uintptr_t, MARENA_ALIGNMENT)) \
         ? (*(start) = (cursor) + (mask), 1) \
         : !MARENA__ADD_OVERFLOW((cursor), (mask), (start)))
#endif

static inline void *
marena__alloc_inline(marena_t *arena, size_t size, size_t align)
{
    /* The head is the control block's first member (marena_head.h). */
    struct marena_head *head = MARENA__HEAD(arena);
    uintptr_t mask = MARENA__UINTPTR(align) - 1, start, next;

    /* Valid input and start = the cursor aligned up, in one test for every
     * alignment (a constant or not), then one for the size. */
    if (MARENA__LIKELY(arena != MARENA__NULL && MARENA__POWER_OF_TWO(align, mask)) &&
        MARENA__LIKELY(MARENA__NO_WRAP(align, mask, head->cursor, &start))) {
        start &= ~mask;
        next = start + size;
        /* next > start: size is not 0 and start + size does not wrap.
         * next <= end: it fits (and start did not pass end). */
        if (MARENA__LIKELY(next > start && next <= head->end)) {
            head->cursor = next;
            head->allocations++;
            return MARENA__TO_POINTER(start);
        }
    }
    return marena_alloc_slow(arena, size, align);
}

/* count * size; 0, which every allocation refuses, when the product
 * overflows or exceeds PTRDIFF_MAX (no object is larger: saying so also
 * tells the compiler that the caller's memset is bounded). */
static inline size_t
marena__calloc_bytes(size_t count, size_t size)
{
#if SIZE_MAX <= 0xffffffffu
    /* 32-bit targets: the product in 64 bits, which cannot overflow. */
    uint64_t bytes = MARENA__CAST(uint64_t, count) * size;

    return bytes <= MARENA__CAST(uint64_t, PTRDIFF_MAX) ? MARENA__CAST(size_t, bytes) : 0;
#else
    size_t bytes;

#if defined(__GNUC__) || defined(__clang__)
    if (__builtin_mul_overflow(count, size, &bytes))
        return 0;
#else
    if (size != 0 && count > SIZE_MAX / size)
        return 0;
    bytes = count * size;
#endif
    return bytes <= MARENA__CAST(size_t, PTRDIFF_MAX) ? bytes : 0;
#endif
}

static inline void *
marena__calloc_inline(marena_t *arena, size_t count, size_t size, size_t align)
{
    size_t bytes = marena__calloc_bytes(count, size);
    void *memory = marena__alloc_inline(arena, bytes, align);

    if (memory != MARENA__NULL)
        MARENA__MEMSET(memory, 0, bytes);
    return memory;
}

#ifndef MARENA_NO_INLINE
#define marena_alloc(arena, size) \
    marena__alloc_inline((arena), (size), MARENA__CAST(size_t, MARENA_ALIGNMENT))
#define marena_alloc_aligned(arena, size, align) \
    marena__alloc_inline((arena), (size), (align))
#define marena_calloc(arena, count, size) \
    marena__calloc_inline((arena), (count), (size), \
                          MARENA__CAST(size_t, MARENA_ALIGNMENT))
#define marena_calloc_aligned(arena, count, size, align) \
    marena__calloc_inline((arena), (count), (size), (align))
#endif
/** @endcond */

/** @cond MARENA_INTERNAL */
#if defined(__cplusplus)
#define MARENA_ALIGNOF(T) alignof(T)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define MARENA_ALIGNOF(T) _Alignof(T)
#else
/* C99 has no over-aligned types: the fundamental alignment fits them all. */
#define MARENA_ALIGNOF(T) ((size_t)MARENA_ALIGNMENT)
#endif
/** @endcond */

/** @addtogroup allocating
 * @{ */
/** One zeroed T, aligned for T; NULL when the arena cannot serve it. */
#define MARENA_NEW(arena, T) \
    MARENA__CAST(T *, marena_calloc_aligned((arena), 1, sizeof(T), MARENA_ALIGNOF(T)))

/** @p n zeroed T, aligned for T; NULL when n is 0, when n * sizeof(T)
 * overflows, or when the arena cannot serve it. */
#define MARENA_NEW_ARRAY(arena, T, n) \
    MARENA__CAST(T *, marena_calloc_aligned((arena), (n), sizeof(T), MARENA_ALIGNOF(T)))
/** @} */

/** @addtogroup giving_back
 * @{ */
#if MARENA_HAVE_REALLOC
/**
 * Resizes an allocation.
 *
 * - @p ptr NULL: the same as marena_alloc(arena, new_size).
 * - Shrinking never moves; if @p ptr is the most recent allocation, the
 *   bytes given up return to the arena (a retreat: marks taken above the
 *   new end become invalid, see marena_rewind()).
 * - Growing the most recent allocation happens in place when its block has
 *   room (the same pointer is returned); otherwise a new allocation aligned
 *   to #MARENA_ALIGNMENT receives the first @p old_size bytes.
 * - [ptr, ptr + old_size) must be memory the arena handed out and still
 *   holds (in a block in use, below where that block is filled). Anything
 *   else (another arena's or a variable's address, a range above where the
 *   arena stands or one that wraps the address space) gives NULL and
 *   changes nothing; a debug build aborts (#MARENA_DEBUG). Checking costs
 *   O(blocks in use) for an allocation that is not the most recent.
 *
 * @param arena    The arena @p ptr came from; NULL gives NULL.
 * @param ptr      An allocation from @p arena, or NULL.
 * @param old_size Its size as requested (the most recent allocation is
 *                 recognised by ptr + old_size being where the arena
 *                 stands); 0 with a non-NULL @p ptr gives NULL.
 * @param new_size The size wanted; 0 gives NULL and changes nothing.
 * @returns The resized allocation, or NULL on failure, when the old one is
 *          intact and the arena unchanged.
 */
MARENA_API void *
marena_realloc(marena_t *arena, void *ptr, size_t old_size, size_t new_size);

/**
 * marena_realloc() for an allocation with an alignment of its own: when
 * the allocation moves, the new one is aligned to @p align too (in place,
 * the address and so its alignment stay). @p ptr NULL is
 * marena_alloc_aligned(arena, new_size, align). An @p align that is not a
 * power of two gives NULL and changes nothing.
 *
 * Neither function zeroes what a growing allocation gains; to have zeros
 * there, write them: `memset((char *)q + old_size, 0, new_size - old_size)`
 * when q, the result, is not NULL.
 */
MARENA_API void *
marena_realloc_aligned(marena_t *arena, void *ptr, size_t old_size, size_t new_size,
                       size_t align);

/**
 * Gives back the most recent allocation.
 *
 * @param arena The arena; NULL gives 0.
 * @param ptr   The allocation.
 * @param size  Its size as requested.
 * @returns 1 when [ptr, ptr + size) lies in the current block, between its
 *          start and where the arena stands, and ends there, as the most
 *          recent allocation does: its bytes are back in the arena (any
 *          padding before it stays used; marks taken above @p ptr become
 *          invalid, see marena_rewind()). Else 0, and nothing changes: for
 *          an allocation that is not the most recent, and for a pointer
 *          that is not the arena's at all (a debug build aborts on that,
 *          #MARENA_DEBUG). The arena records where it stands, not where
 *          allocations start, so a pointer into the most recent allocation
 *          with the size of its tail gives that tail back.
 */
MARENA_API int
marena_pop(marena_t *arena, void *ptr, size_t size);
#endif /* MARENA_HAVE_REALLOC */
/** @} */

/* ------------------------------------------------------------------------
 * Strings
 * --------------------------------------------------------------------- */

/** @addtogroup strings
 * @{ */

#if MARENA_HAVE_STRINGS
/** A copy of the string @p s in the arena; NULL when s is NULL or on
 * failure. */
MARENA_API char *
marena_strdup(marena_t *arena, const char *s);

/** A copy of at most @p n bytes of @p s, always NUL-terminated; NULL when
 * s is NULL or on failure. */
MARENA_API char *
marena_strndup(marena_t *arena, const char *s, size_t n);

/** A copy of @p n bytes at @p p, aligned to #MARENA_ALIGNMENT; NULL when p
 * is NULL, n is 0, or on failure. */
MARENA_API void *
marena_memdup(marena_t *arena, const void *p, size_t n);

/** @cond MARENA_INTERNAL */
/* marena_strdup() is also a macro: the length, the bump and the copy in
 * the caller, as obstack_copy0() is; what does not fit calls the library. */
static inline char *
marena__strdup_inline(marena_t *arena, const char *s)
{
    size_t size;
    char *copy;

    if (s == MARENA__NULL)
        return MARENA__NULL;
    size = MARENA__STRLEN(s) + 1; /* a string is shorter than SIZE_MAX */
    copy = MARENA__CAST(char *, marena__alloc_inline(arena, size, 1));
    if (copy != MARENA__NULL)
        MARENA__MEMCPY(copy, s, size);
    return copy;
}

#ifndef MARENA_NO_INLINE
#define marena_strdup(arena, s) marena__strdup_inline((arena), (s))
#endif
/** @endcond */
#endif /* MARENA_HAVE_STRINGS */

#if MARENA_HAVE_STDIO
/** @cond MARENA_INTERNAL */
/* MinGW's printf archetype is the Microsoft C runtime's; the library's
 * formatting is C99's (it is built with __USE_MINGW_ANSI_STDIO). */
#if defined(__MINGW32__)
#define MARENA_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__)
#define MARENA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MARENA_PRINTF(f, a)
#endif
/** @endcond */

/**
 * A string formatted as by printf(), in the arena. When the result fits in
 * the current block it is formatted there directly, in one pass; results
 * larger than a block are formatted into a block of their own (growing
 * arenas). Absent when the library was built with -Dstdio=disabled.
 *
 * @returns The string, or NULL when @p fmt is NULL, on an encoding error,
 *          or on failure (the arena is then unchanged).
 */
MARENA_API char *
marena_sprintf(marena_t *arena, const char *fmt, ...) MARENA_PRINTF(2, 3);

/** marena_sprintf() with a va_list; @p args is used once (va_copy inside). */
MARENA_API char *
marena_vsprintf(marena_t *arena, const char *fmt, va_list args) MARENA_PRINTF(2, 0);
#endif

#if MARENA_HAVE_BUILDER
/**
 * A growing object (obstack's grow/finish, a string builder): bytes
 * appended to one allocation, finished as a NUL-terminated string. A small
 * value on the caller's stack; treat its fields as private. (Tag
 * marena_builder: no function has that name.)
 *
 * The allocation grows in place while it is the arena's last one; when
 * something else was allocated meanwhile, it moves, copying what was
 * appended. Its first capacity is 256 bytes and it at least doubles each
 * time, so appending costs amortised O(1) per byte; when doubling does not
 * fit the block but the request does, it grows by just the request, so a
 * builder can fill a fixed arena. Finish gives back the capacity the
 * string does not use while the object is still the last allocation. A failed append (NULL builder or arena, no memory) changes
 * neither the builder nor the arena, and returns -1. What was appended
 * lives in the arena: a reset or rewind past it ends the builder (begin
 * again).
 */
typedef struct marena_builder {
    /** @cond MARENA_INTERNAL */
    marena_t *arena;
    char *data;
    size_t length;
    size_t capacity;
    /** @endcond */
} marena_builder_t;

/** Begins an empty builder on @p arena (which may be NULL: every append
 * then fails). @p b NULL does nothing. Nothing is allocated yet. */
MARENA_API void
marena_builder_begin(marena_builder_t *b, marena_t *arena);

/** Appends @p n bytes from @p data. Returns 0; or -1, changing neither
 * the builder nor the arena, when @p b or its arena is NULL, when @p data
 * is NULL and @p n is not 0, when the length would overflow (a failed call
 * of reason #MARENA_EINVAL), or when there is no memory. Appending 0 bytes
 * to a builder on an arena succeeds and changes nothing. */
MARENA_API int
marena_builder_append(marena_builder_t *b, const void *data, size_t n);

#if MARENA_HAVE_STDIO
/** Appends text formatted as by printf(). Returns 0, or -1 (nothing
 * appended) for a NULL @p fmt, an encoding error (a failed call of reason
 * #MARENA_EINVAL), or as marena_builder_append(). */
MARENA_API int
marena_builder_appendf(marena_builder_t *b, const char *fmt, ...) MARENA_PRINTF(2, 3);
#endif

/** Bytes appended so far (the NUL of finish not counted); NULL gives 0. */
MARENA_API size_t
marena_builder_length(const marena_builder_t *b);

/**
 * Finishes the object: a NUL-terminated string of what was appended (an
 * empty builder gives ""), in the arena, which keeps it like any other
 * allocation. Capacity beyond the string is given back when the object is
 * still the arena's last allocation. The builder is empty again
 * afterwards, on the same arena.
 *
 * @param b      The builder; NULL gives NULL.
 * @param length Where to store the length (without the NUL); may be NULL.
 * @returns The string; NULL when @p b or its arena is NULL, or when there
 *          is no memory for the "" of an empty builder (nothing changes).
 */
MARENA_API void *
marena_builder_finish(marena_builder_t *b, size_t *length);

/** Drops what was appended: its bytes go back to the arena when the object
 * is the arena's last allocation (else they stay used, as every
 * allocation does until a reset). The builder is empty again. NULL does
 * nothing. */
MARENA_API void
marena_builder_abandon(marena_builder_t *b);

/** @cond MARENA_INTERNAL */
/* marena_builder_append() is also a macro: a piece that fits the capacity
 * (with room left for finish's NUL) is copied in the caller, as
 * obstack_grow() does; anything else (growing, bad input, 0 bytes) calls
 * the library. */
static inline int
marena__builder_append_inline(marena_builder_t *b, const void *data, size_t n)
{
    if (MARENA__LIKELY(b != MARENA__NULL && data != MARENA__NULL && n != 0 &&
                       n < b->capacity - b->length)) {
        MARENA__MEMCPY(b->data + b->length, data, n);
        b->length += n;
        return 0;
    }
    return (marena_builder_append)(b, data, n);
}

#ifndef MARENA_NO_INLINE
#define marena_builder_append(b, data, n) marena__builder_append_inline((b), (data), (n))
#endif
/** @endcond */
#endif /* MARENA_HAVE_BUILDER */
/** @} */

/* ------------------------------------------------------------------------
 * Reset, marks and scopes
 * --------------------------------------------------------------------- */

/** @addtogroup giving_back
 * @{ */

/**
 * Forgets every allocation, runs the cleanups (newest first), and keeps the
 * first block for reuse: the next allocation starts where the first one
 * did. Of the other blocks it keeps, as spares, what the next cycle will
 * likely need, and gives the rest back (#MARENA_RETAIN_ADAPTIVE): a
 * program that resets per request settles at the memory its larger
 * requests take, and gives it back after a run of small ones. O(1) when
 * the arena has one block and no cleanups; no backend call then.
 *
 * Like the allocation functions, marena_reset() is also a macro for an
 * inline function: for an arena that is one block with nothing to run,
 * wipe, release or tell the tools (the common case), a reset is a few
 * instructions in the caller that move the cursor back and keep the peak
 * and the marks' bookkeeping exact; anything else calls the library.
 *
 * Marks taken before a reset are invalid afterwards.
 *
 * @param arena The arena; NULL does nothing.
 */
MARENA_API void
marena_reset(marena_t *arena);

/** @cond MARENA_INTERNAL */
/* The reset of an arena whose head says a reset only moves the cursor
 * (marena_head.h); 0 when it says more is to be done. The library's
 * marena_reset() runs the same code. */
static inline int
marena__reset_head(struct marena_head *head)
{
    if (head->reset_to == 0)
        return 0;
    if (head->cursor > head->high)
        head->high = head->cursor;
    head->resets++;
    head->cursor = head->reset_to;
    return 1;
}

static inline void
marena__reset_inline(marena_t *arena)
{
    if (!MARENA__LIKELY(arena != MARENA__NULL && marena__reset_head(MARENA__HEAD(arena))))
        (marena_reset)(arena);
}

#ifndef MARENA_NO_INLINE
#define marena_reset(arena) marena__reset_inline((arena))
#endif
/** @endcond */

/** What marena_reset_ex() keeps. */
typedef enum marena_retain {
    /** Keep the first block, release the rest. */
    MARENA_RETAIN_FIRST = 0,
    /** Keep every block for reuse; release nothing. */
    MARENA_RETAIN_ALL = 1,
    /** Keep the first block and others within a budget of bytes held from
     * the backend (headers included, the first block's too): taken oldest
     * first (by when they came into use), each block that still fits what
     * is left of the budget is kept, the others are released. A
     * #MARENA_RESERVE arena decommits what lies beyond the budget. */
    MARENA_RETAIN_BYTES = 2,
    /** Keep the first block and the largest other one, and allocate from
     * the largest after the reset (the first stays held, empty, until the
     * next reset). bumpalo keeps its largest chunk; a request-per-reset
     * server settles at its high-water mark with one block. */
    MARENA_RETAIN_LARGEST = 3,
    /** What marena_reset() does: keep what the next cycle will likely
     * need. The estimate is the most usable bytes this cycle had in
     * blocks in use (what it allocated and the tails its blocks were left
     * with; the first block's included), or half the previous estimate if
     * that is more; blocks are kept, oldest first, until their usable
     * bytes cover it beyond the first block, and the rest are released.
     * So a cycle like the ones before calls no backend, and memory goes
     * back only after cycles that held much less: the estimate halves with
     * each (resets of a one-block arena, inline ones included, count).
     * Within the arena's limit, as every block is. */
    MARENA_RETAIN_ADAPTIVE = 4
} marena_retain_t;

/**
 * marena_reset() with a choice of what memory to keep.
 *
 * @param arena  The arena; NULL does nothing.
 * @param retain What to keep; an unknown value acts as #MARENA_RETAIN_FIRST.
 * @param bytes  The budget for #MARENA_RETAIN_BYTES; ignored otherwise.
 */
MARENA_API void
marena_reset_ex(marena_t *arena, marena_retain_t retain, size_t bytes);
/** @} */

/** @addtogroup marks
 * @{ */
#if MARENA_HAVE_MARKS
/**
 * A position in an arena, to go back to with marena_rewind(). A small value
 * type; treat its fields as private. (Its tag is marena_mark_s, not
 * marena_mark, so that in C++ the function marena_mark() does not hide a
 * struct of the same name: g++ -Wshadow warns about that.)
 */
typedef struct marena_mark_s {
    /** @cond MARENA_INTERNAL */
    void *block;
    uintptr_t cursor;
    size_t used;
    uint64_t serial;
    uint64_t resets;
    /** @endcond */
} marena_mark_t;

/**
 * Where the arena stands now.
 *
 * @param arena The arena; NULL gives a mark no arena accepts.
 */
MARENA_API marena_mark_t
marena_mark(const marena_t *arena);

/**
 * Goes back to @p mark: every allocation made since is forgotten,
 * marena_used() is what it was at the mark, and cleanups registered since
 * run (newest first). Ordinary blocks that came into use after the mark
 * are kept as spares for reuse (marena_reset() releases them); blocks of
 * their own for large requests go back to the backend at once.
 *
 * A mark stays valid, and may be rewound to any number of times (a scope
 * in a loop), until the arena goes back below it. It is invalid (stale)
 * when it is from another arena, from before a reset, or when since it
 * was taken the arena went back below its position: by a rewind to an
 * earlier mark, by marena_pop(), or by a shrinking marena_realloc() of the
 * most recent allocation, even if the arena has advanced past the mark
 * again since (rewinding there would hand out memory that is in use).
 * Rewinding to an invalid mark is an error: debug builds (#MARENA_DEBUG)
 * abort with a message; release builds ignore the call and leave the arena
 * unchanged. Every stale mark is detected while rewound-to marks nest at
 * most 8 deep (a mark rewound to, inside a scope whose mark was rewound
 * to, and so on); beyond that the oldest record is dropped, which can let
 * a stale mark pass, never refuse a valid one.
 *
 * @param arena The arena; NULL does nothing.
 * @param mark  A mark that marena_mark() took of @p arena.
 */
MARENA_API void
marena_rewind(marena_t *arena, marena_mark_t mark);

/** A mark together with its arena: what marena_scope_begin() and
 * marena_scratch_begin() return and marena_scope_end() takes. */
typedef struct marena_scope {
    marena_t *arena;    /**< The arena, NULL when none could be had. */
    marena_mark_t mark; /**< Where it stood at the beginning. */
} marena_scope_t;

/** Begins a scope: a mark of @p arena (which may be NULL). */
MARENA_API marena_scope_t
marena_scope_begin(marena_t *arena);

/** Ends a scope: rewinds its arena to where the scope began. A scope with a
 * NULL arena does nothing. */
MARENA_API void
marena_scope_end(marena_scope_t scope);
#endif /* MARENA_HAVE_MARKS */

#if MARENA_HAVE_SCRATCH
/** Scratch arenas each thread has. */
#define MARENA_SCRATCH_COUNT 2

/**
 * Begins a scope on one of the calling thread's scratch arenas: growing
 * arenas on the default backend, created on first use. The first one that
 * is not among @p conflicts is taken, so a function can use scratch memory
 * while its caller's arena (passed as a conflict) is itself a scratch
 * arena. End the scope with marena_scope_end().
 *
 * @param conflicts Arenas the caller is using; may be NULL when @p count is 0.
 * @param count     How many there are.
 * @returns The scope; its arena is NULL when every scratch arena conflicts
 *          or one could not be created.
 */
MARENA_API marena_scope_t
marena_scratch_begin(marena_t *const *conflicts, size_t count);

/** Destroys the calling thread's scratch arenas (call before the thread
 * exits, or they leak). Scopes on them must have ended. */
MARENA_API void
marena_scratch_release(void);
#endif
/** @} */

/* ------------------------------------------------------------------------
 * Cleanups
 * --------------------------------------------------------------------- */

/** @addtogroup cleanups
 * @{ */

#if MARENA_HAVE_CLEANUPS
/** A cleanup: called with the data it was registered with. */
typedef void (*marena_cleanup_fn)(void *data);

/**
 * Registers @p fn(@p data) to run when the arena is reset, rewound to a
 * mark taken before this call, or destroyed; cleanups run newest first,
 * each once. The record (a few words) is allocated in the arena itself.
 * A cleanup must not use the arena it is registered with.
 *
 * @returns 0, or -1 when @p arena or @p fn is NULL or there is no room for
 *          the record (then nothing is registered).
 */
MARENA_API int
marena_add_cleanup(marena_t *arena, marena_cleanup_fn fn, void *data);
#endif /* MARENA_HAVE_CLEANUPS */
/** @} */

/* ------------------------------------------------------------------------
 * Queries and statistics
 * --------------------------------------------------------------------- */

/** @addtogroup statistics
 * @{ */

/**
 * Bytes the current block can still hand out: an allocation of exactly this
 * many bytes with align 1 succeeds without a new block. Requests with a
 * larger alignment may need padding from these bytes. For a #MARENA_RESERVE
 * arena this counts committed bytes; more of the reservation is committed
 * on demand.
 *
 * @param arena The arena; NULL gives 0.
 */
MARENA_API size_t
marena_remaining(const marena_t *arena);

/**
 * Bytes handed out since creation or the last reset, alignment padding
 * included, across all blocks. For a fixed arena
 * used + remaining == capacity always holds.
 *
 * @param arena The arena; NULL gives 0.
 */
MARENA_API size_t
marena_used(const marena_t *arena);

/**
 * Usable bytes of every block the arena holds (in use or kept as a spare),
 * never counting control block and block headers; committed bytes for a
 * #MARENA_RESERVE arena. For a fixed arena, at least the capacity asked for
 * at creation.
 *
 * @param arena The arena; NULL gives 0.
 */
MARENA_API size_t
marena_capacity(const marena_t *arena);

#if MARENA_HAVE_INTROSPECTION
/**
 * Does @p ptr point into memory the arena has handed out and still holds?
 * That is: into a block in use, below where that block is filled (any
 * byte of an allocation, or of the padding and red zones between them).
 * Memory given back by reset, rewind, marena_pop() or a shrinking realloc
 * of the last allocation is no longer held. O(blocks in use); changes
 * nothing. (LLVM's identifyObject, Zig's ownsPtr.)
 *
 * @param arena The arena; NULL gives 0.
 * @param ptr   Any pointer; NULL gives 0.
 * @returns 1 or 0.
 */
MARENA_API int
marena_owns(const marena_t *arena, const void *ptr);

/** One block in use, as marena_walk() reports it. (Tag marena_block_info_s:
 * see marena_mark_t.) */
typedef struct marena_block_info_s {
    const void *start; /**< its first usable byte */
    size_t filled;     /**< bytes handed out in it, padding included; the filled
                            bytes of all blocks add up to marena_used() */
    size_t size;       /**< its usable bytes (committed, for #MARENA_RESERVE) */
    int is_current;    /**< 1 for the block the cursor is in */
    int is_dedicated;  /**< 1 for a block of its own for one large request */
} marena_block_info_t;

/**
 * Calls @p visit once for every block in use, the current block first,
 * with what marena_block_info_t says of it. Spare blocks (held for reuse,
 * not in use) are not visited. The arena must not be changed from inside
 * @p visit. (bumpalo's iter_allocated_chunks, PostgreSQL's BumpCheck.)
 *
 * @param arena The arena; NULL gives 0 and visits nothing.
 * @param visit Called with @p ctx and the block; a nonzero return stops
 *              the walk. NULL gives 0 and visits nothing.
 * @param ctx   Passed to @p visit.
 * @returns The first nonzero value @p visit returned, else 0.
 */
MARENA_API int
marena_walk(const marena_t *arena,
            int (*visit)(void *ctx, const marena_block_info_t *block), void *ctx);
#endif /* MARENA_HAVE_INTROSPECTION */
/** @} */

/** @addtogroup errors
 * @{ */
#if MARENA_HAVE_ERRORS
/** Why a call failed: what marena_last_error() returns. */
typedef enum marena_error {
    /** No call on the arena has failed yet. */
    MARENA_OK = 0,
    /** Bad input: size 0, an alignment that is not a power of two, a
     * count * size that overflows, a pointer that is not the arena's (also
     * marena_pop() returning 0), a limit below what is held, a format
     * that does not encode. (A size no block can hold is #MARENA_EFULL in
     * a fixed arena, #MARENA_ENOMEM in a growing one.) */
    MARENA_EINVAL = 1,
    /** A fixed arena, or a reservation, has no room for it. */
    MARENA_EFULL = 2,
    /** Growing or committing for it would pass the arena's limit. */
    MARENA_ELIMIT = 3,
    /** The backend refused (or broke its contract), or no block could be
     * that large. */
    MARENA_ENOMEM = 4
} marena_error_t;

/**
 * The reason the arena's most recent failed call failed (bumpalo's
 * AllocErr). It is set only when a call fails, before on_oom is called (so
 * on_oom can read it), and kept until another call fails; a successful
 * call leaves it alone. Calls with a NULL string, format or function,
 * which do not count as failed requests (marena_stats_t::failed), do not
 * set it either. Costs the inline fast path nothing.
 *
 * @param arena The arena; NULL gives #MARENA_OK.
 */
MARENA_API marena_error_t
marena_last_error(const marena_t *arena);

/**
 * A message for @p error, e.g. "the arena is full"; "unknown error" for a
 * value that is none of marena_error_t's. The string is static.
 */
MARENA_API const char *
marena_strerror(marena_error_t error);
#endif /* MARENA_HAVE_ERRORS */
/** @} */

/** @addtogroup statistics
 * @{ */
#if MARENA_HAVE_STATS
/** What marena_stats() reports. (Tag marena_stats_s: see marena_mark_t.) */
typedef struct marena_stats_s {
    size_t used;          /**< marena_used() */
    size_t capacity;      /**< marena_capacity() */
    size_t peak;          /**< highest used since creation; reset does not lower it */
    size_t allocations;   /**< successful allocations since creation */
    size_t blocks;        /**< blocks held, in use or spare */
    size_t spare_blocks;  /**< of those, kept for reuse and not in use */
    size_t backend_bytes; /**< bytes held from the backend, headers included
                               (committed bytes for #MARENA_RESERVE) */
    size_t backend_calls; /**< acquire/release/reserve/commit/decommit calls */
    size_t failed;        /**< allocation requests answered with NULL (bad
                               sizes and alignments included; calls with a
                               NULL string, format or function are not) */
    size_t reserved[3];   /**< zero; room for future fields */
} marena_stats_t;

/**
 * Fills @p out with the arena's statistics. Counters saturate at
 * UINT32_MAX where the arena keeps them in 32 bits (backend_calls, failed).
 *
 * @param arena The arena; NULL fills zeros.
 * @param out   Where to write; NULL does nothing.
 */
MARENA_API void
marena_stats(const marena_t *arena, marena_stats_t *out);

#if MARENA_HAVE_STDIO
/**
 * Formats the arena's statistics for humans, e.g.
 * "used 1.2K of 64K in 3 blocks (1 spare), peak 40K; 120 allocations,
 * 0 failed; backend 64K, 5 calls". Sizes use libbsd's humanize_number()
 * when the build has libbsd, and a similar built-in format otherwise.
 *
 * @param arena  The arena; NULL formats zeros.
 * @param buffer Where to write; may be NULL when @p size is 0.
 * @param size   Its size; the text is truncated (and NUL-terminated) to fit.
 * @returns The length of the full text, as snprintf() returns it.
 */
MARENA_API size_t
marena_stats_format(const marena_t *arena, char *buffer, size_t size);
#endif
#endif /* MARENA_HAVE_STATS */
/** @} */

/* ------------------------------------------------------------------------
 * Concurrent arenas
 * --------------------------------------------------------------------- */

/** @addtogroup concurrent
 * @{ */

#if MARENA_HAVE_CONCURRENT
/**
 * A concurrent arena (struct marena_concurrent): an arena that many
 * threads may allocate from at once, without locks: allocation is a
 * compare-and-swap on the current block's cursor (C11 atomics), and with
 * #MARENA_GROW a full block is replaced by a new one that the thread which
 * noticed installs with another compare-and-swap; no thread waits for
 * another (only a backend call may block). The ordinary marena_t has no
 * atomics at all. Opaque.
 *
 * Which to use when several threads allocate:
 * - one ordinary arena per thread, when each thread's memory lives and
 *   dies with that thread: no sharing, nothing to coordinate;
 * - child arenas of a concurrent arena (#marena_backend_concurrent), when
 *   the threads' allocations must all go at once (one reset or destroy for
 *   every thread's memory): each thread allocates at single-thread speed
 *   in its own arena, and takes one block at a time from the shared arena;
 * - the concurrent arena itself, for a few allocations from many threads,
 *   or when threads cannot each keep an arena: every allocation is an
 *   atomic operation on a cache line that all threads share.
 */
typedef struct marena_concurrent marena_concurrent_t;

/**
 * Creates a concurrent arena, as marena_create_ex() would create an
 * ordinary one, whose first block has at least block_size bytes of
 * capacity (its own small record is allocated on top).
 *
 * Without #MARENA_GROW it is that one block. With it, a thread whose
 * request does not fit takes a new block (double the current one's
 * usable bytes, up to max_block_size; a request larger than that gets a
 * block of its own) from a block kept at the last reset, or from the
 * backend, within the limit, which racing threads never pass together. A
 * thread that loses the race to install its block allocates in the
 * winner's and keeps its own as the next spare. The backend is then called
 * from whichever thread grows the arena, so it must be thread-safe (the
 * heap and mmap backends are). #MARENA_WIPE zeroes what was handed out at
 * reset and destroy.
 *
 * @param options As for marena_create_ex(); NULL means all defaults.
 * @returns The arena, or NULL for the reasons marena_create_ex() gives,
 *          and when: #MARENA_RESERVE is set (not supported); a buffer is
 *          too small for the record plus one byte.
 */
MARENA_API marena_concurrent_t *
marena_concurrent_create(const marena_options_t *options);

/**
 * Destroys it: every block goes back to the backend (the first block as
 * marena_destroy() gives it back), after a wipe with #MARENA_WIPE. No
 * thread may be allocating, and child arenas must be destroyed (or
 * abandoned) first. NULL does nothing.
 */
MARENA_API void
marena_concurrent_destroy(marena_concurrent_t *arena);

/**
 * Allocates @p size bytes aligned to @p align; safe to call from any number
 * of threads at once, lock-free. NULL for the same inputs as
 * marena_alloc_aligned(), and when the arena cannot serve the request (a
 * full block without #MARENA_GROW; the limit; the backend failed). A
 * failed call changes nothing but the failure count.
 */
MARENA_API void *
marena_concurrent_alloc(marena_concurrent_t *arena, size_t size, size_t align);

/**
 * Forgets every allocation, child arenas' blocks included. Keeps the first
 * block and every other block the cycle since the last reset used (for
 * the next cycle, in the order they were used: a cycle like the last one,
 * e.g. children of the same sizes, calls no backend), and gives back the
 * blocks kept at the last reset that this cycle did not need. A kept
 * block serves any request it fits, whatever the limit (its bytes are
 * held already). No thread may be allocating, and child
 * arenas must be destroyed or abandoned first (their memory is gone). NULL
 * does nothing.
 */
MARENA_API void
marena_concurrent_reset(marena_concurrent_t *arena);

/** Bytes handed out, padding included (child arenas' blocks count whole);
 * NULL gives 0. */
MARENA_API size_t
marena_concurrent_used(const marena_concurrent_t *arena);

/** Usable bytes of the blocks it holds, in use or kept; NULL gives 0. */
MARENA_API size_t
marena_concurrent_capacity(const marena_concurrent_t *arena);

#if MARENA_HAVE_STATS
/**
 * Fills @p out with the arena's statistics, as marena_stats() does for an
 * ordinary arena: used, capacity, peak (highest used since creation),
 * blocks and spare_blocks (kept at a reset, not in use), backend_bytes
 * (never above the limit), backend_calls and failed. allocations is 0:
 * counting them would cost every allocation a second atomic operation on
 * a shared cache line. Safe while threads allocate, when it is a snapshot
 * that each figure may take at a slightly different moment.
 *
 * @param arena The arena; NULL fills zeros.
 * @param out   Where to write; NULL does nothing.
 */
MARENA_API void
marena_concurrent_stats(const marena_concurrent_t *arena, marena_stats_t *out);
#endif

/**
 * A backend whose blocks are allocations of a concurrent arena: its
 * context is the #marena_concurrent_t. An ordinary arena on it, a child,
 * e.g. `marena_create_ex()` with this backend, the concurrent arena as
 * backend_ctx and #MARENA_GROW, allocates with the ordinary inline fast
 * path (no atomic operation per allocation), and takes each block from
 * the shared arena with one atomic operation (more only when the shared
 * arena grows). All the single-thread API works in a child; a child is
 * used by one thread at a time.
 *
 * A child's blocks belong to the shared arena: destroying or resetting a
 * child gives nothing back (release is NULL), and the shared arena's reset
 * or destroy frees every child's memory at once. So a child must be
 * destroyed, or abandoned, before its shared arena is reset or destroyed,
 * and never used after. A debug build (#MARENA_DEBUG) checks this
 * wherever a child enters the library (anything but the inline allocation
 * and reset, which cannot check it): each block it takes carries the
 * shared arena's count of resets, and a child created before the last
 * reset aborts with a message. After the shared arena's destroy the
 * child's memory is gone, and nothing can be checked reliably (ASan can).
 * Under Valgrind (the valgrind build option), memcheck reports the
 * allocations of a child that was abandoned rather than destroyed as
 * leaks: destroy children to keep its report clean.
 */
MARENA_API extern const marena_backend_t marena_backend_concurrent;
#endif
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* MARENA_H */
