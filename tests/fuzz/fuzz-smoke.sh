#!/bin/sh
# fuzz-smoke.sh FUZZER RUNS SCRATCH CORPUS: a short, deterministic libFuzzer
# run (fixed seed and number of inputs, not wall time) that starts from the
# seed corpus CORPUS, which it only reads. New inputs go to SCRATCH,
# emptied first; a crash reproducer is written next to it (crash-*) and
# the run fails.
set -eu
fuzzer=$1
runs=$2
scratch=$3
corpus=$4
case $scratch in
    */fuzz-smoke-corpus) ;;
    *) echo "fuzz-smoke.sh: refusing to empty $scratch" >&2; exit 2 ;;
esac
rm -rf -- "$scratch"
mkdir -p -- "$scratch"
# libFuzzer's own exit codes for a crash or a timeout are 77 and 70; 77
# means "skipped" to meson, so both are 1 here. One input taking 25 s is a
# hang.
exec "$fuzzer" -runs="$runs" -seed=1 -max_len=512 -timeout=25 \
    -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
    -artifact_prefix="$(dirname -- "$scratch")/" "$scratch" "$corpus"
