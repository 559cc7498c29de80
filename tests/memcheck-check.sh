#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs memcheck-probe under Valgrind, as TAP (see memcheck-probe.c):
# - each misuse must end in an "Invalid read" (and valgrind's error exit
#   code), of a freed block where the arena gave the allocation back;
# - each read of allocated bytes never written must be an "uninitialised
#   value" error;
# - each correct use must be no error at all;
# - under memcheck the arena must be tracked, under other tools
#   (callgrind, cachegrind, massif, helgrind, DRD) it must not be: they
#   need no tracking, and it would send every allocation down the slow
#   path and falsify their profiles.
# The cases of marena_sprintf() need the stdio option: with no-stdio they
# are reported as skipped.
# usage: memcheck-check.sh VALGRIND PROBE stdio|no-stdio
set -u
valgrind=$1
probe=$2
stdio=$3
misuses="after-reset past-last after-rewind shrunk-tail shrunk-other popped past-sprintf past-cut spare-after-cut rewound-after-cut"
# Given back: memcheck names the allocation a freed block.
freed="after-reset after-rewind popped"
undefined="uninitialised uninitialised-after-cut uninitialised-after-shrink uninitialised-after-pop uninitialised-after-grow uninitialised-after-shrinks"
clean="clean shrink-older shrink-middle pop-tail rewind-grown rewind-shrunk packed cut-below-last sprintf spare-reuse buffer-after-destroy tracked"
tools="callgrind cachegrind massif helgrind drd"
echo "1..33"
n=0
# skipped HOW: the case needs what this build lacks (prints its TAP line).
skipped() {
    case $1 in
        *sprintf) [ "$stdio" = no-stdio ] || return 1 ;;
        *) return 1 ;;
    esac
    echo "ok $n - $1 # SKIP the build has no stdio helpers"
}
for how in $misuses; do
    n=$((n + 1))
    skipped "$how" && continue
    log=$("$valgrind" -q --error-exitcode=42 "$probe" "$how" 2>&1)
    rc=$?
    case " $freed " in
        *" $how "*) named="free'd" ;;
        *) named="Invalid read" ;;
    esac
    if [ "$rc" = 42 ] && printf '%s\n' "$log" | grep -q "Invalid read" &&
        printf '%s\n' "$log" | grep -q "$named"; then
        echo "ok $n - $how is an Invalid read"
    else
        echo "not ok $n - $how: exit $rc"
        printf '%s\n' "$log" | sed 's/^/# /'
    fi
done
for how in $undefined; do
    n=$((n + 1))
    log=$("$valgrind" -q --error-exitcode=42 "$probe" "$how" 2>&1)
    rc=$?
    if [ "$rc" = 42 ] && printf '%s\n' "$log" | grep -q "uninitialised value"; then
        echo "ok $n - $how is an uninitialised value"
    else
        echo "not ok $n - $how: exit $rc"
        printf '%s\n' "$log" | sed 's/^/# /'
    fi
done
for how in $clean; do
    n=$((n + 1))
    skipped "$how" && continue
    log=$("$valgrind" -q --error-exitcode=42 "$probe" "$how" 2>&1)
    rc=$?
    if [ "$rc" = 0 ]; then
        echo "ok $n - $how is no error"
    else
        echo "not ok $n - $how: exit $rc"
        printf '%s\n' "$log" | sed 's/^/# /'
    fi
done
for tool in $tools; do
    n=$((n + 1))
    # Profiles go nowhere: the profilers would write them to the cwd.
    case $tool in
        helgrind | drd) out= ;;
        *) out=--$tool-out-file=/dev/null ;;
    esac
    log=$("$valgrind" -q --tool="$tool" $out "$probe" untracked 2>&1)
    rc=$?
    if [ "$rc" = 0 ]; then
        echo "ok $n - untracked under $tool"
    else
        echo "not ok $n - tracked under $tool (exit $rc)"
        printf '%s\n' "$log" | sed 's/^/# /'
    fi
done
