#!/bin/sh
# SPDX-License-Identifier: MIT
# Symbol hygiene of a built libmarena, reported as TAP:
#  1. it references none of the FORBIDDEN symbols (what the backends left out
#     of this build would have needed: malloc/free, mmap/munmap, ...);
#  2. every global symbol it defines starts with marena_ (AddressSanitizer's
#     own __odr_asan.* markers aside).
# usage: check-symbols.sh NM LIBRARY [FORBIDDEN...]
set -u
nm=$1
lib=$2
shift 2

case $lib in
*.so | *.so.*) dynamic=-D ;;
*) dynamic= ;;
esac

echo "1..2"

undefined=$("$nm" $dynamic -u "$lib" | awk '{ print $NF }' | sed 's/@.*//' | sort -u)
found=
for symbol in "$@"; do
    if printf '%s\n' "$undefined" | grep -qx "$symbol"; then
        found="$found $symbol"
    fi
done
if [ -z "$found" ]; then
    echo "ok 1 - $(basename "$lib") references none of: $*"
else
    echo "not ok 1 - $(basename "$lib") references:$found"
fi

foreign=$("$nm" $dynamic -g --defined-only "$lib" | awk 'NF >= 3 { print $3 }' |
          grep -v -e '^marena_' -e '^__odr_asan' | sort -u | tr '\n' ' ')
if [ -z "$foreign" ]; then
    echo "ok 2 - $(basename "$lib") defines only marena_ symbols"
else
    echo "not ok 2 - $(basename "$lib") defines foreign symbols: $foreign"
fi
