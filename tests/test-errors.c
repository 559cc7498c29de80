/* SPDX-License-Identifier: MIT */
/*
 * Why did it fail? (paths /errors/<case>): marena_last_error() gives the
 * reason of the most recent failed call, set only on failure and before
 * on_oom runs, and marena_strerror() words every reason.
 */
#include <string.h>

#include "harness.h"
#include "subjects.h"

static _Alignas(MARENA_ALIGNMENT) unsigned char buffer[MARENA_STATIC_OVERHEAD + 256];

static marena_t *
open_fixed(marena_options_t options)
{
    options.buffer = buffer;
    options.buffer_size = sizeof(buffer);
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    return arena;
}

static void
test_bad_input(const void *data)
{
    marena_options_t options = {0};
    marena_t *arena = open_fixed(options);
    int variable;

    (void)data;
    test_assert_size(marena_last_error(arena), ==, MARENA_OK);
    test_assert_size(marena_last_error(NULL), ==, MARENA_OK);
    test_assert_null(marena_alloc(arena, 0));
    test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
    test_assert_null(marena_alloc(arena, 1000)); /* no room */
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
    test_assert_null(marena_alloc_aligned(arena, 8, 3));
    test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
    /* A success leaves the reason of the last failure. */
    unsigned char *p = marena_alloc_aligned(arena, 8, 1);
    test_assert_nonnull(p);
    test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
    test_assert_null(marena_calloc(arena, SIZE_MAX, 2));
    test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
    test_assert_nonnull(marena_alloc(arena, 8));
    test_assert_size(marena_pop(arena, p, 8), ==, 0); /* not the last */
    test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
    test_assert_null(marena_alloc(arena, 1000));
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
    test_assert_null(marena_realloc(arena, p, 8, 0));
    test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
    /* NULL arguments are not failed requests: nothing is recorded. */
    test_assert_null(marena_alloc(arena, 1000));
    test_assert_null(marena_strdup(arena, NULL));
    test_assert_size(marena_add_cleanup(arena, NULL, &variable), ==, -1);
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
    marena_destroy(arena);
}

/* count * size of exactly PTRDIFF_MAX does not overflow: it is a size no
 * block can hold (EFULL in a fixed arena), not bad input; one more is. */
static void
test_calloc_largest(const void *data)
{
    marena_options_t options = {0};
    marena_t *arena = open_fixed(options);
    const size_t largest = (size_t)PTRDIFF_MAX;

    (void)data;
    test_assert_null(marena_calloc(arena, 1, largest));
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
    test_assert_null(marena_calloc(arena, 1, largest + 1));
    test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
    test_assert_null(marena_calloc_aligned(arena, largest, 1, 16));
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
    test_assert_null(marena_calloc_aligned(arena, 2, largest / 2 + 1, 16));
    test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
    test_assert_size(marena_used(arena), ==, 0);
    marena_destroy(arena);
}

struct seen {
    marena_t *arena;
    marena_error_t error;
    size_t calls;
};

static void
read_reason(marena_t *arena, size_t size, size_t align, void *data)
{
    struct seen *seen = data;

    (void)size;
    (void)align;
    seen->calls++;
    seen->error = marena_last_error(arena);
}

/* The reasons of a growing arena: its limit, its backend, sizes no block
 * can have; on_oom reads each. */
static void
test_growing(const void *data)
{
    struct counting_backend counter;
    marena_options_t options = {0};
    struct seen seen = {0};

    (void)data;
    if (!pool_holds(16 << 10))
        return;
    counting_init(&counter);
    options.backend = &counting_backend;
    options.backend_ctx = &counter;
    options.block_size = 1024;
    options.flags = MARENA_GROW;
    options.limit = 4096;
    options.on_oom = read_reason;
    options.oom_data = &seen;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    test_assert_null(marena_alloc(arena, 8192));
    test_assert_size(marena_last_error(arena), ==, MARENA_ELIMIT);
    test_assert_size(seen.error, ==, MARENA_ELIMIT);
    test_assert_null(marena_alloc(arena, SIZE_MAX - 3));
    test_assert_size(seen.error, ==, MARENA_ENOMEM);
    test_assert_size(marena_set_limit(arena, 16), ==, -1);
    test_assert_size(marena_last_error(arena), ==, MARENA_EINVAL);
    test_assert_size(marena_set_limit(arena, 0), ==, 0);
    counter.fail_from = counter.calls + 1;
    test_assert_null(marena_alloc(arena, 2048));
    test_assert_size(marena_last_error(arena), ==, MARENA_ENOMEM);
    test_assert_size(seen.error, ==, MARENA_ENOMEM);
    counter.shortfall = 1; /* a grant short of the request */
    counter.fail_from = 0;
    test_assert_null(marena_alloc(arena, 2048));
    test_assert_size(marena_last_error(arena), ==, MARENA_ENOMEM);
    test_assert_size(seen.calls, ==, 4);
    marena_destroy(arena);
}

/* The reasons of a reservation: its end, its limit, a failed commit. */
static void
test_reserve(const void *data)
{
    struct reserving_backend reserving;
    marena_options_t options = {0};

    (void)data;
    if (!pool_holds(5 * MARENA_COMMIT_STEP))
        return;
    reserving_init(&reserving, 0);
    options.backend = &reserving_backend;
    options.backend_ctx = &reserving;
    options.block_size = 4 * MARENA_COMMIT_STEP;
    options.limit = 3 * MARENA_COMMIT_STEP;
    options.flags = MARENA_RESERVE;
    marena_t *arena = marena_create_ex(&options);
    test_assert_nonnull(arena);
    test_assert_null(marena_alloc(arena, 5 * MARENA_COMMIT_STEP));
    test_assert_size(marena_last_error(arena), ==, MARENA_EFULL);
    test_assert_null(marena_alloc(arena, 3 * MARENA_COMMIT_STEP));
    test_assert_size(marena_last_error(arena), ==, MARENA_ELIMIT);
#if MARENA_HAVE_REALLOC
    /* The last allocation grown in place past the limit: NULL, nothing
     * committed or moved. */
    unsigned char *p = marena_alloc(arena, 100);
    test_assert_nonnull(p);
    size_t used = marena_used(arena), committed = reserving.committed;
    test_assert_null(marena_realloc(arena, p, 100, 3 * MARENA_COMMIT_STEP));
    test_assert_size(marena_last_error(arena), ==, MARENA_ELIMIT);
    test_assert_size(marena_used(arena), ==, used);
    test_assert_size(reserving.committed, ==, committed);
#endif
    reserving.fail_commit_at = reserving.commits + 1;
    test_assert_null(marena_alloc(arena, MARENA_COMMIT_STEP));
    test_assert_size(marena_last_error(arena), ==, MARENA_ENOMEM);
    marena_destroy(arena);
}

static void
test_strerror(const void *data)
{
    static const marena_error_t errors[] = {MARENA_OK, MARENA_EINVAL, MARENA_EFULL,
                                            MARENA_ELIMIT, MARENA_ENOMEM};

    (void)data;
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        const char *message = marena_strerror(errors[i]);

        test_assert_nonnull(message);
        test_assert(strcmp(message, "unknown error") != 0);
        for (size_t j = 0; j < i; j++)
            test_assert(strcmp(message, marena_strerror(errors[j])) != 0);
    }
    test_assert(strcmp(marena_strerror(MARENA_EFULL), "the arena is full") == 0);
    test_assert(strcmp(marena_strerror((marena_error_t)99), "unknown error") == 0);
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_bad_input, NULL, "/errors/bad-input-and-full");
    test_add(test_calloc_largest, NULL, "/errors/calloc-largest");
    test_add(test_growing, NULL, "/errors/growing");
    test_add(test_reserve, NULL, "/errors/reserve");
    test_add(test_strerror, NULL, "/errors/strerror");
    return test_run();
}
