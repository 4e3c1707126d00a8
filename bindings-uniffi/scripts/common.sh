# Shared by the uniffi build scripts (source it; bash only).
# Sets ROOT (repository root), TARGET_DIR (cargo's target directory), LIB_FILE (the built cdylib)
# and JNA_PREFIX (JNA's resource folder for this platform), and defines:
#   build_uniffi_library L - builds the cdylib for language L (kotlin|swift: its User-Agent names
#                            it) and the uniffi-bindgen binary (dev profile)
#   generate_bindings L D  - library-mode generation of language L (kotlin|swift) into folder D

UNIFFI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$UNIFFI_DIR/.." && pwd)"
TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) JNA_PREFIX=linux-x86-64; LIB_EXT=so ;;
  Linux-aarch64) JNA_PREFIX=linux-aarch64; LIB_EXT=so ;;
  Darwin-x86_64) JNA_PREFIX=darwin-x86-64; LIB_EXT=dylib ;;
  Darwin-arm64) JNA_PREFIX=darwin-aarch64; LIB_EXT=dylib ;;
  *) echo "unsupported platform $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
LIB_FILE="$TARGET_DIR/debug/libhookbridge_uniffi.$LIB_EXT"
BINDGEN="$TARGET_DIR/debug/uniffi-bindgen"

build_uniffi_library() {
  local language="$1"
  case "$language" in kotlin|swift) ;; *) echo "build_uniffi_library: kotlin or swift, not '$language'" >&2; return 1 ;; esac
  # One build with the generator feature on, so the library and the generator share one
  # feature set and a later plain build does not relink the library for nothing.
  (cd "$ROOT" && cargo build -p hookbridge-uniffi --features "bindgen-cli $language" --lib --bin uniffi-bindgen)
}

generate_bindings() {
  local language="$1" out_dir="$2"
  rm -rf "$out_dir"
  mkdir -p "$out_dir"
  # Library mode reads the metadata embedded in the cdylib and uniffi.toml via `cargo metadata`,
  # so it runs from inside the workspace.
  (cd "$ROOT" && "$BINDGEN" generate "$LIB_FILE" --language "$language" --out-dir "$out_dir" --no-format)
}
