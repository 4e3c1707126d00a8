#!/usr/bin/env bash
# Builds the Rust library, generates the Kotlin bindings into target/generated-sources/uniffi,
# bundles the native library as a classpath resource (target/native/<jna-prefix>/) and runs
# Maven in batch mode (default goal: test; pass other goals, e.g. `./build.sh package`, to override).
#
# The JUnit tests start `hookbridge-server --dev`; it is built here too unless
# HOOKBRIDGE_SERVER_BIN names a binary to use instead.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../scripts/common.sh"

# The POM's <version> must be the workspace version (Cargo.toml), the one source of versions.
"$ROOT/scripts/version.sh" --check
build_uniffi_library kotlin
if [ -n "${HOOKBRIDGE_SERVER_BIN:-}" ]; then
  SERVER_BIN="$HOOKBRIDGE_SERVER_BIN"
else
  (cd "$ROOT" && cargo build -p hookbridge-server)
  SERVER_BIN="$TARGET_DIR/debug/hookbridge-server"
fi

generate_bindings kotlin "$HERE/target/generated-sources/uniffi"
rm -rf "$HERE/target/native"
mkdir -p "$HERE/target/native/$JNA_PREFIX"
cp "$LIB_FILE" "$HERE/target/native/$JNA_PREFIX/"

cd "$HERE"
if [ "$#" -eq 0 ]; then set -- test; fi
mvn -B -ntp -Dhb.serverBin="$SERVER_BIN" "$@"
