/* SPDX-License-Identifier: MIT */
/*
 * The minimal test harness (harness.h with TEST_HARNESS_GLIB 0): TAP on
 * stdout from setjmp/longjmp and printf alone, for targets without GLib.
 *
 * Nothing is stored per test: test_add() runs the test at once and prints
 * its line, test_run() prints the plan last (TAP allows a trailing plan).
 * Death tests run their crashing part in a child process, with stderr in a
 * pipe and stdout on /dev/null (NUL); the child exits 0 if the body
 * returns, 1 if an assertion fails, and the parent matches what it wrote to
 * stderr against a glob (`*`, `?`), as GLib does. The child is
 *  - where TEST_HAVE_FORK is 1, a fork() that runs the rest of the body;
 *  - on Windows (no fork), the test program again, started with
 *    `--death-child TEST:CALL` (CreateProcess): it runs test number TEST
 *    alone, as GLib's subprocess tests do, and its CALLth test_in_child()
 *    call is where it becomes the child (the earlier calls return 0 and
 *    their checks are skipped). An exception (an access violation) ends
 *    the child with its code, printed as "exception 0x...", not a debugger.
 * Elsewhere death tests are reported skipped. Threads are POSIX threads, or
 * Windows threads on Windows.
 */
#ifndef TEST_HAVE_FORK
#define TEST_HAVE_FORK 0
#endif

#ifndef TEST_HAVE_THREADS
#define TEST_HAVE_THREADS 0
#endif

#if (TEST_HAVE_FORK || TEST_HAVE_THREADS) && !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

/* How death tests get their child process. */
#if TEST_HAVE_FORK
#define DEATH_BY_FORK 1
#define DEATH_BY_SPAWN 0
#elif defined(_WIN32)
#define DEATH_BY_FORK 0
#define DEATH_BY_SPAWN 1
#else
#define DEATH_BY_FORK 0
#define DEATH_BY_SPAWN 0
#endif
#define DEATH_TESTS (DEATH_BY_FORK || DEATH_BY_SPAWN)

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

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN 1
#include <windows.h>
#elif TEST_HAVE_THREADS
#include <pthread.h>
#include <sched.h>
#endif

#include "harness.h"

#define PATH_MAX_LENGTH 256
#define MESSAGE_MAX_LENGTH 256
#if DEATH_TESTS
#define CHILD_STDERR_MAX 8192
#endif

static unsigned tests_run;
static unsigned tests_failed;

/* The running test. */
static jmp_buf test_end;
static int test_running;
static int test_skipped;
static char test_message[MESSAGE_MAX_LENGTH];

#if DEATH_TESTS
static int in_child;        /* this process is a death test's child */
static int child_ran;       /* a child ran in the running test */
static int child_succeeded; /* ... and exited 0 */
static char child_stderr[CHILD_STDERR_MAX];
#endif

#if DEATH_BY_SPAWN
/* In a child started with --death-child: the test (counted from 1) and
 * the test_in_child() call of that test to become the child at; 0 in the
 * parent. */
static unsigned child_test;
static unsigned child_call;
/* test_in_child() calls so far in the running test. */
static unsigned death_calls;

/* An exception (an access violation, say) ends the child at once, with
 * its code, instead of starting a debugger. */
static LONG WINAPI
exit_on_exception(EXCEPTION_POINTERS *exception)
{
    DWORD code = exception->ExceptionRecord->ExceptionCode;

    fprintf(stderr, "exception 0x%08lx\n", (unsigned long)code);
    fflush(stderr);
    TerminateProcess(GetCurrentProcess(), code);
    return EXCEPTION_EXECUTE_HANDLER;
}
#endif

void
test_init(int *argc, char ***argv)
{
#if DEATH_BY_SPAWN
    if (*argc == 3 && strcmp((*argv)[1], "--death-child") == 0) {
        if (sscanf((*argv)[2], "%u:%u", &child_test, &child_call) != 2 ||
            child_test == 0 || child_call == 0) {
            fprintf(stderr, "bad --death-child %s\n", (*argv)[2]);
            exit(127);
        }
        SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
        SetUnhandledExceptionFilter(exit_on_exception);
    }
#else
    (void)argc;
    (void)argv;
#endif
}

/* Is this process a death test's child (or, on Windows, a child still on
 * its way to the test_in_child() call where it becomes one)? Such a
 * process reports on stderr and ends with its exit status. */
static int
child_process(void)
{
#if DEATH_BY_SPAWN
    return child_test != 0;
#elif DEATH_BY_FORK
    return in_child;
#else
    return 0;
#endif
}

static _Noreturn void
exit_child(int status)
{
    fflush(stderr);
    _Exit(status);
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
    if (child_process()) {
        fprintf(stderr, "%s\n", test_message);
        exit_child(1);
    }
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
#if DEATH_BY_SPAWN
    if (child_test != 0 && tests_run != child_test)
        return; /* a death test's child runs its own test only */
    death_calls = 0;
#endif
    test_skipped = 0;
    test_message[0] = '\0';
#if DEATH_TESTS
    child_ran = 0;
#endif
    test_running = 1;
    if (setjmp(test_end) == 0) {
        fn(data);
        if (child_process())
            exit_child(0); /* the body came back: the child did not abort */
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

#if DEATH_TESTS

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

/* Keeps the first CHILD_STDERR_MAX - 1 bytes of the child's stderr. */
static void
keep_child_stderr(const char *chunk, size_t n, size_t *length)
{
    if (*length < sizeof child_stderr - 1) {
        size_t take = n;

        if (take > sizeof child_stderr - 1 - *length)
            take = sizeof child_stderr - 1 - *length;
        memcpy(child_stderr + *length, chunk, take);
        *length += take;
    }
    child_stderr[*length] = '\0';
}

void
test_assert_child_aborted_at(const char *file, int line, const char *stderr_pattern)
{
#if DEATH_BY_SPAWN
    if (child_test != 0)
        return; /* the child itself, past an earlier death test of its test */
#endif
    if (!child_ran)
        test_fail_at(file, line, "no death test child has run");
    if (child_succeeded)
        test_fail_at(file, line, "the child should have failed, but exited 0");
    if (!glob_match(stderr_pattern, child_stderr))
        test_fail_at(file, line, "the child's stderr does not match \"%s\": \"%.200s\"",
                     stderr_pattern, child_stderr);
}

#endif /* DEATH_TESTS */

#if DEATH_BY_FORK

int
test_in_child(void)
{
    static const struct rlimit no_core = {0, 0};
    int fds[2], status;
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
    child_stderr[0] = '\0';
    for (;;) {
        char chunk[256];
        ssize_t n = read(fds[0], chunk, sizeof chunk);

        if (n <= 0)
            break;
        keep_child_stderr(chunk, (size_t)n, &length); /* and drain the rest */
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            test_fail_at(__FILE__, __LINE__, "waitpid() failed");
    child_ran = 1;
    child_succeeded = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return 0;
}

#elif DEATH_BY_SPAWN

/* Runs this program again as the child of the running test's next death
 * test (test_init() reads the arguments), with stdin and stdout on NUL and
 * stderr into child_stderr, and waits for it. */
static void
spawn_child(void)
{
    SECURITY_ATTRIBUTES inherited = {sizeof(SECURITY_ATTRIBUTES), NULL, TRUE};
    STARTUPINFOA startup;
    PROCESS_INFORMATION process;
    HANDLE read_end, write_end, null;
    char path[MAX_PATH], command[MAX_PATH + 64];
    DWORD length = GetModuleFileNameA(NULL, path, sizeof path), n, code;
    size_t kept = 0;

    if (length == 0 || length >= sizeof path)
        test_fail_at(__FILE__, __LINE__, "GetModuleFileName() failed");
    snprintf(command, sizeof command, "\"%s\" --death-child %u:%u", path, tests_run,
             death_calls);
    if (!CreatePipe(&read_end, &write_end, &inherited, 0))
        test_fail_at(__FILE__, __LINE__, "CreatePipe() failed");
    SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
    null = CreateFileA("NUL", GENERIC_READ | GENERIC_WRITE,
                       FILE_SHARE_READ | FILE_SHARE_WRITE, &inherited, OPEN_EXISTING, 0,
                       NULL);
    memset(&startup, 0, sizeof startup);
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = null;
    startup.hStdOutput = null;
    startup.hStdError = write_end;
    fflush(stdout);
    if (!CreateProcessA(path, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup,
                        &process))
        test_fail_at(__FILE__, __LINE__, "CreateProcess() failed: %lu",
                     (unsigned long)GetLastError());
    CloseHandle(write_end);
    CloseHandle(null);
    child_stderr[0] = '\0';
    for (;;) {
        char chunk[256];

        if (!ReadFile(read_end, chunk, sizeof chunk, &n, NULL) || n == 0)
            break;
        keep_child_stderr(chunk, n, &kept);
    }
    CloseHandle(read_end);
    WaitForSingleObject(process.hProcess, INFINITE);
    if (!GetExitCodeProcess(process.hProcess, &code))
        code = 0;
    CloseHandle(process.hProcess);
    CloseHandle(process.hThread);
    child_ran = 1;
    child_succeeded = code == 0;
}

int
test_in_child(void)
{
    if (in_child)
        return 1; /* a nested call in the child: already there */
    ++death_calls;
    if (child_test != 0) {
        in_child = death_calls == child_call;
        return in_child;
    }
    spawn_child();
    return 0;
}

#else /* no child processes: death tests are skipped */

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

#endif /* DEATH_BY_FORK, DEATH_BY_SPAWN */

int
test_run(void)
{
    printf("1..%u\n", tests_run);
    fflush(stdout);
    return tests_failed > 0 ? 1 : 0;
}

#if TEST_HAVE_THREADS && defined(_WIN32)
struct test_thread {
    HANDLE handle;
    void *(*fn)(void *);
    void *data;
};

static DWORD WINAPI
thread_main(LPVOID thread)
{
    test_thread *self = thread;

    self->fn(self->data);
    return 0;
}

test_thread *
test_thread_start(void *(*fn)(void *), void *data)
{
    test_thread *thread = malloc(sizeof(*thread));

    test_assert_nonnull(thread);
    thread->fn = fn;
    thread->data = data;
    thread->handle = CreateThread(NULL, 0, thread_main, thread, 0, NULL);
    test_assert_nonnull(thread->handle);
    return thread;
}

void
test_thread_join(test_thread *thread)
{
    test_assert_size(WaitForSingleObject(thread->handle, INFINITE), ==, WAIT_OBJECT_0);
    CloseHandle(thread->handle);
    free(thread);
}

void
test_thread_yield(void)
{
    SwitchToThread();
}
#elif TEST_HAVE_THREADS
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
