#!/bin/sh
# SPDX-License-Identifier: MIT
# TAP test for freestanding (bare-metal) builds: every symbol the library
# needs from outside is memset, memcpy or memmove, or a helper of the
# compiler's own runtime (libgcc/compiler-rt: __aeabi_*, __udivsi3, ...).
# In particular nothing from malloc/free, mmap or stdio.
#
#   check-freestanding.sh NM LIBRARY
set -u
nm=$1
lib=$2

echo "1..2"
# Undefined in some member of the archive and defined in none.
symbols() {
    "$nm" "$@" "$lib" | awk 'NF >= 1 && $NF !~ /:$/ { print $NF }' | sort -u
}
if ! needed=$(symbols -u) || ! defined=$(symbols -g --defined-only); then
    echo "not ok 1 - $nm could not read $lib"
    echo "not ok 2 - $nm could not read $lib"
    exit 1
fi
undefined=$(printf '%s\n' "$needed" | grep -vxF -e "$defined" || true)
echo "# undefined: $(echo $undefined)"
rc=0
bad=""
for sym in $undefined; do
    case "$sym" in
    memset | memcpy | memmove) ;;
    __aeabi_* | __gnu_* | __*div*3 | __*mod*3 | __*mul*3 | __clz*2 | __ctz*2) ;;
    *) bad="$bad $sym" ;;
    esac
done
if [ -z "$bad" ]; then
    echo "ok 1 - needs only memset/memcpy/memmove and compiler helpers"
else
    echo "not ok 1 - needs more than memset/memcpy/memmove:$bad"
    rc=1
fi
found=""
for sym in $undefined; do
    case "$sym" in
    malloc | free | calloc | realloc | mmap | mmap64 | munmap | abort | \
        printf | fprintf | vsnprintf | snprintf | fputs | fputc | stderr | stdout)
        found="$found $sym" ;;
    esac
done
if [ -z "$found" ]; then
    echo "ok 2 - no malloc/free/mmap/abort/stdio symbol"
else
    echo "not ok 2 - references$found"
    rc=1
fi
exit "$rc"
