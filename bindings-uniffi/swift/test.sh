#!/usr/bin/env bash
# Runs the Swift checks with a Swift toolchain and git on PATH, after ./build.sh (it built
# libhookbridge_uniffi, generated the sources and wrote hookbridge_uniffi.pc). No cargo needed,
# so it also runs inside the chroot of scripts/swift-chroot.sh:
#   1. `swift build` and `swift test` of this package (the XCTest cases start their own
#      hookbridge-server from HOOKBRIDGE_SERVER_BIN);
#   2. tests/swift-consumer: a package that depends on this one as a tagged git dependency,
#      built and run against the server at HOOKBRIDGE_SERVER_URL with HOOKBRIDGE_API_KEY.
#
#   HOOKBRIDGE_LIB_DIR     folder of libhookbridge_uniffi and pkgconfig/ (default <repo>/target/debug)
#   HOOKBRIDGE_SERVER_BIN  hookbridge-server for the XCTest cases (default <lib dir>/hookbridge-server)
#   HOOKBRIDGE_SERVER_URL, HOOKBRIDGE_API_KEY   a running `hookbridge-server --dev` for the consumer
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export HOOKBRIDGE_LIB_DIR="${HOOKBRIDGE_LIB_DIR:-$ROOT/target/debug}"
export HOOKBRIDGE_SERVER_BIN="${HOOKBRIDGE_SERVER_BIN:-$HOOKBRIDGE_LIB_DIR/hookbridge-server}"
: "${HOOKBRIDGE_SERVER_URL:?set HOOKBRIDGE_SERVER_URL to a running hookbridge-server --dev}"
: "${HOOKBRIDGE_API_KEY:?set HOOKBRIDGE_API_KEY to that server API key}"
# SwiftPM finds the library through the pkg-config file build.sh wrote (no unsafe flags), and the
# programs it builds load it from the same folder.
export PKG_CONFIG_PATH="$HOOKBRIDGE_LIB_DIR/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$HOOKBRIDGE_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DYLD_LIBRARY_PATH="$HOOKBRIDGE_LIB_DIR${DYLD_LIBRARY_PATH:+:$DYLD_LIBRARY_PATH}"

for f in Sources/HookBridge/HookBridge.swift Sources/HookBridge/HookBridgeCore.swift Sources/HookBridgeFFI/HookBridgeFFI.h Sources/HookBridgeFFI/HookBridgeCoreFFI.h; do
  [ -s "$HERE/$f" ] || { echo "$f is missing: run bindings-uniffi/swift/build.sh first" >&2; exit 1; }
done
[ -s "$HOOKBRIDGE_LIB_DIR/pkgconfig/hookbridge_uniffi.pc" ] \
  || { echo "$HOOKBRIDGE_LIB_DIR/pkgconfig/hookbridge_uniffi.pc is missing: run build.sh first" >&2; exit 1; }

echo "==> swift build"
(cd "$HERE" && swift build)
echo "==> swift test"
(cd "$HERE" && swift test)
echo "==> consumer package (tagged git dependency)"
bash "$ROOT/tests/swift-consumer/run.sh" "$HERE"
