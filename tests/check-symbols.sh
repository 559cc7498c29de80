#!/bin/sh
# SPDX-License-Identifier: MIT
# Symbol hygiene of a built libmarena, reported as TAP:
#  1. it references none of the FORBIDDEN symbols (what the backends left out
#     of this build would have needed: malloc/free, mmap/munmap, ...);
#  2. every global symbol it defines starts with marena_ (AddressSanitizer's
#     own __odr_asan.* markers, and the version node's own absolute symbol,
#     aside).
# For a shared library, with -r READELF, also:
#  3. every symbol in its dynamic symbol table that it defines is a marena_
#     symbol whose default version is NODE (src/marena.map), and there is at
#     least one; with no -n (the linker took no version script) this is
#     skipped;
#  4. its soname is libmarena.so.SOVERSION (with -s).
# usage: check-symbols.sh [-r READELF] [-s SOVERSION] [-n NODE] NM LIBRARY [FORBIDDEN...]
set -u
readelf=
soversion=
node=
while getopts r:s:n: opt; do
    case $opt in
    r) readelf=$OPTARG ;;
    s) soversion=$OPTARG ;;
    n) node=$OPTARG ;;
    *)
        echo "usage: check-symbols.sh [-r READELF] [-s SOVERSION] [-n NODE] NM LIBRARY [FORBIDDEN...]" >&2
        exit 2
        ;;
    esac
done
shift $((OPTIND - 1))
nm=$1
lib=$2
shift 2
name=$(basename "$lib")

case $lib in
*.so | *.so.*) shared=1 dynamic=-D ;;
*) shared=0 dynamic= ;;
esac

if [ "$shared" = 1 ]; then
    echo "1..4"
else
    echo "1..2"
fi

undefined=$("$nm" $dynamic -u "$lib" | awk '{ print $NF }' | sed 's/@.*//' | sort -u)
found=
for symbol in "$@"; do
    if printf '%s\n' "$undefined" | grep -qx "$symbol"; then
        found="$found $symbol"
    fi
done
if [ -z "$found" ]; then
    echo "ok 1 - $name references none of: $*"
else
    echo "not ok 1 - $name references:$found"
fi

# nm -D lists the version node itself as an absolute symbol ("A MARENA_0").
foreign=$("$nm" $dynamic -g --defined-only "$lib" |
          awk -v node="$node" 'NF >= 3 && !($2 == "A" && $3 == node) { print $3 }' |
          grep -v -e '^marena_' -e '^__odr_asan' | sort -u | tr '\n' ' ')
if [ -z "$foreign" ]; then
    echo "ok 2 - $name defines only marena_ symbols"
else
    echo "not ok 2 - $name defines foreign symbols: $foreign"
fi

if [ "$shared" = 0 ]; then
    exit 0
fi

if [ -z "$readelf" ]; then
    echo "ok 3 - exported symbol versions # SKIP no readelf"
elif [ -z "$node" ]; then
    echo "ok 3 - exported symbol versions # SKIP the linker took no version script"
else
    # readelf --dyn-syms -W: Num Value Size Type Bind Vis Ndx Name; the
    # name carries @@VERSION for a default version. Skip undefined symbols
    # (Ndx UND), local ones, and the node's own absolute definition.
    exported=$("$readelf" --dyn-syms -W "$lib" |
               awk -v node="$node" '
                   ($5 == "GLOBAL" || $5 == "WEAK" || $5 == "UNIQUE") &&
                   $7 != "UND" && !($7 == "ABS" && $8 == node) { print $8 }' |
               sort -u)
    count=$(printf '%s\n' "$exported" | grep -c "^marena_[A-Za-z0-9_]*@@$node\$")
    bad=$(printf '%s\n' "$exported" | grep -v -e '^$' -e "^marena_[A-Za-z0-9_]*@@$node\$" |
          tr '\n' ' ')
    if [ -n "$bad" ]; then
        echo "not ok 3 - $name exports symbols that are not marena_*@@$node: $bad"
    elif [ "$count" -eq 0 ]; then
        echo "not ok 3 - $name exports no marena_*@@$node symbol at all"
    else
        echo "ok 3 - $name exports $count symbols, all marena_*@@$node"
    fi
fi

if [ -z "$readelf" ] || [ -z "$soversion" ]; then
    echo "ok 4 - soname # SKIP no readelf or no soversion given"
else
    want="${name%%.so*}.so.$soversion"
    soname=$("$readelf" -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
    if [ "$soname" = "$want" ]; then
        echo "ok 4 - $name has soname $want"
    else
        echo "not ok 4 - $name has soname '${soname}', expected $want"
    fi
fi
