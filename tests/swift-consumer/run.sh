#!/usr/bin/env bash
# Proves the HookBridge Swift package works as a dependency of another package: copies it
# (generated sources included) into a temporary git repository, tags it 0.1.0, and builds and
# runs this consumer package, which requires it by `file://` URL `from: "0.1.0"` (SwiftPM
# rejects unsafe build flags in such a dependency, unlike a path dependency). The consumer signs
# and verifies a webhook and makes one API call against HOOKBRIDGE_SERVER_URL.
# Usage: run.sh SWIFT_PACKAGE_DIR   (Swift and git on PATH; PKG_CONFIG_PATH finds
#        hookbridge_uniffi.pc and the loader finds the library, as bindings-uniffi/swift/test.sh sets)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PACKAGE="$(cd "${1:?usage: run.sh SWIFT_PACKAGE_DIR}" && pwd)"
: "${HOOKBRIDGE_SERVER_URL:?}" "${HOOKBRIDGE_API_KEY:?}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The dependency: a git repository holding the package as it would be published.
REPO="$WORK/hookbridge-swift"
mkdir "$REPO"
tar -C "$PACKAGE" --exclude=./.build --exclude=./.swiftpm --exclude=./Package.resolved -cf - . | tar -C "$REPO" -xf -
git -C "$REPO" init -q
git -C "$REPO" add -A
git -C "$REPO" add -f Sources/HookBridge/HookBridge.swift Sources/HookBridge/HookBridgeCore.swift \
  Sources/HookBridgeFFI/HookBridgeFFI.h Sources/HookBridgeFFI/HookBridgeCoreFFI.h
git -C "$REPO" -c user.name=HookBridge -c user.email=dev@hookbridge.invalid commit -q -m "HookBridge Swift package"
git -C "$REPO" tag 0.1.0

# The consumer, outside the checkout so every run resolves the dependency from scratch.
CONSUMER="$WORK/consumer"
mkdir "$CONSUMER"
cp -r "$HERE/Package.swift" "$HERE/Sources" "$CONSUMER/"
export HOOKBRIDGE_PACKAGE_URL="file://$REPO"
(cd "$CONSUMER" && swift build)
grep -q '"version" : "0.1.0"' "$CONSUMER/Package.resolved" \
  || { echo "the consumer did not resolve HookBridge at version 0.1.0:" >&2; cat "$CONSUMER/Package.resolved" >&2; exit 1; }
output="$(cd "$CONSUMER" && "$(swift build --show-bin-path)/Consumer")"
echo "$output"
[ "$(echo "$output" | tail -n 1)" = "consumer: ok" ] || { echo "the consumer did not finish" >&2; exit 1; }
