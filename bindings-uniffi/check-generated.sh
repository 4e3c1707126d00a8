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
SWIFT_FILE="$HERE/swift/Sources/HookBridge/HookBridge.swift"
HEADER_FILE="$HERE/swift/Sources/HookBridgeFFI/HookBridgeFFI.h"
MODULE_MAP="$HERE/swift/Sources/HookBridgeFFI/module.modulemap"

# 1. The generated files, and nothing else.
kotlin_files="$(cd "$KOTLIN_OUT" && find . -type f | sort | tr '\n' ' ')"
if [ "$kotlin_files" = "./io/hookbridge/hookbridge_uniffi.kt " ] && [ -s "$KOTLIN_FILE" ]; then
  pass "Kotlin generated: io/hookbridge/hookbridge_uniffi.kt"
else
  fail "Kotlin generation produced [$kotlin_files], expected ./io/hookbridge/hookbridge_uniffi.kt"
fi
if [ -s "$SWIFT_FILE" ] && [ -s "$HEADER_FILE" ]; then
  pass "Swift generated: HookBridge.swift and HookBridgeFFI.h"
else
  fail "Swift generation did not produce HookBridge.swift and HookBridgeFFI.h"
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
for fn in signWebhook verifyWebhook webhookSignatureHeader; do
  grep -q "fun \`$fn\`(" "$KOTLIN_FILE" || missing="$missing kotlin:$fn"
  grep -q "public func $fn(" "$SWIFT_FILE" || missing="$missing swift:$fn"
done
[ -z "$missing" ] && pass "signing functions exported" || fail "signing functions missing:$missing"

# 3. The committed module map matches what uniffi generated.
if grep -q '^module HookBridgeFFI {' "$MODULE_MAP" && grep -q 'header "HookBridgeFFI.h"' "$MODULE_MAP" \
  && grep -q '^#if canImport(HookBridgeFFI)' "$SWIFT_FILE"; then
  pass "module.modulemap names the generated header and FFI module"
else
  fail "module.modulemap and the generated Swift disagree on the FFI module or header name"
fi

# 4. Generated files are ignored and none is committed.
tracked="$(cd "$ROOT" && git ls-files -- "$SWIFT_FILE" "$HEADER_FILE" "$HERE/kotlin/target")"
if [ -z "$tracked" ] && (cd "$ROOT" && git check-ignore -q "$SWIFT_FILE" && git check-ignore -q "$HEADER_FILE"); then
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
