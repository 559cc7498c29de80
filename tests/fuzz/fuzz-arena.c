/* SPDX-License-Identifier: MIT */
/*
 * fuzz-arena: a libFuzzer target that turns its input into one part of the
 * library (an arena of some kind, the concurrent arena with its child
 * arenas, or a run of hostile creations), drives it through a sequence of operations decoded from the
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
#define VERIFY_WHOLE 4096          /* allocations up to this are checked whole */
#define VERIFY_EDGE 2048           /* larger ones: this many bytes at each end */
#define BACKEND_FILL 0xA5          /* fresh backend blocks and buffers hold this */
#define MAX_LOG 64                 /* backend calls recorded per operation */
#define MAX_WALK 64                /* blocks marena_walk() results are matched for */
#define BUILDER_MAX 65536          /* bytes a builder may hold in the model */
#define BUILDER_FIRST_CAPACITY 256 /* a builder's first allocation, at least */

#define ALIGN_DOWN(x) ((x) & ~(uintptr_t)(MARENA_ALIGNMENT - 1))
#define ROUND_UP(n, a) (((n) + (a)-1) & ~(size_t)((a)-1))
#define BLOCK_HEADER ROUND_UP(sizeof(struct marena_block), MARENA_ALIGNMENT)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

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
    uintptr_t base;   /* its block's usable start */
    uint64_t clock;   /* the model's block clock then (struct rblock order) */
    uint32_t next_id; /* allocations with ids from here came later */
    size_t npending;  /* cleanups registered before it */
    size_t nsnap;
    /* live allocations then, and the builder's allocation */
    struct snap_entry snap[MAX_LIVE + 1];
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
    int lie; /* broke the contract: the arena must give it back at once */
    /* The model of the arena's blocks (not for an unseen real backend). */
    int adopted;    /* the model knows it: in use or a spare */
    int inuse;      /* in use (else a spare) */
    int dedicated;  /* a block of its own for one request */
    uintptr_t fill; /* in use and not current: where its handed-out bytes end */
    uint64_t order; /* when it came into use, by the model's clock */
    int fate;       /* a reset or rewind: 1 keeps it, -1 gives it back */
    unsigned seen;  /* marena_walk() visited it (a stamp) */
};

/* What a backend call was, for the model to check an operation's calls. */
enum call_kind { CALL_ACQUIRE, CALL_RELEASE, CALL_RESERVE, CALL_COMMIT, CALL_DECOMMIT };

struct call {
    enum call_kind kind;
    size_t size;    /* asked for (acquire, reserve, commit) or given back */
    size_t granted; /* acquire: what the arena was told */
    uintptr_t addr; /* the block (acquire: NULL when it failed) */
    int lie;        /* acquire: the grant broke the contract */
};

/* Which releases the arena may make now (rec_release() checks). */
enum release_policy {
    RELEASE_ANY,      /* destroy, creations, the parts without a model */
    RELEASE_FRESH,    /* only a block acquired during this call (refused) */
    RELEASE_PREDICTED /* a reset or rewind: the blocks the model said */
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
    size_t header;     /* bytes before other blocks' usable memory (0: BLOCK_HEADER) */
    enum release_policy policy;
    size_t nlog; /* calls recorded since the operation began (up to MAX_LOG kept) */
    struct call log[MAX_LOG];
};

#if MARENA_HAVE_BUILDER
/* The model of a builder (marena_builder_t) on the fuzzed arena. */
struct builder_model {
    int active;         /* begun, and not ended by a reset, rewind or pop */
    int null_arena;     /* begun on a NULL arena */
    marena_builder_t b; /* the library's */
    uintptr_t data;     /* its allocation (0: none yet) */
    size_t length, capacity;
    uint32_t id; /* the allocation id of data (rewinds) */
};
#endif

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
    int tracked;       /* ASan or memcheck sees it: never the inline paths */
    int has_oom;       /* made with on_oom (oom_hook()) */

    /* the model */
    size_t nlive;
    uint32_t next_id;
    size_t allocations; /* expected stats.allocations */
    size_t failed;      /* expected stats.failed */
    size_t peak;        /* marena_used() at its highest: stats.peak */
    size_t nmarks;
    size_t nstale;
    uint64_t resets; /* resets so far (head.resets) */
    unsigned error;  /* expected marena_last_error() */

    /* the model of the blocks (not for an unseen real backend) */
    int modelled;            /* blocks known: not blind */
    uintptr_t cur;           /* the current block (its addr) */
    uint64_t clock;          /* blocks come into use: struct rblock order */
    struct rblock buf_block; /* the first block when it is a caller buffer */
    size_t cycle_high;       /* usable bytes in use at most since the last reset */
    size_t need;             /* MARENA_RETAIN_ADAPTIVE's estimate */
    unsigned walk_stamp;

    /* on_oom calls: how many, and what the last one saw */
    size_t oom_calls, oom_expected;
    size_t oom_size, oom_align;
    unsigned oom_error;

#if MARENA_HAVE_BUILDER
    struct builder_model bm;
#endif

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

    /* S.arena is a child of the concurrent arena (run_concurrent()): its
     * backend is marena_backend_concurrent, and S.rec and S.blocks are the
     * model's record of what it took from the concurrent arena */
    int child;

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
    unsigned char builder_text[BUILDER_MAX]; /* what the builder holds */
} S;

#if MARENA_HAVE_CONCURRENT
/* The concurrent arena's model (run_concurrent()). */
#define CC_MAX_LIVE 256 /* allocations it tracks */

/* The header of the concurrent arena's blocks from the backend (struct
 * cblock of src/concurrent.c: a cursor, a next pointer, base, end, size). */
struct cc_header_mirror {
    uintptr_t cursor;
    void *next;
    uintptr_t base, end;
    size_t size;
};
#define CC_HEADER ROUND_UP(sizeof(struct cc_header_mirror), MARENA_ALIGNMENT)
/* The most the concurrent arena's record (struct marena_concurrent, with
 * its red zone in a -Dredzone build) may take from the start of its first
 * block. */
#define CC_RECORD (256 + FUZZ_REDZONE)
/* What marena_backend_concurrent puts before each block of a child: the
 * concurrent arena's epoch, in debug builds (backends/concurrent.c). */
#define CC_STAMP (MARENA_DEBUG ? ROUND_UP(sizeof(uint64_t), MARENA_ALIGNMENT) : 0)

/* Where a block of the concurrent arena is: in use, as an ordinary block
 * (the first, and those installed since the last reset, the newest
 * current), a block of its own for one large request, or kept at the last
 * reset for reuse (ready: the cycle's ordinary blocks, ready_large: its
 * blocks of their own; each oldest first). */
enum cc_list { CC_CHAIN, CC_LARGE, CC_READY, CC_READY_LARGE };

struct cc_block {
    uintptr_t addr; /* the backend's block (the first block: the arena) */
    size_t size;    /* granted */
    uintptr_t base, end, cursor;
    uintptr_t wiped; /* MARENA_WIPE: [base, wiped) must read 0 */
    enum cc_list list;
    uint64_t seq; /* when it was installed or acquired */
};

static struct cc_model {
    marena_concurrent_t *arena;
    unsigned flags;   /* the concurrent arena's */
    int grows;        /* MARENA_GROW */
    size_t limit;     /* SIZE_MAX: none */
    size_t max_block; /* the growth cap it applies */
    size_t held;      /* backend bytes it counts */
    size_t uncounted; /* the recorder's bytes it does not (no growth option) */
    size_t failed;
    size_t peak; /* used at its highest at a reset */
    uint64_t resets, seq;
    size_t current; /* index of the current block */
    size_t nblocks, nlive;
    size_t logpos;    /* the recorder's calls checked so far in this operation */
    size_t faultable; /* its faultable calls, as of those (a child's acquire
                         is predicted after the call) */
    /* The concurrent arena's recorder, here while run_concurrent() runs
     * (S.rec and S.blocks then hold a child's record; cc_backend brings it
     * back for each call), and its blocks. */
    struct recorder rec;
    struct rblock rblocks[MAX_BLOCKS];
    struct cc_block blocks[MAX_BLOCKS]; /* [0]: the first */
    struct live live[CC_MAX_LIVE];
} CC;

/* What the model of a child (S.child) asks of the concurrent arena's
 * model (run_concurrent()). */
static void
child_acquire(size_t wanted);
static int
child_would_serve(size_t wanted);
static void
child_gave_back(void);
#endif

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

/* Every live allocation's patterned bytes (the arena's, the scratch
 * arenas' and the concurrent arena's). */
FUZZ_NO_COVERAGE static void
verify_all(void)
{
    for (size_t i = 0; i < S.nlive; i++)
        verify_bytes(&S.live[i], S.live[i].addr, 0, S.live[i].size);
    for (size_t i = 0; i < S.nscratch_live; i++)
        verify_bytes(&S.scratch_live[i], S.scratch_live[i].addr, 0,
                     S.scratch_live[i].size);
#if MARENA_HAVE_CONCURRENT
    for (size_t i = 0; i < CC.nlive; i++)
        verify_bytes(&CC.live[i], CC.live[i].addr, 0, CC.live[i].size);
#endif
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
#if MARENA_HAVE_CONCURRENT
    for (size_t i = 0; i < CC.nlive; i++)
        verify_near(&CC.live[i]);
#endif
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

/* Records a backend call (the first MAX_LOG of an operation are kept). */
FUZZ_NO_COVERAGE static struct call *
log_call(enum call_kind kind, size_t size)
{
    static struct call overflow;
    struct call *c = S.rec.nlog < MAX_LOG ? &S.rec.log[S.rec.nlog] : &overflow;

    S.rec.nlog++;
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->size = size;
    return c;
}

static void *
rec_acquire(void *ctx, size_t size, size_t *granted)
{
    enum lie how;
    size_t total, room, honest;
    void *memory;
    struct call *c;

    CHECK(ctx == &S.rec);
    CHECK(size != 0 && granted != NULL);
    S.rec.calls++;
    c = log_call(CALL_ACQUIRE, size);
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
    memory = hand_out(memory, room, size, honest, how, 0, granted);
    c->addr = (uintptr_t)memory;
    c->granted = *granted;
    c->lie = how != LIE_NONE;
    return memory;
}

static void
rec_release(void *ctx, void *block, size_t size)
{
    struct rblock *b;

    CHECK(ctx == &S.rec);
    S.rec.calls++;
    log_call(CALL_RELEASE, size)->addr = (uintptr_t)block;
    b = &S.blocks[find_block((uintptr_t)block)];
    CHECK(b->size == size);
    /* While an arena is modelled, it gives back only what the model
     * expects: a block it just refused, or what a reset or rewind was
     * predicted to give back. */
    if (S.rec.policy == RELEASE_FRESH)
        CHECK(!b->adopted);
    else if (S.rec.policy == RELEASE_PREDICTED)
        CHECK(!b->adopted || b->fate == -1);
    if (b->lie) {
        S.rec.lies_out--;
    } else {
        size_t held = b->reservation ? b->committed : b->size;

        /* The control block is wiped by destroy, then rewritten as an
         * empty arena: skip it. */
        if (wiping())
            check_wiped(b->addr + (b->addr == S.rec.control ? MARENA_CONTROL_SIZE
                                   : S.rec.header != 0      ? S.rec.header
                                                            : BLOCK_HEADER),
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
    log_call(CALL_RESERVE, size);
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
    log_call(CALL_COMMIT, size)->addr = a;
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
    log_call(CALL_DECOMMIT, size)->addr = a;
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

/* ---- the blocks: the recorder's blocks the arena holds (and a caller
 * buffer as its first block), each in use or a spare, as the model says */

FUZZ_NO_COVERAGE static size_t
rb_count(void)
{
    return S.rec.nblocks + (S.buf_start != 0);
}

/* Block i of rb_count() (skip those that lie: they are not the arena's). */
FUZZ_NO_COVERAGE static struct rblock *
rb_at(size_t i)
{
    return i < S.rec.nblocks ? &S.blocks[i] : &S.buf_block;
}

FUZZ_NO_COVERAGE static uintptr_t
rb_base(const struct rblock *b)
{
    return b->addr + (b->addr == (uintptr_t)S.arena ? MARENA_CONTROL_SIZE : BLOCK_HEADER);
}

FUZZ_NO_COVERAGE static uintptr_t
rb_end(const struct rblock *b)
{
    if (b == &S.buf_block)
        return S.first_end;
    if (b->reservation)
        return ALIGN_DOWN(b->addr + b->committed);
    return ALIGN_DOWN(b->addr + b->size);
}

FUZZ_NO_COVERAGE static size_t
rb_usable(const struct rblock *b)
{
    return (size_t)(rb_end(b) - rb_base(b));
}

/* The block that starts at addr, NULL if none. */
FUZZ_NO_COVERAGE static struct rblock *
rb_find(uintptr_t addr)
{
    for (size_t i = 0; i < rb_count(); i++)
        if (rb_at(i)->addr == addr && !rb_at(i)->lie)
            return rb_at(i);
    return NULL;
}

/* The block whose usable bytes hold p, NULL if none. */
FUZZ_NO_COVERAGE static struct rblock *
rb_holding(uintptr_t p)
{
    for (size_t i = 0; i < rb_count(); i++) {
        struct rblock *b = rb_at(i);

        if (!b->lie && p >= rb_base(b) && p < rb_end(b))
            return b;
    }
    return NULL;
}

FUZZ_NO_COVERAGE static struct rblock *
rb_first(void)
{
    return rb_find((uintptr_t)S.arena);
}

FUZZ_NO_COVERAGE static struct rblock *
rb_current(void)
{
    return rb_find(S.cur);
}

/* Where block b's handed-out bytes end: the cursor in the current block. */
FUZZ_NO_COVERAGE static uintptr_t
rb_fill(const struct rblock *b, const struct observed *o)
{
    return b->addr == S.cur ? o->cursor : b->fill;
}

/* The usable bytes of the blocks in use, what MARENA_RETAIN_ADAPTIVE's
 * estimate counts (noted before a reset or rewind takes blocks out of use:
 * in between, blocks only come into use). */
FUZZ_NO_COVERAGE static void
note_cycle_capacity(void)
{
    size_t held = 0;

    if (!S.modelled)
        return;
    for (size_t i = 0; i < rb_count(); i++)
        if (!rb_at(i)->lie && rb_at(i)->inuse)
            held += rb_usable(rb_at(i));
    if (held > S.cycle_high)
        S.cycle_high = held;
}

/* The model begins with the first block, in use and current. */
FUZZ_NO_COVERAGE static void
model_blocks(void)
{
    struct rblock *first;

    S.modelled = !S.blind;
    S.cur = (uintptr_t)S.arena;
    if (!S.modelled)
        return;
    if (S.buf_start != 0) {
        memset(&S.buf_block, 0, sizeof(S.buf_block));
        S.buf_block.addr = (uintptr_t)S.arena;
    }
    first = rb_first();
    CHECK(first != NULL);
    first->adopted = first->inuse = 1;
    S.rec.policy = RELEASE_FRESH;
}

/* The smallest spare with at least `need` usable bytes: its usable bytes,
 * 0 if none. */
FUZZ_NO_COVERAGE static size_t
smallest_spare(size_t need)
{
    size_t best = 0;

    for (size_t i = 0; i < rb_count(); i++) {
        const struct rblock *b = rb_at(i);
        size_t usable;

        if (b->lie || !b->adopted || b->inuse)
            continue;
        usable = rb_usable(b);
        if (usable >= need && (best == 0 || usable < best))
            best = usable;
    }
    return best;
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

/* Is [a, a + size) handed-out memory the arena holds: in a block in use,
 * below where it is filled (the model's blocks)? */
FUZZ_NO_COVERAGE static int
held_by_arena(const struct observed *o, uintptr_t a, size_t size)
{
    for (size_t i = 0; i < rb_count(); i++) {
        const struct rblock *b = rb_at(i);
        uintptr_t fill = rb_fill(b, o);

        if (!b->lie && b->inuse && a >= rb_base(b) && a < fill && size <= fill - a)
            return 1;
    }
    return 0;
}

#if MARENA_HAVE_BUILDER
/* The builder's allocation, while it has one: [data, data + capacity). */
FUZZ_NO_COVERAGE static int
builder_overlaps(uintptr_t a, size_t size)
{
    const struct builder_model *m = &S.bm;

    return m->active && m->data != 0 && a < m->data + m->capacity && m->data < a + size;
}
#endif

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
#if MARENA_HAVE_CONCURRENT
    for (size_t i = 0; i < CC.nlive; i++) {
        const struct live *l = &CC.live[i];

        if (l != except && a < l->addr + l->size && l->addr < a + size)
            return 1;
    }
#endif
#if MARENA_HAVE_BUILDER
    if (builder_overlaps(a, size))
        return 1;
#endif
    return 0;
}

/* Every live allocation still lies in a block the arena holds (for the
 * model's blocks: in a block in use, below where it is filled). */
FUZZ_NO_COVERAGE static void
check_all_in_blocks(void)
{
    struct observed o;

    if (S.modelled)
        observe(&o);
    for (size_t i = 0; i < S.nlive; i++) {
        CHECK(in_arena_block(S.live[i].addr, S.live[i].size));
        if (S.modelled)
            CHECK(held_by_arena(&o, S.live[i].addr, S.live[i].size));
    }
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

/* The model's blocks against the arena: the current block, every block
 * the recorder has out known (in use or a spare) and none it was to give
 * back, the counts, the capacity, and the fills adding up to used. */
FUZZ_NO_COVERAGE static void
check_blocks(const struct observed *o)
{
    const struct rblock *cur = rb_current();
    size_t inuse = 0, spares = 0, capacity = 0, used = 0;

    CHECK(cur != NULL && cur->inuse);
    CHECK(o->base == rb_base(cur));
    CHECK(o->cursor + o->remaining == rb_end(cur));
    for (size_t i = 0; i < rb_count(); i++) {
        const struct rblock *b = rb_at(i);

        if (b->lie)
            continue;
        CHECK(b->adopted && b->fate == 0);
        capacity += rb_usable(b);
        if (!b->inuse) {
            spares++;
            continue;
        }
        inuse++;
        if (b != cur)
            CHECK(b->fill >= rb_base(b) && b->fill <= rb_end(b));
        used += (size_t)(rb_fill(b, o) - rb_base(b));
    }
    CHECK(o->stats.blocks == inuse + spares);
    CHECK(o->stats.spare_blocks == spares);
    CHECK(o->capacity == capacity);
    CHECK(o->used == used);
}

#if MARENA_HAVE_INTROSPECTION
/* What marena_walk() reported: the first MAX_WALK blocks, and how many;
 * the walk stops when the visit count reaches `stop` (0: never). */
static struct {
    size_t n, stop;
    marena_block_info_t info[MAX_WALK];
} walked;

FUZZ_NO_COVERAGE static int
walk_visit(void *ctx, const marena_block_info_t *block)
{
    CHECK(ctx == &walked && block != NULL);
    if (walked.n < MAX_WALK)
        walked.info[walked.n] = *block;
    walked.n++;
    return walked.n == walked.stop ? (int)(1000 + walked.n) : 0;
}

/* marena_walk() visits the blocks in use, the current one first, their
 * fills adding up to used; for the model's blocks, each exactly as the
 * model has it. */
FUZZ_NO_COVERAGE static void
check_walk(const struct observed *o)
{
    size_t n, used = 0;

    walked.n = walked.stop = 0;
    CHECK(marena_walk(S.arena, walk_visit, &walked) == 0);
    CHECK(walked.n == o->stats.blocks - o->stats.spare_blocks);
    n = MIN(walked.n, MAX_WALK);
    CHECK(n > 0);
    CHECK(walked.info[0].is_current && !walked.info[0].is_dedicated);
    CHECK((uintptr_t)walked.info[0].start == o->base);
    CHECK(walked.info[0].filled == o->cursor - o->base);
    CHECK(walked.info[0].size == o->cursor + o->remaining - o->base);
    S.walk_stamp++;
    for (size_t i = 0; i < n; i++) {
        const marena_block_info_t *info = &walked.info[i];

        used += info->filled;
        CHECK(info->filled <= info->size);
        CHECK(i == 0 || !info->is_current);
        CHECK((uintptr_t)info->start % MARENA_ALIGNMENT == 0);
        if (S.modelled && S.rec.nblocks <= 256) {
            struct rblock *b = rb_holding((uintptr_t)info->start);

            CHECK(b != NULL && b->inuse && b->seen != S.walk_stamp);
            b->seen = S.walk_stamp;
            CHECK((uintptr_t)info->start == rb_base(b));
            CHECK(info->size == rb_usable(b));
            CHECK(info->filled == rb_fill(b, o) - rb_base(b));
            CHECK(info->is_dedicated == b->dedicated);
        }
    }
    if (walked.n <= MAX_WALK)
        CHECK(used == o->used);
}
#endif

/* What the head (marena_head.h, the inline paths' part of the layout)
 * says: a reset only moves the cursor exactly while the arena is one
 * plain block (no other blocks or spares, no cleanups, no MARENA_WIPE,
 * untracked); and the resets so far, which marks remember. */
FUZZ_NO_COVERAGE static void
check_head(const struct observed *o)
{
    const struct marena_head *head = (const struct marena_head *)(const void *)S.arena;
    int plain =
        o->stats.blocks == 1 && S.npending == 0 && !(S.flags & MARENA_WIPE) && !S.tracked;

    CHECK(head->reset_to == (plain ? (uintptr_t)S.arena + MARENA_CONTROL_SIZE : 0));
    CHECK(head->resets == S.resets);
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
    /* The peak: used at its highest, however the resets went. */
    if (o->used > S.peak)
        S.peak = o->used;
    CHECK(st->peak == S.peak);
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
#if MARENA_HAVE_GROWTH
    CHECK(marena_limit(S.arena) == (S.limit != 0 ? S.limit : SIZE_MAX));
#endif
#if MARENA_HAVE_ERRORS
    CHECK(marena_last_error(S.arena) == (marena_error_t)S.error);
#endif
    CHECK(S.oom_calls == S.oom_expected);
    CHECK(S.call_clock == S.expected_calls);
    if (S.modelled)
        check_blocks(o);
#if MARENA_HAVE_INTROSPECTION
    check_walk(o);
#endif
    check_head(o);
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

/* marena_error_t's values, for builds without the errors option too. */
enum reason {
    WHY_UNKNOWN = 0, /* an unseen backend: ELIMIT or ENOMEM */
    WHY_EINVAL = 1,
    WHY_EFULL = 2,
    WHY_ELIMIT = 3,
    WHY_ENOMEM = 4
};

/* A request failed for `why` (WHY_UNKNOWN: the limit or the backend): the
 * arena is as it was, one more failure is counted, marena_last_error()
 * says why, and on_oom was called (before NULL was returned, the reason
 * already set) with the request, unless the input was bad. */
FUZZ_NO_COVERAGE static void
expect_failure(const struct observed *before, unsigned why, size_t size, size_t align)
{
    check_unchanged(before);
    S.failed++;
#if MARENA_HAVE_ERRORS
    if (why == WHY_UNKNOWN) {
        why = marena_last_error(S.arena);
        CHECK(why == WHY_ELIMIT || why == WHY_ENOMEM);
    }
#else
    if (why == WHY_UNKNOWN)
        why = WHY_ENOMEM;
#endif
    S.error = why;
    if (S.has_oom && why != WHY_EINVAL) {
        S.oom_expected++;
        CHECK(S.oom_calls == S.oom_expected);
        CHECK(S.oom_size == size && S.oom_align == align);
#if MARENA_HAVE_ERRORS
        CHECK(S.oom_error == why);
#endif
    }
}

/* A call with a NULL string, format or function: no failure counted, no
 * reason set, nothing changed. */
FUZZ_NO_COVERAGE static void
expect_ignored(const struct observed *before)
{
    check_unchanged(before);
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
    FAILS,     /* NULL, for `why` */
    HERE,      /* at `at`, in the current block (a reservation: after a commit) */
    NEW_BLOCK, /* in a block that comes into use: a spare, or the backend's */
    SOMEWHERE, /* not NULL (an unseen backend) */
    EITHER     /* an unseen backend: served, or ELIMIT or ENOMEM */
};

struct expect {
    enum outcome outcome;
    unsigned why;     /* FAILS */
    uintptr_t at;     /* HERE */
    int dedicated;    /* NEW_BLOCK: a block of its own, behind the current one */
    size_t need;      /* NEW_BLOCK: the usable bytes it needs */
    size_t spare;     /* NEW_BLOCK: the usable bytes of the spare taken; 0: none fits */
    size_t wanted;    /* NEW_BLOCK without a spare: the bytes asked of the backend */
    size_t held;      /* backend bytes before */
    int backend_call; /* it asks the backend (a commit or acquire) once */
};

/* The usable bytes of the largest block the limit still allows (aligned
 * down), SIZE_MAX without a limit. */
FUZZ_NO_COVERAGE static size_t
limit_room(size_t held)
{
    if (S.limit == 0)
        return SIZE_MAX;
    if (held >= S.limit || S.limit - held < BLOCK_HEADER)
        return 0;
    return (size_t)ALIGN_DOWN(S.limit - held - BLOCK_HEADER);
}

/* A reservation commits for `need` more bytes at the cursor: whole steps
 * from its start, the last one stopping at its usable end; within the
 * limit; the commit call misbehaves or not (its number is `faultable`). */
FUZZ_NO_COVERAGE static void
predict_commit(const struct observed *b, size_t faultable, size_t need, struct expect *e)
{
    const struct rblock *r = reservation();
    size_t reserved = (size_t)ALIGN_DOWN(r->size);
    size_t offset = b->cursor - r->addr, needed;

    e->outcome = FAILS;
    if (need > reserved - offset) {
        e->why = WHY_EFULL;
        return;
    }
    needed = MIN(ROUND_UP(offset + need, MARENA_COMMIT_STEP), reserved);
    /* (Predictions come after the call: what was committed before is
     * where the current block ended then.) */
    CHECK(needed > b->cursor + b->remaining - r->addr);
    if (S.limit != 0 && needed > S.limit) {
        e->why = WHY_ELIMIT;
        return;
    }
    e->backend_call = 1;
    if (misbehaves(faultable))
        e->why = WHY_ENOMEM;
    else
        e->outcome = HERE;
}

/* A request that the current block cannot serve, in a growing arena: a new
 * ordinary block (the current one doubled, up to max_block_size, and no
 * larger than the limit allows), or a block of its own when it needs more;
 * the smallest spare that is large enough, else one from the backend,
 * within the limit. */
FUZZ_NO_COVERAGE static void
predict_growth(const struct observed *b, size_t size, size_t align, struct expect *e)
{
    size_t padding =
        (align > MARENA_ALIGNMENT ? align - MARENA_ALIGNMENT : 0) + S.redzone;
    size_t current = b->cursor + b->remaining - b->base;
    size_t ordinary = current > S.max_block / 2 ? S.max_block : 2 * current;
    size_t worst;

    e->outcome = FAILS;
    if (size > SIZE_MAX - padding) {
        e->why = WHY_ENOMEM;
        return;
    }
    worst = size + padding;
    ordinary = MIN(ordinary, limit_room(e->held));
    e->dedicated = worst > ordinary;
    e->need = e->dedicated ? worst : ordinary;
    e->spare = smallest_spare(e->need);
    if (e->spare != 0) {
        e->outcome = NEW_BLOCK;
        return;
    }
    if (e->need > (size_t)PTRDIFF_MAX - BLOCK_HEADER - MARENA_ALIGNMENT) {
        e->why = WHY_ENOMEM;
        return;
    }
    e->wanted = BLOCK_HEADER + ROUND_UP(e->need, MARENA_ALIGNMENT);
    if (S.limit != 0 && (e->wanted > S.limit || e->held > S.limit - e->wanted)) {
        e->why = WHY_ELIMIT;
        return;
    }
    e->outcome = NEW_BLOCK;
    e->backend_call = 1;
}

/* A request the current block cannot serve, growing on an unseen real
 * backend (always with a limit: BLIND_LIMIT or smaller): served when the
 * backend can surely give the block it needs. */
FUZZ_NO_COVERAGE static enum outcome
blind_outcome(const struct observed *b, size_t size, size_t align)
{
    size_t current = b->cursor + b->remaining - b->base;
    size_t next = current > S.max_block / 2 ? S.max_block : 2 * current;
    size_t block;

    if (size > 65536 || align > 4096 || next > BACKEND_MAX_BLOCK)
        return EITHER;
    /* Headers, and slack for what the backend grants beyond (pages). */
    block = BLOCK_HEADER + (next > size + align ? next : size + align) + 8192;
    return b->stats.backend_bytes <= S.limit && block <= S.limit - b->stats.backend_bytes
               ? SOMEWHERE
               : EITHER;
}

/* What a request of size bytes at align must give, the backend's next
 * faultable call being number `faultable`. */
FUZZ_NO_COVERAGE static void
predict(const struct observed *b, size_t faultable, size_t size, size_t align,
        struct expect *e)
{
    size_t padding, need;

    memset(e, 0, sizeof(*e));
    e->held = b->stats.backend_bytes;
    e->outcome = FAILS;
    if (size == 0 || !is_power_of_two(align)) {
        e->why = WHY_EINVAL;
        return;
    }
    padding = (size_t)(0u - b->cursor) & (align - 1);
    need = add_saturating(add_saturating(padding, size), S.redzone);
    e->at = b->cursor + padding;
    if (need <= b->remaining)
        e->outcome = HERE;
    else if (S.flags & MARENA_RESERVE)
        predict_commit(b, faultable, need, e);
    else if (one_block())
        e->why = WHY_EFULL;
    else if (S.blind)
        e->outcome = blind_outcome(b, size, align);
    else
        predict_growth(b, size, align, e);
}

/* What the recorder would grant for an acquire of `wanted` bytes. */
FUZZ_NO_COVERAGE static size_t
recorder_grant(size_t wanted)
{
    size_t total = wanted + S.rec.extra;

#if FUZZ_HAVE_MMAP
    if (S.rec.source == SOURCE_MMAP || S.rec.source == SOURCE_GUARDED)
        return ROUND_UP(total, page_size());
#endif
    return total;
}

/* Will the request surely be served (the backend's part predicted from the
 * recorder's rules)? */
FUZZ_NO_COVERAGE static int
certainly_served(const struct observed *b, const struct expect *e)
{
    size_t total;

    if (e->outcome == HERE || e->outcome == SOMEWHERE)
        return 1;
    if (e->outcome != NEW_BLOCK)
        return 0;
    if (e->spare != 0)
        return 1;
#if MARENA_HAVE_CONCURRENT
    if (S.child)
        return child_would_serve(e->wanted);
#endif
    total = e->wanted + S.rec.extra;
    return !misbehaves(b->faultable) && e->wanted <= BACKEND_MAX_BLOCK &&
           S.rec.nblocks < MAX_BLOCKS - 1 && total <= BACKEND_CAP - S.rec.bytes_out &&
           (S.limit == 0 || recorder_grant(e->wanted) <= S.limit - e->held);
}

/* The block a request came to, in a growing arena, and where: a spare
 * (there may be several of the size the model expects: the one now in use)
 * or the backend's new block. NULL when the request must have failed;
 * *why then says why. */
FUZZ_NO_COVERAGE static struct rblock *
new_block(const struct expect *e, size_t logpos, uintptr_t result, unsigned *why)
{
    const struct call *c;
    struct rblock *block;
    size_t calls;

#if MARENA_HAVE_CONCURRENT
    /* A child's acquire is an allocation of the concurrent arena: its
     * model says where, and records the call (the backend is not the
     * harness's). */
    if (S.child && e->spare == 0)
        child_acquire(e->wanted);
#endif
    calls = S.rec.nlog - logpos;
    if (e->spare != 0) {
        CHECK(calls == 0);
        if (result != 0) {
            block = rb_holding(result);
        } else {
            /* The address is unknown (a cleanup's record): the spare of that
             * size the walk now finds in use, or the only one. */
            block = NULL;
            for (size_t i = 0; i < rb_count(); i++) {
                struct rblock *b = rb_at(i);

                if (b->lie || !b->adopted || b->inuse || rb_usable(b) != e->spare)
                    continue;
#if MARENA_HAVE_INTROSPECTION
                if (!marena_owns(S.arena, (const void *)rb_base(b)))
                    continue;
#endif
                CHECK(block == NULL); /* which one it took is known */
                block = b;
            }
        }
        CHECK(block != NULL && block->adopted && !block->inuse);
        CHECK(rb_usable(block) == e->spare);
        return block;
    }
    /* One acquire of exactly the bytes expected; a block that breaks the
     * contract, or that the limit cannot take, goes straight back. */
    CHECK(calls >= 1 && logpos < MAX_LOG);
    c = &S.rec.log[logpos];
    CHECK(c->kind == CALL_ACQUIRE && c->size == e->wanted);
    if (c->addr == 0 || c->lie) {
        *why = WHY_ENOMEM;
        CHECK(calls == (c->addr == 0 ? 1u : 2u));
        return NULL;
    }
    if (S.limit != 0 && c->granted > S.limit - e->held) {
        *why = WHY_ELIMIT;
        CHECK(calls == 2);
        return NULL;
    }
    CHECK(calls == 1);
    block = rb_find(c->addr);
    CHECK(block != NULL && !block->adopted);
    return block;
}

/* The block a request came to comes into use: as the current block (the
 * old one keeps what it handed out, up to where the cursor stood), or
 * behind it, filled with the one allocation. */
FUZZ_NO_COVERAGE static void
adopt_block(const struct observed *b, struct rblock *block, int dedicated, uintptr_t fill)
{
    block->adopted = block->inuse = 1;
    block->order = ++S.clock;
    block->dedicated = dedicated;
    if (dedicated) {
        block->fill = fill;
        return;
    }
    rb_current()->fill = b->cursor;
    S.cur = block->addr;
}

/* Did the call cut the allocation it got at `at` back to `kept` bytes
 * (a builder's first, finished at once: marena_builder_finish())? It does
 * when the allocation is the arena's last (`last`; -1: as observed). Used
 * was higher in between: the peak saw it. */
static int settled_shrunk;

FUZZ_NO_COVERAGE static size_t
settle_kept(uintptr_t at, size_t size, size_t kept, int last)
{
    struct observed after;

    observe(&after);
    if (last < 0)
        last = after.cursor == at + kept + S.redzone;
    settled_shrunk = kept < size && last;
    if (!settled_shrunk)
        return size;
    if (after.used + (size - kept) > S.peak)
        S.peak = after.used + (size - kept);
    return kept;
}

/* Checks the result of a request against its prediction, the backend's
 * calls since log entry `logpos` deciding what the model left open; updates
 * the model's blocks. Returns 1 when it was served, 0 (failure checked)
 * when not. `result` 0 with `served` set: served, address unknown (a
 * cleanup's record). `kept` is less than size when the call cut what it
 * got back to that, if it was the last allocation (settle_kept()). */
FUZZ_NO_COVERAGE static int
settle_request(const struct observed *b, const struct expect *e, uintptr_t result,
               int served, size_t size, size_t align, size_t logpos, size_t kept)
{
    unsigned why = e->why;
    struct rblock *block;
    struct observed after;
    uintptr_t at;
    size_t held;

    settled_shrunk = 0;
    switch (e->outcome) {
    case FAILS:
        CHECK(!served);
        expect_failure(b, why, size, align);
        return 0;
    case HERE:
        CHECK(served && (result == 0 || result == e->at));
        held = settle_kept(e->at, size, kept, 1);
        observe(&after);
        CHECK(after.used == b->used + (e->at - b->cursor) + held + S.redzone);
        CHECK(after.cursor == e->at + held + S.redzone);
        return 1;
    case SOMEWHERE:
        CHECK(served);
        settle_kept(result, size, kept, -1);
        return 1;
    case EITHER:
        if (!served)
            expect_failure(b, WHY_UNKNOWN, size, align);
        else
            settle_kept(result, size, kept, -1);
        return served;
    default:
        break;
    }
    block = new_block(e, logpos, result, &why);
    if (block == NULL) {
        CHECK(!served);
        expect_failure(b, why, size, align);
        return 0;
    }
    CHECK(served);
    at = ROUND_UP(rb_base(block), align);
    CHECK(result == 0 || result == at);
    CHECK(rb_usable(block) >= e->need);
    held = settle_kept(at, size, kept, !e->dedicated);
    observe(&after);
    CHECK(after.used == b->used + (at - rb_base(block)) + held + S.redzone);
    if (e->dedicated) {
        CHECK(after.cursor == b->cursor && after.base == b->base);
    } else {
        CHECK(after.base == rb_base(block) && after.cursor == at + held + S.redzone);
    }
    adopt_block(b, block, e->dedicated, at + held + S.redzone);
    return 1;
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

/* The outcome of an allocation request of size bytes at align, made with
 * the backend's next faultable call numbered `faultable` and its calls
 * recorded from log entry `logpos` on; cut back to `kept` bytes if it was
 * the last allocation (settle_kept()). */
FUZZ_NO_COVERAGE static struct live *
judge_from(const struct observed *before, size_t faultable, size_t logpos, void *memory,
           size_t size, size_t align, size_t kept)
{
    struct expect e;

    predict(before, faultable, size, align, &e);
    if (!settle_request(before, &e, (uintptr_t)memory, memory != NULL, size, align,
                        logpos, kept))
        return NULL;
    return accept_allocation(before, memory, settled_shrunk ? kept : size, align);
}

/* The outcome of an operation's one allocation request. */
FUZZ_NO_COVERAGE static struct live *
judge(const struct observed *before, void *memory, size_t size, size_t align)
{
    return judge_from(before, before->faultable, 0, memory, size, align, size);
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
#if MARENA_HAVE_BUILDER
    /* A builder whose allocation was cut into is done for (begin again). */
    if (S.bm.active && S.bm.data != 0 && S.bm.data >= before->base &&
        S.bm.data < before->cursor && S.bm.data + S.bm.capacity > to)
        S.bm.active = 0;
#endif
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
    struct expect e;
    struct live *l;

    observe(&before);
    predict(&before, before.faultable, size, MARENA_ALIGNMENT, &e);
    if (!certainly_served(&before, &e))
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
    /* A product past PTRDIFF_MAX is refused like an overflow: as 0 bytes
     * (bad input). */
    bytes = overflow || count * size > (size_t)PTRDIFF_MAX ? 0 : count * size;

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
#if MARENA_HAVE_BUILDER
    /* A reset ends a builder that holds memory (begin again). */
    if (S.bm.data != 0)
        S.bm.active = 0;
#endif
}

/* The blocks other than the first, oldest first (by when they came into
 * use), in `others`; returns how many. */
static struct rblock *others[MAX_BLOCKS];

FUZZ_NO_COVERAGE static int
by_order(const void *a, const void *b)
{
    uint64_t x = (*(struct rblock *const *)a)->order,
             y = (*(struct rblock *const *)b)->order;

    return x < y ? -1 : x > y;
}

FUZZ_NO_COVERAGE static size_t
others_oldest_first(void)
{
    const struct rblock *first = rb_first();
    size_t n = 0;

    for (size_t i = 0; i < rb_count(); i++) {
        struct rblock *b = rb_at(i);

        if (!b->lie && b != first)
            others[n++] = b;
    }
    qsort(others, n, sizeof(others[0]), by_order);
    return n;
}

/* Which blocks beyond the first a reset keeps as spares (fate 1) and which
 * go back (-1), oldest first: MARENA_RETAIN_ALL all; MARENA_RETAIN_BYTES
 * each that fits what is left of the budget (bytes held beyond the first
 * block's); MARENA_RETAIN_ADAPTIVE those whose usable bytes it takes to
 * cover the estimate beyond the first block's; MARENA_RETAIN_LARGEST the
 * largest (the first of that size), which it returns; FIRST none. */
FUZZ_NO_COVERAGE static struct rblock *
predict_reset(marena_retain_t retain, size_t bytes, size_t need)
{
    size_t n = others_oldest_first();
    size_t first_usable = rb_usable(rb_first());
    size_t budget = 0, cover = 0;
    struct rblock *largest = NULL;

    if (retain == MARENA_RETAIN_ALL)
        budget = SIZE_MAX;
    else if (retain == MARENA_RETAIN_BYTES && bytes > S.first_held)
        budget = bytes - S.first_held;
    else if (retain == MARENA_RETAIN_ADAPTIVE && need > first_usable)
        cover = need - first_usable;
    for (size_t i = 0; i < n; i++) {
        struct rblock *b = others[i];

        b->fate = -1;
        if (retain == MARENA_RETAIN_LARGEST) {
            if (largest == NULL || rb_usable(b) > rb_usable(largest))
                largest = b;
        } else if (cover > 0) {
            cover -= MIN(rb_usable(b), cover);
            b->fate = 1;
        } else if (b->size <= budget) {
            budget -= b->size;
            b->fate = 1;
        }
    }
    if (largest != NULL)
        largest->fate = 1;
    S.rec.policy = RELEASE_PREDICTED;
#ifdef FUZZ_STANDALONE
    if (trace) {
        fprintf(stderr,
                "  reset: retain %d, estimate %zu, first block %zu; others:", (int)retain,
                need, first_usable);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %zu%s", rb_usable(others[i]),
                    others[i]->fate > 0 ? "" : "(back)");
        fprintf(stderr, "\n");
    }
#endif
    return largest;
}

/* After a reset or rewind: what was to go back went back, and what was
 * kept is a spare now. */
FUZZ_NO_COVERAGE static void
settle_blocks(void)
{
#if MARENA_HAVE_CONCURRENT
    /* A child gives nothing back to its backend (release is NULL): the
     * blocks it was to give back leave the model's record here, and the
     * checks that follow see that the child let them go. */
    if (S.child)
        child_gave_back();
#endif
    S.rec.policy = RELEASE_FRESH;
    for (size_t i = 0; i < rb_count(); i++) {
        struct rblock *b = rb_at(i);

        if (b->lie)
            continue;
        CHECK(b->fate != -1);
        if (b->fate == 1) {
            b->inuse = b->dedicated = 0;
            b->fill = 0;
        }
        b->fate = 0;
    }
}

/* Reset: a reservation keeps what it committed but for MARENA_RETAIN_BYTES,
 * which decommits beyond the budget (rounded up to a commit step; the
 * control block stays). */
FUZZ_NO_COVERAGE static void
check_reserve_reset(const struct observed *before, const struct observed *after,
                    size_t committed, int bytes_mode, size_t bytes)
{
    size_t keep = MAX(bytes, MARENA_CONTROL_SIZE);

    CHECK(after->remaining == after->capacity);
    if (bytes_mode && keep < committed) {
        keep = ROUND_UP(keep, MARENA_COMMIT_STEP);
        if (keep < committed)
            committed = keep;
    }
    CHECK(reservation()->committed == committed);
    if (committed == before->stats.backend_bytes)
        CHECK(after->stats.backend_bytes == before->stats.backend_bytes);
}

/* Reset on an unseen backend: what can be said without its blocks. */
FUZZ_NO_COVERAGE static void
check_blind_reset(const struct observed *before, const struct observed *after,
                  marena_retain_t retain, size_t bytes)
{
    if (retain == MARENA_RETAIN_LARGEST) {
        CHECK(after->remaining == S.initial_capacity ||
              after->remaining + S.initial_capacity == after->capacity);
        return;
    }
    CHECK(after->remaining == S.initial_capacity);
    if (retain == MARENA_RETAIN_ALL) {
        CHECK(after->capacity == before->capacity);
        CHECK(after->stats.backend_bytes == before->stats.backend_bytes);
    } else if (retain == MARENA_RETAIN_FIRST) {
        CHECK(after->capacity == S.initial_capacity);
        CHECK(after->stats.backend_bytes == S.first_held);
        CHECK(after->stats.blocks == 1);
    } else {
        CHECK(after->capacity >= S.initial_capacity);
        CHECK(after->capacity <= before->capacity);
        if (retain == MARENA_RETAIN_BYTES)
            CHECK(after->stats.backend_bytes <= MAX(bytes, S.first_held));
    }
}

/*
 * Reset, by variant: 0 marena_reset() (the inline macro), 1-3
 * marena_reset_ex() with MARENA_RETAIN_FIRST, ALL, BYTES (a budget of 16
 * times the next 16 bits); bit 2 an unknown retain value (5, 7, 8, -1; the
 * last with a budget), which acts as FIRST; 12 MARENA_RETAIN_LARGEST, 13
 * MARENA_RETAIN_ADAPTIVE, 14 the exported marena_reset(), 15 marena_reset()
 * through a function pointer. Variants 8-11 are 0-3.
 */
static void
op_reset(unsigned variant)
{
    static const int unknown[4] = {5, 7, 8, -1};
    void (*volatile reset_fn)(marena_t *) = marena_reset;
    struct observed before, after;
    marena_retain_t retain = MARENA_RETAIN_ADAPTIVE; /* what the reset does */
    marena_retain_t asked = MARENA_RETAIN_ADAPTIVE;
    size_t bytes = 0, committed = 0;
    int how = 3; /* 0 the macro, 1 the exported function, 2 a pointer, 3 reset_ex */
    uintptr_t largest = 0; /* (blocks move in the recorder's array as others go) */
    size_t need, high;

    if ((variant & 12) == 12) {
        how = (variant & 3) < 2 ? 3 : (int)(variant & 3) - 1;
        asked = retain =
            (variant & 3) == 0 ? MARENA_RETAIN_LARGEST : MARENA_RETAIN_ADAPTIVE;
    } else if (variant & 4) {
        asked = (marena_retain_t)unknown[variant & 3];
        retain = MARENA_RETAIN_FIRST;
    } else if ((variant & 3) == 0) {
        how = 0;
    } else {
        static const marena_retain_t modes[4] = {MARENA_RETAIN_ADAPTIVE,
                                                 MARENA_RETAIN_FIRST, MARENA_RETAIN_ALL,
                                                 MARENA_RETAIN_BYTES};

        asked = retain = modes[variant & 3];
    }
    if ((variant & 12) != 12 && (variant & 3) == 3)
        bytes = (size_t)get16() * 16;

    verify_all();
    observe(&before);
    /* MARENA_RETAIN_ADAPTIVE's estimate, which every reset renews: the most
     * usable bytes this cycle had in blocks in use, or half the last
     * estimate if that is more. */
    note_cycle_capacity();
    high = S.cycle_high;
    need = MAX(S.need / 2, high);
    S.need = need;
    S.cycle_high = 0;
    if (S.modelled) {
        const struct rblock *kept = predict_reset(retain, bytes, need);

        largest = kept != NULL ? kept->addr : 0;
    }
    if (S.flags & MARENA_RESERVE)
        committed = reservation()->committed;
    switch (how) {
    case 0:
        marena_reset(S.arena);
        break;
    case 1:
        (marena_reset)(S.arena);
        break;
    case 2:
        reset_fn(S.arena);
        break;
    default:
        marena_reset_ex(S.arena, asked, bytes);
        break;
    }
    S.resets++;
    expect_cleanups_run(0);
    forget_all();
    observe(&after);
    CHECK(after.used == 0);
    CHECK(after.stats.allocations == before.stats.allocations);
    CHECK(after.stats.backend_bytes <= before.stats.backend_bytes);
    if (S.modelled) {
        struct rblock *first = rb_first();

        settle_blocks();
        S.cur = first->addr;
        if (largest != 0) {
            /* The largest is current, empty; the first is in use behind it. */
            struct rblock *b = rb_find(largest);

            b->inuse = 1;
            b->order = ++S.clock;
            first->fill = rb_base(first);
            S.cur = largest;
        }
        CHECK(after.remaining == rb_usable(rb_current()));
    }
    if (S.flags & MARENA_RESERVE)
        check_reserve_reset(&before, &after, committed, retain == MARENA_RETAIN_BYTES,
                            bytes);
    else if (S.blind)
        check_blind_reset(&before, &after, retain, bytes);
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
    m->base = before.base;
    m->clock = S.clock;
    m->next_id = S.next_id + 1;
    m->npending = S.npending;
    m->nsnap = S.nlive;
    for (size_t i = 0; i < S.nlive; i++) {
        m->snap[i].id = S.live[i].id;
        m->snap[i].size = S.live[i].size;
    }
#if MARENA_HAVE_BUILDER
    /* The builder's allocation: it may grow, or be finished, since. */
    if (S.bm.active && S.bm.data != 0) {
        m->snap[m->nsnap].id = S.bm.id;
        m->snap[m->nsnap].size = S.bm.capacity;
        m->nsnap++;
    }
#endif
    check_unchanged(&before);
}

/* A rewind to mark m takes the blocks that came into use since out of use:
 * those larger than an ordinary block (max_block_size) go back to the
 * backend, the others stay as spares. */
FUZZ_NO_COVERAGE static void
predict_rewind(const struct mark_state *m)
{
    for (size_t i = 0; i < rb_count(); i++) {
        struct rblock *b = rb_at(i);

        if (!b->lie && b->inuse && b->order > m->clock)
            b->fate = rb_usable(b) > S.max_block ? -1 : 1;
    }
    S.rec.policy = RELEASE_PREDICTED;
}

#if MARENA_HAVE_BUILDER
/* Does a rewind to m end the builder: was its allocation made since, or
 * has it grown since? */
FUZZ_NO_COVERAGE static void
rewind_builder(const struct mark_state *m)
{
    size_t j;

    if (!S.bm.active || S.bm.data == 0)
        return;
    for (j = 0; j < m->nsnap && m->snap[j].id != S.bm.id; j++)
        continue;
    if (j == m->nsnap || m->snap[j].size < S.bm.capacity)
        S.bm.active = 0;
}
#endif

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
    note_cycle_capacity();
    if (S.modelled)
        predict_rewind(m);
    if (m->is_scope)
        marena_scope_end(m->scope);
    else
        marena_rewind(S.arena, m->mark);
    expect_cleanups_run(m->npending);
    if (S.modelled) {
        settle_blocks();
        CHECK(rb_holding(m->base) != NULL && rb_holding(m->base)->inuse);
        S.cur = rb_holding(m->base)->addr;
    }
#if MARENA_HAVE_BUILDER
    rewind_builder(m);
#endif

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

/* Can the last allocation grow in place by `grow_by` bytes: in its block,
 * or after a commit (the backend's next faultable call is `faultable`)? */
FUZZ_NO_COVERAGE static void
predict_in_place(const struct observed *b, size_t faultable, size_t grow_by,
                 struct expect *e)
{
    memset(e, 0, sizeof(*e));
    e->outcome = HERE;
    if (grow_by > b->remaining) {
        if (S.flags & MARENA_RESERVE)
            predict_commit(b, faultable, grow_by, e);
        else
            e->outcome = FAILS;
    }
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

/* marena_realloc(), or marena_realloc_aligned() (`aligned`), of p. */
static void *
call_realloc(uintptr_t p, size_t old_size, size_t new_size, size_t align, int aligned)
{
    if (!aligned)
        return marena_realloc(S.arena, (void *)p, old_size, new_size);
    return marena_realloc_aligned(S.arena, (void *)p, old_size, new_size, align);
}

/* marena_realloc() (align MARENA_ALIGNMENT), or marena_realloc_aligned()
 * (`aligned`), of the bytes of live allocation `index` from `offset` on
 * (the allocation itself, or its tail). */
static void
resize(size_t index, size_t offset, size_t new_size, size_t align, int aligned)
{
    struct observed before;
    const struct live *l = &S.live[index];
    uintptr_t p = l->addr + offset;
    size_t old_size = l->size - offset, logpos = 0;
    size_t moved_align = align;
    int last;
    void *result;

    observe(&before);
    last = is_last(&before, p, old_size);
    result = call_realloc(p, old_size, new_size, align, aligned);
    if (new_size == 0 || !is_power_of_two(moved_align)) {
        CHECK(result == NULL);
        expect_failure(&before, WHY_EINVAL, new_size, moved_align);
        return;
    }
    if (last && new_size > old_size) {
        /* In place when its block (or a commit) has room; a commit that
         * failed leaves the move to try the next one. */
        struct expect e;

        predict_in_place(&before, before.faultable, new_size - old_size, &e);
        CHECK((result == (void *)p) == (e.outcome == HERE));
        logpos = e.backend_call ? 1 : 0;
    } else {
        /* Shrinking never moves; growing anything but the last moves. */
        CHECK((result == (void *)p) == (new_size <= old_size));
    }
    if (result == (void *)p) {
        resized_in_place(&before, index, offset, new_size, last);
        return;
    }
    /* Moved: a new allocation at the alignment asked for receives the old
     * bytes; the old allocation is still live and intact (it is not freed). */
    {
        struct live copy = *l;
        struct live *n = judge_from(&before, before.faultable + logpos, logpos, result,
                                    new_size, moved_align, new_size);

        if (result != NULL)
            verify_bytes(&copy, (uintptr_t)result - offset, offset, offset + old_size);
        if (n != NULL)
            fill(n);
    }
}

/* realloc(NULL) is marena_alloc() (marena_alloc_aligned()). */
static void
resize_null(size_t new_size, size_t align, int aligned)
{
    struct observed before;
    struct live *n;

    observe(&before);
    n = judge(&before, call_realloc(0, 0, new_size, align, aligned), new_size, align);
    if (n != NULL)
        fill(n);
}

static void
op_realloc(unsigned variant)
{
    size_t index;

    if (S.nlive == 0 || (variant & 3) == 3) {
        resize_null(decode_new_size(variant, 0), MARENA_ALIGNMENT, 0);
        return;
    }
    index = pick_live((variant & 1) != 0);
    resize(index, 0, decode_new_size(variant, S.live[index].size), MARENA_ALIGNMENT, 0);
}

/* A realloc of memory that is not the arena's, or with old_size 0, is bad
 * input: NULL, one failure (EINVAL), nothing changed. (Debug builds abort
 * on memory that is not the arena's, by design.) */
static void
resize_foreign(uintptr_t p, size_t old_size, size_t new_size)
{
    struct observed before;

    observe(&before);
    CHECK(marena_realloc(S.arena, (void *)p, old_size, new_size) == NULL);
    expect_failure(&before, WHY_EINVAL, new_size, MARENA_ALIGNMENT);
}

/*
 * Realloc of other pointers: 0 the tail of a live allocation; 3 old_size 0;
 * and in release builds (debug builds abort on these by design, and decode
 * 1 and 2 as 0) 1 a range that wraps the address space, 2 memory that is
 * not the arena's (above the cursor, a stack variable, another arena's
 * allocation).
 */
static void
op_realloc_other(unsigned variant)
{
    unsigned char local[16];
    size_t index, offset;
    struct live *l;
    unsigned which = variant & 3;

    if (S.nlive == 0)
        return;
    index = pick_live(0);
    l = &S.live[index];
    if (MARENA_DEBUG && which != 3)
        which = 0;
    switch (which) {
    case 0:
        offset = get16() % l->size;
        resize(index, offset, decode_new_size(variant, l->size - offset),
               MARENA_ALIGNMENT, 0);
        break;
    case 1:
        if (l->size > 16)
            resize_foreign(l->addr + 16, SIZE_MAX - 15, 1 + get8());
        break;
    case 2: {
        struct observed o;
        unsigned choice = get8() % 3;
        uintptr_t p = choice == 0   ? marena_mark(S.arena).cursor + 16
                      : choice == 1 ? (uintptr_t)local
                                    : other_allocation();

        /* Past the cursor may be another block's memory in use. */
        observe(&o);
        if (choice != 0 || !S.modelled || !held_by_arena(&o, p, 16))
            resize_foreign(p, 16, 1 + get8());
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
        /* Not the most recent allocation: bad input, not a failed request. */
        check_unchanged(&before);
        if (p != 0 && size != 0)
            S.error = WHY_EINVAL;
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
        /* The macro (length, bump and copy in the caller) or (bit 2) the
         * exported function. */
        copy =
            (variant & 4) ? (marena_strdup)(S.arena, buf) : marena_strdup(S.arena, buf);
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
        CHECK(((variant & 4)   ? marena_strndup(S.arena, NULL, 3)
               : (variant & 8) ? (marena_strdup)(S.arena, NULL)
                               : marena_strdup(S.arena, NULL)) == NULL);
        expect_ignored(&before);
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
        expect_ignored(&before);
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

/* The library's cleanup record (src/cleanups.c), allocated in the arena. */
struct cleanup_record {
    void *next;
    marena_cleanup_fn fn;
    void *data;
    uint64_t serial;
    size_t used;
};

static void
op_cleanup(unsigned variant)
{
    struct observed before, after;
    size_t slot = S.nregistered;
    size_t size = sizeof(struct cleanup_record);
    size_t align = _Alignof(struct cleanup_record);
    struct expect e;
    uintptr_t at = 0;
    int r;

    if (slot == MAX_CLEANUPS)
        return;
    observe(&before);
    if ((variant & 7) == 7) {
        CHECK(marena_add_cleanup(S.arena, NULL, &S.cl_calls[slot]) == -1);
        expect_ignored(&before);
        return;
    }
    predict(&before, before.faultable, size, align, &e);
    r = marena_add_cleanup(S.arena, cleanup_fn, &S.cl_calls[slot]);
    CHECK(r == 0 || r == -1);
    if (e.outcome == HERE)
        at = e.at;
    if (!settle_request(&before, &e, at, r == 0, size, align, 0, size))
        return;
    observe(&after);
    CHECK(after.used > before.used);
    S.allocations++;
    S.nregistered++;
    S.pending[S.npending++] = slot;
    /* Pops stop here: below, the arena would stand below where the
     * cleanup was registered (for a record in a block of its own too). */
    S.record_end[slot] = after.cursor;
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
        (marena_reset)(NULL);
        marena_reset_ex(NULL, MARENA_RETAIN_ALL, 0);
        marena_rewind(NULL, marena_mark(S.arena));
        CHECK(scope.arena == NULL);
        marena_scope_end(scope);
        CHECK(marena_realloc_aligned(NULL, &st, 1, 2, 8) == NULL);
        CHECK(marena_realloc_aligned(NULL, NULL, 0, 2, 8) == NULL);
#if MARENA_HAVE_GROWTH
        CHECK(marena_limit(NULL) == 0 && marena_set_limit(NULL, 1) == -1);
#endif
#if MARENA_HAVE_ERRORS
        CHECK(marena_last_error(NULL) == MARENA_OK);
#endif
#if MARENA_HAVE_INTROSPECTION
        CHECK(marena_owns(NULL, &st) == 0 && marena_owns(S.arena, NULL) == 0);
        CHECK(marena_walk(NULL, walk_visit, &walked) == 0);
        CHECK(marena_walk(S.arena, NULL, NULL) == 0);
#endif
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

/* ------------------------------------------------------------------ builders */

#if MARENA_HAVE_BUILDER
/* The builder holds what was appended (its fields are the harness's to
 * read, as a mark's are). */
FUZZ_NO_COVERAGE static void
verify_builder(void)
{
    const struct builder_model *m = &S.bm;

    if (!m->active)
        return;
    CHECK(marena_builder_length(&m->b) == m->length);
    CHECK((uintptr_t)m->b.data == m->data && m->b.capacity == m->capacity);
    if (m->length > 0)
        CHECK(memcmp((const void *)m->data, S.builder_text, m->length) == 0);
}

static void
builder_begin(int null_arena)
{
    struct builder_model *m = &S.bm;

    marena_builder_begin(&m->b, null_arena ? NULL : S.arena);
    m->active = 1;
    m->null_arena = null_arena;
    m->data = 0;
    m->length = m->capacity = 0;
    CHECK(marena_builder_length(&m->b) == 0);
}

/*
 * Room for `extra` more bytes and the NUL, when the call (append, appendf,
 * finish) said `ok`: none needed; or a capacity that at least doubles (256
 * bytes at first; just what is needed when that fits where the rest does
 * not), in place while the allocation is the arena's last (or after a
 * commit), else moved. `data` is where the builder's bytes are after the
 * call; `finishing`: marena_builder_finish() cuts what it got back to the
 * NUL when it is the last allocation. Returns 0 when there is room now
 * (the model updated), -1 when the arena refused (checked: one failure,
 * the builder as it was).
 */
FUZZ_NO_COVERAGE static int
builder_room(const struct observed *before, size_t extra, int ok, uintptr_t data,
             int finishing)
{
    struct builder_model *m = &S.bm;
    size_t need = m->length + extra + 1, doubled, target, room, capacity, logpos = 0;
    int last;

    if (need <= m->capacity) {
        CHECK(ok);
        check_unchanged(before);
        return 0;
    }
    doubled = m->capacity > SIZE_MAX / 2 ? SIZE_MAX : 2 * m->capacity;
    target = MAX(MAX(doubled, need), BUILDER_FIRST_CAPACITY);
    last = m->data != 0 && is_last(before, m->data, m->capacity);
    room = before->remaining + (last ? m->capacity : 0);
    capacity = target > room && need <= room ? need : target;
    /* The last allocation grows in place; when its block (a commit) has no
     * room, it moves. */
    if (last) {
        struct expect e;

        predict_in_place(before, before->faultable, capacity - m->capacity, &e);
        if (e.outcome == HERE) {
            struct observed after;

            CHECK(ok && data == m->data);
            CHECK(!overlaps_live(m->data + m->capacity, capacity - m->capacity, NULL));
            observe(&after);
            CHECK(after.used == before->used + (capacity - m->capacity));
            CHECK(after.cursor == m->data + capacity + S.redzone);
            CHECK(after.stats.allocations == before->stats.allocations);
            m->capacity = capacity;
            return 0;
        }
        logpos = e.backend_call ? 1 : 0;
    }
    /* A new allocation at align 1 (the old one, if any, stays used). */
    {
        /* Finishing an empty builder cuts its first allocation back to the
         * NUL at once, when it is the last. */
        size_t kept = finishing ? m->length + 1 : capacity;
        struct live *l = judge_from(before, before->faultable + logpos, logpos,
                                    ok ? (void *)data : NULL, capacity, 1, kept);

        if (!ok) {
            CHECK((uintptr_t)m->b.data == m->data && m->b.capacity == m->capacity);
            return -1;
        }
        if (l != NULL) /* the builder's, not a live allocation */
            S.nlive--;
        if (m->length > 0)
            CHECK(memcmp((const void *)data, S.builder_text, m->length) == 0);
        m->data = data;
        m->capacity = settled_shrunk ? kept : capacity;
        m->id = S.next_id;
        return 0;
    }
}

/* Appends n bytes (at `bytes`, or NULL), with the marena_builder_append()
 * macro (which copies what fits in the caller) or the exported function. */
static void
builder_append(const unsigned char *bytes, size_t n, int use_null, int exported)
{
    struct builder_model *m = &S.bm;
    const unsigned char *data = use_null ? NULL : bytes;
    struct observed before;
    int r;

    if (m->length + n >= BUILDER_MAX)
        return;
    observe(&before);
    r = exported ? (marena_builder_append)(&m->b, data, n)
                 : marena_builder_append(&m->b, data, n);
    if (m->null_arena || (use_null && n > 0)) {
        CHECK(r == -1);
        expect_ignored(&before);
        return;
    }
    if (n == 0) {
        CHECK(r == 0);
        check_unchanged(&before);
        return;
    }
    CHECK(r == 0 || r == -1);
    if (builder_room(&before, n, r == 0, (uintptr_t)m->b.data, 0) != 0)
        return;
    memcpy(S.builder_text + m->length, bytes, n);
    m->length += n;
    verify_builder();
}

#if MARENA_HAVE_STDIO
/* marena_builder_appendf() with the formats of op_sprintf(). */
static void
builder_appendf(unsigned sub)
{
    static char expected[4096];
    struct builder_model *m = &S.bm;
    struct observed before;
    char s[64];
    int value, n, r;

    take_string(s, 40);
    value = (int)get32();
    switch ((sub >> 3) & 3) {
    case 0:
        n = snprintf(expected, sizeof(expected), "%s:%d", s, value);
        break;
    case 1:
        n = snprintf(expected, sizeof(expected), "%0*d", (int)(get16() % 3001), value);
        break;
    case 2:
        n = snprintf(expected, sizeof(expected), "%s", s);
        break;
    default:
        n = 0;
        break;
    }
    CHECK(n >= 0 && (size_t)n < sizeof(expected));
    if (m->length + (size_t)n >= BUILDER_MAX)
        return;
    observe(&before);
    if (((sub >> 3) & 3) == 3) {
        /* A NULL format appends nothing and is no failed request. */
        CHECK(marena_builder_appendf(&m->b, NULL) == -1);
        expect_ignored(&before);
        return;
    }
    /* The same format again: what it appends is `expected`. */
    r = marena_builder_appendf(&m->b, "%s", expected);
    if (m->null_arena) {
        CHECK(r == -1);
        expect_ignored(&before);
        return;
    }
    CHECK(r == 0 || r == -1);
    if (builder_room(&before, (size_t)n, r == 0, (uintptr_t)m->b.data, 0) != 0)
        return;
    memcpy(S.builder_text + m->length, expected, (size_t)n);
    m->length += (size_t)n;
    verify_builder();
}
#endif

/* Finishing: a NUL-terminated string of what was appended (an empty
 * builder allocates its ""), the capacity beyond it given back when it is
 * the arena's last allocation; the builder is empty again, on the same
 * arena. The string is a live allocation from then on. */
static void
builder_finish(int with_length)
{
    struct builder_model *m = &S.bm;
    struct observed before, after;
    size_t length = (size_t)-1;
    void *text;
    int last;
    struct live *l;

    observe(&before);
    last = m->data != 0 && is_last(&before, m->data, m->capacity);
    text = marena_builder_finish(&m->b, with_length ? &length : NULL);
    if (m->null_arena) {
        CHECK(text == NULL);
        expect_ignored(&before);
        return;
    }
    if (m->data == 0) {
        /* Its "": a first allocation (256 bytes, or 1 when only that
         * fits), cut back to the NUL when it is the last. */
        if (builder_room(&before, 0, text != NULL, (uintptr_t)text, 1) != 0) {
            CHECK(text == NULL);
            return;
        }
    } else if (last && m->capacity > m->length + 1) {
        observe(&after);
        CHECK(after.cursor == m->data + m->length + 1 + S.redzone);
        CHECK(before.used - after.used == m->capacity - m->length - 1);
        CHECK(after.stats.allocations == before.stats.allocations);
        forget_marks(beyond_cursor, &after);
    } else {
        check_unchanged(&before);
    }
    CHECK(text != NULL && (uintptr_t)text == m->data);
    CHECK(memcmp(text, S.builder_text, m->length) == 0 && ((char *)text)[m->length] == 0);
    if (with_length)
        CHECK(length == m->length);
    CHECK(m->b.data == NULL && m->b.length == 0 && m->b.capacity == 0);
    CHECK(m->b.arena == S.arena);
    if (S.nlive < MAX_LIVE) {
        l = &S.live[S.nlive++];
        l->addr = m->data;
        l->size = m->length + 1;
        l->id = m->id;
        fill(l);
    }
    m->data = 0;
    m->length = m->capacity = 0;
}

/* Abandoning: the bytes go back when the allocation is the arena's last
 * (marena_pop()), else they stay used; the builder is empty again. */
static void
builder_abandon(void)
{
    struct builder_model *m = &S.bm;
    struct observed before, after;
    uintptr_t data = m->data;
    int last;

    observe(&before);
    last = data != 0 && !m->null_arena && is_last(&before, data, m->capacity);
    marena_builder_abandon(&m->b);
    CHECK(m->b.data == NULL && m->b.length == 0 && m->b.capacity == 0);
    m->data = 0;
    m->length = m->capacity = 0;
    if (!last) {
        check_unchanged(&before);
        return;
    }
    observe(&after);
    CHECK(after.cursor == data || (S.redzone != 0 && after.cursor == data + S.redzone));
    CHECK(before.used - after.used == before.cursor - after.cursor);
    CHECK(after.stats.allocations == before.stats.allocations);
    cut_back(&before, data);
}

/* NULL builders: nothing happens, and nothing is counted. */
static void
builder_null_calls(void)
{
    struct observed before;
    size_t length = 7;

    observe(&before);
    marena_builder_begin(NULL, S.arena);
    CHECK(marena_builder_append(NULL, "x", 1) == -1);
    CHECK(marena_builder_append(NULL, NULL, 0) == -1);
#if MARENA_HAVE_STDIO
    CHECK(marena_builder_appendf(NULL, "%d", 1) == -1);
#endif
    CHECK(marena_builder_length(NULL) == 0);
    CHECK(marena_builder_finish(NULL, &length) == NULL && length == 7);
    marena_builder_abandon(NULL);
    expect_ignored(&before);
}

/*
 * Builder operations (opcode 14 variant 5), by the next byte % 8: 0 begin
 * again (bit 3: on a NULL arena); 1 append that many input bytes (byte 2;
 * bit 3: up to 4095 patterned bytes, 16 bits); 2 appendf (bits 3-4: "%s:%d",
 * "%0*d", "%s", a NULL format); 3 append 0 bytes, or (bit 3) n bytes from
 * NULL; 4 finish (bit 3: without the length); 5 abandon; 6 length; 7 calls
 * with a NULL builder. Appends with the macro, or (bit 4) the exported
 * function. A builder a reset, rewind or pop ended is begun again first.
 */
static void
op_builder(void)
{
    static unsigned char bytes[4096];
    unsigned sub = get8();
    size_t n;

    if (!S.bm.active && (sub & 7) != 0)
        builder_begin(0);
    switch (sub & 7) {
    case 0:
        builder_begin((sub & 8) != 0);
        break;
    case 1:
        if (sub & 8) {
            n = get16() % sizeof(bytes);
            fill_range(bytes, 0, n, pattern_key(S.op_index));
        } else {
            n = get8();
            for (size_t i = 0; i < n; i++)
                bytes[i] = (unsigned char)(S.in_left > 0 ? get8() : i);
        }
        builder_append(bytes, n, 0, (sub & 16) != 0);
        break;
#if MARENA_HAVE_STDIO
    case 2:
        builder_appendf(sub);
        break;
#endif
    case 3:
        builder_append(bytes, (sub & 8) ? 1 + get8() : 0, (sub & 8) != 0,
                       (sub & 16) != 0);
        break;
    case 4:
        builder_finish(!(sub & 8));
        break;
    case 5:
        builder_abandon();
        break;
    case 6:
        CHECK(marena_builder_length(&S.bm.b) == (S.bm.null_arena ? 0 : S.bm.length));
        break;
    default:
        builder_null_calls();
        break;
    }
}
#endif /* MARENA_HAVE_BUILDER */

/* ------------------------------------------------------------------ limits */

#if MARENA_HAVE_GROWTH
/*
 * marena_set_limit() (opcode 14 variant 6), the next byte % 8 choosing the
 * limit: 0 none (0), 1 none (SIZE_MAX), 2 exactly what the arena holds, 3
 * one byte less, 4 that plus 64 times 16 bits, 5 plus 8 bits, 6 one byte,
 * 7 the limit unchanged (marena_limit() only). Below what is held: -1,
 * EINVAL (no failed request), nothing changes. An unseen real backend
 * keeps a limit of at most BLIND_LIMIT.
 */
static void
op_limit(void)
{
    struct observed before;
    unsigned sub = get8();
    size_t held, limit;
    int r, refused;

    observe(&before);
    held = before.stats.backend_bytes;
    switch (sub & 7) {
    case 0:
        limit = 0;
        break;
    case 1:
        limit = SIZE_MAX;
        break;
    case 2:
        limit = held;
        break;
    case 3:
        limit = held - 1; /* 0 held: SIZE_MAX */
        break;
    case 4:
        limit = held + (size_t)get16() * 64;
        break;
    case 5:
        limit = held + get8();
        break;
    case 6:
        limit = 1;
        break;
    default:
        limit = S.limit != 0 ? S.limit : SIZE_MAX;
        break;
    }
    if (S.blind && (limit == 0 || limit > BLIND_LIMIT))
        limit = BLIND_LIMIT;
    refused = limit != 0 && limit != SIZE_MAX && limit < held;
    r = marena_set_limit(S.arena, limit);
    CHECK(r == (refused ? -1 : 0));
    check_unchanged(&before);
    if (refused)
        S.error = WHY_EINVAL;
    else
        S.limit = limit == SIZE_MAX ? 0 : limit;
}
#endif

/* ------------------------------------------------------------------ introspection */

#if MARENA_HAVE_INTROSPECTION
/* Does the arena hold byte p (a block in use, below where it is filled)? */
FUZZ_NO_COVERAGE static void
check_owns(const struct observed *o, uintptr_t p)
{
    int owns = marena_owns(S.arena, (const void *)p);

    if (S.modelled)
        CHECK(owns == held_by_arena(o, p, 0));
    else if (p >= o->base && p < o->cursor + o->remaining)
        CHECK(owns == (p < o->cursor));
}

/*
 * marena_owns(), marena_walk() and pointers into blocks no longer current
 * (opcode 14 variant 7), by the next byte % 8: 0 a byte of a live
 * allocation; 1 a byte of the current block; 2 the start, last filled
 * byte, fill and last byte of a block the model knows; 3 pointers that are
 * not the arena's (its control block, a stack variable, another arena's
 * allocation, NULL); 4 a walk stopped after k blocks; 5 marena_pop() of a
 * byte of a block in use that is not current (0, EINVAL: not the most
 * recent allocation, but the arena's); 6 in release builds (debug builds
 * abort by design) marena_realloc() of the unused tail of such a block,
 * or of a range across its fill (NULL, EINVAL); 7 the cursor and the byte
 * before it.
 */
static void
op_introspect(void)
{
    struct observed before;
    unsigned sub = get8(), pick = get8();
    unsigned char local[16];
    const struct rblock *b = NULL;

    observe(&before);
    if (S.modelled && rb_count() > 0) {
        /* A block of the model's, and one in use that is not current. */
        b = rb_at(pick % rb_count());
        if (b->lie)
            b = NULL;
    }
    switch (sub & 7) {
    case 0:
        if (S.nlive > 0) {
            const struct live *l = &S.live[pick % S.nlive];
            uintptr_t p = l->addr + get16() % l->size;

            CHECK(marena_owns(S.arena, (const void *)p) == 1);
            check_owns(&before, p);
        }
        break;
    case 1:
        check_owns(&before, before.base + get16() % (before.cursor + before.remaining -
                                                     before.base + 1));
        break;
    case 2:
        if (b != NULL) {
            uintptr_t fill = b->inuse ? rb_fill(b, &before) : rb_base(b);

            check_owns(&before, rb_base(b));
            check_owns(&before, fill - 1);
            check_owns(&before, fill);
            check_owns(&before, rb_end(b) - 1);
        }
        break;
    case 3:
        CHECK(marena_owns(S.arena, S.arena) == 0);
        CHECK(marena_owns(S.arena, (const void *)(before.base - 1)) == 0);
        CHECK(marena_owns(S.arena, local) == 0);
        CHECK(marena_owns(S.arena, (const void *)other_allocation()) == 0);
        CHECK(marena_owns(S.arena, NULL) == 0);
        break;
    case 4: {
        size_t n = before.stats.blocks - before.stats.spare_blocks;

        walked.n = 0;
        walked.stop = 1 + pick % n;
        CHECK(marena_walk(S.arena, walk_visit, &walked) == (int)(1000 + walked.stop));
        CHECK(walked.n == walked.stop);
        CHECK(marena_walk(S.arena, NULL, &walked) == 0);
        break;
    }
    case 5:
        if (b != NULL && b->inuse && b->addr != S.cur && b->fill > rb_base(b)) {
            CHECK(marena_pop(S.arena, (void *)(b->fill - 1), 1) == 0);
            CHECK(marena_pop(S.arena, (void *)rb_base(b), b->fill - rb_base(b)) == 0);
            S.error = WHY_EINVAL;
        }
        break;
    case 6:
        if (!MARENA_DEBUG && b != NULL && b->inuse && b->addr != S.cur) {
            if ((sub & 8) && b->fill > rb_base(b)) {
                resize_foreign(b->fill - 1, 2, 1 + get8());
            } else if (b->fill < rb_end(b)) {
                resize_foreign(b->fill, MIN(16, rb_end(b) - b->fill), 1 + get8());
            }
            return;
        }
        break;
    default:
        check_owns(&before, before.cursor);
        if (before.cursor > before.base)
            check_owns(&before, before.cursor - 1);
        break;
    }
    check_unchanged(&before);
}
#endif

/* ------------------------------------------------------------------ realloc_aligned */

/*
 * marena_realloc_aligned() (opcode 14 variant 8): the next byte's bits 0-1
 * pick the allocation (the most recent, a random one, the tail of one from
 * an offset of 16 bits, or NULL), and its bits 2-3 the new size as
 * decode_new_size() says; then the alignment (decode_align(): invalid ones
 * too). A moved allocation is aligned as asked.
 */
static void
op_realloc_aligned(void)
{
    unsigned sub = get8();
    size_t align = decode_align(get8()), index, offset = 0;

    if (S.nlive == 0 || (sub & 3) == 3) {
        resize_null(decode_new_size(sub, 0), align, 1);
        return;
    }
    index = pick_live((sub & 3) == 0);
    if ((sub & 3) == 2)
        offset = get16() % S.live[index].size;
    resize(index, offset, decode_new_size(sub, S.live[index].size - offset), align, 1);
}

/* ------------------------------------------------------------------ errors */

#if MARENA_HAVE_ERRORS
/* marena_strerror() (opcode 14 variant 9): a message for each reason, and
 * "unknown error" for other values; marena_last_error(NULL). */
static void
op_errors(void)
{
    int value = (int)(int8_t)get8();
    const char *text = marena_strerror((marena_error_t)value);

    CHECK(text != NULL && text[0] != '\0');
    if (value < 0 || value > 4) {
        CHECK(strcmp(text, "unknown error") == 0);
    } else {
        for (int other = 0; other <= 4; other++)
            CHECK((other == value) ==
                  (strcmp(text, marena_strerror((marena_error_t)other)) == 0));
    }
    CHECK(strcmp(marena_strerror(MARENA_EFULL), "the arena is full") == 0);
    CHECK(marena_last_error(NULL) == MARENA_OK);
}
#endif

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

/* Opcode 14: variants 0-3 scratch arenas, 4 marena_alloc_or_abort(), 5
 * builders, 6 limits, 7 introspection, 8 marena_realloc_aligned(), 9
 * marena_strerror(), the others alloc_aligned. */
static void
op_more(unsigned variant)
{
    switch (variant) {
#if MARENA_HAVE_BUILDER
    case 5:
        op_builder();
        break;
#endif
#if MARENA_HAVE_GROWTH
    case 6:
        op_limit();
        break;
#endif
#if MARENA_HAVE_INTROSPECTION
    case 7:
        op_introspect();
        break;
#endif
    case 8:
        op_realloc_aligned();
        break;
#if MARENA_HAVE_ERRORS
    case 9:
        op_errors();
        break;
#endif
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
static void
decode_growth(const unsigned *c, marena_options_t *options);
static void
note_created(const marena_options_t *options);
static void
note_first_block(void);
static void
oom_hook(marena_t *arena, size_t size, size_t align, void *data);
static void
run_one_operation(struct observed *o);

/* The concurrent arena's recorder (CC.rec, CC.rblocks) and a child's
 * record (S.rec, S.blocks) trade places: rec_acquire() and rec_release()
 * work on S.rec and S.blocks. */
FUZZ_NO_COVERAGE static void
cc_exchange(void)
{
    struct recorder rec = S.rec;
    size_t n = MAX(S.rec.nblocks, CC.rec.nblocks);

    S.rec = CC.rec;
    CC.rec = rec;
    for (size_t i = 0; i < n; i++) {
        struct rblock b = S.blocks[i];

        S.blocks[i] = CC.rblocks[i];
        CC.rblocks[i] = b;
    }
}

/* The concurrent arena's backend: the recording backend on its own record,
 * with the concurrent arena's flags for the wipe checks. */
static void *
cc_acquire(void *ctx, size_t size, size_t *granted)
{
    unsigned flags = S.flags;
    void *memory;

    CHECK(ctx == &CC);
    cc_exchange();
    S.flags = CC.flags;
    memory = rec_acquire(&S.rec, size, granted);
    S.flags = flags;
    cc_exchange();
    return memory;
}

static void
cc_release(void *ctx, void *block, size_t size)
{
    unsigned flags = S.flags;

    CHECK(ctx == &CC);
    cc_exchange();
    S.flags = CC.flags;
    rec_release(&S.rec, block, size);
    S.flags = flags;
    cc_exchange();
}

static const marena_backend_t cc_backend = {
    .name = "recording-concurrent",
    .acquire = cc_acquire,
    .release = cc_release,
};

FUZZ_NO_COVERAGE static int
cc_wiping(void)
{
    return (CC.flags & MARENA_WIPE) && !FUZZ_MSAN;
}

/* Does the concurrent arena's recorder misbehave at call n (misbehaves())? */
FUZZ_NO_COVERAGE static int
cc_misbehaves(size_t n)
{
    return (CC.rec.every != 0 && n % CC.rec.every == CC.rec.phase) ||
           (CC.rec.once != 0 && n + 1 == CC.rec.once);
}

FUZZ_NO_COVERAGE static size_t
cc_usable(const struct cc_block *b)
{
    return (size_t)(b->end - b->base);
}

/* Was the block kept at the last reset, and not taken again since? */
FUZZ_NO_COVERAGE static int
cc_kept(const struct cc_block *b)
{
    return b->list == CC_READY || b->list == CC_READY_LARGE;
}

/* The head of a list of kept blocks (the oldest), NULL if it is empty. */
FUZZ_NO_COVERAGE static struct cc_block *
cc_kept_head(enum cc_list list)
{
    struct cc_block *head = NULL;

    for (size_t i = 0; i < CC.nblocks; i++) {
        struct cc_block *b = &CC.blocks[i];

        if (b->list == list && (head == NULL || b->seq < head->seq))
            head = b;
    }
    return head;
}

/* The ready block growth takes first (the oldest kept), NULL if none. */
FUZZ_NO_COVERAGE static struct cc_block *
cc_ready_head(void)
{
    return cc_kept_head(CC_READY);
}

/* The kept block a request of `worst` bytes takes: the head of the ready
 * list if it fits, else the head of the large ones if it fits; NULL. */
FUZZ_NO_COVERAGE static struct cc_block *
cc_kept_for(size_t worst)
{
    struct cc_block *b = cc_kept_head(CC_READY);

    if (b != NULL && cc_usable(b) >= worst)
        return b;
    b = cc_kept_head(CC_READY_LARGE);
    return b != NULL && cc_usable(b) >= worst ? b : NULL;
}

/* The usable bytes of the next ordinary block: double the current one's,
 * up to max_block_size, and no more than the limit still allows. */
FUZZ_NO_COVERAGE static size_t
cc_next_block_size(void)
{
    size_t current = cc_usable(&CC.blocks[CC.current]);
    size_t ordinary = current > CC.max_block / 2 ? CC.max_block : 2 * current;
    size_t room = CC.limit - CC.held;
    size_t allowed = room > CC_HEADER ? (size_t)ALIGN_DOWN(room - CC_HEADER) : 0;

    return ordinary < allowed ? ordinary : allowed;
}

/* What a request of the concurrent arena must give. */
enum cc_outcome {
    CC_FAILS,  /* NULL */
    CC_HERE,   /* in the block `block` at `at` */
    CC_REUSE,  /* in the ready block `block`, which becomes current */
    CC_ACQUIRE /* in a new block from the backend (of its own when `large`) */
};

struct cc_expect {
    enum cc_outcome outcome;
    size_t block;
    uintptr_t at;
    int large;
    size_t wanted; /* the bytes asked of the backend */
    size_t calls;  /* backend calls: an acquire, and the release of a grant refused */
};

/* A new block with `usable` bytes from the backend, within the limit (the
 * grant counted whole), as the recorder will answer: it fails or lies at
 * the calls misbehaves() names, refuses blocks over BACKEND_MAX_BLOCK and
 * more than BACKEND_CAP in all, and grants CC.rec.extra bytes more. */
FUZZ_NO_COVERAGE static void
cc_predict_acquire(size_t usable, struct cc_expect *e)
{
    enum lie how;
    size_t granted;

    e->outcome = CC_FAILS;
    if (usable > (size_t)PTRDIFF_MAX - CC_HEADER - MARENA_ALIGNMENT)
        return;
    e->wanted = CC_HEADER + ROUND_UP(usable, MARENA_ALIGNMENT);
    if (e->wanted > CC.limit - CC.held)
        return;
    e->calls = 1;
    /* (The recorder's figures before the call: the model's.) */
    how = cc_misbehaves(CC.faultable) ? CC.rec.how : LIE_NONE;
    if (how == LIE_FAIL || e->wanted > BACKEND_MAX_BLOCK ||
        CC.nblocks - (CC.blocks[0].size == 0) == MAX_BLOCKS ||
        e->wanted + CC.rec.extra > BACKEND_CAP - (CC.held + CC.uncounted))
        return;
    granted = e->wanted + CC.rec.extra;
    if (how != LIE_NONE || granted - e->wanted > CC.limit - CC.held - e->wanted) {
        e->calls = 2; /* given back at once */
        return;
    }
    e->outcome = CC_ACQUIRE;
}

/* What marena_concurrent_alloc(size, align) must do, single-threaded: serve
 * it at the current block's cursor aligned up when it fits there; else,
 * growing, in a kept block that fits the request with its padding beyond
 * MARENA_ALIGNMENT (cc_kept_for(), whatever the limit: it becomes the
 * current block); else in a block of its own when the request needs more
 * than the next ordinary block, or in a new ordinary block from the
 * backend; fail otherwise. */
FUZZ_NO_COVERAGE static void
cc_predict(size_t size, size_t align, struct cc_expect *e)
{
    const struct cc_block *cur = &CC.blocks[CC.current];
    size_t available = (size_t)(cur->end - cur->cursor);
    size_t padding, worst, ordinary;
    const struct cc_block *ready;

    memset(e, 0, sizeof(*e));
    e->outcome = CC_FAILS;
    if (size == 0 || !is_power_of_two(align))
        return;
    padding = (size_t)(0u - cur->cursor) & (align - 1);
    if (padding <= available && size <= available - padding) {
        e->outcome = CC_HERE;
        e->block = CC.current;
        e->at = cur->cursor + padding;
        return;
    }
    padding = align > MARENA_ALIGNMENT ? align - MARENA_ALIGNMENT : 0;
    if (!CC.grows || size > SIZE_MAX - padding)
        return;
    worst = size + padding;
    ordinary = cc_next_block_size();
    ready = cc_kept_for(worst);
    if (ready != NULL) {
        e->outcome = CC_REUSE;
        e->block = (size_t)(ready - CC.blocks);
        return;
    }
    if (worst > ordinary) {
        e->large = 1;
        cc_predict_acquire(worst, e);
        return;
    }
    cc_predict_acquire(ordinary, e);
}

/* The backend calls of a request, as predicted: one acquire of exactly
 * the bytes expected, which failed (NULL) or was given back at once (a
 * grant that lies or that the limit cannot take), or not. */
FUZZ_NO_COVERAGE static const struct call *
cc_take_calls(const struct cc_expect *e)
{
    const struct call *c = &CC.rec.log[CC.logpos];

#ifdef FUZZ_STANDALONE
    if (trace)
        fprintf(
            stderr,
            "  concurrent request: outcome %d, large %d, wanted %zu, calls %zu "
            "(logged %zu: first %d size %zu addr %#zx granted %zu lie %d); held %zu\n",
            (int)e->outcome, e->large, e->wanted, e->calls, CC.rec.nlog - CC.logpos,
            CC.rec.nlog > CC.logpos ? (int)c->kind : -1, c->size, (size_t)c->addr,
            c->granted, c->lie, CC.held);
#endif
    CHECK(CC.rec.nlog - CC.logpos >= e->calls);
    if (e->calls == 0)
        return NULL;
    CHECK(CC.logpos + e->calls <= MAX_LOG);
    CHECK(c->kind == CALL_ACQUIRE && c->size == e->wanted);
    if (e->outcome == CC_FAILS)
        CHECK((c->addr == 0) == (e->calls == 1));
    if (e->calls == 2)
        CHECK(c[1].kind == CALL_RELEASE && c[1].addr == c->addr &&
              c[1].size == c->granted);
    CC.logpos += e->calls;
    CC.faultable++;
    return c;
}

/* Checks the result of a request against its prediction (`memory`, when
 * `known`: a child's block is known by where the model puts it) and
 * updates the model. Returns where it was served (its block in *into),
 * 0 when it failed. */
FUZZ_NO_COVERAGE static uintptr_t
cc_settle(const struct cc_expect *e, void *memory, int known, size_t size, size_t align,
          struct cc_block **into)
{
    const struct call *c = cc_take_calls(e);
    struct cc_block *b;
    uintptr_t at;

    switch (e->outcome) {
    case CC_FAILS:
        CHECK(!known || memory == NULL);
        CC.failed++;
        return 0;
    case CC_HERE:
        b = &CC.blocks[e->block];
        at = e->at;
        break;
    case CC_REUSE:
        b = &CC.blocks[e->block];
        CHECK(b->cursor == b->base);
        at = ROUND_UP(b->base, align);
        b->list = CC_CHAIN;
        b->seq = ++CC.seq;
        CC.current = e->block;
        break;
    default:
        CHECK(c != NULL && c->addr != 0 && !c->lie);
        CHECK(CC.nblocks < MAX_BLOCKS);
        b = &CC.blocks[CC.nblocks];
        memset(b, 0, sizeof(*b));
        b->addr = c->addr;
        b->size = c->granted;
        b->base = b->cursor = b->wiped = c->addr + CC_HEADER;
        b->end = ALIGN_DOWN(c->addr + c->granted);
        b->list = e->large ? CC_LARGE : CC_CHAIN;
        b->seq = ++CC.seq;
        if (!e->large)
            CC.current = CC.nblocks;
        CC.nblocks++;
        CC.held += c->granted;
        at = ROUND_UP(b->base, align);
        break;
    }
    CHECK(at >= b->cursor && at <= b->end && size <= b->end - at);
    CHECK(!known || (uintptr_t)memory == at);
    b->cursor = at + size;
    if (into != NULL)
        *into = b;
    return at;
}

/* The concurrent arena's figures (used and capacity only without the stats
 * option). */
FUZZ_NO_COVERAGE static void
cc_stats(marena_stats_t *st)
{
    memset(st, 0, sizeof(*st));
#if MARENA_HAVE_STATS
    marena_concurrent_stats(CC.arena, st);
    CHECK(marena_concurrent_used(CC.arena) == st->used);
    CHECK(marena_concurrent_capacity(CC.arena) == st->capacity);
#else
    st->used = marena_concurrent_used(CC.arena);
    st->capacity = marena_concurrent_capacity(CC.arena);
#endif
}

/* Does the concurrent arena hold [a, a + size) as handed out (a child's
 * block and its stamp)? */
FUZZ_NO_COVERAGE static int
cc_handed_out(uintptr_t a, size_t size)
{
    for (size_t i = 0; i < CC.nblocks; i++) {
        const struct cc_block *b = &CC.blocks[i];

        if (!cc_kept(b) && a >= b->base && a <= b->cursor && size <= b->cursor - a)
            return 1;
    }
    return 0;
}

/* The concurrent arena against its model, after every operation: used,
 * capacity, blocks, spares, backend bytes (within the limit) and calls,
 * failures and peak; the recorder has exactly the blocks the model has
 * (every backend call was one it expected); a child's blocks lie in what
 * the concurrent arena handed out. */
FUZZ_NO_COVERAGE static void
cc_check(void)
{
    marena_stats_t st;
    size_t used = 0, capacity = 0, ready = 0;

    cc_stats(&st);
    for (size_t i = 0; i < CC.nblocks; i++) {
        const struct cc_block *b = &CC.blocks[i];

        capacity += cc_usable(b);
        if (cc_kept(b)) {
            CHECK(b->cursor == b->base);
            ready++;
        } else {
            used += (size_t)(b->cursor - b->base);
        }
    }
    CHECK(st.used == used && st.capacity == capacity);
    CHECK(CC.rec.nlog == CC.logpos && CC.rec.faultable == CC.faultable);
    CHECK(CC.rec.lies_out == 0);
    CHECK(CC.rec.bytes_out == CC.held + CC.uncounted);
    CHECK(CC.rec.nblocks + (CC.blocks[0].addr == CC.rec.control ? 0 : 1) == CC.nblocks);
    CHECK(CC.held <= CC.limit);
#if MARENA_HAVE_STATS
    CHECK(st.blocks == CC.nblocks && st.spare_blocks == ready);
    CHECK(st.peak == MAX(used, CC.peak));
    CHECK(st.backend_bytes == CC.held);
    CHECK(st.backend_calls == CC.rec.calls);
    CHECK(st.failed == CC.failed);
    CHECK(st.allocations == 0);
    CHECK(st.reserved[0] == 0 && st.reserved[1] == 0 && st.reserved[2] == 0);
#else
    (void)ready;
#endif
    if (S.child)
        for (size_t i = 0; i < S.rec.nblocks; i++)
            CHECK(
                cc_handed_out(S.blocks[i].addr - CC_STAMP, CC_STAMP + S.blocks[i].size));
}

/* An operation begins: the recorder's calls are checked from here. */
FUZZ_NO_COVERAGE static void
cc_begin_operation(void)
{
    CC.rec.nlog = 0;
    CC.logpos = 0;
    CC.faultable = CC.rec.faultable;
}

/* A concurrent allocation is served exactly where the model says (as
 * marena_alloc_aligned() would, but for the concurrent arena's own growth
 * rules); a failed one changes nothing but the count of failures (and of
 * the backend calls it made). */
static void
cc_alloc(size_t size, size_t align)
{
    struct cc_expect e;
    struct cc_block *b = NULL;
    marena_stats_t before, after;
    void *memory;
    uintptr_t at;
    struct live *l;

    cc_predict(size, align, &e);
    cc_stats(&before);
    memory = marena_concurrent_alloc(CC.arena, size, align);
    at = cc_settle(&e, memory, 1, size, align, &b);
    if (at == 0) {
        cc_stats(&after);
        CHECK(after.used == before.used && after.capacity == before.capacity);
        CHECK(after.blocks == before.blocks && after.spare_blocks == before.spare_blocks);
        CHECK(after.backend_bytes == before.backend_bytes && after.peak == before.peak);
        if (MARENA_HAVE_STATS) {
            CHECK(after.failed == before.failed + 1);
            CHECK(after.backend_calls == before.backend_calls + e.calls);
        }
        return;
    }
    CHECK(at % align == 0);
    CHECK(!overlaps_live(at, size, NULL));
    /* MARENA_WIPE: what was handed out before a reset reads as zero. */
    if (cc_wiping() && at < b->wiped)
        check_zeroed(memory, MIN(size, b->wiped - at));
    S.next_id++;
    if (CC.nlive == CC_MAX_LIVE)
        return;
    l = &CC.live[CC.nlive++];
    l->addr = at;
    l->size = size;
    l->id = S.next_id;
    fill(l);
}

/* Requests at the edges of growth (op 4; variant v, then a byte k): the
 * request with its padding exactly the next ordinary block (k bit 0: one
 * byte more, a block of its own), exactly the oldest ready block (or one
 * byte more), what is left in the current block plus 1..64, and one of
 * 1..2041 bytes; aligned to MARENA_ALIGNMENT << (k bits 1-2). */
static void
cc_edge_alloc(unsigned v)
{
    unsigned k = get8();
    size_t align = (size_t)MARENA_ALIGNMENT << ((k >> 1) & 3);
    size_t padding = align - MARENA_ALIGNMENT, size, edge = 0;
    const struct cc_block *cur = &CC.blocks[CC.current], *ready = cc_ready_head();

    switch (v & 3) {
    case 0:
        edge = cc_next_block_size();
        break;
    case 1:
        edge = ready != NULL ? cc_usable(ready) : cc_next_block_size();
        break;
    case 2:
        cc_alloc((size_t)(cur->end - cur->cursor) + 1 + k % 64, align);
        return;
    default:
        cc_alloc(1 + (size_t)k * 8, align);
        return;
    }
    size = edge > padding ? edge - padding : 1;
    cc_alloc(size + (k & 1), align);
}

/* Reset: every block but the first emptied (wiped with MARENA_WIPE); the
 * cycle's ordinary blocks kept as ready and its blocks of their own as
 * ready_large, each oldest first; the blocks kept at the last reset that
 * this cycle did not take given back (the recorder checks each is a block
 * it has out, and wiped). */
static void
cc_reset(void)
{
    size_t used = 0, back = 0;

    verify_all();
    for (size_t i = 0; i < CC.nblocks; i++)
        if (!cc_kept(&CC.blocks[i]))
            used += (size_t)(CC.blocks[i].cursor - CC.blocks[i].base);
    if (used > CC.peak)
        CC.peak = used;
    marena_concurrent_reset(CC.arena);
    CC.resets++;
    CC.nlive = 0;
    for (size_t i = 0; i < CC.nblocks;) {
        struct cc_block *b = &CC.blocks[i];

        if (i == 0 || !cc_kept(b)) {
            if (b->cursor > b->wiped)
                b->wiped = b->cursor;
            b->cursor = b->base;
            if (i != 0) /* its seq keeps the order it came in */
                b->list = b->list == CC_LARGE ? CC_READY_LARGE : CC_READY;
            i++;
        } else {
            CC.held -= b->size;
            back++;
            *b = CC.blocks[--CC.nblocks];
        }
    }
    CC.current = 0;
    CHECK(CC.rec.nlog - CC.logpos == back);
    for (size_t i = CC.logpos; i < CC.rec.nlog && i < MAX_LOG; i++)
        CHECK(CC.rec.log[i].kind == CALL_RELEASE);
    CC.logpos = CC.rec.nlog;
}

static void
cc_null_calls(void)
{
#if MARENA_HAVE_STATS
    static const marena_stats_t zero;
    marena_stats_t st;
#endif

    CHECK(marena_concurrent_alloc(NULL, 1, 1) == NULL);
    CHECK(marena_concurrent_used(NULL) == 0 && marena_concurrent_capacity(NULL) == 0);
    marena_concurrent_reset(NULL);
    marena_concurrent_destroy(NULL);
#if MARENA_HAVE_STATS
    memset(&st, 0xff, sizeof(st));
    marena_concurrent_stats(NULL, &st);
    CHECK(memcmp(&st, &zero, sizeof(st)) == 0);
    marena_concurrent_stats(CC.arena, NULL);
#endif
}

/* ---- child arenas: ordinary arenas on marena_backend_concurrent */

/* A child's block carries the concurrent arena's epoch (debug builds). */
FUZZ_NO_COVERAGE static void
child_check_stamp(uintptr_t at)
{
#if MARENA_DEBUG
    uint64_t stamp;

    memcpy(&stamp, (const void *)at, sizeof(stamp));
    CHECK(stamp == CC.resets);
#else
    (void)at;
#endif
}

/* The child asked its backend for `wanted` bytes (the model of the child
 * says so, and how many): that is an allocation of the stamp and those
 * bytes at MARENA_ALIGNMENT in the concurrent arena, which its model
 * places; the call and the block go into the child's record, granted
 * exactly (or the call failed). */
static void
child_acquire(size_t wanted)
{
    struct cc_expect e;
    struct call *c;
    struct rblock *b;
    uintptr_t at;

    cc_predict(CC_STAMP + wanted, MARENA_ALIGNMENT, &e);
    at = cc_settle(&e, NULL, 0, CC_STAMP + wanted, MARENA_ALIGNMENT, NULL);
    S.rec.calls++;
    c = log_call(CALL_ACQUIRE, wanted);
    if (at == 0)
        return;
    child_check_stamp(at);
    CHECK(S.rec.nblocks < MAX_BLOCKS);
    b = &S.blocks[S.rec.nblocks++];
    memset(b, 0, sizeof(*b));
    b->addr = at + CC_STAMP;
    b->size = wanted;
    S.rec.bytes_out += wanted;
    c->addr = b->addr;
    c->granted = wanted;
}

/* Would the concurrent arena serve a child's acquire of `wanted` bytes? */
static int
child_would_serve(size_t wanted)
{
    struct cc_expect e;

    cc_predict(CC_STAMP + wanted, MARENA_ALIGNMENT, &e);
    return e.outcome != CC_FAILS;
}

/* The blocks a reset or rewind of the child was to give back leave its
 * record (it calls no release: they stay the concurrent arena's). */
FUZZ_NO_COVERAGE static void
child_gave_back(void)
{
    for (size_t i = 0; i < S.rec.nblocks;) {
        struct rblock *b = &S.blocks[i];

        if (b->fate == -1) {
            S.rec.bytes_out -= b->size;
            *b = S.blocks[--S.rec.nblocks];
        } else {
            i++;
        }
    }
}

/* Clears the model of the ordinary arena (before and after a child) but
 * for what belongs to the whole input: the input, the operation count,
 * allocation ids, the scratch arenas, the other arena. */
static void
child_clear(void)
{
    const uint8_t *in = S.in;
    size_t in_left = S.in_left, nscopes = S.nscopes, nscratch_live = S.nscratch_live;
    unsigned op_index = S.op_index;
    uint32_t next_id = S.next_id, scratch_next_id = S.scratch_next_id;
    marena_t *scratch0 = S.scratch[0], *scratch1 = S.scratch[1], *other = S.other;

    memset(&S, 0, offsetof(struct state, live));
    S.in = in;
    S.in_left = in_left;
    S.op_index = op_index;
    S.next_id = next_id;
    S.scratch[0] = scratch0;
    S.scratch[1] = scratch1;
    S.nscopes = nscopes;
    S.nscratch_live = nscratch_live;
    S.scratch_next_id = scratch_next_id;
    S.other = other;
}

/* The child goes: destroy gives its backend nothing (its memory stays the
 * concurrent arena's), runs its cleanups and, with MARENA_WIPE, wipes its
 * allocations. */
static void
child_end(void)
{
    verify_all();
    S.rec.policy = RELEASE_ANY;
    marena_destroy(S.arena);
    expect_cleanups_run(0);
    if (wiping())
        for (size_t i = 0; i < S.nlive; i++)
            check_wiped(S.live[i].addr, S.live[i].addr + S.live[i].size);
    child_clear();
    cc_check();
}

/*
 * A child (op 5, then a byte f, 16 bits b, 16 bits l, a byte m): an
 * ordinary arena from marena_create_ex() on marena_backend_concurrent,
 * the concurrent arena its context, with MARENA_GROW (f bit 0), MARENA_WIPE
 * (bit 1), a limit (bit 2) and a max_block_size (bit 3) as
 * decode_growth() reads them from l and m, and a first block of b % 4097
 * bytes (0: the default). The harness's model of an ordinary arena runs
 * on it (op 6) until it is destroyed (op 7, a reset of the concurrent
 * arena, the end of the input); its record of the blocks the backend
 * gave is what the concurrent arena's model says (child_acquire()).
 */
static void
child_begin(void)
{
    unsigned f = get8(), b = get16(), l = get16(), m = get8();
    marena_options_t options;
    size_t block_size = b % 4097, wanted;
    struct cc_expect e;
    struct observed o;
    struct rblock *first;
    uintptr_t at;
    int refused;

    if (S.child)
        child_end();
    child_clear();
    memset(&options, 0, sizeof(options));
    S.flags = ((f & 1) && MARENA_HAVE_GROWTH ? MARENA_GROW : 0u) |
              ((f & 2) && MARENA_HAVE_WIPE ? MARENA_WIPE : 0u);
#if MARENA_HAVE_GROWTH
    {
        unsigned c[8] = {(f & 12) << 1, 0, 0, 0, l & 255, l >> 8, m, 0};

        decode_growth(c, &options);
    }
#else
    (void)l;
    (void)m;
#endif
    options.flags = S.flags;
    options.backend = &marena_backend_concurrent;
    options.backend_ctx = CC.arena;
    options.block_size = block_size;
    options.on_oom = oom_hook;
    options.oom_data = &S;
    wanted = MARENA_CONTROL_SIZE +
             ROUND_UP(block_size != 0 ? block_size : MARENA_DEFAULT_BLOCK_SIZE,
                      MARENA_ALIGNMENT);
    /* A limit below the first block refuses it before the backend is asked. */
    refused = S.limit != 0 && wanted > S.limit;
    cc_predict(CC_STAMP + wanted, MARENA_ALIGNMENT, &e);
    S.arena = marena_create_ex(&options);
    if (refused) {
        CHECK(S.arena == NULL);
        child_clear();
        return;
    }
    at = cc_settle(&e, NULL, 0, CC_STAMP + wanted, MARENA_ALIGNMENT, NULL);
    CHECK((S.arena != NULL) == (at != 0));
    if (S.arena == NULL) {
        child_clear();
        return;
    }
    CHECK((uintptr_t)S.arena == at + CC_STAMP);
    child_check_stamp(at);
    first = &S.blocks[0];
    memset(first, 0, sizeof(*first));
    first->addr = (uintptr_t)S.arena;
    first->size = wanted;
    S.rec.nblocks = 1;
    S.rec.bytes_out = wanted;
    S.rec.calls = 1;
    S.child = 1;
    note_first_block();
    note_created(&options);
    CHECK(S.initial_capacity >= wanted - MARENA_CONTROL_SIZE);
    check_invariants(&o);
}

/* Up to n of the harness's operations on the child (op 6). */
static void
child_run(unsigned n)
{
    struct observed o;

    for (unsigned i = 0; i < n && S.child && S.in_left > 0; i++)
        run_one_operation(&o);
}

/* Operations (byte % 8): 0 alloc (size, align as for the arena), 1 alloc
 * of exactly what is left in the current block at align 1 (bit 4: one
 * byte more), 2 reset (a child is destroyed first), 3 calls with NULL, 4
 * requests at the edges of growth (cc_edge_alloc()), 5 a new child
 * (child_begin()), 6 1..16 operations on the child (the next byte % 16
 * + 1), 7 the child's destroy. */
static void
cc_run(void)
{
    while (S.in_left > 0) {
        unsigned op = get8();
        const struct cc_block *cur = &CC.blocks[CC.current];
        size_t size;

        S.op_index++;
        cc_begin_operation();
#ifdef FUZZ_STANDALONE
        if (trace)
            fprintf(stderr, "concurrent %u: %u, used %zu, current block %zu of %zu\n",
                    S.op_index, op % 8, marena_concurrent_used(CC.arena),
                    (size_t)(cur->cursor - cur->base), cc_usable(cur));
#endif
        switch (op % 8) {
        case 0:
            size = decode_size(get16());
            cc_alloc(size, decode_align(get8()));
            break;
        case 1:
            cc_alloc((size_t)(cur->end - cur->cursor) + ((op >> 4) & 1), 1);
            break;
        case 2:
            if (S.child)
                child_end();
            cc_reset();
            break;
        case 3:
            cc_null_calls();
            break;
        case 4:
            cc_edge_alloc(op >> 3);
            break;
        case 5:
            child_begin();
            break;
        case 6:
            child_run(1 + get8() % 16);
            break;
        default:
            if (S.child)
                child_end();
            break;
        }
        cc_check();
        if (S.op_index % VERIFY_ALL_EVERY == 0)
            verify_all();
        else
            verify_edges();
    }
    if (S.child)
        child_end();
    verify_all();
}

/*
 * The concurrent arena, single-threaded: in a caller buffer (c1-c2 its
 * size, c3 its offset) or on the recording backend (e1 bit 0; c1-c2 the
 * block size), with MARENA_WIPE (c0 bit 2), growing (c0 bit 6: MARENA_GROW
 * on the recording backend, with a limit and max_block_size from c0 bits
 * 3-4 and c4-c6 as decode_growth() reads them). Its record sits at the
 * start of the block, so the block's end and the capacity tell where
 * allocations start.
 */
static void
run_concurrent(const unsigned *c, const unsigned *e)
{
    marena_options_t options = {0};
    size_t size = (size_t)(c[1] | c[2] << 8);
    int in_buffer = !(e[1] & 1);
    uintptr_t start = 0, end = 0;
    size_t capacity;
    struct cc_block *first;

    /* The recorder create_part() set up is the concurrent arena's. */
    memset(&CC, 0, offsetof(struct cc_model, rblocks));
    cc_exchange();
    CC.rec.header = CC_HEADER;
    CC.flags = S.flags;
    CC.grows = MARENA_HAVE_GROWTH && (c[0] & 64);
    options.flags = S.flags;
    if (CC.grows) {
        options.flags |= MARENA_GROW;
        options.backend = &cc_backend;
        options.backend_ctx = &CC;
        decode_growth(c, &options);
    }
    if (in_buffer) {
        size %= STATIC_BUFFER + 1;
        memset(static_buffer.bytes, BACKEND_FILL, (c[3] & 31) + size);
        options.buffer = static_buffer.bytes + (c[3] & 31);
        options.buffer_size = size;
        start = ROUND_UP((uintptr_t)options.buffer, MARENA_ALIGNMENT);
        end = ALIGN_DOWN((uintptr_t)options.buffer + size);
    } else {
        options.backend = &cc_backend;
        options.backend_ctx = &CC;
        options.block_size = size;
    }
    CC.arena = marena_concurrent_create(&options);
    if (CC.arena == NULL) {
        CHECK(CC.rec.nblocks == 0 && CC.rec.bytes_out == 0 && CC.rec.lies_out == 0);
        /* No room for the control block, the record (at most CC_RECORD
         * bytes) and a byte; the backend misbehaved, or the limit. */
        CHECK(in_buffer ? end <= start + MARENA_CONTROL_SIZE + CC_RECORD
                        : cc_misbehaves(0) || S.limit != 0);
        return;
    }
    if (!in_buffer) {
        CHECK(!cc_misbehaves(0) && CC.rec.nblocks == 1);
        start = CC.rblocks[0].addr;
        end = ALIGN_DOWN(start + CC.rblocks[0].size);
        CC.rec.control = start;
        /* The bytes of the first block count but in builds without growth. */
        if (MARENA_HAVE_GROWTH)
            CC.held = CC.rblocks[0].size;
        else
            CC.uncounted = CC.rblocks[0].size;
    }
    capacity = marena_concurrent_capacity(CC.arena);
    CHECK(capacity > 0 && capacity <= end - (start + MARENA_CONTROL_SIZE));
    CHECK(in_buffer || capacity >= (size != 0 ? size : MARENA_DEFAULT_BLOCK_SIZE));
    CC.limit = S.limit != 0 ? S.limit : SIZE_MAX;
    CC.max_block = options.max_block_size != 0 ? options.max_block_size
                                               : MARENA_DEFAULT_MAX_BLOCK_SIZE;
    if (CC.max_block < end - (start + MARENA_CONTROL_SIZE))
        CC.max_block = end - (start + MARENA_CONTROL_SIZE);
    first = &CC.blocks[0];
    first->addr = start;
    first->size = in_buffer ? 0 : CC.rblocks[0].size;
    first->end = end;
    first->base = first->cursor = first->wiped = end - capacity;
    first->list = CC_CHAIN;
    CC.nblocks = 1;
    CHECK(first->base - (start + MARENA_CONTROL_SIZE) <= CC_RECORD);
    CHECK(marena_concurrent_used(CC.arena) == 0);
    cc_begin_operation();
    cc_check();
    cc_run();
    CC.nlive = 0;
    cc_begin_operation();
    marena_concurrent_destroy(CC.arena);
    CHECK(CC.rec.nblocks == 0 && CC.rec.bytes_out == 0 && CC.rec.lies_out == 0);
    if (in_buffer && cc_wiping())
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
 * ordinary blocks); a limit of exactly the first block does not, unless
 * the backend grants more than asked (q bits 2-5, with a limit of exactly
 * the first block: 0..15 bytes more), which the limit cannot take: the
 * block goes back (a reservation counts what it commits, and is made). */
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
    if (q & 2)
        S.rec.extra = (q >> 2) % 16;
    arena = marena_create_ex(&options);
    if (options.limit == wanted && S.rec.extra != 0 && !(flags & MARENA_RESERVE)) {
        expect_refused(arena, 2);
    } else if (options.limit == wanted) {
        marena_stats_t st;

        CHECK(arena != NULL);
        marena_stats(arena, &st);
        CHECK(st.backend_bytes <= options.limit);
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
/* The concurrent arena refuses reservations (with growth or not) and
 * blocks too large for its record; with NULL options it is the default
 * backend's. */
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
        options = valid_options(MARENA_RESERVE);
        options.flags |= MARENA_GROW;
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
    const struct marena_head *head = (const struct marena_head *)(const void *)S.arena;
    marena_stats_t st;

    /* A tracked arena traps the inline path (marena_head.h): end == cursor. */
    S.tracked = head->end == head->cursor;
    S.has_oom = options != NULL && options->on_oom != NULL;
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
    model_blocks();
}

/* on_oom: called before a request that could not be served for want of
 * memory returns NULL, the reason already set. */
static void
oom_hook(marena_t *arena, size_t size, size_t align, void *data)
{
    CHECK(arena == S.arena && data == &S);
    S.oom_calls++;
    S.oom_size = size;
    S.oom_align = align;
#if MARENA_HAVE_ERRORS
    S.oom_error = marena_last_error(arena);
#endif
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
        options->on_oom = NULL;
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
 *       arena (run_concurrent(); c0 bit 6: growing, and its child arenas);
 *       5 hostile creations (run_hostile())
 *   e1: bits 2-3 how a misbehaving call misbehaves (fail, a short grant,
 *       a misaligned block, a size that wraps), bit 4 only call c7
 *       misbehaves (else the pattern of decode_failures()), bits 5-7 an
 *       extra grant of 0, 1, 2, 3, 7, 8, 13 or 15 bytes
 *   e2: a reservation of (c1 | c2 << 8) << (e2 % 9) bytes
 * The bits of c0 keep their meaning where they apply (c0 bit 7 does not;
 * c0 bit 6 is MARENA_GROW in part 4).
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
    S.flags = (c[0] & 4) && MARENA_HAVE_WIPE ? MARENA_WIPE : 0u;
    options.backend = &recording_backend;
    options.backend_ctx = &S.rec;
    options.on_oom = oom_hook;
    options.oom_data = &S;
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
    S.rec.policy = RELEASE_ANY;
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

/* One operation on S.arena, and the checks after it. */
static void
run_one_operation(struct observed *o)
{
    unsigned op = get8();
    unsigned variant = op >> 4;

    S.op_index++;
    S.rec.nlog = 0;
#if MARENA_HAVE_CONCURRENT
    if (S.child)
        cc_begin_operation();
#endif
#ifdef FUZZ_STANDALONE
    if (trace)
        fprintf(stderr, "%s %u: %s variant %u, used %zu remaining %zu\n",
                S.child ? "child op" : "op", S.op_index, op_names[op & 15], variant,
                marena_used(S.arena), marena_remaining(S.arena));
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
    check_invariants(o);
#if MARENA_HAVE_CONCURRENT
    if (S.child)
        cc_check();
#endif
    if (S.op_index % VERIFY_ALL_EVERY == 0)
        verify_all();
    else
        verify_edges();
#if MARENA_HAVE_BUILDER
    verify_builder();
#endif
}

/* The operations, until the input ends. */
static void
run_operations(void)
{
    struct observed o;

    check_invariants(&o);
    while (S.in_left > 0)
        run_one_operation(&o);
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

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Frees the first n of names, and names. */
static void
free_names(char **names, size_t n)
{
    while (n > 0)
        free(names[--n]);
    free(names);
}

/* The paths of the entries of a directory but those whose names start
 * with a dot, sorted: *names is a malloc()ed array of *count malloc()ed
 * strings. 0, or -1 on failure. (opendir() and readdir(), not scandir():
 * MinGW has only those.) */
static int
list_directory(const char *path, char ***names, size_t *count)
{
    DIR *dir = opendir(path);
    struct dirent *entry;
    size_t room = 0;

    *names = NULL;
    *count = 0;
    if (dir == NULL)
        return -1;
    while ((entry = readdir(dir)) != NULL) {
        size_t length = strlen(path) + strlen(entry->d_name) + 2;

        if (entry->d_name[0] == '.')
            continue;
        if (*count == room) {
            char **more = realloc(*names, (room = 2 * room + 16) * sizeof(**names));

            if (more == NULL)
                break;
            *names = more;
        }
        if (((*names)[*count] = malloc(length)) == NULL)
            break;
        snprintf((*names)[(*count)++], length, "%s/%s", path, entry->d_name);
    }
    closedir(dir);
    if (entry != NULL) {
        free_names(*names, *count);
        return -1;
    }
    if (*count > 0)
        qsort(*names, *count, sizeof(**names), compare_names);
    return 0;
}

/* Replays every regular file in a directory, in name order. */
static int
replay_directory(const char *path, unsigned *count)
{
    char **entries;
    size_t n;
    int status = 0;

    if (list_directory(path, &entries, &n) != 0) {
        perror(path);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_directory(entries[i])) {
            if (replay_file(entries[i]) != 0)
                status = -1;
            else
                ++*count;
        }
    }
    free_names(entries, n);
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
