/* SPDX-License-Identifier: MIT */
/*
 * Arenas under test, one kind per backend, so that one suite runs against
 * every backend the build has: heap, mmap, static, and "counting", a
 * backend written here the way a user would (name, acquire, release only).
 */
#ifndef MARENA_TESTS_SUBJECTS_H
#define MARENA_TESTS_SUBJECTS_H

#include <stddef.h>

#include "marena.h"

/*
 * The counting backend's context: what it was asked for and gave back.
 * Blocks come from a pool in this file (not malloc), so the backend works
 * in every build configuration.
 */
struct counting_backend {
    size_t acquires;        /* successful acquire calls */
    size_t releases;        /* release calls */
    size_t bytes_acquired;  /* sum of granted sizes */
    size_t bytes_released;  /* sum of released sizes */
    size_t mismatches;      /* releases of a block or size never granted */
    int fail;               /* nonzero: acquire returns NULL */
    size_t shortfall;       /* grant this many bytes less than asked */
    size_t misalignment;    /* return the block this many bytes in */
    void *block;            /* the block currently out, or NULL */
    size_t granted;         /* its granted size */
};

extern const marena_backend_t counting_backend;
/* The same acquire, and no release at all (release == NULL). */
extern const marena_backend_t counting_backend_without_release;

/* Resets a counting backend's context to a fresh one. */
void
counting_init(struct counting_backend *counter);

/* How one kind of arena is made: with marena_create_with(backend, ...), or
 * by create when the kind needs more than a backend. */
struct arena_kind {
    const char *name;   /* first component of the test paths */
    const marena_backend_t *backend;
    marena_t *(*create)(size_t capacity);
};

/* One arena under test and everything it lives in. */
struct subject {
    const struct arena_kind *kind;
    marena_t *arena;
    struct counting_backend counter;    /* used by the counting kind */
};

/* The kinds this build has, NULL-terminated. */
extern const struct arena_kind *const arena_kinds[];

/* Creates an arena of the kind with at least capacity bytes; asserts. */
void
subject_open(struct subject *subject, const struct arena_kind *kind,
             size_t capacity);

/* Destroys the arena; for the counting kind asserts that it released
 * exactly what it acquired. */
void
subject_close(struct subject *subject);

/* A buffer for static arenas: deliberately not aligned (it starts 3 bytes
 * past an aligned address) so the arena must align inside it. */
unsigned char *
static_pool(size_t *size);

#endif /* MARENA_TESTS_SUBJECTS_H */
