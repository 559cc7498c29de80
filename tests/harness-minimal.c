/* SPDX-License-Identifier: MIT */
/*
 * The minimal test harness (harness.h with TEST_HARNESS_GLIB 0): TAP on
 * stdout from setjmp/longjmp and printf alone, for targets without GLib.
 *
 * Nothing is stored per test: test_add() runs the test at once and prints
 * its line, test_run() prints the plan last (TAP allows a trailing plan).
 * Death tests fork() a child where TEST_HAVE_FORK is 1: the child runs the
 * rest of the body with stderr in a pipe and stdout on /dev/null, and exits
 * 0 if the body returns, 1 if an assertion fails; the parent matches what
 * the child wrote to stderr against a glob (`*`, `?`), as GLib does.
 */
#ifndef TEST_HAVE_FORK
#define TEST_HAVE_FORK 0
#endif

#ifndef TEST_HAVE_THREADS
#define TEST_HAVE_THREADS 0
#endif

#if TEST_HAVE_FORK || TEST_HAVE_THREADS
#define _POSIX_C_SOURCE 200809L
#endif

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if TEST_HAVE_FORK
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#if TEST_HAVE_THREADS
#include <pthread.h>
#include <sched.h>
#endif

#include "harness.h"

#define PATH_MAX_LENGTH 256
#define MESSAGE_MAX_LENGTH 256
#if TEST_HAVE_FORK
#define CHILD_STDERR_MAX 8192
#endif

static unsigned tests_run;
static unsigned tests_failed;

/* The running test. */
static jmp_buf test_end;
static int test_running;
static int test_skipped;
static char test_message[MESSAGE_MAX_LENGTH];

#if TEST_HAVE_FORK
static int in_child;          /* this process is a death test's child */
static int child_status = -1; /* wait status of the last child; -1: none */
static char child_stderr[CHILD_STDERR_MAX];
#endif

void
test_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

/* Keeps the message on one line: it goes into a TAP line. */
static void
flatten(char *text)
{
    for (; *text != '\0'; text++)
        if (*text == '\n' || *text == '\r' || *text == '#')
            *text = ' ';
}

static _Noreturn void
end_failed(void)
{
    flatten(test_message);
#if TEST_HAVE_FORK
    if (in_child) {
        fprintf(stderr, "%s\n", test_message);
        _exit(1);
    }
#endif
    if (!test_running) {
        /* An assertion outside any test (in main): nothing to go back to. */
        printf("Bail out! %s\n", test_message);
        fflush(stdout);
        _Exit(1);
    }
    longjmp(test_end, 1);
}

_Noreturn void
test_fail_at(const char *file, int line, const char *format, ...)
{
    va_list args;
    int n = snprintf(test_message, sizeof test_message, "%s:%d: ", file, line);

    if (n < 0 || (size_t)n >= sizeof test_message)
        n = 0;
    va_start(args, format);
    vsnprintf(test_message + n, sizeof test_message - (size_t)n, format, args);
    va_end(args);
    end_failed();
}

_Noreturn void
test_fail_compare(const char *file, int line, const char *expression, uint64_t a,
                  const char *op, uint64_t b)
{
    snprintf(test_message, sizeof test_message,
             "%s:%d: assertion failed: %s (%" PRIu64 " %s %" PRIu64 ")", file, line,
             expression, a, op, b);
    end_failed();
}

void
test_skip(const char *reason)
{
    test_skipped = 1;
    snprintf(test_message, sizeof test_message, "%s", reason);
}

void
test_add(test_fn fn, const void *data, const char *path_format, ...)
{
    char path[PATH_MAX_LENGTH];
    va_list args;

    va_start(args, path_format);
    vsnprintf(path, sizeof path, path_format, args);
    va_end(args);

    tests_run++;
    test_skipped = 0;
    test_message[0] = '\0';
#if TEST_HAVE_FORK
    child_status = -1;
#endif
    test_running = 1;
    if (setjmp(test_end) == 0) {
        fn(data);
#if TEST_HAVE_FORK
        if (in_child)
            _exit(0); /* the body came back: the child did not abort */
#endif
        flatten(test_message);
        if (test_skipped)
            printf("ok %u - %s # SKIP %s\n", tests_run, path, test_message);
        else
            printf("ok %u - %s\n", tests_run, path);
    } else {
        tests_failed++;
        printf("not ok %u - %s # %s\n", tests_run, path, test_message);
    }
    test_running = 0;
    fflush(stdout);
}

#if TEST_HAVE_FORK

/* Glob match as GLib's g_pattern_match_simple(): `*` any run, `?` one
 * character. */
static int
glob_match(const char *pattern, const char *text)
{
    const char *star = NULL, *resume = NULL;

    while (*text != '\0') {
        if (*pattern == '*') {
            star = pattern++;
            resume = text;
        } else if (*pattern != '\0' && (*pattern == '?' || *pattern == *text)) {
            pattern++;
            text++;
        } else if (star != NULL) {
            pattern = star + 1;
            text = ++resume;
        } else {
            return 0;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

int
test_in_child(void)
{
    static const struct rlimit no_core = {0, 0};
    int fds[2];
    size_t length = 0;
    pid_t pid;

    if (in_child)
        return 1; /* a nested call in the child: already there */
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0)
        test_fail_at(__FILE__, __LINE__, "pipe() failed");
    pid = fork();
    if (pid < 0)
        test_fail_at(__FILE__, __LINE__, "fork() failed");
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        in_child = 1;
        /* Expected crashes leave no core files. */
        setrlimit(RLIMIT_CORE, &no_core);
        close(fds[0]);
        if (dup2(fds[1], STDERR_FILENO) < 0 ||
            (null >= 0 && dup2(null, STDOUT_FILENO) < 0))
            _exit(127);
        close(fds[1]);
        if (null >= 0)
            close(null);
        return 1;
    }

    close(fds[1]);
    for (;;) {
        char chunk[256];
        ssize_t n = read(fds[0], chunk, sizeof chunk);

        if (n <= 0)
            break;
        /* Keep the first CHILD_STDERR_MAX - 1 bytes, drain the rest. */
        if (length < sizeof child_stderr - 1) {
            size_t take = (size_t)n;

            if (take > sizeof child_stderr - 1 - length)
                take = sizeof child_stderr - 1 - length;
            memcpy(child_stderr + length, chunk, take);
            length += take;
        }
    }
    child_stderr[length] = '\0';
    close(fds[0]);
    while (waitpid(pid, &child_status, 0) < 0)
        if (errno != EINTR)
            test_fail_at(__FILE__, __LINE__, "waitpid() failed");
    return 0;
}

void
test_assert_child_aborted_at(const char *file, int line, const char *stderr_pattern)
{
    if (child_status == -1)
        test_fail_at(file, line, "no death test child has run");
    if (WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0)
        test_fail_at(file, line, "the child should have failed, but exited 0");
    if (!glob_match(stderr_pattern, child_stderr))
        test_fail_at(file, line, "the child's stderr does not match \"%s\": \"%.200s\"",
                     stderr_pattern, child_stderr);
}

#else /* no fork(): death tests are skipped */

int
test_in_child(void)
{
    test_skip("death test: this target has no fork()");
    return 0;
}

void
test_assert_child_aborted_at(const char *file, int line, const char *stderr_pattern)
{
    (void)file;
    (void)line;
    (void)stderr_pattern; /* nothing ran; the test is reported skipped */
}

#endif /* TEST_HAVE_FORK */

int
test_run(void)
{
    printf("1..%u\n", tests_run);
    fflush(stdout);
    return tests_failed > 0 ? 1 : 0;
}

#if TEST_HAVE_THREADS
struct test_thread {
    pthread_t id;
};

test_thread *
test_thread_start(void *(*fn)(void *), void *data)
{
    test_thread *thread = malloc(sizeof(*thread));

    test_assert_nonnull(thread);
    test_assert_size(pthread_create(&thread->id, NULL, fn, data), ==, 0);
    return thread;
}

void
test_thread_join(test_thread *thread)
{
    test_assert_size(pthread_join(thread->id, NULL), ==, 0);
    free(thread);
}

void
test_thread_yield(void)
{
    sched_yield();
}
#endif
