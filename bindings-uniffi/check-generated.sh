#!/usr/bin/env bash
# CI check of the uniffi bindings: rebuilds the library, regenerates the Kotlin sources (into a
# temporary folder) and the Swift package sources (into swift/, via swift/build.sh), and checks
#   1. generation succeeds and yields exactly the expected files;
#   2. every operation of the core client (`pub async fn` in core/src/api/*.rs) is exported as a
#      Kotlin `suspend fun` and a Swift `async throws` method, and the signing functions exist;
#   3. the committed Swift module map names the generated header and FFI module;
#   4. no generated file is committed (they are all gitignored), so nothing can drift;
#   5. Package.swift links through pkg-config, with no unsafe flags (a package with them cannot be
#      a dependency; tests/swift-consumer proves the real thing in the Swift test stage);
#   6. with a Swift toolchain on PATH, the package also builds (`swift build`).
# Ends with "check-generated: N passed, M failed"; exits non-zero on any failure.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/scripts/common.sh"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok:   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }

"$HERE/swift/build.sh"
KOTLIN_OUT="$(mktemp -d)"
trap 'rm -rf "$KOTLIN_OUT"' EXIT
generate_bindings kotlin "$KOTLIN_OUT"

KOTLIN_FILE="$KOTLIN_OUT/io/hookbridge/hookbridge_uniffi.kt"
KOTLIN_CORE_FILE="$KOTLIN_OUT/io/hookbridge/models/hookbridge.kt"
SWIFT_FILE="$HERE/swift/Sources/HookBridge/HookBridge.swift"
SWIFT_CORE_FILE="$HERE/swift/Sources/HookBridge/HookBridgeCore.swift"
HEADER_FILE="$HERE/swift/Sources/HookBridgeFFI/HookBridgeFFI.h"
CORE_HEADER_FILE="$HERE/swift/Sources/HookBridgeFFI/HookBridgeCoreFFI.h"
MODULE_MAP="$HERE/swift/Sources/HookBridgeFFI/module.modulemap"

# 1. The generated files, and nothing else.
kotlin_files="$(cd "$KOTLIN_OUT" && find . -type f | sort | tr '\n' ' ')"
expected_kotlin="./io/hookbridge/hookbridge_uniffi.kt ./io/hookbridge/models/hookbridge.kt "
if [ "$kotlin_files" = "$expected_kotlin" ] && [ -s "$KOTLIN_FILE" ] && [ -s "$KOTLIN_CORE_FILE" ]; then
  pass "Kotlin generated: io/hookbridge/hookbridge_uniffi.kt and io/hookbridge/models/hookbridge.kt"
else
  fail "Kotlin generation produced [$kotlin_files], expected [$expected_kotlin]"
fi
if [ -s "$SWIFT_FILE" ] && [ -s "$SWIFT_CORE_FILE" ] && [ -s "$HEADER_FILE" ] && [ -s "$CORE_HEADER_FILE" ]; then
  pass "Swift generated: HookBridge.swift, HookBridgeCore.swift and their FFI headers"
else
  fail "Swift generation did not produce HookBridge.swift, HookBridgeCore.swift, HookBridgeFFI.h and HookBridgeCoreFFI.h"
fi

# The models are the core's own: the binding's sources declare none, and every core model and
# option struct reaches both languages (a model added to the core cannot be forgotten here).
# Records only: tuple structs such as JsonValue are custom types (lowered to UTF-8 JSON bytes).
core_types="$(sed -n 's/^pub struct \([A-Za-z]*\) {.*/\1/p' "$ROOT"/core/src/models/*.rs | sort -u)"
core_types="$core_types $(grep -h -A3 'derive(uniffi::Record)' "$ROOT"/core/src/api/*.rs | sed -n 's/^pub struct \([A-Za-z]*\).*/\1/p')"
missing=""
for type in $core_types; do
  grep -q "^data class $type (" "$KOTLIN_CORE_FILE" || missing="$missing kotlin:$type"
  grep -q "^public struct $type[: ]" "$SWIFT_CORE_FILE" || missing="$missing swift:$type"
done
restated="$(grep -rln 'uniffi::Record' "$HERE/src" || true)"
if [ -z "$missing" ] && [ -z "$restated" ]; then
  pass "every core model and option record is generated from the core ($(echo $core_types | wc -w) types), none restated"
else
  fail "core types missing:$missing; records restated in: $restated"
fi

# 2. Every core operation is exported to both languages.
operations="$(sed -n 's/^ *pub async fn \([a-z_0-9]*\).*/\1/p' "$ROOT"/core/src/api/*.rs | sort -u)"
count="$(echo "$operations" | wc -l)"
missing=""
for op in $operations; do
  camel="$(echo "$op" | sed -E 's/_([a-z0-9])/\U\1/g')"
  grep -q "suspend fun \`$camel\`(" "$KOTLIN_FILE" || missing="$missing kotlin:$camel"
  grep -Eq "open func $camel\(.*\) ?async throws" "$SWIFT_FILE" || missing="$missing swift:$camel"
done
if [ -z "$missing" ] && [ "$count" -ge 50 ]; then
  pass "all $count core operations are async in Kotlin and Swift"
else
  fail "operations not exported ($count in core):$missing"
fi
missing=""
for fn in signWebhook verifyWebhook webhookSignatureHeader signStandardWebhook verifyStandardWebhook; do
  grep -q "fun \`$fn\`(" "$KOTLIN_FILE" || missing="$missing kotlin:$fn"
  grep -q "public func $fn(" "$SWIFT_FILE" || missing="$missing swift:$fn"
done
[ -z "$missing" ] && pass "signing functions exported" || fail "signing functions missing:$missing"

# 3. The committed module map matches what uniffi generated.
if grep -q '^module HookBridgeFFI {' "$MODULE_MAP" && grep -q 'header "HookBridgeFFI.h"' "$MODULE_MAP" \
  && grep -q 'header "HookBridgeCoreFFI.h"' "$MODULE_MAP" \
  && grep -q '^#if canImport(HookBridgeFFI)' "$SWIFT_FILE" && grep -q '^#if canImport(HookBridgeFFI)' "$SWIFT_CORE_FILE"; then
  pass "module.modulemap names the generated header and FFI module"
else
  fail "module.modulemap and the generated Swift disagree on the FFI module or header name"
fi

# 4. Generated files are ignored and none is committed.
tracked="$(cd "$ROOT" && git ls-files -- "$SWIFT_FILE" "$SWIFT_CORE_FILE" "$HEADER_FILE" "$CORE_HEADER_FILE" "$HERE/kotlin/target")"
if [ -z "$tracked" ] && (cd "$ROOT" && for f in "$SWIFT_FILE" "$SWIFT_CORE_FILE" "$HEADER_FILE" "$CORE_HEADER_FILE"; do
  git check-ignore -q "$f" || exit 1; done); then
  pass "generated sources are gitignored and not committed"
else
  fail "generated sources are committed or not ignored: $tracked"
fi

# 5. Usable as a dependency: no unsafe flags, the library found through pkg-config.
PACKAGE_FILE="$HERE/swift/Package.swift"
if ! grep -q unsafeFlags "$PACKAGE_FILE" && grep -q 'pkgConfig: "hookbridge_uniffi"' "$PACKAGE_FILE" \
  && [ -s "$TARGET_DIR/debug/pkgconfig/hookbridge_uniffi.pc" ]; then
  pass "Package.swift links through pkg-config (hookbridge_uniffi.pc written), no unsafeFlags"
else
  fail "Package.swift uses unsafeFlags or no pkg-config, or build.sh wrote no hookbridge_uniffi.pc"
fi

# 6. The Swift package builds where a toolchain exists.
if command -v swift >/dev/null; then
  if (cd "$HERE/swift" && PKG_CONFIG_PATH="$TARGET_DIR/debug/pkgconfig" swift build); then
    pass "swift build"
  else
    fail "swift build"
  fi
else
  echo "skip: swift build (no Swift toolchain on PATH)"
fi

echo "check-generated: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
