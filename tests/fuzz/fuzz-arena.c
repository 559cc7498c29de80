/* SPDX-License-Identifier: MIT */
/*
 * fuzz-arena: a libFuzzer target that turns its input into one part of the
 * library (an arena of some kind, the concurrent arena, or a run of hostile
 * creations), drives it through a sequence of operations decoded from the
 * input, and checks every result against a reference model. See README.md
 * next to this file for the input format and what is checked.
 *
 * Built with -fsanitize=fuzzer it is `fuzz-arena`; built with
 * -DFUZZ_STANDALONE it is `fuzz-replay`, a plain program that runs the
 * files (or the files in the directories) given on its command line
 * through the same LLVMFuzzerTestOneInput(), for gcc, Valgrind and MSan.
 *
 * No GLib here: MSan builds run it, and GLib is not instrumented.
 *
 * Input format (the seed corpus in corpus/ is written in it):
 *   8 bytes of configuration (see create_arena()), 3 more for the parts of
 *   kind 3 (see create_part()), then operations, each an opcode byte
 *   (kind = byte % 16, variant = byte / 16) followed by the operands that
 *   kind reads. Reads past the end of the input give 0.
 */
/* scandir(); mmap()'s MAP_ANONYMOUS and madvise() for reservations. */
#define _DEFAULT_SOURCE 1

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_STANDALONE
#include <dirent.h>
#endif

#include "marena.h"
/* The library's private block layout, for the size of a block header (the
 * bytes before an ordinary block's usable memory) and a block's serial
 * (when it came into use); layout.h is standalone. */
#include "layout.h"

/* Reservations of the harness's own: PROT_NONE pages that fault when the
 * arena touches what it has not committed (meson checks for mmap). */
#ifndef FUZZ_HAVE_MMAP
#define FUZZ_HAVE_MMAP 0
#endif
#if FUZZ_HAVE_MMAP
#include <sys/mman.h>
#include <unistd.h>
#endif

/* Memcheck's client requests, to take back memory the arena marked
 * inaccessible before the backend reads it (no-ops outside Valgrind). */
#ifndef FUZZ_HAVE_MEMCHECK
#define FUZZ_HAVE_MEMCHECK 0
#endif
#if FUZZ_HAVE_MEMCHECK
#include <valgrind/memcheck.h>
#endif

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define FUZZ_MSAN 1
#endif
#endif
#ifndef FUZZ_MSAN
#define FUZZ_MSAN 0
#endif
#if FUZZ_MSAN
#include <sanitizer/msan_interface.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#ifndef FUZZ_ASAN
#define FUZZ_ASAN 0
#endif
#if FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* The harness's checking code carries no coverage instrumentation: its
 * comparisons teach the fuzzer nothing (the library's and the decoder's
 * branches do) and its byte loops would cost most of the fuzzer's time. */
#if defined(__clang__) && defined(__has_attribute)
#if __has_attribute(no_sanitize) && __clang_major__ >= 13
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#endif
#endif
#ifndef FUZZ_NO_COVERAGE
#define FUZZ_NO_COVERAGE
#endif

/* The library's redzone build option: bytes a tracked arena leaves after
 * each allocation (meson passes it). */
#ifndef FUZZ_REDZONE
#define FUZZ_REDZONE 0
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ------------------------------------------------------------------ limits */

#define MAX_LIVE 256                         /* allocations the model tracks */
#define MAX_MARKS 8                          /* marks and scopes held at once */
#define MAX_STALE 8                          /* stale marks kept (release builds) */
#define MAX_CLEANUPS 64                      /* cleanups registered per input */
#define MAX_BLOCKS 4096                      /* blocks the recording backend has out */
#define MAX_SCRATCH_LIVE 64                  /* scratch allocations tracked */
#define MAX_SCRATCH_SCOPES 8                 /* scratch scopes open at once */
#define BACKEND_MAX_BLOCK ((size_t)16 << 20) /* larger acquires fail */
#define BACKEND_CAP ((size_t)24 << 20)       /* total the backend gives */
#define RESERVE_MAX ((size_t)16 << 20)       /* larger reservations fail */
#define BLIND_LIMIT ((size_t)24 << 20)       /* limit on an unseen real backend */
#define STATIC_BUFFER 16384                  /* largest fixed buffer */
#define VERIFY_WHOLE 4096 /* allocations up to this are checked whole */
#define VERIFY_EDGE 2048  /* larger ones: this many bytes at each end */
#define BACKEND_FILL 0xA5 /* fresh backend blocks and buffers hold this */

#define ALIGN_DOWN(x) ((x) & ~(uintptr_t)(MARENA_ALIGNMENT - 1))
#define ROUND_UP(n, a) (((n) + (a)-1) & ~(size_t)((a)-1))
#define BLOCK_HEADER ROUND_UP(sizeof(struct marena_block), MARENA_ALIGNMENT)
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* ------------------------------------------------------------------ state */

struct live {
    uintptr_t addr;
    size_t size;  /* its size now */
    size_t psize; /* the size its pattern was written for */
    uint32_t id;  /* also its creation sequence number */
};

struct snap_entry {
    uint32_t id;
    size_t size;
};

struct mark_state {
    marena_mark_t mark;
    marena_scope_t scope;
    int is_scope;
    size_t used;      /* marena_used() when taken */
    uint32_t next_id; /* allocations with ids from here came later */
    size_t npending;  /* cleanups registered before it */
    size_t nsnap;
    struct snap_entry snap[MAX_LIVE]; /* live allocations then */
};

/* Where the recording backend's memory comes from. */
enum source {
    SOURCE_CACHE,   /* malloc(), with a cache of blocks under the sanitizers */
    SOURCE_HEAP,    /* marena_backend_heap */
    SOURCE_MMAP,    /* marena_backend_mmap (reservations too) */
    SOURCE_GUARDED, /* marena_backend_mmap_guarded */
    SOURCE_PAGES    /* reservations: the harness's own PROT_NONE pages */
};

/* How a misbehaving backend call misbehaves. */
enum lie {
    LIE_NONE,
    LIE_FAIL,       /* NULL (a commit: nonzero) */
    LIE_SHORT,      /* granted < size */
    LIE_MISALIGNED, /* a block not aligned to MARENA_ALIGNMENT */
    LIE_WRAP        /* block + granted wraps the address space */
};

struct rblock {
    uintptr_t addr;   /* what the arena was given */
    size_t size;      /* the size it was told it got */
    void *memory;     /* the source's block, */
    size_t room;      /* and its size there */
    size_t committed; /* a reservation: bytes committed from addr */
    size_t touched;   /* a reservation: most bytes ever committed */
    int reservation;
    int lie;  /* broke the contract: the arena must give it back at once */
    int keep; /* MARENA_RETAIN_BYTES should keep it (op_reset) */
};

/* The recording backend: every block it has out, and how it misbehaves.
 * Calls to acquire, reserve and commit are numbered from 0; call n
 * misbehaves (as `how` says) when n % every == phase, or when
 * n + 1 == once. */
struct recorder {
    enum source source;         /* memory for acquire */
    enum source reserve_source; /* memory for reserve */
    size_t extra;               /* granted beyond the request */
    unsigned every, phase, once;
    enum lie how;
    size_t faultable; /* acquire, reserve and commit calls so far */
    size_t calls;     /* every call */
    size_t nblocks;
    size_t bytes_out;  /* granted, and committed for reservations */
    size_t lies_out;   /* blocks that broke the contract, still out */
    uintptr_t control; /* the block that holds an arena's control block */
};

struct observed {
    size_t used, remaining, capacity;
    uintptr_t cursor; /* where the arena stands */
    uintptr_t base;   /* where its current block's usable bytes start */
    size_t faultable; /* the recorder's misbehaviour counter then */
    marena_stats_t stats;
};

struct scratch_scope {
    marena_scope_t scope;
    int slot;          /* in S.scratch; -1: no arena */
    size_t used;       /* marena_used() at the beginning */
    uint32_t first_id; /* scratch allocations from this id on are its own */
};

static struct state {
    /* input */
    const uint8_t *in;
    size_t in_left;
    unsigned op_index;

    /* the arena */
    marena_t *arena;
    unsigned flags;
    size_t limit;        /* 0: none */
    int blind;           /* on a real backend directly: its blocks are unseen */
    uintptr_t buf_start; /* a caller buffer as first block; 0: none */
    size_t buf_size;
    uintptr_t first_end; /* usable end of the first block (not a reservation) */
    size_t initial_capacity;
    size_t first_held; /* backend bytes of the first block */
    size_t max_block;  /* the growth cap the arena applies */
    size_t redzone;    /* bytes after each allocation (tracked arenas) */

    /* the model */
    size_t nlive;
    uint32_t next_id;
    size_t allocations; /* expected stats.allocations */
    size_t failed;      /* expected stats.failed */
    size_t peak;        /* highest stats.peak seen */
    size_t nmarks;
    size_t nstale;

    /* cleanups */
    unsigned cl_calls[MAX_CLEANUPS];
    unsigned cl_order[MAX_CLEANUPS];
    unsigned call_clock;
    unsigned expected_calls;
    size_t npending;
    size_t nregistered;

    struct recorder rec;

    /* scratch arenas */
    marena_t *scratch[2];
    size_t nscopes;
    size_t nscratch_live;
    uint32_t scratch_next_id;

    /* the concurrent arena */
    uintptr_t cc_base, cc_cursor, cc_end;
    uintptr_t cc_wiped; /* MARENA_WIPE: [cc_base, cc_wiped) must read 0 */

    /* another arena, for foreign pointers and marks (release builds) */
    marena_t *other;

    /* Arrays whose used part the counts above give: not cleared per input. */
    struct live live[MAX_LIVE];
    struct mark_state marks[MAX_MARKS];
    marena_mark_t stale[MAX_STALE];
    size_t pending[MAX_CLEANUPS];       /* slots, oldest first */
    uintptr_t record_end[MAX_CLEANUPS]; /* by slot: where its record ends */
    struct rblock blocks[MAX_BLOCKS];
    struct scratch_scope scopes[MAX_SCRATCH_SCOPES];
    struct live scratch_live[MAX_SCRATCH_LIVE];
    int scratch_slot[MAX_SCRATCH_LIVE];
} S;

/* A static buffer for fixed arenas; max_align_t-aligned so offsets decide
 * the misalignment. */
static union {
    max_align_t align;
    unsigned char bytes[STATIC_BUFFER + 64];
} static_buffer;

/* ------------------------------------------------------------------ checks */

static void
fail_check(const char *what, int line)
{
    fprintf(stderr, "fuzz-arena: check failed at line %d, operation %u: %s\n", line,
            S.op_index, what);
    abort();
}

#define CHECK(cond) \
    do { \
        if (!(cond)) \
            fail_check(#cond, __LINE__); \
    } while (0)

#ifdef FUZZ_STANDALONE
/* FUZZ_TRACE=1 in the environment: print each operation (fuzz-replay). */
static int trace;
static const char *const op_names[16] = {
    "alloc_aligned", "alloc", "calloc", "reset",         "mark",    "rewind",
    "realloc",       "pop",   "strdup", "memdup",        "sprintf", "cleanup",
    "remaining",     "query", "more",   "realloc_other",
};
#endif

/* ------------------------------------------------------------------ input */

static unsigned
get8(void)
{
    if (S.in_left == 0)
        return 0;
    S.in_left--;
    return *S.in++;
}

static unsigned
get16(void)
{
    unsigned low = get8();

    return low | get8() << 8;
}

#if MARENA_HAVE_STDIO
static uint32_t
get32(void)
{
    uint32_t low = get16();

    return low | (uint32_t)get16() << 16;
}
#endif

/* ------------------------------------------------------------------ patterns */

/* Allocation contents: byte i of allocation `id` is pattern_base[i % period]
 * XOR a key of the id. XOR lets fill and verify work on 8 bytes at once
 * (the table repeats its first 8 bytes at its end for that); the table is
 * pseudo-random, so shifted or swapped contents do not match. */
#define PATTERN_PERIOD 8192
static unsigned char pattern_base[PATTERN_PERIOD + 8];

static void
init_pattern(void)
{
    uint32_t x = 2463534242u;

    for (size_t i = 0; i < PATTERN_PERIOD; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        pattern_base[i] = (unsigned char)(x >> 24);
    }
    memcpy(pattern_base + PATTERN_PERIOD, pattern_base, 8);
}

static unsigned char
pattern_byte(size_t i)
{
    return pattern_base[i % PATTERN_PERIOD];
}

static uint64_t
pattern_key(uint32_t id)
{
    return 0x0101010101010101u * (unsigned char)(id * 167u + 1u);
}

FUZZ_NO_COVERAGE static void
fill_range(unsigned char *p, size_t from, size_t to, uint64_t key)
{
    size_t i = from;

    for (; i + 8 <= to; i += 8) {
        uint64_t word;

        memcpy(&word, pattern_base + (i & (PATTERN_PERIOD - 1)), 8);
        word ^= key;
        memcpy(p + i, &word, 8);
    }
    for (size_t tail = to - i; tail > 0; tail--, i++) /* fewer than 8 */
        p[i] = pattern_byte(i) ^ (unsigned char)key;
}

FUZZ_NO_COVERAGE static void
verify_range(const unsigned char *p, size_t from, size_t to, uint64_t key)
{
    size_t i = from;

    for (; i + 8 <= to; i += 8) {
        uint64_t word, expected;

        memcpy(&word, p + i, 8);
        memcpy(&expected, pattern_base + (i & (PATTERN_PERIOD - 1)), 8);
        if ((word ^ expected) != key)
            break; /* report it below */
    }
    for (; i < to; i++)
        if (p[i] != (pattern_byte(i) ^ (unsigned char)key))
            fail_check("contents of a live allocation changed", __LINE__);
}

/* Allocations up to VERIFY_WHOLE bytes are patterned and checked whole,
 * larger ones VERIFY_EDGE bytes at each end. */
FUZZ_NO_COVERAGE static void
fill(struct live *l)
{
    unsigned char *p = (unsigned char *)l->addr;
    uint64_t key = pattern_key(l->id);

    if (l->size <= VERIFY_WHOLE) {
        fill_range(p, 0, l->size, key);
    } else {
        fill_range(p, 0, VERIFY_EDGE, key);
        fill_range(p, l->size - VERIFY_EDGE, l->size, key);
    }
    l->psize = l->size;
}

/* Checks that the patterned bytes [from, limit) of l hold l's pattern when
 * l starts at `at` (its own address, or where a realloc copied it from
 * byte `from` on). */
FUZZ_NO_COVERAGE static void
verify_bytes(const struct live *l, uintptr_t at, size_t from, size_t limit)
{
    const unsigned char *p = (const unsigned char *)at;
    size_t n = MIN(limit, l->psize);
    uint64_t key = pattern_key(l->id);

    if (l->psize <= VERIFY_WHOLE) {
        verify_range(p, from, n, key);
        return;
    }
    if (from < VERIFY_EDGE)
        verify_range(p, from, MIN(n, VERIFY_EDGE), key);
    if (n > l->psize - VERIFY_EDGE)
        verify_range(p, from > l->psize - VERIFY_EDGE ? from : l->psize - VERIFY_EDGE, n,
                     key);
}

/* Every live allocation's patterned bytes (the arena's and the scratch
 * arenas'). */
FUZZ_NO_COVERAGE static void
verify_all(void)
{
    for (size_t i = 0; i < S.nlive; i++)
        verify_bytes(&S.live[i], S.live[i].addr, 0, S.live[i].size);
    for (size_t i = 0; i < S.nscratch_live; i++)
        verify_bytes(&S.scratch_live[i], S.scratch_live[i].addr, 0,
                     S.scratch_live[i].size);
}

/* The first and last VERIFY_NEAR bytes of every live allocation: where an
 * overrun from a neighbour lands. After every operation; verify_all()
 * runs every VERIFY_ALL_EVERY operations, before allocations are given
 * back in bulk, and at the end. */
#define VERIFY_NEAR 32
#define VERIFY_ALL_EVERY 8

FUZZ_NO_COVERAGE static void
verify_near(const struct live *l)
{
    const unsigned char *p = (const unsigned char *)l->addr;
    uint64_t key = pattern_key(l->id);
    size_t n = MIN(l->size, l->psize);

    if (n <= 2 * VERIFY_NEAR) {
        verify_range(p, 0, n, key);
    } else {
        verify_range(p, 0, VERIFY_NEAR, key);
        verify_range(p, n - VERIFY_NEAR, n, key);
    }
}

FUZZ_NO_COVERAGE static void
verify_edges(void)
{
    for (size_t i = 0; i < S.nlive; i++)
        verify_near(&S.live[i]);
    for (size_t i = 0; i < S.nscratch_live; i++)
        verify_near(&S.scratch_live[i]);
}

/* Memory that must read as zero: calloc results, and what a wiping
 * concurrent arena handed out before a reset (the same bytes
 * verify_bytes() looks at). */
FUZZ_NO_COVERAGE static void
check_zeroed(const unsigned char *p, size_t bytes)
{
    size_t head = bytes <= VERIFY_WHOLE ? bytes : VERIFY_EDGE;

    for (size_t i = 0; i < head; i++)
        if (p[i] != 0)
            fail_check("memory that should be zero is not", __LINE__);
    for (size_t i = bytes <= VERIFY_WHOLE ? bytes : bytes - VERIFY_EDGE; i < bytes; i++)
        if (p[i] != 0)
            fail_check("memory that should be zero is not", __LINE__);
}

/* ------------------------------------------------------------------ memory */

FUZZ_NO_COVERAGE static int
wiping(void)
{
    return (S.flags & MARENA_WIPE) && !FUZZ_MSAN;
}

/* With MARENA_WIPE, memory the arena gives back holds only zeros and the
 * fill byte: no data the program put there survives. */
FUZZ_NO_COVERAGE static void
check_wiped(uintptr_t from, uintptr_t to)
{
    const unsigned char *p = (const unsigned char *)from;
    const uint64_t fill8 = 0x0101010101010101u * BACKEND_FILL;
    size_t n = to > from ? (size_t)(to - from) : 0, i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t word;

        memcpy(&word, p + i, 8);
        if (word != 0 && word != fill8)
            break; /* a mix, or something else: byte by byte */
    }
    for (; i < n; i++)
        if (p[i] != 0 && p[i] != BACKEND_FILL)
            fail_check("MARENA_WIPE arena gave back memory that was not wiped", __LINE__);
}

/* Fresh memory from a backend or a commit: not zero, so that calloc has
 * something to do, and known, so that the wipe check can tell what the
 * arena wrote: the whole block with MARENA_WIPE, its start otherwise (the
 * cost of large blocks). Memory that comes as new zero pages (mmap, a
 * commit) holds nothing the wipe check could mistake: its start only, which
 * spares the page faults. Under MSan it stays uninitialised, for MSan to
 * watch. */
FUZZ_NO_COVERAGE static void
fill_fresh(void *memory, size_t size, int zero_pages)
{
#if FUZZ_MSAN
    (void)zero_pages;
    __msan_allocated_memory(memory, size);
#else
    memset(memory, BACKEND_FILL,
           ((S.flags & MARENA_WIPE) && !zero_pages) || size < 4096 ? size : 4096);
#endif
}

/* Memory the arena gave back to the backend, which the sanitizers and
 * memcheck may still see as the arena's (a decommitted range, a
 * reservation before it is unmapped): the backend's own again. */
FUZZ_NO_COVERAGE static void
own_memory(uintptr_t from, uintptr_t to)
{
#if FUZZ_ASAN
    ASAN_UNPOISON_MEMORY_REGION((void *)from, to - from);
#endif
#if FUZZ_HAVE_MEMCHECK
    (void)VALGRIND_MAKE_MEM_DEFINED((void *)from, to - from);
#endif
    (void)from;
    (void)to;
}

/* Does `arena` leave a red zone after each allocation? A tracked arena
 * (ASan, Valgrind) traps the inline fast path: head.end == head.cursor
 * while it still has room (marena_head.h is the public part of the
 * layout). */
FUZZ_NO_COVERAGE static size_t
redzone_of(const marena_t *arena)
{
    const struct marena_head *head = (const struct marena_head *)(const void *)arena;

    return head->end == head->cursor && marena_remaining(arena) != 0 ? FUZZ_REDZONE : 0;
}

/*
 * Memory for the recording backend's blocks (SOURCE_CACHE). Under a
 * sanitizer, released blocks are kept for reuse: the sanitizers'
 * allocators map and unmap large chunks (and their shadow) on every
 * malloc/free, which made the fuzzer several times slower. ASan still sees
 * a block the arena uses after giving it back: a kept block is poisoned
 * until it is handed out again. MSan sees a reused block as uninitialised,
 * like fresh memory. Other builds (gcc, Valgrind) use malloc() and free()
 * directly.
 */
#if FUZZ_MSAN || FUZZ_ASAN
#define BLOCK_CACHE 32
static struct {
    void *memory;
    size_t room;
} block_cache[BLOCK_CACHE];
static size_t block_cached;
#endif

static void *
block_get(size_t size, size_t *room)
{
#ifdef BLOCK_CACHE
    for (size_t i = 0; i < block_cached; i++) {
        if (block_cache[i].room >= size && block_cache[i].room / 2 <= size) {
            void *memory = block_cache[i].memory;

            *room = block_cache[i].room;
            block_cache[i] = block_cache[--block_cached];
#if FUZZ_ASAN
            ASAN_UNPOISON_MEMORY_REGION(memory, *room);
#endif
#if FUZZ_MSAN
            __msan_allocated_memory(memory, *room);
#endif
            return memory;
        }
    }
#endif
    *room = size;
    return malloc(size);
}

static void
block_put(void *memory, size_t room)
{
#ifdef BLOCK_CACHE
    if (block_cached < BLOCK_CACHE) {
#if FUZZ_ASAN
        ASAN_POISON_MEMORY_REGION(memory, room);
#endif
        block_cache[block_cached].memory = memory;
        block_cache[block_cached].room = room;
        block_cached++;
        return;
    }
#else
    (void)room;
#endif
    free(memory);
}

#if FUZZ_HAVE_MMAP
static size_t
page_size(void)
{
    long size = sysconf(_SC_PAGESIZE);

    return size > 0 ? (size_t)size : 4096;
}
#endif

/* ------------------------------------------------------------------ sources */

/* A block of at least `size` bytes from the recorder's source; *room is
 * its real size, *honest what an honest backend reports. */
static void *
source_acquire(size_t size, size_t *room, size_t *honest)
{
    void *memory;

    switch (S.rec.source) {
#if MARENA_HAVE_HEAP_BACKEND
    case SOURCE_HEAP:
        memory = marena_backend_heap.acquire(NULL, size, room);
        break;
#endif
#if MARENA_HAVE_MMAP_BACKEND
    case SOURCE_MMAP:
        memory = marena_backend_mmap.acquire(NULL, size, room);
        break;
    case SOURCE_GUARDED:
        memory = marena_backend_mmap_guarded.acquire(NULL, size, room);
        break;
#endif
    default:
        memory = block_get(size, room);
        *honest = size; /* a kept block may be larger: the rest is not told */
        return memory;
    }
    *honest = *room;
    return memory;
}

/* A reservation of at least `size` bytes (PROT_NONE until committed). */
static void *
source_reserve(size_t size, size_t *room, size_t *honest)
{
#if MARENA_HAVE_MMAP_BACKEND
    if (S.rec.reserve_source == SOURCE_MMAP) {
        void *memory = marena_backend_mmap.reserve(NULL, size, room);

        *honest = *room;
        return memory;
    }
#endif
#if FUZZ_HAVE_MMAP
    {
        size_t length = ROUND_UP(size, page_size());
        void *memory = mmap(NULL, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (memory == MAP_FAILED)
            return NULL;
        *room = length;
        *honest = size; /* not page-rounded: the odd end is the arena's to respect */
        return memory;
    }
#else
    (void)size;
    (void)room;
    (void)honest;
    return NULL;
#endif
}

static int
source_commit(uintptr_t addr, size_t size)
{
#if MARENA_HAVE_MMAP_BACKEND
    if (S.rec.reserve_source == SOURCE_MMAP)
        return marena_backend_mmap.commit(NULL, (void *)addr, size);
#endif
#if FUZZ_HAVE_MMAP
    return mprotect((void *)addr, size, PROT_READ | PROT_WRITE);
#else
    (void)addr;
    (void)size;
    return -1;
#endif
}

static void
source_decommit(uintptr_t addr, size_t size)
{
#if MARENA_HAVE_MMAP_BACKEND
    if (S.rec.reserve_source == SOURCE_MMAP) {
        marena_backend_mmap.decommit(NULL, (void *)addr, size);
        return;
    }
#endif
#if FUZZ_HAVE_MMAP
    madvise((void *)addr, size, MADV_DONTNEED);
    mprotect((void *)addr, size, PROT_NONE);
#else
    (void)addr;
    (void)size;
#endif
}

static void
source_release(const struct rblock *b)
{
    if (b->reservation) {
        /* ASan keeps the shadow of what the arena poisoned: clear it
         * before the pages can come back as some other mapping. */
        own_memory((uintptr_t)b->memory, (uintptr_t)b->memory + b->touched);
#if MARENA_HAVE_MMAP_BACKEND
        if (S.rec.reserve_source == SOURCE_MMAP) {
            marena_backend_mmap.release(NULL, b->memory, b->room);
            return;
        }
#endif
#if FUZZ_HAVE_MMAP
        munmap(b->memory, b->room);
#endif
        return;
    }
    switch (S.rec.source) {
#if MARENA_HAVE_HEAP_BACKEND
    case SOURCE_HEAP:
        marena_backend_heap.release(NULL, b->memory, b->room);
        break;
#endif
#if MARENA_HAVE_MMAP_BACKEND
    case SOURCE_MMAP:
        marena_backend_mmap.release(NULL, b->memory, b->room);
        break;
    case SOURCE_GUARDED:
        marena_backend_mmap_guarded.release(NULL, b->memory, b->room);
        break;
#endif
    default:
        block_put(b->memory, b->room);
        break;
    }
}

/* The recorder's memory for acquire: e1 bits 0-1 of create_part(). */
static enum source
available_source(unsigned choice)
{
    switch (choice & 3) {
#if MARENA_HAVE_HEAP_BACKEND
    case 1:
        return SOURCE_HEAP;
#endif
#if MARENA_HAVE_MMAP_BACKEND
    case 2:
        return SOURCE_MMAP;
    case 3:
        return SOURCE_GUARDED;
#endif
    default:
        return SOURCE_CACHE;
    }
}

/* 0 heap, 1 mmap, 2 guarded mmap; NULL (the default backend, if any) for
 * the others and for those the build lacks. */
static const marena_backend_t *
real_backend(unsigned choice)
{
    switch (choice & 3) {
#if MARENA_HAVE_HEAP_BACKEND
    case 0:
        return &marena_backend_heap;
#endif
#if MARENA_HAVE_MMAP_BACKEND
    case 1:
        return &marena_backend_mmap;
    case 2:
        return &marena_backend_mmap_guarded;
#endif
    default:
        return NULL;
    }
}

/* ------------------------------------------------------------------ backend */

FUZZ_NO_COVERAGE static int
misbehaves(size_t n)
{
    return (S.rec.every != 0 && n % S.rec.every == S.rec.phase) ||
           (S.rec.once != 0 && n + 1 == S.rec.once);
}

/* How the next acquire, reserve or commit call behaves (and counts it). */
FUZZ_NO_COVERAGE static enum lie
misbehaviour(void)
{
    return misbehaves(S.rec.faultable++) ? S.rec.how : LIE_NONE;
}

/* May a call after `faultable` calls misbehave? */
FUZZ_NO_COVERAGE static int
may_misbehave(size_t faultable)
{
    return S.rec.every != 0 || S.rec.once > faultable;
}

FUZZ_NO_COVERAGE static size_t
find_block(uintptr_t addr)
{
    for (size_t i = 0; i < S.rec.nblocks; i++)
        if (S.blocks[i].addr == addr)
            return i;
    fail_check("the arena gave back a block the backend does not have out", __LINE__);
    return 0;
}

/* The one honest reservation out, or NULL. */
FUZZ_NO_COVERAGE static struct rblock *
reservation(void)
{
    for (size_t i = 0; i < S.rec.nblocks; i++)
        if (S.blocks[i].reservation && !S.blocks[i].lie)
            return &S.blocks[i];
    return NULL;
}

/* Records a block of the source and hands it to the arena, lying as told:
 * a short grant, a misaligned block (memory has MARENA_ALIGNMENT bytes to
 * spare), or a size that wraps the address space. */
FUZZ_NO_COVERAGE static void *
hand_out(void *memory, size_t room, size_t size, size_t honest, enum lie how,
         int is_reservation, size_t *granted)
{
    struct rblock *b = &S.blocks[S.rec.nblocks++];
    uintptr_t addr = (uintptr_t)memory;
    size_t told = honest;

    switch (how) {
    case LIE_SHORT:
        told = size - 1 - S.rec.faultable % MIN(size, 16);
        break;
    case LIE_MISALIGNED:
        addr += 1 + S.rec.faultable % (MARENA_ALIGNMENT - 1);
        told = size;
        break;
    case LIE_WRAP:
        told = (size_t)(UINTPTR_MAX - addr) + 1 + S.rec.faultable % 64;
        break;
    default:
        break;
    }
    memset(b, 0, sizeof(*b));
    b->addr = addr;
    b->size = told;
    b->memory = memory;
    b->room = room;
    b->reservation = is_reservation;
    b->lie = how != LIE_NONE;
    if (b->lie)
        S.rec.lies_out++;
    else if (!is_reservation)
        S.rec.bytes_out += told;
    *granted = told;
    return (void *)addr;
}

static void *
rec_acquire(void *ctx, size_t size, size_t *granted)
{
    enum lie how;
    size_t total, room, honest;
    void *memory;

    CHECK(ctx == &S.rec);
    CHECK(size != 0 && granted != NULL);
    S.rec.calls++;
    how = misbehaviour();
    if (how == LIE_FAIL || size > BACKEND_MAX_BLOCK || S.rec.nblocks == MAX_BLOCKS)
        return NULL;
    total = size + S.rec.extra;
    if (total > BACKEND_CAP - S.rec.bytes_out)
        return NULL;
    memory =
        source_acquire(total + (how == LIE_NONE ? 0 : MARENA_ALIGNMENT), &room, &honest);
    if (memory == NULL)
        return NULL;
    fill_fresh(memory, honest,
               S.rec.source == SOURCE_MMAP || S.rec.source == SOURCE_GUARDED);
    return hand_out(memory, room, size, honest, how, 0, granted);
}

static void
rec_release(void *ctx, void *block, size_t size)
{
    struct rblock *b;

    CHECK(ctx == &S.rec);
    S.rec.calls++;
    b = &S.blocks[find_block((uintptr_t)block)];
    CHECK(b->size == size);
    if (b->lie) {
        S.rec.lies_out--;
    } else {
        size_t held = b->reservation ? b->committed : b->size;

        /* The control block is wiped by destroy, then rewritten as an
         * empty arena: skip it. */
        if (wiping())
            check_wiped(
                b->addr + (b->addr == S.rec.control ? MARENA_CONTROL_SIZE : BLOCK_HEADER),
                b->addr + held);
        S.rec.bytes_out -= held;
    }
    source_release(b);
    *b = S.blocks[--S.rec.nblocks];
}

static void *
rec_reserve(void *ctx, size_t size, size_t *granted)
{
    enum lie how;
    size_t room, honest;
    void *memory;

    CHECK(ctx == &S.rec);
    CHECK(size != 0 && granted != NULL);
    S.rec.calls++;
    how = misbehaviour();
    if (how == LIE_FAIL || size > RESERVE_MAX || S.rec.nblocks == MAX_BLOCKS)
        return NULL;
    memory = source_reserve(size + S.rec.extra + MARENA_ALIGNMENT, &room, &honest);
    if (memory == NULL)
        return NULL;
    if (S.rec.reserve_source == SOURCE_PAGES)
        honest = size + S.rec.extra;
    return hand_out(memory, room, size, honest, how, 1, granted);
}

/* Commits come in MARENA_COMMIT_STEP steps from the reservation's start,
 * one after the other; the last may stop at its end (aligned down or not),
 * never beyond. */
static int
rec_commit(void *ctx, void *addr, size_t size)
{
    uintptr_t a = (uintptr_t)addr;
    struct rblock *r;

    CHECK(ctx == &S.rec);
    S.rec.calls++;
    r = reservation();
    CHECK(r != NULL);
    CHECK(size != 0);
    CHECK(a == r->addr + r->committed);
    CHECK(r->committed % MARENA_COMMIT_STEP == 0);
    CHECK(size <= r->size - r->committed);
    CHECK(size % MARENA_COMMIT_STEP == 0 || a + size >= ALIGN_DOWN(r->addr + r->size));
    if (misbehaviour() != LIE_NONE || source_commit(a, size) != 0)
        return -1;
    fill_fresh(addr, size, 1);
    r->committed += size;
    if (r->committed > r->touched)
        r->touched = r->committed;
    S.rec.bytes_out += size;
    return 0;
}

/* Decommits give back the committed tail, in steps, never the start
 * (the control block stays). */
static void
rec_decommit(void *ctx, void *addr, size_t size)
{
    uintptr_t a = (uintptr_t)addr;
    struct rblock *r;

    CHECK(ctx == &S.rec);
    S.rec.calls++;
    r = reservation();
    CHECK(r != NULL);
    CHECK(a > r->addr && (a - r->addr) % MARENA_COMMIT_STEP == 0);
    CHECK(size != 0 && size <= r->committed && a + size == r->addr + r->committed);
    own_memory(a, a + size);
    if (wiping())
        check_wiped(a, a + size);
    source_decommit(a, size);
    r->committed -= size;
    S.rec.bytes_out -= size;
}

static const marena_backend_t recording_backend = {
    .name = "recording",
    .acquire = rec_acquire,
    .release = rec_release,
};

static const marena_backend_t recording_reserve_backend = {
    .name = "recording-reserve",
    .acquire = rec_acquire,
    .release = rec_release,
    .reserve = rec_reserve,
    .commit = rec_commit,
    .decommit = rec_decommit,
};

/* A fresh recorder: memory from `source`, no misbehaviour. */
static void
recorder_reset(enum source source)
{
    memset(&S.rec, 0, sizeof(S.rec));
    S.rec.source = source;
    S.rec.reserve_source = FUZZ_HAVE_MMAP ? SOURCE_PAGES : SOURCE_MMAP;
}

FUZZ_NO_COVERAGE static int
recorder_empty(void)
{
    return S.rec.nblocks == 0 && S.rec.bytes_out == 0 && S.rec.lies_out == 0;
}

/* ------------------------------------------------------------------ cleanups */

static void
cleanup_fn(void *data)
{
    unsigned *calls = data;
    size_t slot = (size_t)(calls - S.cl_calls);

    CHECK(slot < MAX_CLEANUPS);
    ++*calls;
    S.cl_order[slot] = ++S.call_clock;
}

/* The cleanups registered after the first `depth` must have run, newest
 * first, each once; the others not at all. */
FUZZ_NO_COVERAGE static void
expect_cleanups_run(size_t depth)
{
    unsigned previous = 0;

    for (size_t i = S.npending; i-- > depth;) {
        size_t slot = S.pending[i];

        CHECK(S.cl_calls[slot] == 1);
        CHECK(S.cl_order[slot] > previous);
        previous = S.cl_order[slot];
        S.expected_calls++;
    }
    if (depth < S.npending)
        S.npending = depth;
    CHECK(S.call_clock == S.expected_calls);
}

/* ------------------------------------------------------------------ model */

/* Where the arena stands comes from a mark: its cursor and block (the
 * fields of marena_mark_t are the harness's to read, not a program's). */
FUZZ_NO_COVERAGE static void
observe(struct observed *o)
{
    marena_mark_t mark = marena_mark(S.arena);

    o->used = marena_used(S.arena);
    o->remaining = marena_remaining(S.arena);
    o->capacity = marena_capacity(S.arena);
    o->cursor = mark.cursor;
    o->base = (uintptr_t)mark.block + BLOCK_HEADER;
    o->faultable = S.rec.faultable;
    marena_stats(S.arena, &o->stats);
}

/* Usable end of the first block: the committed end of a reservation. */
FUZZ_NO_COVERAGE static uintptr_t
first_end(void)
{
    const struct rblock *r = reservation();

    return r != NULL ? ALIGN_DOWN(r->addr + r->committed) : S.first_end;
}

/* Usable end of a reservation. */
FUZZ_NO_COVERAGE static uintptr_t
reserve_end(void)
{
    const struct rblock *r = reservation();

    return ALIGN_DOWN(r->addr + r->size);
}

/* Is [a, a + size) inside usable memory of a block the arena holds? */
FUZZ_NO_COVERAGE static int
in_arena_block(uintptr_t a, size_t size)
{
    uintptr_t arena = (uintptr_t)S.arena;

    if (size == 0 || a + size < a)
        return 0;
    if (a >= arena + MARENA_CONTROL_SIZE && a + size <= first_end())
        return 1;
    for (size_t i = 0; i < S.rec.nblocks; i++) {
        const struct rblock *b = &S.blocks[i];

        if (b->addr != arena && !b->lie && a >= b->addr + BLOCK_HEADER &&
            a + size <= ALIGN_DOWN(b->addr + b->size))
            return 1;
    }
    /* Blocks of a real backend are unseen: anywhere but the first. */
    return S.blind && (a + size <= arena || a >= first_end());
}

/* Does [a, a + size) overlap a live allocation other than `except`? */
FUZZ_NO_COVERAGE static int
overlaps_live(uintptr_t a, size_t size, const struct live *except)
{
    for (size_t i = 0; i < S.nlive; i++) {
        const struct live *l = &S.live[i];

        if (l != except && a < l->addr + l->size && l->addr < a + size)
            return 1;
    }
    for (size_t i = 0; i < S.nscratch_live; i++) {
        const struct live *l = &S.scratch_live[i];

        if (a < l->addr + l->size && l->addr < a + size)
            return 1;
    }
    return 0;
}

/* Every live allocation still lies in a block the arena holds. */
FUZZ_NO_COVERAGE static void
check_all_in_blocks(void)
{
    for (size_t i = 0; i < S.nlive; i++)
        CHECK(in_arena_block(S.live[i].addr, S.live[i].size));
}

/* A mark no longer valid is kept, in release builds, to rewind to later:
 * the library must ignore it (debug builds abort on it by design). */
FUZZ_NO_COVERAGE static void
keep_stale(const struct mark_state *m)
{
    if (MARENA_DEBUG)
        return;
    S.stale[S.nstale % MAX_STALE] = m->is_scope ? m->scope.mark : m->mark;
    S.nstale++;
}

/* Forgets the marks the arena, observed in `o`, went back below as
 * `stale` says, in order. The library's position is `used`: marks above it
 * are stale marks now; those in the current block above its cursor but not
 * above `used` (a block of their own keeps used high) are not, but the
 * model forgets them too. */
FUZZ_NO_COVERAGE static void
forget_marks(int (*stale)(const struct mark_state *, const struct observed *),
             const struct observed *o)
{
    size_t kept = 0;

    for (size_t i = 0; i < S.nmarks; i++) {
        if (!stale(&S.marks[i], o)) {
            if (kept != i)
                memcpy(&S.marks[kept], &S.marks[i], sizeof(S.marks[0]));
            kept++;
        } else if (S.marks[i].used > o->used) {
            keep_stale(&S.marks[i]);
        }
    }
    S.nmarks = kept;
}

/* A mark stands beyond `used`. */
FUZZ_NO_COVERAGE static int
beyond_used(const struct mark_state *m, const struct observed *o)
{
    return m->used > o->used;
}

/* A mark stands in the current block past where the cursor fell back to. */
FUZZ_NO_COVERAGE static int
beyond_cursor(const struct mark_state *m, const struct observed *o)
{
    const marena_mark_t *mark = m->is_scope ? &m->scope.mark : &m->mark;

    return (uintptr_t)mark->block + BLOCK_HEADER == o->base && mark->cursor > o->cursor;
}

FUZZ_NO_COVERAGE static int
one_block(void)
{
    return !(S.flags & MARENA_GROW);
}

/* The invariants that hold between any two operations. */
FUZZ_NO_COVERAGE static void
check_invariants(struct observed *o)
{
    const marena_stats_t *st = &o->stats;
    uintptr_t base = (uintptr_t)S.arena + MARENA_CONTROL_SIZE;

    observe(o);
    CHECK(st->used == o->used);
    CHECK(st->capacity == o->capacity);
    CHECK(st->capacity >= st->used);
    CHECK(o->remaining <= o->capacity);
    CHECK(st->peak >= st->used);
    CHECK(st->peak >= S.peak);
    S.peak = st->peak;
    CHECK(st->allocations == S.allocations);
    CHECK(st->failed == S.failed);
    CHECK(st->blocks >= 1);
    CHECK(st->spare_blocks < st->blocks);
    CHECK(st->reserved[0] == 0 && st->reserved[1] == 0 && st->reserved[2] == 0);
    /* Every block's usable end is aligned (marena_head.h). */
    CHECK(o->base <= o->cursor && (o->cursor + o->remaining) % MARENA_ALIGNMENT == 0);
    if (one_block()) {
        CHECK(o->base == base && o->cursor == base + o->used);
        CHECK(o->used + o->remaining == o->capacity);
        CHECK(o->capacity == first_end() - base);
    }
    if (S.flags & MARENA_RESERVE) {
        /* Committed bytes, the reservation's odd end aligned down or not. */
        CHECK(st->backend_bytes == S.rec.bytes_out ||
              st->backend_bytes == ALIGN_DOWN(S.rec.bytes_out));
        CHECK(first_end() <= reserve_end());
    } else if (!S.blind) {
        CHECK(st->backend_bytes == S.rec.bytes_out);
    }
    if (!S.blind) {
        CHECK(st->backend_calls == S.rec.calls);
        CHECK(st->blocks == S.rec.nblocks + (S.buf_start != 0));
        CHECK(S.rec.lies_out == 0);
        if (!one_block())
            CHECK(o->capacity <= S.rec.bytes_out + S.buf_size);
    } else if (one_block()) {
        CHECK(st->backend_bytes == S.first_held);
        CHECK(st->backend_calls == 1 && st->blocks == 1);
    }
    if (S.limit != 0)
        CHECK(st->backend_bytes <= S.limit);
    CHECK(S.call_clock == S.expected_calls);
    /* Marks beyond used are no longer valid (a pop or a shrink went back
     * past them). */
    forget_marks(beyond_used, o);
}

/* After a call that failed: the arena is exactly as it was. */
FUZZ_NO_COVERAGE static void
check_unchanged(const struct observed *before)
{
    struct observed after;

    observe(&after);
    CHECK(after.used == before->used);
    CHECK(after.remaining == before->remaining);
    CHECK(after.capacity == before->capacity);
    CHECK(after.cursor == before->cursor && after.base == before->base);
    CHECK(after.stats.allocations == before->stats.allocations);
    CHECK(after.stats.blocks == before->stats.blocks);
    CHECK(after.stats.spare_blocks == before->stats.spare_blocks);
    CHECK(after.stats.backend_bytes == before->stats.backend_bytes);
}

FUZZ_NO_COVERAGE static void
count_failure(const struct observed *before)
{
    check_unchanged(before);
    S.failed++;
}

/* A call the library may answer without counting it as a failed request
 * (a NULL argument, a pointer that is not the arena's). */
FUZZ_NO_COVERAGE static void
count_null_argument(const struct observed *before)
{
    marena_stats_t st;

    check_unchanged(before);
    marena_stats(S.arena, &st);
    CHECK(st.failed == S.failed || st.failed == S.failed + 1);
    S.failed = st.failed;
}

FUZZ_NO_COVERAGE static int
is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

FUZZ_NO_COVERAGE static size_t
add_saturating(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* What an allocation request must give. */
enum outcome {
    FAILS,     /* NULL */
    HERE,      /* exactly at the cursor, aligned up, in the current block */
    SOMEWHERE, /* not NULL */
    EITHER     /* the model cannot tell */
};

/* A reservation commits `need` more bytes at the cursor: does it? */
FUZZ_NO_COVERAGE static enum outcome
commit_outcome(const struct observed *b, size_t need)
{
    const struct rblock *r = reservation();
    size_t offset = b->cursor - r->addr, wanted;

    if (need > reserve_end() - b->cursor)
        return FAILS;
    if (may_misbehave(b->faultable))
        return EITHER;
    if (S.limit == 0)
        return HERE;
    /* Whole steps, the last one stopping at the reservation's end. */
    wanted = ROUND_UP(offset + need, MARENA_COMMIT_STEP);
    if (MIN(wanted, reserve_end() - r->addr) > S.limit)
        return FAILS;
    return MIN(wanted, r->size) > S.limit ? EITHER : HERE;
}

/* A request that the current block cannot serve, in a growing arena: it
 * gets a new ordinary block (the current one doubled, up to max_block) or a
 * block of its own, which must be served when the backend can give it (an
 * unseen real backend always has a limit: BLIND_LIMIT or smaller). */
FUZZ_NO_COVERAGE static enum outcome
growth_outcome(const struct observed *b, size_t size, size_t align)
{
    size_t current = b->cursor + b->remaining - b->base;
    size_t next = current > S.max_block / 2 ? S.max_block : 2 * current;
    size_t cap =
        S.blind || (S.limit != 0 && S.limit < BACKEND_CAP) ? S.limit : BACKEND_CAP;
    size_t block;

    /* No block (spares included) is that large. */
    if (!S.blind && size > BACKEND_MAX_BLOCK + 64)
        return FAILS;
    if (size > 65536 || align > 4096 || next > BACKEND_MAX_BLOCK ||
        (!S.blind && may_misbehave(b->faultable)) || b->stats.blocks + 2 >= MAX_BLOCKS)
        return EITHER;
    /* Headers, and slack for what the backend grants beyond (pages). */
    block = BLOCK_HEADER + (next > size + align ? next : size + align) + 8192;
    return block <= BACKEND_MAX_BLOCK && b->stats.backend_bytes <= cap &&
                   block <= cap - b->stats.backend_bytes
               ? SOMEWHERE
               : EITHER;
}

/* What a request of size bytes at align must give; *at: where, for HERE. */
FUZZ_NO_COVERAGE static enum outcome
predict(const struct observed *b, size_t size, size_t align, uintptr_t *at)
{
    size_t padding, need;

    if (size == 0 || !is_power_of_two(align))
        return FAILS;
    padding = (size_t)(0u - b->cursor) & (align - 1);
    need = add_saturating(add_saturating(padding, size), S.redzone);
    *at = b->cursor + padding;
    if (need <= b->remaining)
        return HERE;
    if (S.flags & MARENA_RESERVE)
        return commit_outcome(b, need);
    if (one_block())
        return FAILS;
    return growth_outcome(b, size, align);
}

FUZZ_NO_COVERAGE static int
certainly_served(enum outcome outcome)
{
    return outcome == HERE || outcome == SOMEWHERE;
}

/* Adds a successful allocation to the model and checks where it is.
 * Returns its record, or NULL when the model is full. */
FUZZ_NO_COVERAGE static struct live *
accept_allocation(const struct observed *before, void *memory, size_t size, size_t align)
{
    uintptr_t a = (uintptr_t)memory;
    struct observed after;
    struct live *l;

    CHECK(memory != NULL);
    CHECK(is_power_of_two(align));
    CHECK(a % align == 0);
    CHECK(in_arena_block(a, size));
    CHECK(!overlaps_live(a, size, NULL));
    observe(&after);
    CHECK(after.used >= before->used + size);
    CHECK(after.used - before->used - size <= align - 1 + S.redzone);
    S.allocations++;
    S.next_id++;
    if (S.nlive == MAX_LIVE)
        return NULL;
    l = &S.live[S.nlive++];
    l->addr = a;
    l->size = size;
    l->psize = 0;
    l->id = S.next_id;
    return l;
}

/* The outcome of an allocation request of size bytes at align. */
FUZZ_NO_COVERAGE static struct live *
judge(const struct observed *before, void *memory, size_t size, size_t align)
{
    uintptr_t at = 0;
    enum outcome expected = predict(before, size, align, &at);

    if (memory == NULL) {
        CHECK(!certainly_served(expected));
        count_failure(before);
        return NULL;
    }
    CHECK(expected != FAILS);
    if (expected == HERE) {
        struct observed after;

        CHECK((uintptr_t)memory == at);
        observe(&after);
        CHECK(after.used == before->used + (at - before->cursor) + size + S.redzone);
    }
    return accept_allocation(before, memory, size, align);
}

static void
remove_live(size_t index)
{
    S.live[index] = S.live[--S.nlive];
}

/* The index of the most recent live allocation, or a random one. */
static size_t
pick_live(int most_recent)
{
    size_t best = 0;

    if (!most_recent)
        return get8() % S.nlive;
    for (size_t i = 1; i < S.nlive; i++)
        if (S.live[i].id > S.live[best].id)
            best = i;
    return best;
}

/* The cursor fell back to `to` in the current block (a pop, a shrink):
 * allocations there past it are cut back or gone, and marks past it are
 * stale. */
FUZZ_NO_COVERAGE static void
cut_back(const struct observed *before, uintptr_t to)
{
    struct observed after;

    for (size_t i = 0; i < S.nlive;) {
        struct live *l = &S.live[i];

        if (l->addr < before->base || l->addr >= before->cursor ||
            l->addr + l->size <= to) {
            i++;
        } else if (l->addr >= to) {
            remove_live(i);
        } else {
            verify_bytes(l, l->addr, 0, to - l->addr);
            l->size = to - l->addr;
            fill(l);
            i++;
        }
    }
    observe(&after);
    forget_marks(beyond_cursor, &after);
}

/* ------------------------------------------------------------------ decoding */

/* Bytes a reservation can still serve past the cursor. */
static size_t
reserve_left(void)
{
    marena_mark_t mark = marena_mark(S.arena);

    return reserve_end() - mark.cursor;
}

static size_t
decode_size(unsigned v)
{
    unsigned cls = (v >> 13) & 7;
    size_t remaining = marena_remaining(S.arena);

    if (cls < 4)
        return v & 0xffu;
    if (cls < 6)
        return v & 0x1fffu;
    if (cls == 6)
        return (size_t)(v & 0x1fffu) << 3;
    /* In a reservation, bit 4 makes `remaining` what it can still serve. */
    if ((S.flags & MARENA_RESERVE) && (v & 16))
        remaining = reserve_left();
    switch (v & 15) {
    case 0:
        return SIZE_MAX;
    case 1:
        return SIZE_MAX - 3;
    case 2:
        return SIZE_MAX / 2;
    case 3:
        return SIZE_MAX / 2 + 1;
    case 4:
        return (size_t)PTRDIFF_MAX;
    case 5:
        return MARENA_MAX_CAPACITY;
    case 6:
        return MARENA_MAX_CAPACITY + 1;
    case 7:
        return SIZE_MAX >> 20;
    case 8:
        return BACKEND_MAX_BLOCK + 1;
    case 9:
        return 100000; /* a block of its own, still cheap for ASan */
    case 10:
        return remaining;
    case 11:
        return remaining + 1;
    case 12:
        return remaining > 0 ? remaining - 1 : 0;
    case 13:
        return 0;
    case 14:
        return 1;
    default:
        return 8192 + ((v >> 4) & 0x1ffu) * 8; /* 0xffff: 12280 */
    }
}

static size_t
decode_align(unsigned b)
{
    if (b >= 0xf0) {
        switch (b & 7) {
        case 0:
            return (size_t)1 << 16;
        case 1:
            return (size_t)1 << 20;
        case 2:
            return (size_t)1 << 30;
        case 3:
            return SIZE_MAX / 2 + 1;
        case 4:
            return SIZE_MAX;
        case 5:
            return 48;
        case 6:
            return 8192;
        default:
            return MARENA_ALIGNMENT;
        }
    }
    switch (b & 15) {
    case 13:
        return 0;
    case 14:
        return 3;
    case 15:
        return 24;
    default:
        return (size_t)1 << (b & 15);
    }
}

/* ------------------------------------------------------------------ operations */

static void
op_alloc(unsigned variant, int default_align)
{
    struct observed before;
    size_t size = decode_size(get16());
    size_t align = default_align ? MARENA_ALIGNMENT : decode_align(get8());
    void *memory;
    struct live *l;

    observe(&before);
    switch (variant & 3) {
    case 0:
        memory = default_align ? marena_alloc(S.arena, size)
                               : marena_alloc_aligned(S.arena, size, align);
        break;
    case 1:
        memory = default_align ? (marena_alloc)(S.arena, size)
                               : (marena_alloc_aligned)(S.arena, size, align);
        break;
    case 2:
        memory = marena_alloc_slow(S.arena, size, align);
        break;
    default:
        memory = marena_alloc_aligned(S.arena, size, align);
        break;
    }
    l = judge(&before, memory, size, align);
    if (l != NULL)
        fill(l);
}

/* marena_alloc_or_abort() of a request that must be served. */
static void
op_alloc_or_abort(void)
{
    struct observed before;
    size_t size = 1 + get16() % 4096;
    uintptr_t at;
    struct live *l;

    observe(&before);
    if (!certainly_served(predict(&before, size, MARENA_ALIGNMENT, &at)))
        return;
    l = judge(&before, marena_alloc_or_abort(S.arena, size), size, MARENA_ALIGNMENT);
    if (l != NULL)
        fill(l);
}

static void
op_calloc(unsigned variant)
{
    static const size_t overflowing[][2] = {
        {SIZE_MAX, 2},         {2, SIZE_MAX / 2 + 1},
        {SIZE_MAX / 2 + 1, 2}, {(SIZE_MAX >> 16) + 1, (size_t)1 << 16},
        {SIZE_MAX, SIZE_MAX},  {3, SIZE_MAX / 3 + 1},
    };
    struct observed before;
    size_t count, size, align = MARENA_ALIGNMENT, bytes;
    int overflow = 0;
    void *memory;
    struct live *l;

    if ((variant & 7) == 7) {
        const size_t *pair = overflowing[get8() % 6];

        count = pair[0];
        size = pair[1];
        overflow = 1;
    } else {
        size = decode_size(get16());
        count = get8() % (size > 1024 ? 4 : 64); /* keeps calloc affordable */
    }
    if (variant & 8)
        align = decode_align(get8());
    if (!overflow && size != 0 && count > SIZE_MAX / size)
        overflow = 1;
    bytes = overflow ? 0 : count * size;

    observe(&before);
    if (variant & 8)
        memory = (variant & 1) ? marena_calloc_aligned(S.arena, count, size, align)
                               : (marena_calloc_aligned)(S.arena, count, size, align);
    else if ((variant & 3) == 1)
        memory = (marena_calloc)(S.arena, count, size);
    else if ((variant & 3) == 2 && size == sizeof(double))
        memory = MARENA_NEW_ARRAY(S.arena, double, count);
    else
        memory = marena_calloc(S.arena, count, size);
    if (overflow)
        CHECK(memory == NULL);
    if (!(variant & 8) && (variant & 3) == 2 && size == sizeof(double))
        align = MARENA_ALIGNOF(double);
    l = judge(&before, memory, bytes, align);
    if (memory != NULL)
        check_zeroed(memory, bytes);
    if (l != NULL)
        fill(l);
}

static void
forget_all(void)
{
    S.nlive = 0;
    for (size_t i = 0; i < S.nmarks; i++)
        keep_stale(&S.marks[i]);
    S.nmarks = 0;
}

/* MARENA_RETAIN_BYTES keeps the blocks beyond the first oldest first (by
 * when they came into use: their serial), each that fits what is left of
 * the budget. Marks them in the recorder. */
FUZZ_NO_COVERAGE static void
expect_retained(size_t budget)
{
    for (size_t i = 0; i < S.rec.nblocks; i++)
        S.blocks[i].keep = 0;
    for (;;) {
        struct rblock *oldest = NULL;
        uint64_t oldest_serial = 0;

        for (size_t i = 0; i < S.rec.nblocks; i++) {
            struct rblock *b = &S.blocks[i];
            uint64_t serial = ((const struct marena_block *)b->addr)->serial;

            if (b->addr == (uintptr_t)S.arena || b->keep != 0)
                continue;
            if (oldest == NULL || serial < oldest_serial) {
                oldest = b;
                oldest_serial = serial;
            }
        }
        if (oldest == NULL)
            break;
        oldest->keep = oldest->size <= budget ? 1 : -1;
        if (oldest->size <= budget)
            budget -= oldest->size;
    }
}

FUZZ_NO_COVERAGE static void
check_retained(void)
{
    size_t kept = 0;

    for (size_t i = 0; i < S.rec.nblocks; i++)
        if (S.blocks[i].addr != (uintptr_t)S.arena) {
            CHECK(S.blocks[i].keep == 1);
            kept++;
        }
    for (size_t i = 0; i < S.rec.nblocks; i++)
        if (S.blocks[i].keep == 1)
            kept--;
    CHECK(kept == 0);
}

/* Reset: a reservation keeps what it committed but for MARENA_RETAIN_BYTES,
 * which decommits beyond the budget (rounded up to a commit step). */
FUZZ_NO_COVERAGE static void
check_reserve_reset(const struct observed *before, const struct observed *after, int mode,
                    size_t bytes)
{
    CHECK(after->remaining == after->capacity);
    if (mode == 3) {
        CHECK(after->capacity >= S.initial_capacity);
        CHECK(after->capacity <= before->capacity);
        CHECK(after->stats.backend_bytes <=
              (ROUND_UP(bytes, MARENA_COMMIT_STEP) > S.first_held
                   ? ROUND_UP(bytes, MARENA_COMMIT_STEP)
                   : S.first_held));
    } else {
        CHECK(after->capacity == before->capacity);
        CHECK(after->stats.backend_bytes == before->stats.backend_bytes);
    }
}

static void
op_reset(unsigned variant)
{
    struct observed before, after;
    size_t bytes = 0;
    int mode = (int)(variant & 3);

    verify_all();
    observe(&before);
    if (mode == 3)
        bytes = (size_t)get16() * 16;
    if (mode == 0) {
        marena_reset(S.arena);
    } else {
        marena_retain_t retain = mode == 1   ? MARENA_RETAIN_FIRST
                                 : mode == 2 ? MARENA_RETAIN_ALL
                                             : MARENA_RETAIN_BYTES;

        if (variant & 4) {
            retain = (marena_retain_t)(7 + (variant >> 3)); /* unknown: FIRST */
            mode = 1;
        }
        if (mode == 3 && !S.blind)
            expect_retained(bytes > S.first_held ? bytes - S.first_held : 0);
        marena_reset_ex(S.arena, retain, bytes);
    }
    expect_cleanups_run(0);
    forget_all();
    observe(&after);
    CHECK(after.used == 0);
    CHECK(after.stats.allocations == before.stats.allocations);
    CHECK(after.stats.backend_bytes <= before.stats.backend_bytes);
    if (S.flags & MARENA_RESERVE) {
        check_reserve_reset(&before, &after, mode, bytes);
        return;
    }
    CHECK(after.remaining == S.initial_capacity);
    if (mode == 2) {
        CHECK(after.capacity == before.capacity);
        CHECK(after.stats.backend_bytes == before.stats.backend_bytes);
    } else if (mode == 3) {
        CHECK(after.capacity >= S.initial_capacity);
        CHECK(after.capacity <= before.capacity);
        CHECK(after.stats.backend_bytes <= (bytes > S.first_held ? bytes : S.first_held));
        if (!S.blind)
            check_retained();
    } else {
        CHECK(after.capacity == S.initial_capacity);
        CHECK(after.stats.backend_bytes == S.first_held);
        CHECK(after.stats.blocks == 1);
    }
}

static void
op_mark(unsigned variant)
{
    struct observed before;
    struct mark_state *m;

    if (S.nmarks == MAX_MARKS)
        return;
    observe(&before);
    m = &S.marks[S.nmarks++];
    m->is_scope = (variant & 1) != 0;
    if (m->is_scope) {
        m->scope = marena_scope_begin(S.arena);
        CHECK(m->scope.arena == S.arena);
    } else {
        m->mark = marena_mark(S.arena);
    }
    m->used = before.used;
    m->next_id = S.next_id + 1;
    m->npending = S.npending;
    m->nsnap = S.nlive;
    for (size_t i = 0; i < S.nlive; i++) {
        m->snap[i].id = S.live[i].id;
        m->snap[i].size = S.live[i].size;
    }
    check_unchanged(&before);
}

/* Another arena: its allocations and marks are foreign to S.arena. */
static marena_t *
other_arena(void)
{
    static union {
        max_align_t align;
        unsigned char bytes[1024];
    } buffer;

    if (S.other == NULL) {
        marena_options_t options = {0};

        options.buffer = buffer.bytes;
        options.buffer_size = sizeof(buffer.bytes);
        S.other = marena_create_ex(&options);
        CHECK(S.other != NULL);
    }
    return S.other;
}

static uintptr_t
other_allocation(void)
{
    void *memory = marena_alloc(other_arena(), 16);

    if (memory == NULL) {
        marena_reset(S.other);
        memory = marena_alloc(S.other, 16);
    }
    CHECK(memory != NULL);
    return (uintptr_t)memory;
}

/* Release builds: a rewind to a stale mark, or to another arena's, is
 * ignored (debug builds abort on it by design). */
static void
rewind_stale(void)
{
    struct observed before;
    size_t n = S.nstale < MAX_STALE ? S.nstale : MAX_STALE;
    size_t k = get8() % (n + 1);
    unsigned clock = S.call_clock;

    observe(&before);
    marena_rewind(S.arena, k < n ? S.stale[k] : marena_mark(other_arena()));
    check_unchanged(&before);
    CHECK(S.call_clock == clock);
}

static void
op_rewind(unsigned variant)
{
    struct observed before, after;
    struct mark_state *m;
    size_t k;

    if (!MARENA_DEBUG && (variant & 8)) {
        rewind_stale();
        return;
    }
    if (S.nmarks == 0)
        return;
    k = get8() % S.nmarks;
    m = &S.marks[k];
    verify_all();
    observe(&before);
    if (m->is_scope)
        marena_scope_end(m->scope);
    else
        marena_rewind(S.arena, m->mark);
    expect_cleanups_run(m->npending);

    /* Allocations made after the mark are gone; older ones keep at most
     * the size they had at the mark (growth in place since is given back). */
    for (size_t i = 0; i < S.nlive;) {
        struct live *l = &S.live[i];
        size_t j;

        if (l->id >= m->next_id) {
            remove_live(i);
            continue;
        }
        for (j = 0; j < m->nsnap && m->snap[j].id != l->id; j++)
            continue;
        CHECK(j < m->nsnap);
        if (m->snap[j].size < l->size) {
            verify_bytes(l, l->addr, 0, m->snap[j].size);
            l->size = m->snap[j].size;
            fill(l);
        }
        i++;
    }
    observe(&after);
    CHECK(after.used == m->used);
    CHECK(after.capacity <= before.capacity);
    CHECK(after.stats.backend_bytes <= before.stats.backend_bytes);
    CHECK(after.stats.allocations == before.stats.allocations);
    /* Marks taken since and standing beyond it are stale; those at the
     * same position are not, but the model forgets them too. */
    for (size_t i = k + 1; i < S.nmarks; i++)
        if (S.marks[i].used > m->used)
            keep_stale(&S.marks[i]);
    S.nmarks = m->is_scope ? k : k + 1;
    check_all_in_blocks();
}

/* Is [p, p + size) the most recent allocation of the current block: does
 * it end where the arena stands (before its red zone)? */
FUZZ_NO_COVERAGE static int
is_last(const struct observed *b, uintptr_t p, size_t size)
{
    return p >= b->base && p <= b->cursor && b->cursor - p >= S.redzone &&
           size == b->cursor - p - S.redzone;
}

/* Can the last allocation grow in place by `grow_by` bytes? */
FUZZ_NO_COVERAGE static enum outcome
in_place_outcome(const struct observed *b, size_t grow_by)
{
    if (grow_by <= b->remaining)
        return HERE;
    if (S.flags & MARENA_RESERVE)
        return commit_outcome(b, grow_by);
    return FAILS;
}

/* The new size a realloc asks for, relative to the old one. */
static size_t
decode_new_size(unsigned variant, size_t old_size)
{
    switch ((variant >> 2) & 3) {
    case 0:
        return old_size + get8();
    case 1: {
        size_t delta = get8();

        return delta < old_size ? old_size - delta : 1;
    }
    case 2:
        return (variant & 1) ? 0 : old_size;
    default:
        return decode_size(get16());
    }
}

/* A realloc that stayed in place. */
FUZZ_NO_COVERAGE static void
resized_in_place(const struct observed *before, size_t index, size_t offset,
                 size_t new_size, int last)
{
    struct live *l = &S.live[index];
    size_t old_size = l->size - offset;
    struct observed after;

    observe(&after);
    CHECK(after.stats.allocations == before->stats.allocations);
    CHECK(after.stats.failed == S.failed);
    if (last) {
        CHECK(after.cursor == l->addr + offset + new_size + S.redzone);
        CHECK(after.used + old_size == before->used + new_size);
    } else {
        CHECK(after.used == before->used && after.cursor == before->cursor);
    }
    verify_bytes(l, l->addr, 0, offset + MIN(old_size, new_size));
    l->size = offset + new_size;
    fill(l);
    if (after.cursor < before->cursor)
        forget_marks(beyond_cursor, &after);
}

/* marena_realloc() of the bytes of live allocation `index` from `offset`
 * on (the allocation itself, or its tail). */
static void
resize(size_t index, size_t offset, size_t new_size)
{
    struct observed before;
    const struct live *l = &S.live[index];
    uintptr_t p = l->addr + offset, at = 0;
    size_t old_size = l->size - offset;
    int last;
    void *result;
    enum outcome expected;

    observe(&before);
    last = is_last(&before, p, old_size);
    result = marena_realloc(S.arena, (void *)p, old_size, new_size);
    if (new_size == 0) {
        CHECK(result == NULL);
        count_failure(&before);
        return;
    }
    if (last) {
        expected =
            in_place_outcome(&before, new_size > old_size ? new_size - old_size : 0);
        CHECK(expected != HERE || result == (void *)p);
        CHECK(expected != FAILS || result != (void *)p);
    } else {
        /* Shrinking never moves; anything else but the last moves. */
        CHECK((result == (void *)p) == (new_size <= old_size));
    }
    if (result == (void *)p) {
        resized_in_place(&before, index, offset, new_size, last);
        return;
    }
    /* Moved: a new allocation at MARENA_ALIGNMENT receives the old bytes;
     * the old allocation is still live and intact (it is not freed). */
    expected = predict(&before, new_size, MARENA_ALIGNMENT, &at);
    if (result == NULL) {
        CHECK(!certainly_served(expected));
        count_failure(&before);
        return;
    }
    CHECK(expected != FAILS && (expected != HERE || (uintptr_t)result == at));
    {
        struct live copy = *l;
        struct live *n = accept_allocation(&before, result, new_size, MARENA_ALIGNMENT);

        verify_bytes(&copy, (uintptr_t)result - offset, offset, offset + old_size);
        if (n != NULL)
            fill(n);
    }
}

/* realloc(NULL) is marena_alloc(). */
static void
resize_null(size_t new_size)
{
    struct observed before;
    struct live *n;

    observe(&before);
    n = judge(&before, marena_realloc(S.arena, NULL, 0, new_size), new_size,
              MARENA_ALIGNMENT);
    if (n != NULL)
        fill(n);
}

static void
op_realloc(unsigned variant)
{
    size_t index;

    if (S.nlive == 0 || (variant & 3) == 3) {
        resize_null(decode_new_size(variant, 0));
        return;
    }
    index = pick_live((variant & 1) != 0);
    resize(index, 0, decode_new_size(variant, S.live[index].size));
}

/* Release builds: a realloc of memory that is not the arena's gives NULL
 * and changes nothing. */
static void
resize_foreign(uintptr_t p, size_t old_size, size_t new_size)
{
    struct observed before;

    observe(&before);
    CHECK(marena_realloc(S.arena, (void *)p, old_size, new_size) == NULL);
    count_null_argument(&before);
}

/*
 * Realloc of other pointers: the tail of a live allocation; and in release
 * builds (debug builds abort on these by design) a range that wraps the
 * address space, memory that is not the arena's (above the cursor, a stack
 * variable, another arena's allocation), old_size 0.
 */
static void
op_realloc_other(unsigned variant)
{
    unsigned char local[16];
    size_t index, offset;
    struct live *l;

    if (S.nlive == 0)
        return;
    index = pick_live(0);
    l = &S.live[index];
    switch (MARENA_DEBUG ? 0 : variant & 3) {
    case 0:
        offset = get16() % l->size;
        resize(index, offset, decode_new_size(variant, l->size - offset));
        break;
    case 1:
        if (l->size > 16) {
            struct observed before;
            void *result;

            observe(&before);
            result = marena_realloc(S.arena, (void *)(l->addr + 16), SIZE_MAX - 15,
                                    1 + get8());
            CHECK(result == NULL || result == (void *)(l->addr + 16));
            count_null_argument(&before);
        }
        break;
    case 2: {
        marena_mark_t mark = marena_mark(S.arena);
        unsigned which = get8() % 3;

        resize_foreign(which == 0   ? mark.cursor + 16
                       : which == 1 ? (uintptr_t)local
                                    : other_allocation(),
                       16, 1 + get8());
        break;
    }
    default:
        resize_foreign(l->addr, 0, 1 + get8());
        break;
    }
}

/* The lowest address a pop may give back from: the current block's base,
 * or the end of the newest cleanup record still registered, when it is in
 * that block (the record is the arena's, not the program's: a pop across
 * it is misuse). */
FUZZ_NO_COVERAGE static uintptr_t
pop_floor(const struct observed *b)
{
    uintptr_t end = S.npending > 0 ? S.record_end[S.pending[S.npending - 1]] : 0;

    return end > b->base && end <= b->cursor ? end : b->base;
}

/*
 * The pointer and size a pop gives, by variant bits 2-3: 0 a live
 * allocation (bit 0: the most recent; bit 1: one byte short); 1 the tail of
 * one; 2 the last bytes before the cursor (and its red zone); 3 hostile
 * ranges (bits 0-1): p + 16 with SIZE_MAX - 15 bytes (wraps), p up to the
 * cursor (wraps when p lies above it), and in release builds (debug builds
 * abort on memory that is not the arena's) past the cursor, a stack
 * variable or another arena's allocation.
 */
static void
pop_range(unsigned variant, const struct observed *b, uintptr_t *p, size_t *size,
          unsigned char *local)
{
    uintptr_t lowest = pop_floor(b);
    const struct live *l;
    size_t k;

    *p = 0;
    *size = 1;
    if ((variant & 12) == 8) {
        if (b->cursor - lowest > S.redzone) {
            *size = 1 + get16() % (b->cursor - lowest - S.redzone);
            *p = b->cursor - S.redzone - *size;
        }
        return;
    }
    if ((variant & 12) == 12 && !MARENA_DEBUG && (variant & 2)) {
        *p = (variant & 1) ? (get8() & 1 ? (uintptr_t)local : other_allocation())
                           : b->cursor + 16;
        *size = (variant & 1) ? 16 : SIZE_MAX - 15;
        return;
    }
    if (S.nlive == 0)
        return;
    l = &S.live[pick_live((variant & 12) == 0 && (variant & 1))];
    switch (variant & 12) {
    case 0:
        *p = l->addr;
        /* One byte less is never the most recent allocation: the cursor
         * stands at or past the end of each live one. */
        *size = (variant & 2) && l->size > 1 ? l->size - 1 : l->size;
        break;
    case 4:
        k = get16() % l->size;
        *p = l->addr + k;
        *size = l->size - k;
        break;
    default:
        *p = l->addr + ((variant & 1) && l->size > 16 ? 16 : 0);
        *size = (variant & 1) && l->size > 16 ? SIZE_MAX - 15 : b->cursor - l->addr;
        if (*p >= b->base && *p < lowest)
            *p = 0;
        break;
    }
}

/* marena_pop() gives 1 exactly when [p, p + size) lies in the current
 * block and ends where the arena stands (before its red zone); the cursor
 * then falls back to p. Otherwise 0, and nothing changes. */
static void
op_pop(unsigned variant)
{
    struct observed before, after;
    unsigned char local[16];
    uintptr_t p;
    size_t size;
    int expected, popped;

    observe(&before);
    pop_range(variant, &before, &p, &size, local);
    expected = p != 0 && size != 0 && is_last(&before, p, size);
    popped = marena_pop(S.arena, (void *)p, size);
    CHECK(popped == expected);
    observe(&after);
    CHECK(after.stats.failed == S.failed);
    CHECK(after.stats.allocations == before.stats.allocations);
    if (!popped) {
        check_unchanged(&before);
        return;
    }
    /* A tracked arena may keep a red zone after what stays of a tail's
     * allocation. */
    CHECK(after.cursor == p || (S.redzone != 0 && after.cursor == p + S.redzone));
    CHECK(before.used - after.used == before.cursor - after.cursor);
    cut_back(&before, p);
}

/* Copies up to max bytes of input into buf as a NUL-terminated string;
 * returns how many bytes were taken. */
static size_t
take_string(char *buf, size_t max)
{
    size_t n = get8() % (max + 1);
    size_t i;

    for (i = 0; i < n && S.in_left > 0; i++)
        buf[i] = (char)get8();
    buf[i] = '\0';
    return i;
}

/* A string copy of length `length` succeeded or failed. */
static void
judge_string(const struct observed *before, const char *copy, const char *expected,
             size_t length)
{
    struct live *l;

    if (copy != NULL) {
        CHECK(memcmp(copy, expected, length) == 0);
        CHECK(copy[length] == '\0');
    }
    l = judge(before, (void *)(uintptr_t)copy, length + 1, 1);
    if (l != NULL)
        fill(l);
}

static void
op_strdup(unsigned variant)
{
    struct observed before;
    char buf[256] = {0};
    size_t taken = take_string(buf, (variant & 8) ? 255 : 40);
    size_t length = strlen(buf);
    char *copy;

    observe(&before);
    switch (variant & 3) {
    case 0:
        copy = marena_strdup(S.arena, buf);
        judge_string(&before, copy, buf, length);
        break;
    case 1: {
        size_t n = get8();

        if (n < length)
            length = n;
        copy = marena_strndup(S.arena, buf, n);
        judge_string(&before, copy, buf, length);
        break;
    }
    case 2:
        /* strndup reads no further than n, NUL or not. */
        copy = marena_strndup(S.arena, buf, taken);
        judge_string(&before, copy, buf, length);
        break;
    default:
        CHECK(((variant & 4) ? marena_strndup(S.arena, NULL, 3)
                             : marena_strdup(S.arena, NULL)) == NULL);
        count_null_argument(&before);
        break;
    }
}

static void
op_memdup(unsigned variant)
{
    static unsigned char buf[8192];
    struct observed before;
    size_t n = (variant & 4) ? get16() % sizeof(buf) : get8();
    void *copy;
    struct live *l;

    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(S.in_left > 0 ? get8() : i);
    observe(&before);
    if ((variant & 3) == 3) {
        CHECK(marena_memdup(S.arena, NULL, n) == NULL);
        count_null_argument(&before);
        return;
    }
    copy = marena_memdup(S.arena, buf, n);
    if (copy != NULL)
        CHECK(memcmp(copy, buf, n) == 0);
    l = judge(&before, copy, n, MARENA_ALIGNMENT);
    if (l != NULL)
        fill(l);
}

#if MARENA_HAVE_STDIO
static void
op_sprintf(unsigned variant)
{
    static char expected[4096];
    struct observed before;
    char s[256];
    int value, n;
    char *text;

    take_string(s, (variant & 8) ? 255 : 24);
    value = (int)get32();
    observe(&before);
    switch (variant & 3) {
    case 0:
        n = snprintf(expected, sizeof(expected), "%s:%d", s, value);
        text = marena_sprintf(S.arena, "%s:%d", s, value);
        break;
    case 1: {
        int width = (int)(get16() % 3001);

        n = snprintf(expected, sizeof(expected), "%0*d", width, value);
        text = marena_sprintf(S.arena, "%0*d", width, value);
        break;
    }
    case 2: {
        int precision = (int)(get8() % 64);

        n = snprintf(expected, sizeof(expected), "[%.*s|%x]", precision, s,
                     (unsigned)value);
        text = marena_sprintf(S.arena, "[%.*s|%x]", precision, s, (unsigned)value);
        break;
    }
    default:
        n = snprintf(expected, sizeof(expected), "%s", s);
        text = marena_sprintf(S.arena, "%s", s);
        break;
    }
    CHECK(n >= 0 && (size_t)n < sizeof(expected));
    if (text != NULL)
        CHECK(strlen(text) == (size_t)n);
    judge_string(&before, text, expected, (size_t)n);
}
#endif

static void
op_cleanup(unsigned variant)
{
    struct observed before;
    size_t slot = S.nregistered;
    uintptr_t at;
    int r;

    if (slot == MAX_CLEANUPS)
        return;
    observe(&before);
    if ((variant & 7) == 7) {
        CHECK(marena_add_cleanup(S.arena, NULL, &S.cl_calls[slot]) == -1);
        count_null_argument(&before);
        return;
    }
    r = marena_add_cleanup(S.arena, cleanup_fn, &S.cl_calls[slot]);
    if (r != 0) {
        CHECK(r == -1);
        /* The record is a few words. */
        CHECK(!certainly_served(
            predict(&before, 8 * sizeof(void *), MARENA_ALIGNMENT, &at)));
        count_failure(&before);
        return;
    }
    {
        struct observed after;

        observe(&after);
        CHECK(after.used > before.used);
    }
    S.allocations++;
    S.nregistered++;
    S.pending[S.npending++] = slot;
    S.record_end[slot] = marena_mark(S.arena).cursor;
}

/* An allocation of exactly marena_remaining() bytes at align 1 succeeds
 * without a new block (but for a red zone); one byte more needs one. */
static void
op_remaining(unsigned variant)
{
    struct observed before;
    size_t size = marena_remaining(S.arena);
    struct live *l;

    /* One byte more takes a new block; in a loop that doubles the blocks
     * up to max_block_size, which costs time and teaches nothing: only
     * while the current block is small. */
    if ((variant & 1) && size < 16384)
        size++;
    observe(&before);
    l = judge(&before, marena_alloc_aligned(S.arena, size, 1), size, 1);
    if (l != NULL)
        fill(l);
}

/* Calls with a NULL arena, and the queries. */
static void
op_query(unsigned variant)
{
    struct observed before;
    marena_stats_t st;

    observe(&before);
    switch (variant & 3) {
    case 0: {
        marena_scope_t scope = marena_scope_begin(NULL);

        CHECK(marena_alloc(NULL, 16) == NULL);
        CHECK(marena_alloc_aligned(NULL, 16, 1) == NULL);
        CHECK(marena_calloc(NULL, 1, 16) == NULL);
        CHECK(marena_realloc(NULL, &st, 1, 2) == NULL);
        CHECK(marena_pop(NULL, &st, 1) == 0);
        CHECK(marena_strdup(NULL, "x") == NULL);
        CHECK(marena_memdup(NULL, "x", 1) == NULL);
        CHECK(marena_add_cleanup(NULL, cleanup_fn, NULL) == -1);
        CHECK(marena_used(NULL) == 0 && marena_remaining(NULL) == 0 &&
              marena_capacity(NULL) == 0);
        marena_stats(NULL, &st);
        CHECK(st.used == 0 && st.allocations == 0 && st.blocks == 0);
        marena_stats(S.arena, NULL);
        marena_reset(NULL);
        marena_rewind(NULL, marena_mark(S.arena));
        CHECK(scope.arena == NULL);
        marena_scope_end(scope);
        break;
    }
#if MARENA_HAVE_STDIO
    case 1: {
        char text[64];
        size_t size = get8() % sizeof(text);
        size_t length = marena_stats_format(S.arena, size ? text : NULL, size);

        CHECK(length > 0);
        if (size > 0) {
            CHECK(strlen(text) < size);
            CHECK(strlen(text) == (length < size ? length : size - 1));
        }
        CHECK(marena_sprintf(NULL, "%d", 1) == NULL);
        break;
    }
#endif
    default:
        /* Rewinding to where the arena stands changes nothing. */
        marena_rewind(S.arena, marena_mark(S.arena));
        break;
    }
    check_unchanged(&before);
}

/* ------------------------------------------------------------------ scratch */

#if MARENA_HAVE_SCRATCH
/* The first of the thread's scratch arenas that is not among the
 * conflicts (bits of `mask`: scratch arena 0, 1, the fuzzed arena, a
 * pointer that is no arena) is taken, and made on first use; none: a scope
 * with a NULL arena. */
static void
scratch_begin(unsigned mask)
{
    marena_t *conflicts[4];
    size_t count = 0;
    int slot = -1;
    struct scratch_scope *s;

    if (S.nscopes == MAX_SCRATCH_SCOPES)
        return;
    for (int i = 0; i < 2; i++)
        if ((mask & (1u << i)) && S.scratch[i] != NULL)
            conflicts[count++] = S.scratch[i];
    if (mask & 4)
        conflicts[count++] = S.arena;
    if (mask & 8)
        conflicts[count++] = (marena_t *)(void *)&S;
    if (mask & 16)
        count = 0; /* no conflicts: NULL */
    for (int i = 0; i < 2 && slot < 0; i++)
        if (S.scratch[i] == NULL || !(mask & 16 ? 0 : mask & (1u << i)))
            slot = i;
    s = &S.scopes[S.nscopes++];
    s->scope = marena_scratch_begin((mask & 16) ? NULL : conflicts, count);
    s->slot = slot;
    s->first_id = S.scratch_next_id + 1;
    if (slot < 0) {
        CHECK(s->scope.arena == NULL);
        return;
    }
    CHECK(s->scope.arena != NULL && s->scope.arena != S.arena);
    if (S.scratch[slot] == NULL) {
        CHECK(s->scope.arena != S.scratch[1 - slot]);
        S.scratch[slot] = s->scope.arena;
    }
    CHECK(s->scope.arena == S.scratch[slot]);
    s->used = marena_used(s->scope.arena);
}

/* An allocation in the innermost scope's arena. */
static void
scratch_alloc(void)
{
    const struct scratch_scope *s;
    size_t size = 1 + get16() % 8192, align = (size_t)1 << (get8() % 13), used;
    struct live *l;
    void *memory;

    if (S.nscopes == 0 || S.scopes[S.nscopes - 1].slot < 0)
        return;
    s = &S.scopes[S.nscopes - 1];
    used = marena_used(s->scope.arena);
    memory = marena_alloc_aligned(s->scope.arena, size, align);
    CHECK(memory != NULL && (uintptr_t)memory % align == 0);
    CHECK(!overlaps_live((uintptr_t)memory, size, NULL));
    CHECK(marena_used(s->scope.arena) >= used + size);
    CHECK(marena_used(s->scope.arena) - used - size <=
          align - 1 + redzone_of(s->scope.arena));
    S.scratch_next_id++;
    if (S.nscratch_live == MAX_SCRATCH_LIVE)
        return;
    S.scratch_slot[S.nscratch_live] = s->slot;
    l = &S.scratch_live[S.nscratch_live++];
    l->addr = (uintptr_t)memory;
    l->size = size;
    l->id = S.scratch_next_id;
    fill(l);
}

/* Ends scope k: its arena goes back to where the scope began, and the
 * scopes begun on that arena since are stale (not ended). */
static void
scratch_end(size_t k)
{
    struct scratch_scope s = S.scopes[k];
    size_t kept = k;

    verify_all();
    marena_scope_end(s.scope);
    if (s.slot >= 0)
        CHECK(marena_used(s.scope.arena) == s.used);
    for (size_t i = k + 1; i < S.nscopes; i++)
        if (S.scopes[i].slot != s.slot || s.slot < 0)
            S.scopes[kept++] = S.scopes[i];
    S.nscopes = kept;
    for (size_t i = 0; i < S.nscratch_live;) {
        if (S.scratch_slot[i] == s.slot && S.scratch_live[i].id >= s.first_id) {
            S.scratch_live[i] = S.scratch_live[--S.nscratch_live];
            S.scratch_slot[i] = S.scratch_slot[S.nscratch_live];
        } else {
            i++;
        }
    }
}

/* At the end of each input: every scope ends, innermost first, and the
 * scratch arenas go (LeakSanitizer and memcheck see a leak otherwise). */
static void
scratch_finish(void)
{
    while (S.nscopes > 0)
        scratch_end(S.nscopes - 1);
    marena_scratch_release();
    S.scratch[0] = S.scratch[1] = NULL;
}
#endif

/* Opcode 14: variants 0-3 scratch arenas, 4 marena_alloc_or_abort(), the
 * others alloc_aligned. */
static void
op_more(unsigned variant)
{
    switch (variant) {
#if MARENA_HAVE_SCRATCH
    case 0:
        scratch_begin(get8());
        break;
    case 1:
        scratch_alloc();
        break;
    case 2:
        if (S.nscopes > 0)
            scratch_end(S.nscopes - 1);
        break;
    case 3:
        if (S.nscopes > 0)
            scratch_end(get8() % S.nscopes);
        break;
#endif
    case 4:
        op_alloc_or_abort();
        break;
    default:
        op_alloc(variant, 0);
        break;
    }
}

/* ------------------------------------------------------------------ concurrent */

#if MARENA_HAVE_CONCURRENT
static marena_concurrent_t *concurrent;

/* A concurrent allocation is served exactly when it fits between the
 * cursor (aligned up) and the end, as marena_alloc_aligned() would. */
static void
cc_alloc(size_t size, size_t align)
{
    uintptr_t cursor = S.cc_cursor;
    size_t available = (size_t)(S.cc_end - cursor);
    size_t padding = (size_t)(0u - cursor) & (align - 1);
    int fits = size != 0 && is_power_of_two(align) && padding <= available &&
               size <= available - padding;
    void *memory = marena_concurrent_alloc(concurrent, size, align);
    struct live *l;

    CHECK((memory != NULL) == fits);
    if (memory == NULL)
        return;
    CHECK((uintptr_t)memory == cursor + padding);
    S.cc_cursor = cursor + padding + size;
    /* MARENA_WIPE: what was handed out before a reset reads as zero. */
    if (wiping() && (uintptr_t)memory < S.cc_wiped)
        check_zeroed(memory, MIN(size, S.cc_wiped - (uintptr_t)memory));
    S.next_id++;
    if (S.nlive == MAX_LIVE)
        return;
    l = &S.live[S.nlive++];
    l->addr = (uintptr_t)memory;
    l->size = size;
    l->id = S.next_id;
    fill(l);
}

static void
cc_reset(void)
{
    verify_all();
    marena_concurrent_reset(concurrent);
    S.nlive = 0;
    if ((S.flags & MARENA_WIPE) && S.cc_cursor > S.cc_wiped)
        S.cc_wiped = S.cc_cursor;
    S.cc_cursor = S.cc_base;
}

static void
cc_null_calls(void)
{
    CHECK(marena_concurrent_alloc(NULL, 1, 1) == NULL);
    CHECK(marena_concurrent_used(NULL) == 0 && marena_concurrent_capacity(NULL) == 0);
    marena_concurrent_reset(NULL);
    marena_concurrent_destroy(NULL);
}

/* Operations (byte % 4): 0 alloc (size, align as for the arena), 1 alloc
 * of exactly what is left at align 1 (bit 4: one byte more), 2 reset,
 * 3 calls with NULL. */
static void
cc_run(void)
{
    while (S.in_left > 0) {
        unsigned op = get8();
        size_t size;

        S.op_index++;
#ifdef FUZZ_STANDALONE
        if (trace)
            fprintf(stderr, "concurrent %u: %u, used %zu\n", S.op_index, op % 4,
                    (size_t)(S.cc_cursor - S.cc_base));
#endif
        switch (op % 4) {
        case 0:
            size = decode_size(get16());
            cc_alloc(size, decode_align(get8()));
            break;
        case 1:
            cc_alloc((size_t)(S.cc_end - S.cc_cursor) + ((op >> 4) & 1), 1);
            break;
        case 2:
            cc_reset();
            break;
        default:
            cc_null_calls();
            break;
        }
        CHECK(marena_concurrent_used(concurrent) == S.cc_cursor - S.cc_base);
        CHECK(marena_concurrent_capacity(concurrent) == S.cc_end - S.cc_base);
        if (S.op_index % VERIFY_ALL_EVERY == 0)
            verify_all();
        else
            verify_edges();
    }
    verify_all();
}

/*
 * The concurrent arena, single-threaded: in a caller buffer (c1-c2 its
 * size, c3 its offset) or on the recording backend (e1 bit 0; c1-c2 the
 * block size), with MARENA_WIPE (c0 bit 2). Its record sits at the start
 * of the block, so the block's end and the capacity tell where allocations
 * start.
 */
static void
run_concurrent(const unsigned *c, const unsigned *e)
{
    marena_options_t options = {0};
    size_t size = (size_t)(c[1] | c[2] << 8);
    int in_buffer = !(e[1] & 1);
    uintptr_t start = 0, end = 0;
    size_t capacity;

    options.flags = S.flags;
    if (in_buffer) {
        size %= STATIC_BUFFER + 1;
        memset(static_buffer.bytes, BACKEND_FILL, (c[3] & 31) + size);
        options.buffer = static_buffer.bytes + (c[3] & 31);
        options.buffer_size = size;
        start = ROUND_UP((uintptr_t)options.buffer, MARENA_ALIGNMENT);
        end = ALIGN_DOWN((uintptr_t)options.buffer + size);
    } else {
        options.backend = &recording_backend;
        options.backend_ctx = &S.rec;
        options.block_size = size;
    }
    concurrent = marena_concurrent_create(&options);
    if (concurrent == NULL) {
        CHECK(recorder_empty());
        /* No room for the control block, the record and a byte. */
        CHECK(in_buffer ? end < start + MARENA_CONTROL_SIZE + 128 : misbehaves(0));
        return;
    }
    if (!in_buffer) {
        CHECK(!misbehaves(0) && S.rec.nblocks == 1);
        start = S.blocks[0].addr;
        end = ALIGN_DOWN(start + S.blocks[0].size);
        S.rec.control = start;
    }
    capacity = marena_concurrent_capacity(concurrent);
    CHECK(capacity > 0 && capacity <= end - (start + MARENA_CONTROL_SIZE));
    CHECK(in_buffer || capacity >= (size != 0 ? size : MARENA_DEFAULT_BLOCK_SIZE));
    S.cc_end = end;
    S.cc_base = S.cc_cursor = end - capacity;
    CHECK(S.cc_base - (start + MARENA_CONTROL_SIZE) <= 64); /* the record */
    CHECK(marena_concurrent_used(concurrent) == 0);
    cc_run();
    S.nlive = 0;
    marena_concurrent_destroy(concurrent);
    CHECK(recorder_empty());
    if (in_buffer && wiping())
        check_wiped(start + MARENA_CONTROL_SIZE, end);
}
#endif

/* ------------------------------------------------------------------ hostile */

/* The options of a valid arena on the recording backend. */
static marena_options_t
valid_options(unsigned flags)
{
    marena_options_t options = {0};

    options.backend =
        (flags & MARENA_RESERVE) ? &recording_reserve_backend : &recording_backend;
    options.backend_ctx = &S.rec;
    options.block_size = 256;
    options.flags = flags;
    return options;
}

/* A backend with acquire or not, and the members of reserve, commit,
 * decommit that `mask` names (bits 0, 1, 2). */
static const marena_backend_t *
partial_backend(unsigned mask, int with_acquire)
{
    static marena_backend_t backend;

    memset(&backend, 0, sizeof(backend));
    backend.name = "partial";
    backend.acquire = with_acquire ? rec_acquire : NULL;
    backend.release = rec_release;
    backend.reserve = (mask & 1) ? rec_reserve : NULL;
    backend.commit = (mask & 2) ? rec_commit : NULL;
    backend.decommit = (mask & 4) ? rec_decommit : NULL;
    return &backend;
}

/* A creation the library must refuse: NULL, after `calls` backend calls
 * (0: before asking the backend for anything), nothing left out. */
FUZZ_NO_COVERAGE static void
expect_refused(const marena_t *arena, size_t calls)
{
    CHECK(arena == NULL);
    CHECK(S.rec.calls == calls);
    CHECK(recorder_empty());
}

/* Can this build make reservations? */
static int
can_reserve(void)
{
    return FUZZ_HAVE_MMAP || MARENA_HAVE_MMAP_BACKEND;
}

/* A created arena works: nothing used, every byte of its first block
 * writable (but for the red zone), growth twice (with MARENA_GROW), its
 * figures the recorder's (when `recorded`); then it goes, leaving nothing
 * out. */
static void
exercise(marena_t *arena, unsigned flags, int recorded)
{
    size_t remaining = marena_remaining(arena), redzone = redzone_of(arena);
    marena_stats_t st;

    CHECK(marena_used(arena) == 0);
    CHECK(remaining != 0 && remaining == marena_capacity(arena));
    CHECK(((uintptr_t)arena + MARENA_CONTROL_SIZE + remaining) % MARENA_ALIGNMENT == 0);
    if (remaining > redzone) {
        void *memory = marena_alloc_aligned(arena, remaining - redzone, 1);

        CHECK(memory == (void *)((uintptr_t)arena + MARENA_CONTROL_SIZE));
        memset(memory, 0x5a, remaining - redzone);
    }
    if (flags & MARENA_GROW) {
        unsigned char *a = marena_alloc(arena, 1), *b = marena_alloc(arena, 100000);

        CHECK(a != NULL && b != NULL);
        a[0] = b[0] = b[99999] = 0x5a;
    }
    marena_stats(arena, &st);
    if (recorded) {
        CHECK(st.backend_calls == S.rec.calls);
        CHECK(st.backend_bytes == S.rec.bytes_out ||
              ((flags & MARENA_RESERVE) &&
               st.backend_bytes == ALIGN_DOWN(S.rec.bytes_out)));
    }
    marena_destroy(arena);
    CHECK(recorder_empty());
}

#if FUZZ_HAVE_MMAP && MARENA_HAVE_MMAP_BACKEND
/* The guarded backend: the usable end is where the guard page starts. */
FUZZ_NO_COVERAGE static void
check_guarded_end(const marena_t *arena, size_t capacity)
{
    size_t wanted = MARENA_CONTROL_SIZE + ROUND_UP(capacity, MARENA_ALIGNMENT);

    CHECK(MARENA_CONTROL_SIZE + marena_capacity(arena) == ROUND_UP(wanted, page_size()));
}
#endif

/* An arena in a caller buffer: marena_create_static(), or
 * marena_create_ex() (always where the build has no static backend). */
static marena_t *
create_in(void *buffer, size_t size, int with_create_ex)
{
    marena_options_t options = {0};

#if MARENA_HAVE_STATIC_BACKEND
    if (!with_create_ex)
        return marena_create_static(buffer, size);
#endif
    (void)with_create_ex;
    options.buffer = buffer;
    options.buffer_size = size;
    return marena_create_ex(&options);
}

/* Buffers of every small size and misalignment: made exactly when the
 * aligned control block and one aligned unit fit, never touching a byte
 * outside [aligned start, aligned end). */
static void
hostile_small_buffer(size_t size, unsigned offset, int with_create_ex)
{
    unsigned char *buffer = static_buffer.bytes + offset;
    uintptr_t start = (uintptr_t)buffer, aligned = ROUND_UP(start, MARENA_ALIGNMENT);
    uintptr_t end = ALIGN_DOWN(start + size);
    int fits =
        size > aligned - start && end >= aligned + MARENA_CONTROL_SIZE + MARENA_ALIGNMENT;
    marena_t *arena;
    size_t i;

    memset(static_buffer.bytes, BACKEND_FILL, 512);
    arena = create_in(buffer, size, with_create_ex);
    CHECK((arena != NULL) == fits);
    if (arena != NULL) {
        CHECK((uintptr_t)arena == aligned);
        CHECK(marena_capacity(arena) == end - (aligned + MARENA_CONTROL_SIZE));
        exercise(arena, 0, 0);
    }
    for (i = 0; i < 512; i++)
        if (!fits || (uintptr_t)&static_buffer.bytes[i] < aligned ||
            (uintptr_t)&static_buffer.bytes[i] >= end)
            CHECK(static_buffer.bytes[i] == BACKEND_FILL);
}

/* Fake buffers at the top of the address space and in its first page,
 * with sizes that wrap or cannot hold the control block: refused without
 * a touch (a touch faults). */
static void
hostile_fake_buffer(unsigned p, unsigned q)
{
    size_t k = p % MARENA_CONTROL_SIZE;
    const size_t top_sizes[8] = {0,          1, k, k + 1, k + 2, SIZE_MAX, SIZE_MAX - k,
                                 PTRDIFF_MAX};
    const size_t low_sizes[4] = {0, 1, MARENA_CONTROL_SIZE, SIZE_MAX - 15};
    uintptr_t fake = (q & 8) ? UINTPTR_MAX - k : 16 * (1 + (uintptr_t)(p % 255));
    size_t size = (q & 8) ? top_sizes[q % 8] : low_sizes[q % 4];
    marena_options_t options = valid_options((q & 16) ? MARENA_GROW : 0);

    options.buffer = (void *)fake;
    options.buffer_size = size;
    options.flags |= (q & 32) ? MARENA_WIPE : 0;
#if MARENA_HAVE_STATIC_BACKEND
    CHECK(marena_create_static((void *)fake, size) == NULL);
#endif
    expect_refused(marena_create_ex(&options), 0);
#if MARENA_HAVE_CONCURRENT
    options.flags &= ~MARENA_GROW;
    CHECK(marena_concurrent_create(&options) == NULL);
#endif
    CHECK(S.rec.calls == 0); /* not one backend call */
}

/* MARENA_RESERVE misused, and backends with only some of reserve, commit
 * and decommit or without acquire: refused before any backend call. */
static void
hostile_backend(unsigned which, unsigned p)
{
    marena_options_t options = valid_options(MARENA_GROW);

    switch (which) {
    case 0:
        options.flags = MARENA_RESERVE | ((p & 1) ? MARENA_GROW : 0);
        options.backend =
            (p & 2) ? &recording_reserve_backend : partial_backend((p >> 2) % 7, 1);
        if ((p & 3) == 2) {
            options.buffer = static_buffer.bytes;
            options.buffer_size = 4096;
        }
        break;
    case 1:
        options.backend = partial_backend(1 + p % 6, 1);
        break;
    default:
        options.backend = partial_backend((p & 1) ? 7 : 0, 0);
        break;
    }
    /* With a buffer (fixed, or growing) too: the backend is checked on
     * every path. */
    if (which != 0 && (p & 8)) {
        options.buffer = static_buffer.bytes;
        options.buffer_size = 4096;
        options.flags = (p & 16) ? MARENA_GROW : 0;
    }
    expect_refused(marena_create_ex(&options), 0);
}

/* block_size 0 (the default), tiny, and too large for any block. */
static void
hostile_block_size(unsigned p)
{
    static const size_t sizes[8] = {0,
                                    1,
                                    MARENA_ALIGNMENT - 1,
                                    MARENA_MAX_CAPACITY,
                                    MARENA_MAX_CAPACITY + 1,
                                    SIZE_MAX,
                                    (size_t)PTRDIFF_MAX,
                                    SIZE_MAX / 2 + 1};
    unsigned flags = (p & 8) && can_reserve() ? MARENA_RESERVE : MARENA_GROW;
    marena_options_t options = valid_options(flags);
    size_t size = sizes[p % 8];
    marena_t *arena;

    options.block_size = size;
    arena = marena_create_ex(&options);
    if (size > MARENA_MAX_CAPACITY) {
        expect_refused(arena, 0);
    } else if (size == MARENA_MAX_CAPACITY) {
        expect_refused(arena, 1); /* the backend has no such block */
    } else {
        CHECK(arena != NULL);
        CHECK(marena_capacity(arena) >= (size != 0 ? size : MARENA_DEFAULT_BLOCK_SIZE));
        exercise(arena, flags, 1);
    }
}

/* A limit below the first block refuses it (before any backend call for
 * ordinary blocks); a limit of exactly the first block does not. */
static void
hostile_limit(unsigned p, unsigned q)
{
    size_t block_size = 64 + (size_t)(p % 64) * 16;
    size_t wanted = MARENA_CONTROL_SIZE + ROUND_UP(block_size, MARENA_ALIGNMENT);
    /* Reservations of the harness's own pages grant what was asked. */
    unsigned flags = (q & 1) && FUZZ_HAVE_MMAP ? MARENA_RESERVE : MARENA_GROW;
    marena_options_t options = valid_options(flags);
    marena_t *arena;

    options.block_size = block_size;
    options.limit = wanted - ((q & 2) ? 0 : 1 + (q >> 2) % 64);
    arena = marena_create_ex(&options);
    if (options.limit == wanted) {
        CHECK(arena != NULL);
        exercise(arena, flags & ~MARENA_GROW, 1); /* no room to grow */
    } else if (flags & MARENA_RESERVE) {
        /* Reserved, then given back; or refused at once. */
        CHECK(arena == NULL && recorder_empty() &&
              (S.rec.calls == 0 || S.rec.calls == 2));
    } else {
        expect_refused(arena, 0);
    }
}

/* Creations on backends that fail or lie at their first call: NULL, the
 * block given back; an extra grant of 1..15 bytes is no lie, its end aligned
 * down. */
static void
hostile_lies(unsigned p, unsigned q)
{
    unsigned flags = (p & 8) && can_reserve() ? MARENA_RESERVE : MARENA_GROW;
    marena_options_t options = valid_options(flags);
    marena_t *arena;

    options.block_size = 64 + (size_t)q * 16;
    if (p & 16) {
        S.rec.extra = 1 + (size_t)(q % 15);
        arena = marena_create_ex(&options);
        CHECK(arena != NULL);
        CHECK(
            (uintptr_t)arena + MARENA_CONTROL_SIZE + marena_capacity(arena) ==
            ALIGN_DOWN(S.blocks[0].addr + (S.blocks[0].reservation ? S.blocks[0].committed
                                                                   : S.blocks[0].size)));
        exercise(arena, flags, 1);
        return;
    }
    S.rec.how = (enum lie)(LIE_FAIL + p % 4);
    /* A reservation whose first commit fails, or the first call. */
    S.rec.once = (flags & MARENA_RESERVE) && (p & 4) ? 2 : 1;
    if ((p & 32) && !(flags & MARENA_RESERVE))
        arena = marena_create_with(&recording_backend, &S.rec, options.block_size);
    else
        arena = marena_create_ex(&options);
    CHECK(arena == NULL && recorder_empty());
    CHECK(S.rec.calls == (S.rec.once == 2 ? 3 : S.rec.how == LIE_FAIL ? 1 : 2));
}

#if MARENA_HAVE_DEFAULT_BACKEND
/* marena_create(): NULL for capacities 0 and above MARENA_MAX_CAPACITY
 * (before any backend call: the heap would be asked for them). */
static void
hostile_create(unsigned p)
{
    static const size_t capacities[4] = {0, MARENA_MAX_CAPACITY + 1, SIZE_MAX, 1};
    size_t capacity = p < 4 ? capacities[p] : (size_t)p * 64;
    marena_t *arena = marena_create(capacity);

    CHECK((arena != NULL) == (capacity != 0 && capacity <= MARENA_MAX_CAPACITY));
    if (arena != NULL) {
        CHECK(marena_capacity(arena) >= capacity);
        exercise(arena, 0, 0);
    }
}
#endif

/* Arenas on the real backends: marena_create(), marena_create_with(),
 * marena_create_ex(NULL), and a caller buffer that grows into the default
 * backend. */
static void
hostile_real(unsigned which, unsigned p)
{
    marena_options_t options = {0};
    marena_t *arena;

    switch (which) {
    case 0:
#if MARENA_HAVE_DEFAULT_BACKEND
        hostile_create(p);
#endif
        break;
    case 1:
        arena = marena_create_ex(NULL);
        CHECK((arena != NULL) == MARENA_HAVE_DEFAULT_BACKEND);
        if (arena != NULL) {
            CHECK(marena_capacity(arena) >= MARENA_DEFAULT_BLOCK_SIZE);
            exercise(arena, 0, 0);
        }
        break;
    case 2:
        /* Growth with no backend named: the default one, if any. */
        options.buffer = static_buffer.bytes;
        options.buffer_size = 1024 + (size_t)p * 8;
        options.flags = MARENA_GROW;
        arena = marena_create_ex(&options);
        CHECK((arena != NULL) == MARENA_HAVE_DEFAULT_BACKEND);
        if (arena != NULL)
            exercise(arena, MARENA_GROW, 0);
        break;
    default:
        switch (p % 4) {
        case 0:
            CHECK(marena_create_with(NULL, &S.rec, 64) == NULL);
            break;
        case 1:
            expect_refused(marena_create_with(&recording_backend, &S.rec, 0), 0);
            break;
        case 2:
            expect_refused(
                marena_create_with(&recording_backend, &S.rec, MARENA_MAX_CAPACITY + 1),
                0);
            break;
        default:
            expect_refused(marena_create_with(partial_backend(7, 0), &S.rec, 64), 0);
            break;
        }
        break;
    }
}

#if MARENA_HAVE_CONCURRENT
/* The concurrent arena refuses growth, reservations and blocks too large
 * for its record; with NULL options it is the default backend's. */
static void
hostile_concurrent(unsigned p)
{
    marena_options_t options = valid_options(0);
    marena_concurrent_t *arena;

    switch (p % 4) {
    case 0:
        arena = marena_concurrent_create(NULL);
        CHECK((arena != NULL) == MARENA_HAVE_DEFAULT_BACKEND);
        if (arena != NULL) {
            size_t capacity = marena_concurrent_capacity(arena);

            CHECK(capacity >= MARENA_DEFAULT_BLOCK_SIZE);
            CHECK(marena_concurrent_alloc(arena, capacity, 1) != NULL);
            CHECK(marena_concurrent_alloc(arena, 1, 1) == NULL);
            marena_concurrent_destroy(arena);
        }
        return;
    case 1:
        options.flags = MARENA_GROW;
        break;
    case 2:
        options = valid_options(MARENA_RESERVE);
        break;
    default:
        options.block_size = MARENA_MAX_CAPACITY;
        break;
    }
    CHECK(marena_concurrent_create(&options) == NULL);
    CHECK(S.rec.calls == 0); /* refused before the backend is asked */
}
#endif

static void
hostile_create_with(unsigned p)
{
    const marena_backend_t *backend = real_backend(p % 3);
    size_t capacity = 1 + (size_t)(p / 3) * 16;
    marena_t *arena;

    if (backend == NULL)
        return;
    arena = marena_create_with(backend, NULL, capacity);
    CHECK(arena != NULL && marena_capacity(arena) >= capacity);
#if FUZZ_HAVE_MMAP && MARENA_HAVE_MMAP_BACKEND
    if (backend == &marena_backend_mmap_guarded)
        check_guarded_end(arena, capacity);
#endif
    exercise(arena, 0, 0);
}

/*
 * Hostile creations, one per case byte until the input ends (case % 16,
 * then one or two parameter bytes): nonzero reserved fields, unknown
 * flags, MARENA_RESERVE misused, backends without some members, hostile
 * block sizes, limits and max_block_size, small and fake buffers, the real
 * backends, the concurrent arena's options, lying backends. Each arena
 * made is exercised and destroyed, and the recorder must have nothing out.
 */
static void
run_hostile(void)
{
    while (S.in_left > 0) {
        unsigned c = get8(), p = get8();
        marena_options_t options = valid_options(MARENA_GROW);
        marena_t *arena;

        S.op_index++;
#ifdef FUZZ_STANDALONE
        if (trace)
            fprintf(stderr, "hostile %u: case %u, %u\n", S.op_index, c % 16, p);
#endif
        recorder_reset(SOURCE_CACHE);
        switch (c % 16) {
        case 0:
            options.reserved[p % 4] = &S;
            expect_refused(marena_create_ex(&options), 0);
            break;
        case 1:
            options.flags |= 1u << (3 + p % 29);
            expect_refused(marena_create_ex(&options), 0);
            break;
        case 2:
        case 3:
        case 4:
            hostile_backend(c % 16 - 2, p);
            break;
        case 5:
            hostile_block_size(p);
            break;
        case 6:
            hostile_limit(p, get8());
            break;
        case 7: {
            static const size_t maxes[4] = {0, 1, SIZE_MAX, MARENA_MAX_CAPACITY + 1};

            options.max_block_size = maxes[p % 4];
            arena = marena_create_ex(&options);
            CHECK(arena != NULL);
            exercise(arena, MARENA_GROW, 1);
            break;
        }
        case 8:
            hostile_small_buffer(p, get8() % 32, (c >> 4) & 1);
            break;
        case 9:
            hostile_fake_buffer(p, get8());
            break;
        case 10:
        case 11:
        case 12:
        case 13:
            hostile_real(c % 16 - 10, p);
            break;
        case 14:
            hostile_create_with(p);
#if MARENA_HAVE_CONCURRENT
            hostile_concurrent(p);
#endif
            break;
        default:
            hostile_lies(p, get8());
            break;
        }
        CHECK(recorder_empty());
    }
}

/* ------------------------------------------------------------------ arena */

/* What every arena records once made: its red zone, capacity, the bytes
 * its first block holds, where that block's usable bytes end (an unseen
 * backend's: where the capacity says), and the growth cap it applies. */
FUZZ_NO_COVERAGE static void
note_created(const marena_options_t *options)
{
    marena_stats_t st;

    S.redzone = redzone_of(S.arena);
    S.initial_capacity = marena_capacity(S.arena);
    marena_stats(S.arena, &st);
    S.first_held = st.backend_bytes;
    if (S.first_end == 0)
        S.first_end = (uintptr_t)S.arena + MARENA_CONTROL_SIZE + S.initial_capacity;
    CHECK(S.initial_capacity == first_end() - ((uintptr_t)S.arena + MARENA_CONTROL_SIZE));
    S.max_block = options != NULL && options->max_block_size != 0
                      ? options->max_block_size
                      : MARENA_DEFAULT_MAX_BLOCK_SIZE;
    if (S.max_block < S.initial_capacity)
        S.max_block = S.initial_capacity;
}

/* The arena's first block is the recorder's first block. */
FUZZ_NO_COVERAGE static void
note_first_block(void)
{
    CHECK(S.rec.nblocks == 1 && S.blocks[0].addr == (uintptr_t)S.arena);
    S.rec.control = (uintptr_t)S.arena;
    if (!S.blocks[0].reservation)
        S.first_end = ALIGN_DOWN(S.blocks[0].addr + S.blocks[0].size);
}

/* Misbehaving backend calls (c0 bit 5): call n when n % (2 + c7 % 16) ==
 * (c7 / 16) % that. */
static void
decode_failures(const unsigned *c)
{
    if (c[0] & 32) {
        S.rec.every = 2 + c[7] % 16;
        S.rec.phase = (c[7] / 16) % S.rec.every;
    }
}

/* A limit (c0 bit 3) and max_block_size (c0 bit 4) for growing arenas. */
static void
decode_growth(const unsigned *c, marena_options_t *options)
{
    static const size_t hostile_max[4] = {1, SIZE_MAX, MARENA_MAX_CAPACITY + 1,
                                          PTRDIFF_MAX};

    if (c[0] & 8)
        S.limit = 256 + (size_t)(c[4] | c[5] << 8) * 64;
    if (c[0] & 16)
        options->max_block_size =
            c[6] >= 0xf0 ? hostile_max[c[6] & 3] : (size_t)64 << (c[6] % 15);
    options->limit = S.limit;
}

/* A fixed arena in the static buffer, or one that grows beyond it. */
static int
create_in_buffer(const unsigned *c, marena_options_t *options)
{
    unsigned char *buffer;
    uintptr_t aligned;
    int fits;

    S.buf_size = (size_t)(c[1] | c[2] << 8) % (STATIC_BUFFER + 1);
    /* Filled, so that a wipe check can tell. */
    memset(static_buffer.bytes, BACKEND_FILL, (c[3] & 31) + S.buf_size);
    buffer = static_buffer.bytes + (c[3] & 31);
    S.buf_start = (uintptr_t)buffer;
    S.first_end = ALIGN_DOWN(S.buf_start + S.buf_size);
    aligned = ROUND_UP(S.buf_start, MARENA_ALIGNMENT);
    fits = S.buf_size > aligned - S.buf_start &&
           S.first_end >= aligned + MARENA_CONTROL_SIZE + MARENA_ALIGNMENT;
    options->flags = S.flags;
#if MARENA_HAVE_STATIC_BACKEND
    if (!(S.flags & (MARENA_GROW | MARENA_WIPE)) && !(c[0] & 64)) {
        S.arena = marena_create_static(buffer, S.buf_size);
    } else
#endif
    {
        options->buffer = buffer;
        options->buffer_size = S.buf_size;
        S.arena = marena_create_ex(options);
    }
    CHECK(S.rec.calls == 0);
    CHECK((S.arena != NULL) == fits);
    if (S.arena == NULL)
        return 0;
    CHECK((uintptr_t)S.arena == aligned);
    note_created(options);
    if (S.buf_size > MARENA_STATIC_OVERHEAD)
        CHECK(S.initial_capacity >= S.buf_size - MARENA_STATIC_OVERHEAD);
    return 1;
}

/* A growing arena whose first block comes from the recorder. */
static int
create_from_backend(marena_options_t *options, size_t block_size)
{
    size_t wanted = MARENA_CONTROL_SIZE + ROUND_UP(block_size, MARENA_ALIGNMENT);

    options->flags = S.flags;
    options->block_size = block_size;
    S.arena = marena_create_ex(options);
    if (S.arena == NULL) {
        CHECK(recorder_empty());
        CHECK(S.limit != 0 || misbehaves(0));
        return 0;
    }
    CHECK(!misbehaves(0) && (S.limit == 0 || wanted <= S.limit));
    note_first_block();
    note_created(options);
    CHECK(S.initial_capacity >= block_size);
    return 1;
}

/* A MARENA_RESERVE arena on the recorder's reservations. */
static int
create_reserve(const unsigned *c, const unsigned *e, marena_options_t *options)
{
    size_t block_size = (size_t)(c[1] | c[2] << 8) << (e[2] % 9);
    size_t wanted = MARENA_CONTROL_SIZE +
                    ROUND_UP(block_size != 0 ? block_size : MARENA_DEFAULT_BLOCK_SIZE,
                             MARENA_ALIGNMENT);

    if (!can_reserve())
        return 0;
    if (MARENA_HAVE_MMAP_BACKEND && ((e[1] & 1) || !FUZZ_HAVE_MMAP))
        S.rec.reserve_source = SOURCE_MMAP;
    S.flags |= MARENA_RESERVE;
    options->flags = S.flags;
    options->backend = &recording_reserve_backend;
    options->block_size = block_size;
    S.arena = marena_create_ex(options);
    if (S.arena == NULL) {
        CHECK(recorder_empty());
        /* The reservation or its first commit failed, or the limit. */
        CHECK(misbehaves(0) || misbehaves(1) || S.limit != 0 || wanted > RESERVE_MAX);
        return 0;
    }
    note_first_block();
    note_created(options);
    return 1;
}

/* A growing arena directly on a real backend, whose blocks are unseen;
 * always with a limit, so that no request reaches the backend with an
 * absurd size. */
static int
create_blind(const unsigned *c, const unsigned *e, marena_options_t *options)
{
    const marena_backend_t *backend = real_backend(e[1]);

    S.blind = 1;
    S.flags |= MARENA_GROW;
    if (S.limit == 0)
        S.limit = BLIND_LIMIT;
    options->limit = S.limit;
    options->flags = S.flags;
    options->backend = backend;
    options->backend_ctx = NULL;
    options->block_size = 64 + (size_t)(c[1] | c[2] << 8) % 4033;
    S.arena = marena_create_ex(options);
    if (S.arena == NULL) {
        /* No backend at all, or a small limit. */
        CHECK((backend == NULL && !MARENA_HAVE_DEFAULT_BACKEND) ||
              S.limit != BLIND_LIMIT);
        return 0;
    }
    note_created(options);
    return 1;
}

/* A fixed arena from marena_create() (the default backend), or from
 * marena_create_with() (c0 bit 6) on the recorder or a real backend (e1
 * bits 0-1: recorder, heap, mmap, guarded mmap). */
static int
create_fixed_on_backend(const unsigned *c, const unsigned *e)
{
    size_t capacity = (size_t)(c[1] | c[2] << 8);
    const marena_backend_t *backend = &recording_backend;

    S.flags = 0;
    S.limit = 0;
    if (c[0] & 64) {
        if (e[1] & 3)
            backend = real_backend((e[1] & 3) - 1);
        if (backend == NULL)
            return 0;
        S.arena = marena_create_with(backend, &S.rec, capacity);
    } else {
#if MARENA_HAVE_DEFAULT_BACKEND
        backend = NULL;
        S.arena = marena_create(capacity);
#else
        return 0;
#endif
    }
    S.blind = backend != &recording_backend;
    if (S.arena == NULL) {
        CHECK(recorder_empty());
        CHECK(capacity == 0 || (!S.blind && misbehaves(0)));
        return 0;
    }
    CHECK(capacity != 0);
    if (!S.blind) {
        CHECK(!misbehaves(0));
        note_first_block();
    }
    note_created(NULL);
    CHECK(S.initial_capacity >= capacity);
#if FUZZ_HAVE_MMAP && MARENA_HAVE_MMAP_BACKEND
    if (backend == &marena_backend_mmap_guarded)
        check_guarded_end(S.arena, capacity);
#endif
    return 1;
}

/*
 * Kind 3: three more configuration bytes.
 *   e0 % 6, the part: 0 a growing arena on the recorder (c0 bit 6: in a
 *       caller buffer first) with memory from e1 bits 0-1 (malloc, the
 *       heap, mmap or guarded mmap backend); 1 a MARENA_RESERVE arena on
 *       the recorder (e1 bit 0: reservations of the mmap backend, else of
 *       the harness's own pages); 2 a growing arena directly on a real
 *       backend (e1 bits 0-1: heap, mmap, guarded mmap, the default),
 *       unseen; 3 a fixed arena from marena_create() or
 *       marena_create_with() (create_fixed_on_backend()); 4 the concurrent
 *       arena (run_concurrent()); 5 hostile creations (run_hostile())
 *   e1: bits 2-3 how a misbehaving call misbehaves (fail, a short grant,
 *       a misaligned block, a size that wraps), bit 4 only call c7
 *       misbehaves (else the pattern of decode_failures()), bits 5-7 an
 *       extra grant of 0, 1, 2, 3, 7, 8, 13 or 15 bytes
 *   e2: a reservation of (c1 | c2 << 8) << (e2 % 9) bytes
 * The bits of c0 keep their meaning where they apply (c0 bit 7 does not).
 */
static int
create_part(const unsigned *c, marena_options_t *options)
{
    /* Grants beyond the request that are no multiple of MARENA_ALIGNMENT. */
    static const size_t extras[8] = {0, 1, 2, 3, 7, 8, 13, 15};
    unsigned e[3];

    for (int i = 0; i < 3; i++)
        e[i] = get8();
    decode_failures(c);
    if ((c[0] & 32) && (e[1] & 16)) {
        S.rec.every = 0;
        S.rec.once = 1 + c[7];
    }
    S.rec.how = (enum lie)(LIE_FAIL + ((e[1] >> 2) & 3));
    S.rec.extra = extras[e[1] >> 5];
    switch (e[0] % 6) {
    case 0:
        decode_growth(c, options);
        S.rec.source = available_source(e[1]);
        S.flags |= MARENA_GROW;
        if (c[0] & 64)
            return create_in_buffer(c, options);
        return create_from_backend(options, 64 + (size_t)(c[1] | c[2] << 8) % 4033);
    case 1:
        decode_growth(c, options);
        return create_reserve(c, e, options);
    case 2:
        decode_growth(c, options);
        return create_blind(c, e, options);
    case 3:
        return create_fixed_on_backend(c, e);
#if MARENA_HAVE_CONCURRENT
    case 4:
        run_concurrent(c, e);
        return 0;
#endif
    case 5:
        S.flags = 0;
        run_hostile();
        return 0;
    default:
        return 0;
    }
}

/*
 * Configuration bytes:
 *   c0: bits 0-1 kind (0 fixed buffer, 1 growing on the recording backend,
 *       2 caller buffer + MARENA_GROW on it, 3 a part of create_part()),
 *       bit 2 MARENA_WIPE, bit 3 a limit, bit 4 max_block_size, bit 5
 *       misbehaving backend calls, bit 6 fixed: marena_create_ex instead
 *       of marena_create_static, bit 7 the backend grants more than asked
 *   c1-c2: buffer size (fixed: 0..16384) or block_size (64..4096)
 *   c3: buffer offset (bits 0-4), extra grant / 8 (bits 5-7)
 *   c4-c5: limit / 64 (plus 256)
 *   c6: max_block_size = 64 << (c6 % 15); from 0xf0 on (bits 0-1): 1,
 *       SIZE_MAX, MARENA_MAX_CAPACITY + 1, PTRDIFF_MAX
 *   c7: which backend calls fail (decode_failures())
 * Returns 0 when there is no arena to run operations on (none was made,
 * which is then checked, or the part ran on its own).
 */
static int
create_arena(void)
{
    unsigned c[8];
    marena_options_t options;

    for (int i = 0; i < 8; i++)
        c[i] = get8();
    memset(&options, 0, sizeof(options));
    S.flags = (c[0] & 4) ? MARENA_WIPE : 0u;
    options.backend = &recording_backend;
    options.backend_ctx = &S.rec;
    if ((c[0] & 3) == 3)
        return create_part(c, &options);
    S.rec.how = LIE_FAIL;
    if ((c[0] & 3) == 0)
        return create_in_buffer(c, &options);
    S.flags |= MARENA_GROW;
    decode_growth(c, &options);
    decode_failures(c);
    if (c[0] & 128)
        S.rec.extra = (size_t)(c[3] >> 5) * 8;
    if ((c[0] & 3) == 2)
        return create_in_buffer(c, &options);
    return create_from_backend(&options, 64 + (size_t)(c[1] | c[2] << 8) % 4033);
}

/* Release builds: a destroyed arena whose buffer still exists answers
 * NULL and 0, and destroying it again is harmless (debug builds abort on
 * its use by design). */
FUZZ_NO_COVERAGE static void
check_destroyed(void)
{
    CHECK(marena_alloc(S.arena, 1) == NULL);
    CHECK(marena_used(S.arena) == 0 && marena_remaining(S.arena) == 0 &&
          marena_capacity(S.arena) == 0);
    marena_destroy(S.arena);
    CHECK(recorder_empty());
    CHECK(S.call_clock == S.expected_calls);
}

static void
destroy_arena(void)
{
    S.nlive = 0;
    marena_destroy(S.arena);
    expect_cleanups_run(0);
    CHECK(recorder_empty());
    if (S.buf_start == 0)
        return;
    if (wiping())
        check_wiped((uintptr_t)S.arena + MARENA_CONTROL_SIZE, S.first_end);
    if (!MARENA_DEBUG)
        check_destroyed();
}

/* The operations, until the input ends. */
static void
run_operations(void)
{
    struct observed o;

    check_invariants(&o);
    while (S.in_left > 0) {
        unsigned op = get8();
        unsigned variant = op >> 4;

        S.op_index++;
#ifdef FUZZ_STANDALONE
        if (trace)
            fprintf(stderr, "op %u: %s variant %u, used %zu remaining %zu\n", S.op_index,
                    op_names[op & 15], variant, marena_used(S.arena),
                    marena_remaining(S.arena));
#endif
        switch (op & 15) {
        case 0:
            op_alloc(variant, 0);
            break;
        case 1:
            op_alloc(variant, 1);
            break;
        case 2:
            op_calloc(variant);
            break;
        case 3:
            op_reset(variant);
            break;
        case 4:
            op_mark(variant);
            break;
        case 5:
            op_rewind(variant);
            break;
        case 6:
            op_realloc(variant);
            break;
        case 7:
            op_pop(variant);
            break;
        case 8:
            op_strdup(variant);
            break;
        case 9:
            op_memdup(variant);
            break;
#if MARENA_HAVE_STDIO
        case 10:
            op_sprintf(variant);
            break;
#endif
        case 11:
            op_cleanup(variant);
            break;
        case 12:
            op_remaining(variant);
            break;
        case 13:
            op_query(variant);
            break;
        case 14:
            op_more(variant);
            break;
        default:
            op_realloc_other(variant);
            break;
        }
        check_invariants(&o);
        if (S.op_index % VERIFY_ALL_EVERY == 0)
            verify_all();
        else
            verify_edges();
    }
    verify_all();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialised;

    if (!initialised) {
        init_pattern();
        initialised = 1;
    }
    memset(&S, 0, offsetof(struct state, live));
    recorder_reset(SOURCE_CACHE);
    S.in = data;
    S.in_left = size;

    if (create_arena()) {
#ifdef FUZZ_STANDALONE
        if (trace)
            fprintf(stderr,
                    "arena: flags %#x limit %zu capacity %zu redzone %zu buffer %zu "
                    "blind %d; backend: every %u (phase %u) once %u how %d extra %zu "
                    "source %d\n",
                    S.flags, S.limit, S.initial_capacity, S.redzone, S.buf_size, S.blind,
                    S.rec.every, S.rec.phase, S.rec.once, (int)S.rec.how, S.rec.extra,
                    (int)S.rec.source);
#endif
        run_operations();
        destroy_arena();
    }
#if MARENA_HAVE_SCRATCH
    scratch_finish();
#endif
    marena_destroy(S.other);
    return 0;
}
/* ------------------------------------------------------------------ replay */

#ifdef FUZZ_STANDALONE
static int
replay_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t size = 0, capacity = 0, n;

    if (file == NULL) {
        perror(path);
        return -1;
    }
    do {
        if (size == capacity) {
            unsigned char *grown;

            capacity = capacity ? 2 * capacity : 4096;
            grown = realloc(data, capacity);
            if (grown == NULL) {
                free(data);
                fclose(file);
                return -1;
            }
            data = grown;
        }
        n = fread(data + size, 1, capacity - size, file);
        size += n;
    } while (n > 0);
    if (ferror(file)) {
        perror(path);
        free(data);
        fclose(file);
        return -1;
    }
    fclose(file);
    /* Named first, so that a failure (an abort, a sanitizer report) is
     * attributed to its input. */
    printf("replaying %s\n", path);
    fflush(stdout);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

/* (opendir(), not stat(): MSan in clang 14 does not intercept glibc 2.33's
 * stat() and would call its result uninitialised.) */
static int
is_directory(const char *path)
{
    DIR *dir = opendir(path);

    if (dir == NULL)
        return 0;
    closedir(dir);
    return 1;
}

/* Replays every regular file in a directory, in name order. */
static int
replay_directory(const char *path, unsigned *count)
{
    struct dirent **entries;
    int n = scandir(path, &entries, NULL, alphasort);
    int status = 0;

    if (n < 0) {
        perror(path);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        size_t length = strlen(path) + strlen(entries[i]->d_name) + 2;
        char *full = malloc(length);

        if (full != NULL && entries[i]->d_name[0] != '.') {
            snprintf(full, length, "%s/%s", path, entries[i]->d_name);
            if (!is_directory(full)) {
                if (replay_file(full) != 0)
                    status = -1;
                else
                    ++*count;
            }
        }
        free(full);
        free(entries[i]);
    }
    free(entries);
    return status;
}

int
main(int argc, char **argv)
{
    unsigned count = 0;
    int status = 0;

    trace = getenv("FUZZ_TRACE") != NULL;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (is_directory(argv[i])) {
            if (replay_directory(argv[i], &count) != 0)
                status = 1;
        } else if (replay_file(argv[i]) != 0) {
            status = 1;
        } else {
            count++;
        }
    }
    printf("fuzz-replay: %u inputs replayed\n", count);
    if (count == 0) {
        fprintf(stderr, "fuzz-replay: no inputs found\n");
        return 1;
    }
    return status;
}
#endif
