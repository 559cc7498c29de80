/* SPDX-License-Identifier: MIT */
/*
 * The thin assertion layer every test body is written against.
 *
 * Test bodies use only these macros and functions, never GLib directly, so
 * the same bodies run where GLib does not exist. TEST_HARNESS_GLIB (set by
 * tests/meson.build, option test_harness) picks the implementation:
 *
 *  1: GLib's GTest. Paths are /<backend>/<feature>/<case>, output is TAP.
 *  0: the minimal harness (harness-minimal.c), for bare metal and cross
 *     targets without GLib: needs only setjmp and printf. Each test runs as
 *     soon as it is registered (nothing is stored), prints a TAP line
 *     (`ok N - path`, `not ok N - path # message`, `ok N - path # SKIP
 *     reason`), and test_run() prints the plan `1..N` at the end. A failed
 *     assertion ends the test (longjmp) and the run goes on; the exit status
 *     is 1 if any test failed. Death tests run in a fork()ed child where
 *     TEST_HAVE_FORK is 1, in the test program started again for the one
 *     test on Windows (harness-minimal.c), and are reported skipped
 *     elsewhere.
 */
#ifndef MARENA_TESTS_HARNESS_H
#define MARENA_TESTS_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#ifndef TEST_HARNESS_GLIB
#define TEST_HARNESS_GLIB 1
#endif

/** A test body; data is what was registered with it. */
typedef void (*test_fn)(const void *data);

#if TEST_HARNESS_GLIB

#include <glib.h>

#define test_assert(expr) g_assert_true(expr)
#define test_assert_null(ptr) g_assert_null(ptr)
#define test_assert_nonnull(ptr) g_assert_nonnull(ptr)
/* Compares two sizes (or addresses) with a C operator: ==, <, >=, ... */
#define test_assert_size(a, op, b) g_assert_cmpuint((guint64)(a), op, (guint64)(b))
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
static inline void
test_add(test_fn fn, const void *data, const char *path_format, ...) G_GNUC_PRINTF(3, 4);

static inline void
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
 * Reports the running test as skipped, with a reason. The body goes on:
 * return right after calling it.
 */
static inline void
test_skip(const char *reason)
{
    g_test_skip(reason);
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

/* Threads, for the suites that need them (scratch, concurrent). A thread
 * must not assert: it records what it saw, and the test checks that after
 * test_thread_join(). */
typedef GThread test_thread;

static inline test_thread *
test_thread_start(void *(*fn)(void *), void *data)
{
    return g_thread_new("test", fn, data);
}

static inline void
test_thread_join(test_thread *thread)
{
    g_thread_join(thread);
}

static inline void
test_thread_yield(void)
{
    g_thread_yield();
}

#else /* the minimal harness: harness-minimal.c */

#if defined(__GNUC__)
#define TEST_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TEST_PRINTF(f, a)
#endif

/* The C++ suite (test-cpp.cc) calls these C functions too. A failed
 * assertion there longjmps over the destructors of the test's objects:
 * only the failing test leaks. */
#ifdef __cplusplus
#define TEST_NORETURN [[noreturn]]
extern "C" {
#else
#define TEST_NORETURN _Noreturn
#endif

/* Ends the running test as failed (longjmp back to the runner). */
TEST_NORETURN void
test_fail_at(const char *file, int line, const char *format, ...) TEST_PRINTF(3, 4);

/* The same for a failed comparison `a op b`, with both values. */
TEST_NORETURN void
test_fail_compare(const char *file, int line, const char *expression, uint64_t a,
                  const char *op, uint64_t b);

#define test_assert(expr) \
    do { \
        if (!(expr)) \
            test_fail_at(__FILE__, __LINE__, "assertion failed: %s", #expr); \
    } while (0)
#define test_assert_null(ptr) \
    do { \
        if ((ptr) != NULL) \
            test_fail_at(__FILE__, __LINE__, "%s should be NULL", #ptr); \
    } while (0)
#define test_assert_nonnull(ptr) \
    do { \
        if ((ptr) == NULL) \
            test_fail_at(__FILE__, __LINE__, "%s should not be NULL", #ptr); \
    } while (0)
/* Compares two sizes (or addresses) with a C operator: ==, <, >=, ...;
 * each operand is evaluated once. */
#define test_assert_size(a, op, b) \
    do { \
        uint64_t test_left_ = (uint64_t)(a), test_right_ = (uint64_t)(b); \
        if (!(test_left_ op test_right_)) \
            test_fail_compare(__FILE__, __LINE__, #a " " #op " " #b, test_left_, #op, \
                              test_right_); \
    } while (0)
/* Fails with `what` in the message when cond is false. */
#define test_assert_message(cond, what) \
    do { \
        if (!(cond)) \
            test_fail_at(__FILE__, __LINE__, "failed: %s", (what)); \
    } while (0)
#define test_assert_addr(a, op, b) test_assert_size((uintptr_t)(a), op, (uintptr_t)(b))

void
test_init(int *argc, char ***argv);

/* Runs fn at once, under a printf-style path, and prints its TAP line. */
void
test_add(test_fn fn, const void *data, const char *path_format, ...) TEST_PRINTF(3, 4);

/* Reports the running test as skipped, with a reason. The body goes on:
 * return right after calling it. */
void
test_skip(const char *reason);

/* Death tests, as above. On Windows the child is the program started
 * again, which runs the test's body from its start: the body must do the
 * same up to its test_in_child() calls each time (the tests' bodies are
 * deterministic). Without fork() or Windows, test_in_child() returns 0,
 * the test is reported skipped and test_assert_child_aborted() checks
 * nothing; the rest of the body still runs (and can still fail). */
int
test_in_child(void);

void
test_assert_child_aborted_at(const char *file, int line, const char *stderr_pattern);
#define test_assert_child_aborted(stderr_pattern) \
    test_assert_child_aborted_at(__FILE__, __LINE__, (stderr_pattern))

/* Prints the plan; 1 if any test failed, else 0. */
int
test_run(void);

#if TEST_HAVE_THREADS
/* Threads, as above: POSIX threads here, Windows threads on Windows
 * (TEST_HAVE_THREADS: hosted builds with either). */
typedef struct test_thread test_thread;

test_thread *
test_thread_start(void *(*fn)(void *), void *data);

void
test_thread_join(test_thread *thread);

void
test_thread_yield(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* TEST_HARNESS_GLIB */

#endif /* MARENA_TESTS_HARNESS_H */
