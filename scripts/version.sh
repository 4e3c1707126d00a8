#!/usr/bin/env bash
# The one version of HookBridge: `[workspace.package] version` in the root Cargo.toml. Every
# crate inherits it (`version.workspace = true`); the C library's hb_version() and version macros,
# the Kotlin POM and every binding's User-Agent are built or checked from it.
#   scripts/version.sh            prints it (e.g. 0.1.0)
#   scripts/version.sh --check    fails when a file that restates it (the Kotlin POM) differs
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# `version = "..."` inside [workspace.package], wherever the section is in the file.
version="$(awk '
  /^\[/ { in_section = ($0 == "[workspace.package]") }
  in_section && /^version *= *"/ { sub(/^version *= *"/, ""); sub(/".*/, ""); print; exit }
' "$ROOT/Cargo.toml")"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "version.sh: no MAJOR.MINOR.PATCH version in [workspace.package] of $ROOT/Cargo.toml (got '$version')" >&2
  exit 1
fi

if [ "${1:-}" != "--check" ]; then
  echo "$version"
  exit 0
fi

# The POM's own <version> (the first one after <artifactId>hookbridge-kotlin</artifactId>).
pom="$ROOT/bindings-uniffi/kotlin/pom.xml"
pom_version="$(awk '/<artifactId>hookbridge-kotlin<\/artifactId>/ { found = 1; next }
  found && /<version>/ { sub(/.*<version>/, ""); sub(/<\/version>.*/, ""); print; exit }' "$pom")"
if [ "$pom_version" != "$version" ]; then
  echo "version drift: bindings-uniffi/kotlin/pom.xml has $pom_version, Cargo.toml [workspace.package] has $version" >&2
  echo "set <version>$version</version> in the POM" >&2
  exit 1
fi
echo "version $version: Cargo.toml and the Kotlin POM agree"
