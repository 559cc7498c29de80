/* SPDX-License-Identifier: MIT */
/* A program built against an installed marena with nothing but
 * `pkg-config --cflags --libs marena` (or `--static`), as scripts/consumers
 * does for a shared and a static-only install; the CMake consumer
 * (../cmake/CMakeLists.txt) builds it too, with find_package(marena) or
 * pkg_check_modules(). It checks the arena's results and the installed
 * configuration, prints what it found, and exits 1 on any mismatch.
 *
 *   consumer VERSION BACKEND
 *
 * VERSION is what the build system found (`pkg-config --modversion
 * marena`, or CMake's marena_VERSION), BACKEND the default backend the
 * library was built with. scripts/cross-check builds it for Windows too,
 * against the DLL and the static library, and runs it under Wine. */
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

static void
count_cleanup(void *data)
{
    ++*(int *)data;
}

int
main(int argc, char **argv)
{
    static unsigned char buffer[MARENA_STATIC_OVERHEAD + 256];
    char version[32];
    marena_options_t options;
    marena_t *arena, *fixed;
    marena_mark_t mark;
    size_t used;
    char *s;
    double *v;
    int i, zero = 1, cleanups = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: %s VERSION BACKEND\n", argv[0]);
        return 2;
    }

    snprintf(version, sizeof version, "%d.%d.%d", MARENA_VERSION_MAJOR,
             MARENA_VERSION_MINOR, MARENA_VERSION_MICRO);
    CHECK(strcmp(version, MARENA_VERSION_STRING) == 0);
    CHECK(strcmp(MARENA_VERSION_STRING, argv[1]) == 0);
    /* The library it runs with is the one it was compiled against. */
    CHECK(strcmp(marena_version(), MARENA_VERSION_STRING) == 0);
    CHECK(strcmp(MARENA_DEFAULT_BACKEND_NAME, argv[2]) == 0);

    /* A growing arena with a secure wipe (libbsd's explicit_bzero when the
     * library has it). */
    memset(&options, 0, sizeof options);
    options.block_size = 4096;
    options.flags = MARENA_GROW | MARENA_WIPE;
    arena = marena_create_ex(&options);
    CHECK(arena != NULL);
    if (arena == NULL)
        return 1;

    v = marena_calloc(arena, 1000, sizeof *v); /* more than the first block */
    CHECK(v != NULL && (uintptr_t)v % MARENA_ALIGNMENT == 0);
    for (i = 0; v != NULL && i < 1000; i++)
        zero &= v[i] == 0.0;
    CHECK(zero);

    CHECK(marena_add_cleanup(arena, count_cleanup, &cleanups) == 0);
    mark = marena_mark(arena);
    used = marena_used(arena);
    s = marena_strdup(arena, "pkg-config");
    CHECK(s != NULL && strcmp(s, "pkg-config") == 0);
    marena_rewind(arena, mark);
    CHECK(marena_used(arena) == used);
    CHECK(cleanups == 0);
    marena_reset(arena);
    CHECK(cleanups == 1);
    CHECK(marena_used(arena) == 0);

#if MARENA_HAVE_STDIO
    {
        char line[256];
        CHECK(marena_stats_format(arena, line, sizeof line) > 0);
        s = marena_sprintf(arena, "%s-%d", "marena", 42);
        CHECK(s != NULL && strcmp(s, "marena-42") == 0);
    }
#endif
    marena_destroy(arena);

#if MARENA_HAVE_HEAP_BACKEND
    {
        /* An exported backend object by address: with the DLL on Windows
         * the address comes from the import table at run time (so not in
         * a C static initialiser; README, "Windows"). */
        const marena_backend_t *heap = &marena_backend_heap;
        size_t granted = 0;
        void *block = heap->acquire(NULL, 100, &granted);

        CHECK(strcmp(heap->name, "heap") == 0);
        CHECK(block != NULL && granted >= 100);
        if (block != NULL)
            heap->release(NULL, block, granted);
        arena = marena_create_with(heap, NULL, 1000);
        CHECK(arena != NULL && marena_alloc(arena, 1000) != NULL);
        marena_destroy(arena);
    }
#endif

#if MARENA_HAVE_STATIC_BACKEND
    fixed = marena_create_static(buffer, sizeof buffer);
    CHECK(fixed != NULL && marena_capacity(fixed) >= 256);
    CHECK(marena_alloc(fixed, 256) != NULL);
    CHECK(marena_alloc(fixed, 1 << 20) == NULL);
    marena_destroy(fixed);
#else
    (void)fixed;
    (void)buffer;
#endif

    printf("consumer: marena %s, default backend %s: %s\n", MARENA_VERSION_STRING,
           MARENA_DEFAULT_BACKEND_NAME, failures == 0 ? "all checks passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
