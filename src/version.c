/* SPDX-License-Identifier: MIT */
/*
 * The library's version at run time. MARENA_VERSION_STRING is the version
 * of the headers a program was compiled with; marena_version() is the
 * version of the library it runs with, which differs when the program runs
 * with another build of the shared library. Part of the core: every build
 * has it, at the cost of one function returning a constant string.
 */
#include "config.h"

#include "marena.h"

MARENA_API const char *
marena_version(void)
{
    return MARENA_VERSION_STRING;
}
