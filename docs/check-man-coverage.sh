#!/bin/sh
# check-man-coverage.sh [-n NM LIBRARY] HEADER PAGE[=NAME,...]...: TAP, one
# test per public name: `man NAME` finds a page for it, i.e. NAME is the
# name of one of the PAGEs or of a link to one (the NAMEs after `=`, which
# meson installs as links; check-man.sh checks that each page's NAME
# section lists them). The public names are
#  - every marena_ function and object HEADER declares with MARENA_API;
#  - every function-like macro HEADER defines (#define NAME(...));
#  - with -n, every marena_ symbol LIBRARY defines (NM -g --defined-only),
#    whatever the header says;
# leaving out internal names (marena__/MARENA__) and everything between
# @cond MARENA_INTERNAL and @endcond. A first test checks that the header
# gave names at all (and the library, with -n), so a parse that finds
# nothing fails instead of passing.
set -u
nm=
lib=
if [ "${1:-}" = -n ]; then
    nm=$2
    lib=$3
    shift 3
fi
header=$1
shift

# The header outside the internal parts, without preprocessor lines (and
# their continuations) for the declarations; the macros from the
# preprocessor lines.
public=$(awk '
    /@cond MARENA_INTERNAL/ { internal = 1 }
    internal { if (/@endcond/) internal = 0; next }
    { print }' "$header")
# shellcheck disable=SC2020 # tr: three characters, each to a newline
declared=$(printf '%s\n' "$public" |
    awk '
        continued { continued = /\\$/; next }
        /^[ \t]*#/ { continued = /\\$/; next }
        { printf "%s ", $0 }' |
    sed -E 's#/\*([^*]|\*+[^*/])*\*+/# #g' | tr ';{}' '\n\n\n' | grep 'MARENA_API' |
    sed -E 's/\(.*//; s/.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*)[^A-Za-z0-9_]*$/\1/' |
    grep '^marena_' | grep -v '^marena__' | sort -u)
macros=$(printf '%s\n' "$public" |
    sed -nE 's/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/p' |
    grep -v -e '^marena__' -e '^MARENA__' | sort -u)
exported=
if [ -n "$lib" ]; then
    exported=$("$nm" -g --defined-only "$lib" | awk 'NF >= 3 { print $3 }' |
        sed 's/@.*//' | grep '^marena_' | grep -v '^marena__' | sort -u)
fi
names=$(printf '%s\n' "$declared" "$macros" "$exported" | grep . | sort -u)

# Every page and link name, one per line, as "NAME PAGE".
documented=$(for arg in "$@"; do
    page=$(basename "${arg%%=*}" .3)
    echo "$page $page"
    case "$arg" in
    *=*) printf '%s\n' "${arg#*=}" | tr ',' '\n' | sed "s/\$/ $page/" ;;
    esac
done)

# count LINES: how many non-empty lines.
count() { printf '%s\n' "$1" | grep -c .; }
echo "1..$(($(count "$names") + 1))"
n=1
summary="$(count "$declared") declared in $(basename "$header"), $(count "$macros") function-like macros"
if [ -n "$lib" ]; then
    summary="$summary, $(count "$exported") exported by $(basename "$lib")"
fi
if [ "$(count "$declared")" -gt 0 ] && [ "$(count "$macros")" -gt 0 ] &&
    { [ -z "$lib" ] || [ "$(count "$exported")" -gt 0 ]; }; then
    echo "ok $n - public names found: $summary"
    status=0
else
    echo "not ok $n - public names found: $summary"
    status=1
fi

for name in $names; do
    n=$((n + 1))
    page=$(printf '%s\n' "$documented" | awk -v name="$name" '$1 == name { print $2; exit }')
    if [ -n "$page" ]; then
        echo "ok $n - man $name: $page(3)"
    else
        echo "not ok $n - man $name: no page or link (add it to a page's NAME section and to man_pages in docs/meson.build)"
        status=1
    fi
done
exit $status
