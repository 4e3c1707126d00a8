#!/usr/bin/env bash
# Builds libhookbridge_uniffi and generates the Swift package's sources from it (library mode):
#   Sources/HookBridge/HookBridge.swift          the client, errors and signing functions
#   Sources/HookBridge/HookBridgeCore.swift      the core's models, options and custom types
#   Sources/HookBridgeFFI/HookBridgeFFI.h        } the C headers the committed
#   Sources/HookBridgeFFI/HookBridgeCoreFFI.h    } module.modulemap names
# All are gitignored and never edited by hand. Also writes <target>/debug/pkgconfig/hookbridge_uniffi.pc,
# through which Package.swift links the library (set PKG_CONFIG_PATH to that folder).
#
# `./build.sh test` also builds hookbridge-server, starts it (--dev) and runs ./test.sh:
# swift build, swift test and the consumer package (needs a Swift toolchain and git on PATH).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../scripts/common.sh"

build_uniffi_library swift
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
generate_bindings swift "$OUT"
for f in HookBridge.swift HookBridgeCore.swift HookBridgeFFI.h HookBridgeCoreFFI.h; do
  [ -s "$OUT/$f" ] || { echo "uniffi-bindgen did not generate $f" >&2; exit 1; }
done
cp "$OUT/HookBridge.swift" "$OUT/HookBridgeCore.swift" "$HERE/Sources/HookBridge/"
cp "$OUT/HookBridgeFFI.h" "$OUT/HookBridgeCoreFFI.h" "$HERE/Sources/HookBridgeFFI/"
echo "generated Sources/HookBridge/{HookBridge,HookBridgeCore}.swift and Sources/HookBridgeFFI/{HookBridge,HookBridgeCore}FFI.h from $LIB_FILE"

# The pkg-config file SwiftPM reads for the HookBridgeFFI system library target.
LIB_DIR="$(dirname "$LIB_FILE")"
VERSION="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c \
  'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "hookbridge-uniffi"))')"
mkdir -p "$LIB_DIR/pkgconfig"
cat >"$LIB_DIR/pkgconfig/hookbridge_uniffi.pc" <<PC
libdir=$LIB_DIR

Name: hookbridge_uniffi
Description: HookBridge client (Rust core) exported through uniffi
Version: $VERSION
Libs: -L\${libdir} -lhookbridge_uniffi
Cflags:
PC
echo "wrote $LIB_DIR/pkgconfig/hookbridge_uniffi.pc"

if [ "${1:-}" = test ]; then
  command -v swift >/dev/null || { echo "swift test needs a Swift toolchain (swift not on PATH)" >&2; exit 1; }
  (cd "$ROOT" && cargo build -p hookbridge-server)
  source "$ROOT/scripts/setup.sh"
  start_dev_server
  trap 'rm -rf "$OUT"; kill "$SERVER_PID" 2>/dev/null' EXIT
  HOOKBRIDGE_LIB_DIR="$LIB_DIR" HOOKBRIDGE_SERVER_BIN="$LIB_DIR/hookbridge-server" \
    HOOKBRIDGE_SERVER_URL="$SERVER_URL" HOOKBRIDGE_API_KEY="$SERVER_KEY" bash "$HERE/test.sh"
fi
