/* SPDX-License-Identifier: MIT */
/*
 * Arenas under test, one kind per backend, so that one suite runs against
 * every backend the build has: heap, mmap, static, the default backend, and
 * "counting", a backend written here the way a user would (name, acquire,
 * release only).
 */
#ifndef MARENA_TESTS_SUBJECTS_H
#define MARENA_TESTS_SUBJECTS_H

#include <stddef.h>

#include "harness.h"
#include "marena.h"

/* Is this an AddressSanitizer build (gcc's macro, clang's feature)? */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifndef TEST_ASAN
#define TEST_ASAN 0
#endif

#define COUNTING_MAX_BLOCKS 64

/*
 * The counting backend's context: what it was asked for and gave back.
 * Blocks come from a pool in subjects.c (not malloc), so the backend works
 * in every build configuration; every block out is recorded, so a release
 * of anything not granted (or with another size) counts as a mismatch.
 */
struct counting_block {
    void *block;
    size_t size;
};

struct counting_backend {
    size_t acquires;       /* successful acquire calls */
    size_t releases;       /* release calls */
    size_t bytes_acquired; /* sum of granted sizes */
    size_t bytes_released; /* sum of released sizes */
    size_t mismatches;     /* releases of a block or size never granted */
    size_t fail_from;      /* nonzero: the fail_from-th acquire call and
                               every later one return NULL */
    size_t fail_at;        /* nonzero: only the fail_at-th call fails */
    size_t calls;          /* acquire calls, failed ones included */
    size_t shortfall;      /* grant this many bytes less than asked */
    size_t misalignment;   /* return the block this many bytes in */
    void *block;           /* the block granted last */
    size_t granted;        /* its granted size */
    size_t out;            /* blocks out now */
    struct counting_block blocks[COUNTING_MAX_BLOCKS];
};

extern const marena_backend_t counting_backend;
/* The same acquire, and no release at all (release == NULL). */
extern const marena_backend_t counting_backend_without_release;

/*
 * A reserve/commit backend for MARENA_RESERVE arenas that needs no mmap:
 * reservations are blocks of the counting backend (so they come from its
 * pool and are checked like its blocks), granted `extra` bytes more than
 * asked (1..MARENA_ALIGNMENT-1 makes an odd size; the pool has room), and
 * commit and decommit only count. Its context is a struct
 * reserving_backend; acquire serves growth like the counting backend.
 */
struct reserving_backend {
    struct counting_backend counter; /* where the reservations come from */
    size_t extra;                    /* granted beyond the request */
    size_t commits, decommits;       /* calls */
    size_t committed;                /* bytes committed now */
    size_t fail_commit_at;           /* nonzero: that commit call fails */
    void *reservation;               /* the one out, or NULL */
};

extern const marena_backend_t reserving_backend;

void
reserving_init(struct reserving_backend *reserving, size_t extra);

/* Resets a counting backend's context to a fresh one. */
void
counting_init(struct counting_backend *counter);

/* Bytes the counting backend has out now. */
size_t
counting_bytes_out(const struct counting_backend *counter);

/* How one kind of arena is made. Fixed arenas: with marena_create_with()
 * on `backend`, or by `create` when the kind has its own constructor.
 * Arenas from options (growth): on `backend`, or, when `buffered`, in a
 * static buffer that spills into the counting backend. */
struct arena_kind {
    const char *name; /* first component of the test paths */
    /* The backend, from a function: with marena's DLL on Windows the
     * address of marena_backend_heap is not a constant expression in C
     * (README, "Windows"), so a static initialiser cannot hold it. */
    const marena_backend_t *(*backend)(void);
    marena_t *(*create)(size_t capacity);
    int buffered;
};

/* The kind's backend, or NULL for the kinds made by their create(). */
static inline const marena_backend_t *
kind_backend(const struct arena_kind *kind)
{
    return kind->backend != NULL ? kind->backend() : NULL;
}

/* One arena under test and everything it lives in. */
struct subject {
    const struct arena_kind *kind;
    marena_t *arena;
    struct counting_backend counter; /* the context of every backend */
};

/* The kinds this build has, NULL-terminated. */
extern const struct arena_kind *const arena_kinds[];

/* Creates a fixed arena of the kind with at least capacity bytes; asserts. */
void
subject_open(struct subject *subject, const struct arena_kind *kind, size_t capacity);

/* Creates an arena of the kind from options (backend, context and buffer
 * are filled in for the kind); asserts that it was created. */
void
subject_open_ex(struct subject *subject, const struct arena_kind *kind,
                marena_options_t options);

/* Destroys the arena; asserts that the counting backend, if used, got back
 * exactly what it gave. */
void
subject_close(struct subject *subject);

/* A test body run once per kind, registered as /<kind>/<path>; the body
 * gets its kind as data. */
struct test_case {
    const char *path;
    test_fn fn;
};

void
test_add_per_kind(const struct test_case *cases, size_t count);

#define TEST_ADD_PER_KIND(cases) \
    test_add_per_kind((cases), sizeof(cases) / sizeof((cases)[0]))

/* What can be observed of an arena, to check that a failed call changed
 * nothing. */
struct snapshot {
    size_t used, remaining, capacity;
};

struct snapshot
snapshot_of(const marena_t *arena);

void
assert_unchanged(const marena_t *arena, struct snapshot before);

#if MARENA_HAVE_STATS
marena_stats_t
stats_of(const marena_t *arena);
#endif

int
is_aligned(const void *p, size_t align);

/* Is the test running under Valgrind (which cannot map everything a native
 * process can)? 0 when the build has no valgrind headers. */
int
under_valgrind(void);

/* About to read bytes the arena does not hand out now (given back, wiped,
 * or zero from the kernel): under Valgrind, tell memcheck they are defined,
 * since its mempool tracking marks them unaddressable or undefined. Their
 * contents are untouched. Nothing elsewhere. */
void
inspect_bytes(const void *p, size_t size);

/* A buffer for static arenas: deliberately not aligned (it starts 3 bytes
 * past an aligned address) so the arena must align inside it. */
unsigned char *
static_pool(size_t *size);

/* Bytes in each of the two pools above (the counting backend's and the
 * static buffer): -DTEST_POOL_SIZE from tests/meson.build, which takes the
 * cross file's marena_test_pool_size; 4 MiB by default. */
#ifndef TEST_POOL_SIZE
#define TEST_POOL_SIZE 4194304
#endif

/*
 * At the start of a test that needs more memory than small targets have:
 *     if (!pool_holds(bytes)) return;
 * 1 when `bytes` fit in one pool; else the test is reported skipped (with
 * pool_skip) and the body returns at once. A constant expression when
 * `bytes` is one, so where the pools are too small an optimising compiler
 * drops the rest of the body, and its static buffers with it.
 */
#define pool_holds(bytes) \
    ((size_t)(bytes) <= (size_t)TEST_POOL_SIZE ? 1 : (pool_skip((size_t)(bytes)), 0))

void
pool_skip(size_t bytes);

/* After a death test's child (test_in_child()): it must have aborted with
 * marena's message matching `pattern` (a glob; "*" when the build has no
 * stdio to print it). */
void
assert_misuse(const char *pattern);

#endif /* MARENA_TESTS_SUBJECTS_H */
