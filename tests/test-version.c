/* SPDX-License-Identifier: MIT */
/*
 * The version suite: marena_version(), the library's version at run time,
 * agrees with the version macros of marena_config.h that this program was
 * compiled with (both come from project(version:) in meson.build). Runs in
 * every build: marena_version() is part of the core.
 *
 * The expected prefix "MAJOR.MINOR.MICRO" is built from the three numeric
 * macros twice: as text by the preprocessor, and as numbers written out in
 * decimal here (no snprintf: bare-metal builds may have no stdio).
 */
#include <string.h>

#include "harness.h"
#include "marena.h"

/* The macros are integer constants, usable in #if. */
#if !(MARENA_VERSION_MAJOR >= 0 && MARENA_VERSION_MINOR >= 0 && MARENA_VERSION_MICRO >= 0)
#error "MARENA_VERSION_MAJOR/MINOR/MICRO must be non-negative integer constants"
#endif

#define TEXT(x) #x
#define MACRO_TEXT(x) TEXT(x)
#define VERSION_FROM_MACROS \
    MACRO_TEXT(MARENA_VERSION_MAJOR) \
    "." MACRO_TEXT(MARENA_VERSION_MINOR) "." MACRO_TEXT(MARENA_VERSION_MICRO)

/* Appends the decimal digits of value at out; returns the end. */
static char *
put_decimal(char *out, unsigned long value)
{
    char digits[24];
    size_t n = 0;

    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0)
        *out++ = digits[--n];
    return out;
}

static void
test_matches_version_string(const void *data)
{
    const char *version = marena_version();

    (void)data;
    test_assert_nonnull(version);
    test_assert_message(strcmp(version, MARENA_VERSION_STRING) == 0,
                        "marena_version() is not MARENA_VERSION_STRING");
}

static void
test_starts_with_numbers(const void *data)
{
    const char *version = marena_version();
    char expected[3 * 24];
    char *end = expected;
    size_t length;

    (void)data;
    end = put_decimal(end, (unsigned long)MARENA_VERSION_MAJOR);
    *end++ = '.';
    end = put_decimal(end, (unsigned long)MARENA_VERSION_MINOR);
    *end++ = '.';
    end = put_decimal(end, (unsigned long)MARENA_VERSION_MICRO);
    *end = '\0';
    length = (size_t)(end - expected);

    test_assert_nonnull(version);
    test_assert_message(strncmp(version, expected, length) == 0,
                        "marena_version() does not start with MAJOR.MINOR.MICRO");
    /* The micro number ends there: "0.1.0" must not match "0.1.01". */
    test_assert(version[length] < '0' || version[length] > '9');
    test_assert_message(strcmp(expected, VERSION_FROM_MACROS) == 0,
                        "the macros are not plain decimal numbers");
}

static void
test_static_storage(const void *data)
{
    const char *(*function)(void) = marena_version;

    (void)data;
    /* Through a pointer too (it is an exported function, not a macro), and
     * the same string every time. */
    test_assert(function() == marena_version());
    test_assert(strcmp(function(), MARENA_VERSION_STRING) == 0);
}

int
main(int argc, char **argv)
{
    test_init(&argc, &argv);
    test_add(test_matches_version_string, NULL, "/version/matches-version-string");
    test_add(test_starts_with_numbers, NULL, "/version/starts-with-major-minor-micro");
    test_add(test_static_storage, NULL, "/version/static-storage");
    return test_run();
}
