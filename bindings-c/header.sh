#!/usr/bin/env bash
# Generates the C header with cbindgen into the file named by $1 (used by `make header`, which
# writes include/hookbridge.h, and `make check-header`, which compares a fresh one with it).
#
# The header is cbindgen's output for bindings-c/src with cbindgen.toml, plus the compile-time
# version macros HB_VERSION_MAJOR/MINOR/PATCH and HB_VERSION_STRING, written from the workspace
# version (scripts/version.sh) so that a version bump makes the committed header stale.
#   CBINDGEN   the cbindgen binary (the Makefile passes its pinned one)
set -euo pipefail
out="${1:?usage: header.sh OUTPUT}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$("$HERE/../scripts/version.sh")"
IFS=. read -r major minor patch <<< "$version"

config="$(mktemp)"
trap 'rm -f "$config"' EXIT
# A top-level key must come before cbindgen.toml's first [table], so it goes first.
cat > "$config" <<TOML
after_includes = """

/** The version of this header (the library's is hb_version(); they match when both come from one
 * installation). For compile-time checks, e.g. #if HB_VERSION_MAJOR == 0 && HB_VERSION_MINOR < 2 */
#define HB_VERSION_MAJOR $major
#define HB_VERSION_MINOR $minor
#define HB_VERSION_PATCH $patch
#define HB_VERSION_STRING "$version\""""
TOML
cat "$HERE/cbindgen.toml" >> "$config"
cd "$HERE"
"${CBINDGEN:?set CBINDGEN to the cbindgen binary}" --quiet --config "$config" --crate hookbridge-c --output "$out" .
