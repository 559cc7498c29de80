#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs memcheck-probe under Valgrind once per misuse, as TAP: each misuse
# must end in an "Invalid read" (and valgrind's error exit code), and the
# clean run in no error at all.
# usage: memcheck-check.sh VALGRIND PROBE
set -u
valgrind=$1
probe=$2
cases="after-reset past-last after-rewind shrunk-tail popped"
echo "1..6"
n=0
for how in $cases; do
    n=$((n + 1))
    log=$("$valgrind" -q --error-exitcode=42 "$probe" "$how" 2>&1)
    rc=$?
    if [ "$rc" = 42 ] && printf '%s\n' "$log" | grep -q "Invalid read"; then
        echo "ok $n - $how is an Invalid read"
    else
        echo "not ok $n - $how: exit $rc"
        printf '%s\n' "$log" | sed 's/^/# /'
    fi
done
log=$("$valgrind" -q --error-exitcode=42 "$probe" clean 2>&1)
rc=$?
if [ "$rc" = 0 ]; then
    echo "ok 6 - clean use is no error"
else
    echo "not ok 6 - clean use: exit $rc"
    printf '%s\n' "$log" | sed 's/^/# /'
fi
