#!/bin/sh
# check-man.sh GROFF PAGE[=NAME,...]...: TAP, two tests per manual page.
#  - groff -ww -z -man (every warning on, no output) prints nothing and
#    exits 0;
#  - the page's NAME section lists the page's own name and every NAME after
#    the `=` (the names meson installs as links to it), so `man NAME` finds
#    a page that documents it.
set -u
groff=$1
shift
echo "1..$(($# * 2))"
n=0
status=0
for arg in "$@"; do
    page=${arg%%=*}
    links=
    case "$arg" in *=*) links=${arg#*=} ;; esac
    base=$(basename "$page" .3)

    n=$((n + 1))
    if out=$("$groff" -ww -z -man "$page" 2>&1) && [ -z "$out" ]; then
        echo "ok $n - $base(3): groff -ww reports nothing"
    else
        echo "not ok $n - $base(3): groff -ww reports:"
        printf '%s\n' "$out" | sed 's/^/# /'
        status=1
    fi

    n=$((n + 1))
    # The NAME section's text up to "\-", as one line of names.
    names=$(sed -n '/^\.SH NAME/,/^\.SH/{/^\.SH/d;p}' "$page" | tr '\n' ' ' |
        sed 's/\\-.*//; s/,/ /g')
    missing=
    for name in "$base" $(printf '%s' "$links" | tr ',' ' '); do
        case " $names " in
            *" $name "*) ;;
            *) missing="$missing $name" ;;
        esac
    done
    if [ -z "$missing" ]; then
        echo "ok $n - $base(3): NAME lists$(printf ' %s' "$base" $(printf '%s' "$links" | tr ',' ' '))"
    else
        echo "not ok $n - $base(3): NAME does not list:$missing"
        status=1
    fi
done
exit $status
