/* SPDX-License-Identifier: MIT */
/* A program that uses marena the way a Meson project that takes it as a
 * subproject does (tests/consumers/subproject/meson.build; run by
 * scripts/consumers). It checks the arena's results and the build's
 * configuration, prints what it found, and exits 1 on any mismatch.
 *
 *   consumer VERSION BACKEND
 *
 * VERSION is the marena version the build system reports (the dependency's
 * version), BACKEND the default backend the parent asked for. */
#include <marena.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if !MARENA_HAVE_DEFAULT_BACKEND
#error "this consumer needs a marena with a default backend (marena_create)"
#endif

static int failures;

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "consumer: check failed at line %d: %s\n", __LINE__, #cond); \
            failures++; \
        } \
    } while (0)

int
main(int argc, char **argv)
{
    char version[32];
    marena_t *arena;
    marena_mark_t mark;
    marena_stats_t stats;
    size_t used;
    char *s;
    int *numbers;
    unsigned char *aligned;
    int i, zero = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: %s VERSION BACKEND\n", argv[0]);
        return 2;
    }

    /* The build's configuration, as marena_config.h records it. */
    snprintf(version, sizeof version, "%d.%d.%d", MARENA_VERSION_MAJOR,
             MARENA_VERSION_MINOR, MARENA_VERSION_MICRO);
    CHECK(strcmp(version, MARENA_VERSION_STRING) == 0);
    CHECK(strcmp(MARENA_VERSION_STRING, argv[1]) == 0);
    /* The library it runs with is the one it was compiled against. */
    CHECK(strcmp(marena_version(), MARENA_VERSION_STRING) == 0);
    CHECK(strcmp(MARENA_DEFAULT_BACKEND_NAME, argv[2]) == 0);
    /* The parent disabled the heap backend and made mmap the default. */
    CHECK(MARENA_HAVE_HEAP_BACKEND == 0);
    CHECK(MARENA_HAVE_MMAP_BACKEND == 1);

    arena = marena_create(64 * 1024);
    CHECK(arena != NULL);
    if (arena == NULL)
        return 1;
    CHECK(marena_used(arena) == 0);
    CHECK(marena_capacity(arena) >= 64 * 1024);

    s = marena_strdup(arena, "consumer");
    CHECK(s != NULL && strcmp(s, "consumer") == 0);

    numbers = marena_calloc(arena, 100, sizeof *numbers);
    CHECK(numbers != NULL);
    CHECK((uintptr_t)numbers % MARENA_ALIGNMENT == 0);
    for (i = 0; numbers != NULL && i < 100; i++)
        zero &= numbers[i] == 0;
    CHECK(zero);

    aligned = marena_alloc_aligned(arena, 10, 256);
    CHECK(aligned != NULL && (uintptr_t)aligned % 256 == 0);
    CHECK(marena_used(arena) + marena_remaining(arena) == marena_capacity(arena));
    CHECK(marena_alloc(arena, 0) == NULL);

    mark = marena_mark(arena);
    used = marena_used(arena);
    CHECK(marena_alloc(arena, 1000) != NULL);
    marena_rewind(arena, mark);
    CHECK(marena_used(arena) == used);

    marena_stats(arena, &stats);
    CHECK(stats.allocations == 4);

    marena_reset(arena);
    CHECK(marena_used(arena) == 0);
    marena_destroy(arena);

    printf("consumer: marena %s, default backend %s: %s\n", MARENA_VERSION_STRING,
           MARENA_DEFAULT_BACKEND_NAME, failures == 0 ? "all checks passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
