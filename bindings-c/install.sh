#!/usr/bin/env bash
# Installs libhookbridge the way C libraries are installed on Linux:
#   LIBDIR/libhookbridge.so.X.Y.Z       the shared library (soname libhookbridge.so.X, set in build.rs)
#   LIBDIR/libhookbridge.so.X           symlink used by the loader at run time
#   LIBDIR/libhookbridge.so             symlink used by the linker (-lhookbridge)
#   LIBDIR/libhookbridge.a              the static library
#   LIBDIR/pkgconfig/hookbridge.pc      for `pkg-config --cflags --libs [--static] hookbridge`
#   INCLUDEDIR/hookbridge.h             the C header
#   INCLUDEDIR/hookbridge.hpp           the header-only C++ wrapper
#
# Usage: install.sh [--build-dir DIR] PREFIX        install (build first: make -C bindings-c PROFILE=release)
#        install.sh --uninstall PREFIX              remove those files again
#   --build-dir DIR  where the Makefile left the libraries (default <target>/hookbridge-c/release/lib)
#   DESTDIR          staging root prepended to every path (packagers); the .pc file still says PREFIX
#   LIBDIR, INCLUDEDIR  default PREFIX/lib and PREFIX/include
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VERSION="$("$ROOT/scripts/version.sh")"
MAJOR="${VERSION%%.*}"
# System libraries the static library needs (`cargo rustc -- --print native-static-libs`).
STATIC_DEPS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

build_dir="${CARGO_TARGET_DIR:-$ROOT/target}/hookbridge-c/release/lib"
uninstall=false
while [ $# -gt 1 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --uninstall) uninstall=true; shift ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { echo "usage: install.sh [--build-dir DIR] PREFIX | install.sh --uninstall PREFIX" >&2; exit 2; }
prefix="$1"
case "$prefix" in /*) ;; *) echo "install.sh: PREFIX must be an absolute path, got '$prefix'" >&2; exit 2 ;; esac
libdir="${LIBDIR:-$prefix/lib}"
includedir="${INCLUDEDIR:-$prefix/include}"
dest="${DESTDIR:-}"

shared="libhookbridge.so.$VERSION"
files=("$libdir/$shared" "$libdir/libhookbridge.so.$MAJOR" "$libdir/libhookbridge.so" "$libdir/libhookbridge.a"
  "$libdir/pkgconfig/hookbridge.pc" "$includedir/hookbridge.h" "$includedir/hookbridge.hpp")

if $uninstall; then
  for f in "${files[@]}"; do rm -f "$dest$f"; done
  echo "removed libhookbridge $VERSION from $dest$prefix"
  exit 0
fi

for f in "$shared" libhookbridge.a; do
  [ -f "$build_dir/$f" ] || { echo "install.sh: $build_dir/$f is missing (build it: make -C bindings-c PROFILE=release)" >&2; exit 1; }
done
install -d "$dest$libdir/pkgconfig" "$dest$includedir"
install -m 755 "$build_dir/$shared" "$dest$libdir/$shared"
ln -sfn "$shared" "$dest$libdir/libhookbridge.so.$MAJOR"
ln -sfn "libhookbridge.so.$MAJOR" "$dest$libdir/libhookbridge.so"
install -m 644 "$build_dir/libhookbridge.a" "$dest$libdir/libhookbridge.a"
install -m 644 "$HERE/include/hookbridge.h" "$HERE/include/hookbridge.hpp" "$dest$includedir/"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@LIBDIR@|$libdir|g" -e "s|@INCLUDEDIR@|$includedir|g" \
  -e "s|@VERSION@|$VERSION|g" -e "s|@STATIC_DEPS@|$STATIC_DEPS|g" \
  "$HERE/hookbridge.pc.in" > "$dest$libdir/pkgconfig/hookbridge.pc"
chmod 644 "$dest$libdir/pkgconfig/hookbridge.pc"
echo "installed libhookbridge $VERSION into $dest$prefix"
