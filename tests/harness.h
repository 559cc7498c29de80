/* SPDX-License-Identifier: MIT */
/*
 * The thin assertion layer every test body is written against.
 *
 * Test bodies use only these macros and functions, never GLib directly, so
 * the same bodies can later run where GLib does not exist (bare metal).
 * On hosted builds everything maps onto GLib's GTest: paths are
 * /<backend>/<feature>/<case>, output is TAP.
 */
#ifndef MARENA_TESTS_HARNESS_H
#define MARENA_TESTS_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/** A test body; data is what was registered with it. */
typedef void (*test_fn)(const void *data);

#define test_assert(expr) g_assert_true(expr)
#define test_assert_null(ptr) g_assert_null(ptr)
#define test_assert_nonnull(ptr) g_assert_nonnull(ptr)
/* Compares two sizes (or addresses) with a C operator: ==, <, >=, ... */
#define test_assert_size(a, op, b) \
    g_assert_cmpuint((guint64)(a), op, (guint64)(b))
/* Fails with `what` in the message when cond is false. */
#define test_assert_message(cond, what) \
    do { \
        if (!(cond)) \
            g_error("failed: %s", (what)); \
    } while (0)
#define test_assert_addr(a, op, b) \
    g_assert_cmpuint((guint64)(uintptr_t)(a), op, (guint64)(uintptr_t)(b))

static inline void
test_init(int *argc, char ***argv)
{
    g_test_init(argc, argv, NULL);
}

/* Registers fn under a printf-style path. */
G_GNUC_PRINTF(3, 4) static inline void
test_add(test_fn fn, const void *data, const char *path_format, ...)
{
    va_list args;
    char *path;

    va_start(args, path_format);
    path = g_strdup_vprintf(path_format, args);
    va_end(args);
    g_test_add_data_func(path, data, fn);
    g_free(path);
}

/*
 * Death tests. A test body calls test_in_child(): in the child it returns
 * 1 and the body does what must abort; in the parent it returns 0 after
 * running the body again as a child, and test_assert_child_aborted()
 * checks that the child failed with stderr matching a glob pattern.
 */
static inline int
test_in_child(void)
{
    if (g_test_subprocess())
        return 1;
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    return 0;
}

static inline void
test_assert_child_aborted(const char *stderr_pattern)
{
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr(stderr_pattern);
}

static inline int
test_run(void)
{
    return g_test_run();
}

#endif /* MARENA_TESTS_HARNESS_H */
