#!/usr/bin/env bash
# Builds libhookbridge_uniffi and generates the Swift package's sources from it (library mode):
#   Sources/HookBridge/HookBridge.swift    the Swift API
#   Sources/HookBridgeFFI/HookBridgeFFI.h  the C header the committed module.modulemap names
# Both are gitignored and never edited by hand.
#
# `./build.sh test` also builds hookbridge-server and runs `swift test` (needs a Swift toolchain).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../scripts/common.sh"

build_uniffi_library
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
generate_bindings swift "$OUT"
for f in HookBridge.swift HookBridgeFFI.h; do
  [ -s "$OUT/$f" ] || { echo "uniffi-bindgen did not generate $f" >&2; exit 1; }
done
cp "$OUT/HookBridge.swift" "$HERE/Sources/HookBridge/HookBridge.swift"
cp "$OUT/HookBridgeFFI.h" "$HERE/Sources/HookBridgeFFI/HookBridgeFFI.h"
echo "generated Sources/HookBridge/HookBridge.swift and Sources/HookBridgeFFI/HookBridgeFFI.h from $LIB_FILE"

if [ "${1:-}" = test ]; then
  command -v swift >/dev/null || { echo "swift test needs a Swift toolchain (swift not on PATH)" >&2; exit 1; }
  (cd "$ROOT" && cargo build -p hookbridge-server)
  cd "$HERE"
  HOOKBRIDGE_LIB_DIR="$TARGET_DIR/debug" HOOKBRIDGE_SERVER_BIN="$TARGET_DIR/debug/hookbridge-server" swift test
fi
