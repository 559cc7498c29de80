#!/bin/sh
# SPDX-License-Identifier: MIT
# Symbol hygiene of a built libmarena, reported as TAP:
#  1. it references none of the FORBIDDEN symbols (what the backends left out
#     of this build would have needed: malloc/free, mmap/munmap, ...);
#  2. every global symbol it defines starts with marena_ (AddressSanitizer's
#     own __odr_asan.* markers, MinGW's .refptr.marena_* indirections to
#     marena_ data, and the version node's own absolute symbol,
#     aside).
# For a shared library, with -r READELF, also:
#  3. every symbol in its dynamic symbol table that it defines is a marena_
#     symbol whose default version is NODE (src/marena.map), and there is at
#     least one; with no -n (the linker took no version script) this is
#     skipped;
#  4. its soname is libmarena.so.SOVERSION (with -s).
# A Windows DLL (LIBRARY ending in .dll, with -p OBJDUMP) is read from its
# import and export tables instead (its COFF symbol table also holds the
# MinGW runtime's symbols, which are not exported):
#  1. it imports none of the FORBIDDEN symbols;
#  2. it exports at least one symbol, and nothing but marena_ symbols: no
#     internal marena__ one (only what marena.h declares MARENA_API is
#     dllexport);
#  3. its name is libmarena-SOVERSION.dll (with -s).
# usage: check-symbols.sh [-r READELF] [-p OBJDUMP] [-s SOVERSION] [-n NODE] NM LIBRARY [FORBIDDEN...]
set -u
readelf=
objdump=
soversion=
node=
while getopts r:p:s:n: opt; do
    case $opt in
    r) readelf=$OPTARG ;;
    p) objdump=$OPTARG ;;
    s) soversion=$OPTARG ;;
    n) node=$OPTARG ;;
    *)
        echo "usage: check-symbols.sh [-r READELF] [-p OBJDUMP] [-s SOVERSION] [-n NODE] NM LIBRARY [FORBIDDEN...]" >&2
        exit 2
        ;;
    esac
done
shift $((OPTIND - 1))
nm=$1
lib=$2
shift 2
name=$(basename "$lib")

# Prints those of its arguments that are lines of $list.
forbidden_in() {
    found=
    for symbol in "$@"; do
        if printf '%s\n' "$list" | grep -qx "$symbol"; then
            found="$found $symbol"
        fi
    done
    printf '%s' "$found"
}

# check_exports N PATTERN WHAT: TAP test N on $exported (one symbol a
# line): at least one, and every one matches the grep PATTERN (WHAT in
# the messages).
check_exports() {
    count=$(printf '%s\n' "$exported" | grep -c -e "$2")
    bad=$(printf '%s\n' "$exported" | grep -v -e '^$' -e "$2" | tr '\n' ' ')
    if [ -n "$bad" ]; then
        echo "not ok $1 - $name exports symbols that are not $3: $bad"
    elif [ "$count" -eq 0 ]; then
        echo "not ok $1 - $name exports no $3 symbol at all"
    else
        echo "ok $1 - $name exports $count symbols, all $3"
    fi
}

case $lib in
*.dll)
    if [ -z "$objdump" ]; then
        echo "check-symbols.sh: a DLL needs -p OBJDUMP" >&2
        exit 2
    fi
    echo "1..3"
    dump=$("$objdump" -p "$lib") || exit 1
    # Import tables: "vma Hint/Ord Member-Name" lines after each "DLL Name:".
    list=$(printf '%s\n' "$dump" |
           awk '/DLL Name:/ { inside = 1; next } /^$/ { inside = 0 }
                inside && NF == 3 && $1 ~ /^[0-9a-f]+$/ { print $3 }' | sort -u)
    found=$(forbidden_in "$@")
    if [ -z "$found" ]; then
        echo "ok 1 - $name imports none of: $*"
    else
        echo "not ok 1 - $name imports:$found"
    fi
    # The export name table: "[ N] name" lines (the address table's lines
    # say "+base[").
    exported=$(printf '%s\n' "$dump" |
               awk '/^\t\[ *[0-9]+\] / && !/\+base\[/ { print $NF }' | sort -u)
    check_exports 2 '^marena_[A-Za-z0-9][A-Za-z0-9_]*$' 'marena_* (none marena__*)'
    if [ -z "$soversion" ]; then
        echo "ok 3 - DLL name # SKIP no soversion given"
    elif [ "$name" = "libmarena-$soversion.dll" ]; then
        echo "ok 3 - $name is libmarena-$soversion.dll"
    else
        echo "not ok 3 - $name, expected libmarena-$soversion.dll"
    fi
    exit 0
    ;;
esac

case $lib in
*.so | *.so.*) shared=1 dynamic=-D ;;
*) shared=0 dynamic= ;;
esac

if [ "$shared" = 1 ]; then
    echo "1..4"
else
    echo "1..2"
fi

list=$("$nm" $dynamic -u "$lib" | awk '{ print $NF }' | sed 's/@.*//' | sort -u)
found=$(forbidden_in "$@")
if [ -z "$found" ]; then
    echo "ok 1 - $name references none of: $*"
else
    echo "not ok 1 - $name references:$found"
fi

# nm -D lists the version node itself as an absolute symbol ("A MARENA_0").
foreign=$("$nm" $dynamic -g --defined-only "$lib" |
          awk -v node="$node" 'NF >= 3 && !($2 == "A" && $3 == node) { print $3 }' |
          grep -v -e '^marena_' -e '^__odr_asan' -e '^\.refptr\.marena_' | sort -u | tr '\n' ' ')
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
    check_exports 3 "^marena_[A-Za-z0-9_]*@@$node\$" "marena_*@@$node"
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
