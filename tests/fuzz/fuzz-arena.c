/* SPDX-License-Identifier: MIT */
/*
 * fuzz-arena: a libFuzzer target that drives one arena through a sequence
 * of operations decoded from the input and checks every result against a
 * reference model. See README.md next to this file for what is checked.
 *
 * Built with -fsanitize=fuzzer it is `fuzz-arena`; built with
 * -DFUZZ_STANDALONE it is `fuzz-replay`, a plain program that runs the
 * files (or the files in the directories) given on its command line
 * through the same LLVMFuzzerTestOneInput(), for gcc, Valgrind and MSan.
 *
 * No GLib here: MSan builds run it, and GLib is not instrumented.
 *
 * Input format (stable: the seed corpus in corpus/ is written in it):
 *   8 bytes of configuration (see create_arena()), then operations, each
 *   an opcode byte (kind = byte % 16, variant = byte / 16) followed by the
 *   operands that kind reads. Reads past the end of the input give 0.
 */
#ifdef FUZZ_STANDALONE
#define _POSIX_C_SOURCE 200809L
#endif

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
 * bytes before an ordinary block's usable memory); layout.h is standalone. */
#include "layout.h"

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
#define MAX_CLEANUPS 64                      /* cleanups registered per input */
#define MAX_BLOCKS 4096                      /* blocks the recording backend has out */
#define BACKEND_MAX_BLOCK ((size_t)16 << 20) /* larger acquires fail */
#define BACKEND_CAP ((size_t)24 << 20)       /* total the backend gives */
#define STATIC_BUFFER 16384                  /* largest fixed buffer */
#define VERIFY_WHOLE 4096 /* allocations up to this are checked whole */
#define VERIFY_EDGE 2048  /* larger ones: this many bytes at each end */
#define BACKEND_FILL 0xA5 /* fresh backend blocks and buffers hold this */

#define ALIGN_DOWN(x) ((x) & ~(uintptr_t)(MARENA_ALIGNMENT - 1))
#define ROUND_UP(n, a) (((n) + (a)-1) & ~(size_t)((a)-1))
#define BLOCK_HEADER ROUND_UP(sizeof(struct marena_block), MARENA_ALIGNMENT)

/* ------------------------------------------------------------------ state */

enum kind { KIND_FIXED, KIND_GROW, KIND_BUFFER_GROW };

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

struct rblock {
    uintptr_t addr;
    size_t size; /* granted */
    size_t room; /* what block_get() gave */
};

struct observed {
    size_t used, remaining, capacity;
    marena_stats_t stats;
};

static struct state {
    /* input */
    const uint8_t *in;
    size_t in_left;
    unsigned op_index;

    /* the arena */
    marena_t *arena;
    enum kind kind;
    unsigned flags;
    size_t limit;        /* 0: none */
    uintptr_t buf_start; /* caller buffer (KIND_FIXED, KIND_BUFFER_GROW) */
    size_t buf_size;
    size_t initial_capacity;
    size_t first_held; /* backend bytes of the first block */

    /* the model */
    size_t nlive;
    uint32_t next_id;
    uint32_t last_id;   /* the allocation the cursor stands right
                                   after, when the model knows; 0: unknown */
    size_t allocations; /* expected stats.allocations */
    size_t failed;      /* expected stats.failed */
    size_t peak;        /* highest stats.peak seen */
    size_t nmarks;

    /* cleanups */
    unsigned cl_calls[MAX_CLEANUPS];
    unsigned cl_order[MAX_CLEANUPS];
    unsigned call_clock;
    unsigned expected_calls;
    size_t npending;
    size_t nregistered;

    /* the recording backend */
    size_t nblocks;
    size_t bytes_out;
    size_t calls;
    size_t acquires;
    unsigned fail_every; /* 0: never fail */
    unsigned fail_phase;
    size_t extra; /* granted beyond the request */

    /* Arrays whose used part the counts above give: not cleared per input. */
    struct live live[MAX_LIVE];
    struct mark_state marks[MAX_MARKS];
    size_t pending[MAX_CLEANUPS]; /* slots, oldest first */
    struct rblock blocks[MAX_BLOCKS];
} S;

/* A static buffer for fixed arenas; max_align_t-aligned so offsets decide
 * the misalignment. */
static union {
    max_align_t align;
    unsigned char bytes[STATIC_BUFFER + 64];
} static_buffer;

/* A token for the backend context: the arena must pass it back unchanged. */
static int backend_ctx_token;

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

/* Checks that the patterned bytes of l below `limit` hold the pattern of
 * `id` at `at` (l's own address, or where a realloc copied it). */
FUZZ_NO_COVERAGE static void
verify_bytes(const struct live *l, uintptr_t at, uint32_t id, size_t limit)
{
    const unsigned char *p = (const unsigned char *)at;
    size_t n = limit < l->psize ? limit : l->psize;
    uint64_t key = pattern_key(id);

    if (l->psize <= VERIFY_WHOLE) {
        verify_range(p, 0, n, key);
        return;
    }
    verify_range(p, 0, n < VERIFY_EDGE ? n : VERIFY_EDGE, key);
    if (n > l->psize - VERIFY_EDGE)
        verify_range(p, l->psize - VERIFY_EDGE, n, key);
}

/* Every live allocation's patterned bytes. */
FUZZ_NO_COVERAGE static void
verify_all(void)
{
    for (size_t i = 0; i < S.nlive; i++)
        verify_bytes(&S.live[i], S.live[i].addr, S.live[i].id, S.live[i].size);
}

/* The first and last VERIFY_NEAR bytes of every live allocation: where an
 * overrun from a neighbour lands. After every operation; verify_all()
 * runs every VERIFY_ALL_EVERY operations, before allocations are given
 * back in bulk, and at the end. */
#define VERIFY_NEAR 32
#define VERIFY_ALL_EVERY 8

FUZZ_NO_COVERAGE static void
verify_edges(void)
{
    for (size_t i = 0; i < S.nlive; i++) {
        const struct live *l = &S.live[i];
        const unsigned char *p = (const unsigned char *)l->addr;
        uint64_t key = pattern_key(l->id);
        size_t n = l->size < l->psize ? l->size : l->psize;

        if (n <= 2 * VERIFY_NEAR) {
            verify_range(p, 0, n, key);
        } else {
            verify_range(p, 0, VERIFY_NEAR, key);
            verify_range(p, n - VERIFY_NEAR, n, key);
        }
    }
}

/* ------------------------------------------------------------------ blocks */

/* Is [a, a + size) inside usable memory of a block the arena holds? */
FUZZ_NO_COVERAGE static int
in_arena_block(uintptr_t a, size_t size)
{
    uintptr_t arena = (uintptr_t)S.arena;

    if (size == 0 || a + size < a)
        return 0;
    if (S.kind != KIND_GROW && a >= arena + MARENA_CONTROL_SIZE &&
        a + size <= ALIGN_DOWN(S.buf_start + S.buf_size))
        return 1;
    for (size_t i = 0; i < S.nblocks; i++) {
        uintptr_t base = S.blocks[i].addr;
        uintptr_t lo = base + (base == arena ? MARENA_CONTROL_SIZE : BLOCK_HEADER);

        if (a >= lo && a + size <= ALIGN_DOWN(base + S.blocks[i].size))
            return 1;
    }
    return 0;
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
    return 0;
}

/* Every live allocation still lies in a block the arena holds. */
FUZZ_NO_COVERAGE static void
check_all_in_blocks(void)
{
    for (size_t i = 0; i < S.nlive; i++)
        CHECK(in_arena_block(S.live[i].addr, S.live[i].size));
}

/* ------------------------------------------------------------------ backend */

static int
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

/*
 * Memory for the recording backend's blocks. Under a sanitizer, released
 * blocks are kept for reuse: the sanitizers' allocators map and unmap
 * large chunks (and their shadow) on every malloc/free, which made the
 * fuzzer several times slower. ASan still sees a block the arena uses
 * after giving it back: a kept block is poisoned until it is handed out
 * again. MSan sees a reused block as uninitialised, like fresh memory.
 * Other builds (gcc, Valgrind) use malloc() and free() directly.
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

static void *
rec_acquire(void *ctx, size_t size, size_t *granted)
{
    size_t n = S.acquires++;
    size_t total, room;
    void *block;

    CHECK(ctx == &backend_ctx_token);
    CHECK(size != 0 && granted != NULL);
    S.calls++;
    if (S.fail_every != 0 && n % S.fail_every == S.fail_phase)
        return NULL;
    if (size > BACKEND_MAX_BLOCK || S.nblocks == MAX_BLOCKS)
        return NULL;
    total = size + S.extra;
    if (total > BACKEND_CAP - S.bytes_out)
        return NULL;
    block = block_get(total, &room);
    if (block == NULL)
        return NULL;
    /* Not zero, so that calloc has something to do, and known, so that
     * the wipe check can tell what the arena wrote: the whole block with
     * MARENA_WIPE, its start otherwise (the cost of large blocks). Under
     * MSan fresh memory stays uninitialised, for MSan to watch. */
    if (!FUZZ_MSAN)
        memset(block, BACKEND_FILL,
               (S.flags & MARENA_WIPE) || total < 4096 ? total : 4096);
    S.blocks[S.nblocks].addr = (uintptr_t)block;
    S.blocks[S.nblocks].size = total;
    S.blocks[S.nblocks].room = room;
    S.nblocks++;
    S.bytes_out += total;
    *granted = total;
    return block;
}

static void
rec_release(void *ctx, void *block, size_t size)
{
    size_t i;

    CHECK(ctx == &backend_ctx_token);
    S.calls++;
    for (i = 0; i < S.nblocks; i++)
        if (S.blocks[i].addr == (uintptr_t)block)
            break;
    if (i == S.nblocks)
        fail_check("release of a block the backend does not have out", __LINE__);
    CHECK(S.blocks[i].size == size);
    if (wiping()) {
        uintptr_t base = (uintptr_t)block;
        /* The first block's control block is wiped by destroy, then
         * rewritten as an empty arena: skip it. */
        uintptr_t lo =
            base + (base == (uintptr_t)S.arena ? MARENA_CONTROL_SIZE : BLOCK_HEADER);
        check_wiped(lo, base + size);
    }
    S.bytes_out -= size;
    block_put(block, S.blocks[i].room);
    S.blocks[i] = S.blocks[--S.nblocks];
}

static const marena_backend_t recording_backend = {
    .name = "recording",
    .acquire = rec_acquire,
    .release = rec_release,
};

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

static void
observe(struct observed *o)
{
    o->used = marena_used(S.arena);
    o->remaining = marena_remaining(S.arena);
    o->capacity = marena_capacity(S.arena);
    marena_stats(S.arena, &o->stats);
}

/* The invariants that hold between any two operations. */
FUZZ_NO_COVERAGE static void
check_invariants(struct observed *o)
{
    const marena_stats_t *st = &o->stats;

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
    CHECK(st->backend_bytes == S.bytes_out);
    CHECK(st->backend_calls == S.calls);
    CHECK(st->blocks == S.nblocks + (S.kind == KIND_GROW ? 0 : 1));
    if (S.kind == KIND_FIXED)
        CHECK(o->used + o->remaining == o->capacity);
    else
        CHECK(o->capacity <= S.bytes_out + S.buf_size);
    if (S.limit != 0)
        CHECK(st->backend_bytes <= S.limit);
    CHECK(S.call_clock == S.expected_calls);
    /* Marks below the cursor are no longer valid (a pop or a shrink went
     * past them): forget them, in order. */
    for (size_t i = 0; i < S.nmarks;) {
        if (S.marks[i].used > o->used) {
            memmove(&S.marks[i], &S.marks[i + 1],
                    (S.nmarks - i - 1) * sizeof(S.marks[0]));
            S.nmarks--;
        } else {
            i++;
        }
    }
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
    CHECK(after.stats.allocations == before->stats.allocations);
    CHECK(after.stats.blocks == before->stats.blocks);
    CHECK(after.stats.spare_blocks == before->stats.spare_blocks);
    CHECK(after.stats.backend_bytes == before->stats.backend_bytes);
}

static void
count_failure(const struct observed *before)
{
    check_unchanged(before);
    S.failed++;
}

/* A call with a NULL argument that the library may answer without counting
 * it as a failed request. */
static void
count_null_argument(const struct observed *before)
{
    marena_stats_t st;

    check_unchanged(before);
    marena_stats(S.arena, &st);
    CHECK(st.failed == S.failed || st.failed == S.failed + 1);
    S.failed = st.failed;
}

static int
is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* Would a valid request of size bytes at align certainly be served? */
static int
must_succeed(const struct observed *before, size_t size, size_t align)
{
    if (size == 0 || !is_power_of_two(align) || FUZZ_REDZONE != 0)
        return 0;
    if (S.kind == KIND_FIXED)
        return size <= before->remaining && align - 1 <= before->remaining - size;
    return S.limit == 0 && S.fail_every == 0 && size <= 65536 && align <= 4096 &&
           S.bytes_out + ((size_t)4 << 20) < BACKEND_CAP && S.nblocks + 2 < MAX_BLOCKS;
}

static int
must_fail(const struct observed *before, size_t size, size_t align)
{
    if (size == 0 || !is_power_of_two(align))
        return 1;
    if (size > BACKEND_MAX_BLOCK + (S.kind == KIND_GROW ? 0 : STATIC_BUFFER))
        return 1;
    return S.kind == KIND_FIXED && size > before->remaining;
}

/* Adds a successful allocation to the model and checks where it is.
 * Returns its record, or NULL when the model is full. */
static struct live *
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
    CHECK(after.used - before->used - size <= align - 1 + FUZZ_REDZONE);
    S.allocations++;
    S.next_id++;
    if (S.nlive == MAX_LIVE) {
        S.last_id = 0;
        return NULL;
    }
    l = &S.live[S.nlive++];
    l->addr = a;
    l->size = size;
    l->psize = 0;
    l->id = S.next_id;
    S.last_id = l->id;
    return l;
}

/* The outcome of an allocation request of size bytes at align. */
static struct live *
judge(const struct observed *before, void *memory, size_t size, size_t align)
{
    if (memory == NULL) {
        CHECK(!must_succeed(before, size, align));
        count_failure(before);
        return NULL;
    }
    CHECK(!must_fail(before, size, align));
    return accept_allocation(before, memory, size, align);
}

/* The cursor fell back inside allocation `id` (a pop, a shrink): marks taken
 * since it was made may stand beyond the cursor now, and are no longer
 * valid (the used-based rule in check_invariants() misses this when blocks
 * of their own keep used high). Forgets them, erring on the safe side. */
static void
forget_marks_after(uint32_t id)
{
    size_t i = 0;

    while (i < S.nmarks && S.marks[i].next_id <= id)
        i++;
    S.nmarks = i;
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

/* ------------------------------------------------------------------ decoding */

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

/* A calloc result is zeroed (the same bytes verify_bytes() looks at). */
FUZZ_NO_COVERAGE static void
check_zeroed(const unsigned char *p, size_t bytes)
{
    size_t head = bytes <= VERIFY_WHOLE ? bytes : VERIFY_EDGE;

    for (size_t i = 0; i < head; i++)
        if (p[i] != 0)
            fail_check("calloc memory is not zeroed", __LINE__);
    for (size_t i = bytes <= VERIFY_WHOLE ? bytes : bytes - VERIFY_EDGE; i < bytes; i++)
        if (p[i] != 0)
            fail_check("calloc memory is not zeroed", __LINE__);
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
    S.nmarks = 0;
    S.last_id = 0;
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
        marena_reset_ex(S.arena, retain, bytes);
    }
    expect_cleanups_run(0);
    forget_all();
    observe(&after);
    CHECK(after.used == 0);
    CHECK(after.remaining == S.initial_capacity);
    CHECK(after.stats.allocations == before.stats.allocations);
    CHECK(after.stats.backend_bytes <= before.stats.backend_bytes);
    if (mode == 2) {
        CHECK(after.capacity == before.capacity);
        CHECK(after.stats.backend_bytes == before.stats.backend_bytes);
    } else if (mode == 3) {
        CHECK(after.capacity >= S.initial_capacity);
        CHECK(after.capacity <= before.capacity);
        CHECK(after.stats.backend_bytes <= (bytes > S.first_held ? bytes : S.first_held));
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

static void
op_rewind(void)
{
    struct observed before, after;
    struct mark_state *m;
    size_t k;

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
            verify_bytes(l, l->addr, l->id, m->snap[j].size);
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
    S.nmarks = m->is_scope ? k : k + 1;
    S.last_id = 0;
    check_all_in_blocks();
}

static void
op_realloc(unsigned variant)
{
    struct observed before, after;
    struct live *l = NULL;
    size_t old_size = 0, new_size;
    uintptr_t old_addr = 0;
    uint32_t old_id = 0;
    int was_last;
    void *result;

    if (S.nlive != 0 && (variant & 3) != 3) {
        l = &S.live[pick_live((variant & 1) != 0)];
        old_size = l->size;
        old_addr = l->addr;
        old_id = l->id;
    }
    was_last = l != NULL && l->id == S.last_id;
    switch ((variant >> 2) & 3) {
    case 0:
        new_size = old_size + get8();
        break;
    case 1: {
        size_t delta = get8();

        new_size = delta < old_size ? old_size - delta : 1;
        break;
    }
    case 2:
        new_size = (variant & 1) ? 0 : old_size;
        break;
    default:
        new_size = decode_size(get16());
        break;
    }

    observe(&before);
    result = marena_realloc(S.arena, (void *)old_addr, old_size, new_size);
    if (l == NULL) { /* realloc(NULL) is marena_alloc() */
        struct live *n = judge(&before, result, new_size, MARENA_ALIGNMENT);

        if (n != NULL)
            fill(n);
        return;
    }
    if (result == NULL) {
        CHECK(new_size == 0 || new_size > old_size);
        if (S.kind == KIND_FIXED && was_last)
            CHECK(new_size == 0 || new_size - old_size > before.remaining);
        CHECK(!must_succeed(&before, new_size, MARENA_ALIGNMENT));
        count_failure(&before);
        return;
    }
    observe(&after);
    CHECK(after.stats.failed == S.failed);
    if (result == (void *)old_addr) {
        /* In place: shrinking anything, or growing the last allocation. */
        CHECK(after.stats.allocations == before.stats.allocations);
        if (new_size > old_size) {
            CHECK(after.used == before.used + (new_size - old_size));
            CHECK(in_arena_block(old_addr, new_size));
            CHECK(!overlaps_live(old_addr, new_size, l));
        } else {
            CHECK(after.used == before.used ||
                  after.used == before.used - (old_size - new_size));
        }
        /* In a fixed arena the model knows the last allocation when
         * last_id is set: only it moves the cursor. */
        if (S.kind == KIND_FIXED && was_last)
            CHECK(after.used + old_size == before.used + new_size);
        else if (S.kind == KIND_FIXED && S.last_id != 0)
            CHECK(after.used == before.used);
        verify_bytes(l, old_addr, old_id, new_size);
        l->size = new_size;
        fill(l);
        if (after.used != before.used)
            S.last_id = old_id; /* only the last allocation moves the cursor */
        if (after.used < before.used)
            forget_marks_after(old_id);
        return;
    }
    /* Moved: only growth moves, to a new allocation at MARENA_ALIGNMENT. */
    CHECK(new_size > old_size);
    if (S.kind == KIND_FIXED && was_last)
        CHECK(new_size - old_size > before.remaining);
    {
        struct live copy = *l;
        struct live *n = accept_allocation(&before, result, new_size, MARENA_ALIGNMENT);

        /* The old allocation is still live and intact (it is not freed). */
        verify_bytes(&copy, (uintptr_t)result, copy.id, old_size);
        if (n != NULL)
            fill(n);
    }
}

static void
op_pop(unsigned variant)
{
    struct observed before, after;
    size_t index, size;
    struct live *l;
    int popped;

    if (S.nlive == 0) {
        observe(&before);
        CHECK(marena_pop(S.arena, NULL, 1) == 0);
        check_unchanged(&before);
        return;
    }
    index = pick_live((variant & 1) != 0);
    l = &S.live[index];
    observe(&before);
    /* Variant 2 passes one byte less, which is never the most recent
     * allocation: the cursor stands at or past the end of each live one.
     * (One byte more could legitimately swallow a later allocation.) */
    size = (variant & 2) && l->size > 1 ? l->size - 1 : l->size;
    popped = marena_pop(S.arena, (void *)l->addr, size);
    observe(&after);
    CHECK(after.stats.failed == S.failed);
    CHECK(after.stats.allocations == before.stats.allocations);
    if (size != l->size) {
        CHECK(!popped);
    } else if (S.kind == KIND_FIXED && l->id == S.last_id) {
        CHECK(popped);
    } else if (S.kind == KIND_FIXED && S.last_id != 0) {
        CHECK(!popped);
    }
    if (popped) {
        CHECK(after.used <= before.used - size);
        CHECK(before.used - after.used - size <= FUZZ_REDZONE);
        forget_marks_after(l->id);
        remove_live(index);
        S.last_id = 0;
    } else {
        check_unchanged(&before);
    }
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

    if (copy == NULL) {
        CHECK(!must_succeed(before, length + 1, 1));
        count_failure(before);
        return;
    }
    CHECK(memcmp(copy, expected, length) == 0);
    CHECK(copy[length] == '\0');
    l = accept_allocation(before, (void *)(uintptr_t)copy, length + 1, 1);
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
    if (copy == NULL) {
        CHECK(!must_succeed(&before, n, MARENA_ALIGNMENT));
        count_failure(&before);
        return;
    }
    CHECK(n != 0);
    CHECK(memcmp(copy, buf, n) == 0);
    l = accept_allocation(&before, copy, n, MARENA_ALIGNMENT);
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
        CHECK(S.kind != KIND_FIXED || FUZZ_REDZONE != 0 ||
              before.remaining < 8 * sizeof(void *));
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
    S.last_id = 0;
}

/* An allocation of exactly marena_remaining() bytes at align 1 succeeds
 * without a new block; one byte more needs one. */
static void
op_remaining(unsigned variant)
{
    struct observed before, after;
    size_t remaining = marena_remaining(S.arena);
    void *memory;
    struct live *l;

    observe(&before);
    /* One byte more takes a new block; in a loop that doubles the blocks
     * up to max_block_size, which costs time and teaches nothing: only
     * while the current block is small. */
    if ((variant & 1) && remaining < 16384) {
        memory = marena_alloc_aligned(S.arena, remaining + 1, 1);
        if (S.kind == KIND_FIXED)
            CHECK(memory == NULL);
        l = judge(&before, memory, remaining + 1, 1);
    } else {
        memory = marena_alloc_aligned(S.arena, remaining, 1);
        if (remaining == 0) {
            CHECK(memory == NULL || S.kind != KIND_FIXED);
        } else if (FUZZ_REDZONE == 0) {
            CHECK(memory != NULL);
            observe(&after);
            CHECK(after.remaining == 0);
            CHECK(after.capacity == before.capacity);
            CHECK(after.stats.backend_bytes == before.stats.backend_bytes);
        }
        l = judge(&before, memory, remaining, 1);
    }
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

/* ------------------------------------------------------------------ arena */

/*
 * Configuration bytes:
 *   c0: bits 0-1 kind (0 fixed buffer, 1 growing on the recording backend,
 *       2 caller buffer + MARENA_GROW on it, 3 as 0), bit 2 MARENA_WIPE,
 *       bit 3 a limit, bit 4 max_block_size, bit 5 acquire failures,
 *       bit 6 fixed: marena_create_ex instead of marena_create_static,
 *       bit 7 the backend grants more than asked
 *   c1-c2: buffer size (fixed: 0..16384) or block_size (64..4096)
 *   c3: buffer offset (bits 0-4), extra grant / 8 (bits 5-7)
 *   c4-c5: limit / 64 (plus 256)
 *   c6: max_block_size = 64 << (c6 % 15)
 *   c7: acquire n fails when n % (2 + c7 % 16) == (c7 / 16) % that
 * Returns 0 when no arena was made (which is then checked).
 */
static int
create_arena(void)
{
    unsigned c[8];
    marena_options_t options;
    unsigned char *buffer;

    for (int i = 0; i < 8; i++)
        c[i] = get8();
    memset(&options, 0, sizeof(options));
    S.kind = (c[0] & 3) == 1   ? KIND_GROW
             : (c[0] & 3) == 2 ? KIND_BUFFER_GROW
                               : KIND_FIXED;
    S.flags = (c[0] & 4) ? MARENA_WIPE : 0u;
    if (S.kind != KIND_FIXED) {
        S.flags |= MARENA_GROW;
        if (c[0] & 8)
            S.limit = 256 + (size_t)(c[4] | c[5] << 8) * 64;
        if (c[0] & 16)
            options.max_block_size = (size_t)64 << (c[6] % 15);
        if (c[0] & 32) {
            S.fail_every = 2 + c[7] % 16;
            S.fail_phase = (c[7] / 16) % S.fail_every;
        }
        if (c[0] & 128)
            S.extra = (size_t)(c[3] >> 5) * 8;
    }
    options.flags = S.flags;
    options.limit = S.limit;
    options.backend = &recording_backend;
    options.backend_ctx = &backend_ctx_token;

    if (S.kind == KIND_GROW) {
        size_t wanted;

        options.block_size = 64 + (size_t)(c[1] | c[2] << 8) % 4033;
        wanted = MARENA_CONTROL_SIZE + ROUND_UP(options.block_size, MARENA_ALIGNMENT);
        S.arena = marena_create_ex(&options);
        if (S.arena == NULL) {
            CHECK(S.limit != 0 || S.fail_every != 0);
            CHECK(S.nblocks == 0 && S.bytes_out == 0);
            return 0;
        }
        CHECK(S.limit == 0 || wanted <= S.limit);
        CHECK(S.nblocks == 1 && S.blocks[0].addr == (uintptr_t)S.arena);
        S.first_held = S.blocks[0].size;
        S.initial_capacity = marena_capacity(S.arena);
        CHECK(S.initial_capacity >= options.block_size);
        CHECK(S.initial_capacity == ALIGN_DOWN(S.blocks[0].addr + S.blocks[0].size) -
                                        (S.blocks[0].addr + MARENA_CONTROL_SIZE));
        return 1;
    }

    /* A caller buffer, filled so that a wipe check can tell. */
    S.buf_size = (size_t)(c[1] | c[2] << 8) % (STATIC_BUFFER + 1);
    memset(static_buffer.bytes, BACKEND_FILL, (c[3] & 31) + S.buf_size);
    buffer = static_buffer.bytes + (c[3] & 31);
    S.buf_start = (uintptr_t)buffer;
    {
        uintptr_t aligned = ROUND_UP(S.buf_start, MARENA_ALIGNMENT);
        int fits = S.buf_size > aligned - S.buf_start &&
                   ALIGN_DOWN(S.buf_start + S.buf_size) >=
                       aligned + MARENA_CONTROL_SIZE + MARENA_ALIGNMENT;

#if MARENA_HAVE_STATIC_BACKEND
        if (S.kind == KIND_FIXED && !(c[0] & 64) && !(S.flags & MARENA_WIPE)) {
            S.arena = marena_create_static(buffer, S.buf_size);
        } else
#endif
        {
            options.buffer = buffer;
            options.buffer_size = S.buf_size;
            S.arena = marena_create_ex(&options);
        }
        CHECK(S.calls == 0);
        CHECK((S.arena != NULL) == fits);
        if (S.arena == NULL)
            return 0;
        CHECK((uintptr_t)S.arena == aligned);
        S.initial_capacity = marena_capacity(S.arena);
        CHECK(S.initial_capacity ==
              ALIGN_DOWN(S.buf_start + S.buf_size) - (aligned + MARENA_CONTROL_SIZE));
        if (S.buf_size > MARENA_STATIC_OVERHEAD)
            CHECK(S.initial_capacity >= S.buf_size - MARENA_STATIC_OVERHEAD);
    }
    return 1;
}

static void
destroy_arena(void)
{
    S.nlive = 0;
    marena_destroy(S.arena);
    expect_cleanups_run(0);
    CHECK(S.nblocks == 0);
    CHECK(S.bytes_out == 0);
    if (S.kind != KIND_GROW && wiping()) {
        uintptr_t lo = (uintptr_t)S.arena + MARENA_CONTROL_SIZE;

        check_wiped(lo, ALIGN_DOWN(S.buf_start + S.buf_size));
    }
}

#ifdef FUZZ_STANDALONE
/* FUZZ_TRACE=1 in the environment: print each operation (fuzz-replay). */
static int trace;
static const char *const op_names[16] = {
    "alloc_aligned", "alloc", "calloc",        "reset",   "mark",    "rewind",
    "realloc",       "pop",   "strdup",        "memdup",  "sprintf", "cleanup",
    "remaining",     "query", "alloc_aligned", "realloc",
};
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct observed o;

    static int initialised;

    if (!initialised) {
        init_pattern();
        initialised = 1;
    }
    memset(&S, 0, offsetof(struct state, live));
    S.in = data;
    S.in_left = size;

    if (!create_arena())
        return 0;
#ifdef FUZZ_STANDALONE
    if (trace)
        fprintf(stderr,
                "arena: kind %d flags %#x limit %zu capacity %zu "
                "fail every %u (phase %u) extra %zu\n",
                (int)S.kind, S.flags, S.limit, S.initial_capacity, S.fail_every,
                S.fail_phase, S.extra);
#endif
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
            op_rewind();
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
            op_alloc(variant, 0);
            break;
        default:
            op_realloc(variant);
            break;
        }
        check_invariants(&o);
        if (S.op_index % VERIFY_ALL_EVERY == 0)
            verify_all();
        else
            verify_edges();
    }
    verify_all();
    destroy_arena();
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
