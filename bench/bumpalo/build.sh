#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Builds the bumpalo benchmark peer (a Rust staticlib) offline, for meson.
#
#   build.sh CARGO SRCDIR WORKDIR REGISTRY OUTPUT
#
# CARGO     the cargo to run (rustc is taken from the same folder when there
#           is one there, so Debian's cargo uses Debian's rustc and rustup's
#           uses rustup's; an RUSTC already set wins)
# SRCDIR    this folder (Cargo.toml, src/lib.rs)
# WORKDIR   a folder in the build tree for the copy of the crate, cargo's
#           CARGO_HOME and its target folder
# REGISTRY  a folder of unpacked crates - Debian's librust-*-dev install them
#           in /usr/share/cargo/registry - that replaces crates.io
# OUTPUT    where to put libbench_bumpalo.a
#
# The crate is copied into WORKDIR and built there, so the Cargo.lock that
# cargo writes (whose format depends on cargo's version, and whose checksum
# is whatever the registry folder says) never lands in the source tree.
# CARGO_HOME is WORKDIR/cargo-home, so ~/.cargo and its config are neither
# read nor touched, and --offline keeps cargo off the network.
set -eu

if [ "$#" -ne 5 ]; then
    echo "usage: $0 CARGO SRCDIR WORKDIR REGISTRY OUTPUT" >&2
    exit 2
fi
cargo=$1
srcdir=$2
workdir=$3
registry=$4
output=$5

# Copies $1 to $2 unless it is already there, keeping cargo's fingerprints
# (mtimes) of unchanged files.
sync_file() {
    if ! cmp -s "$1" "$2"; then
        cp "$1" "$2"
    fi
}

mkdir -p "$workdir/crate/src" "$workdir/cargo-home"
sync_file "$srcdir/Cargo.toml" "$workdir/crate/Cargo.toml"
sync_file "$srcdir/src/lib.rs" "$workdir/crate/src/lib.rs"

config=$workdir/cargo-home/config.toml
cat > "$config.new" <<EOT
# Written by bench/bumpalo/build.sh: crates come only from $registry.
[source.crates-io]
replace-with = "local-registry-dir"

[source.local-registry-dir]
directory = "$registry"

[net]
offline = true
EOT
sync_file "$config.new" "$config"
rm -f "$config.new"

CARGO_HOME=$workdir/cargo-home
export CARGO_HOME
# Only what this script passes decides where cargo builds and puts things.
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET CARGO_BUILD_TARGET_DIR || true

case $cargo in
*/*) cargo_dir=${cargo%/*} ;;
*) cargo_dir= ;;
esac
if [ -z "${RUSTC:-}" ] && [ -n "$cargo_dir" ] && [ -x "$cargo_dir/rustc" ]; then
    RUSTC=$cargo_dir/rustc
    export RUSTC
fi

"$cargo" build --release --offline --quiet \
    --manifest-path "$workdir/crate/Cargo.toml" \
    --target-dir "$workdir/target"

cp "$workdir/target/release/libbench_bumpalo.a" "$output.tmp"
mv "$output.tmp" "$output"
