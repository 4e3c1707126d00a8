#!/usr/bin/env bash
# Checks what `build.sh package` (or `verify`) produced against what Maven Central requires:
# the jar (classes + the bundled native library), a sources jar (the generated Kotlin, no native
# library), a javadoc jar (valid, holding the README of src/javadoc), and a POM inside the jar
# with the workspace version, the MIT license, developers and scm.
# Ends with "check-package: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="$("$HERE/../../scripts/version.sh")"
T="$HERE/target"
JAR="$T/hookbridge-kotlin-$VERSION.jar"
SOURCES="$T/hookbridge-kotlin-$VERSION-sources.jar"
JAVADOC="$T/hookbridge-kotlin-$VERSION-javadoc.jar"
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
main_jar() {
  local l; l="$(unzip -Z1 "$JAR")" || return 1
  grep -q '^io/hookbridge/HookBridgeClient.class$' <<< "$l" && grep -q 'libhookbridge_uniffi' <<< "$l"
}
sources_jar() {
  local l; l="$(unzip -Z1 "$SOURCES")" || return 1
  grep -q '^io/hookbridge/hookbridge_uniffi.kt$' <<< "$l" && grep -q '^io/hookbridge/models/hookbridge.kt$' <<< "$l" &&
    ! grep -q 'libhookbridge_uniffi' <<< "$l"
}
# The listing is read whole before grep -q looks at it: piped, grep -q stops at the first match and
# pipefail fails the pipeline when unzip then dies of SIGPIPE (it did, once, in CI).
javadoc_jar() {
  local l; unzip -tq "$JAVADOC" >/dev/null && l="$(unzip -Z1 "$JAVADOC")" || return 1
  grep -q '^README.md$' <<< "$l"
}
pom() {
  local p; p="$(unzip -p "$JAR" META-INF/maven/io.hookbridge/hookbridge-kotlin/pom.xml)" || return 1
  grep -q "<version>$VERSION</version>" <<< "$p" && grep -q '<name>MIT</name>' <<< "$p" &&
    grep -q '<developers>' <<< "$p" && grep -q '<connection>scm:git:' <<< "$p"
}
check "jar has the client class and the native library" main_jar
check "sources jar has the generated Kotlin and no native library" sources_jar
check "javadoc jar is a valid jar with the README" javadoc_jar
check "POM in the jar: version $VERSION, MIT license, developers, scm" pom

echo "check-package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
