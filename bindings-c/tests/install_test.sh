#!/usr/bin/env bash
# The install test (`make -C bindings-c test-install`, part of `make test`): installs the built
# library with install.sh into temporary prefixes and checks, as a user of the installed copy would:
#   - the file layout: libhookbridge.so.X.Y.Z, the symlinks .so.X -> .so.X.Y.Z and .so -> .so.X,
#     libhookbridge.a, hookbridge.h and hookbridge.hpp side by side, lib/pkgconfig/hookbridge.pc;
#   - `readelf -d` shows the soname libhookbridge.so.X, and a program linked with -lhookbridge
#     records that name (NEEDED) and loads it from the prefix;
#   - a C program built with `pkg-config --cflags --libs hookbridge` runs, and its version macros
#     (HB_VERSION_*) equal hb_version() (tests/install_app.c); pkg-config reports the same version;
#   - the same program linked statically (`pkg-config --static`) needs no libhookbridge.so;
#   - a C++ program using the installed hookbridge.hpp builds and runs (tests/install_app.cpp);
#   - DESTDIR stages every file under it while the .pc file names the final prefix;
#   - --uninstall removes every installed file.
# Environment: HB_BUILD_DIR (the Makefile's lib folder), CC, CXX.
# Ends with "install_test: N passed, M failed".
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
C_DIR="$(cd "$HERE/.." && pwd)"
: "${HB_BUILD_DIR:?}"
CC="${CC:-cc}"
CXX="${CXX:-c++}"
VERSION="$("$C_DIR/../scripts/version.sh")"
MAJOR="${VERSION%%.*}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@" >"$WORK/out" 2>&1; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; sed 's/^/  /' "$WORK/out"; fi
}

prefix="$WORK/prefix"
lib="$prefix/lib"
check "install.sh installs into $prefix" "$C_DIR/install.sh" --build-dir "$HB_BUILD_DIR" "$prefix"

layout() {
  [ -f "$lib/libhookbridge.so.$VERSION" ] && [ ! -L "$lib/libhookbridge.so.$VERSION" ] &&
  [ "$(readlink "$lib/libhookbridge.so.$MAJOR")" = "libhookbridge.so.$VERSION" ] &&
  [ "$(readlink "$lib/libhookbridge.so")" = "libhookbridge.so.$MAJOR" ] &&
  [ -f "$lib/libhookbridge.a" ] && [ -f "$lib/pkgconfig/hookbridge.pc" ] &&
  [ -f "$prefix/include/hookbridge.h" ] && [ -f "$prefix/include/hookbridge.hpp" ] &&
  [ "$(stat -c %a "$lib/libhookbridge.so.$VERSION")" = 755 ] || { find "$prefix" -ls; return 1; }
}
check "layout: .so.$VERSION, symlinks .so.$MAJOR and .so, .a, .pc, hookbridge.h and hookbridge.hpp" layout

# Each listing is read whole before grep -q looks at it: grep -q stops at the first match, and under
# pipefail the writer it leaves behind would fail the pipeline on SIGPIPE, now and then.
soname() {
  local d; d="$(readelf -d "$lib/libhookbridge.so.$VERSION")" || return 1
  echo "$d" >&2
  grep -q "(SONAME).*\[libhookbridge.so.$MAJOR\]" <<< "$d"
}
check "readelf -d: SONAME is libhookbridge.so.$MAJOR" soname

export PKG_CONFIG_PATH="$lib/pkgconfig"
check "pkg-config --modversion hookbridge is $VERSION" test "$(pkg-config --modversion hookbridge)" = "$VERSION"

shared_app() {
  # shellcheck disable=SC2046 # pkg-config output is meant to be split into words
  "$CC" -std=c11 -Wall -Wextra -Werror "$HERE/install_app.c" -o "$WORK/app" $(pkg-config --cflags --libs hookbridge) \
    -Wl,-rpath,"$lib" &&
  grep -q "(NEEDED).*\[libhookbridge.so.$MAJOR\]" <<< "$(readelf -d "$WORK/app")" &&
  grep -q "libhookbridge.so.$MAJOR => $lib/libhookbridge.so.$MAJOR" <<< "$(ldd "$WORK/app")" &&
  "$WORK/app"
}
check "C program built with pkg-config --cflags --libs: NEEDED libhookbridge.so.$MAJOR, version macros = hb_version()" shared_app

static_app() {
  # Only the archive is offered to the linker, so nothing can pick the shared library.
  mkdir -p "$WORK/static" && cp "$lib/libhookbridge.a" "$WORK/static/" &&
  # shellcheck disable=SC2046
  "$CC" -std=c11 -Wall -Wextra -Werror "$HERE/install_app.c" -o "$WORK/app_static" $(pkg-config --cflags hookbridge) \
    -L"$WORK/static" $(pkg-config --static --libs-only-l hookbridge) &&
  local d; d="$(readelf -d "$WORK/app_static")" && ! grep -q "libhookbridge" <<< "$d" &&
  "$WORK/app_static"
}
check "C program linked statically with pkg-config --static: no libhookbridge.so needed" static_app

cpp_app() {
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 -Wall -Wextra -Werror "$HERE/install_app.cpp" -o "$WORK/app_cpp" $(pkg-config --cflags --libs hookbridge) \
    -Wl,-rpath,"$lib" && "$WORK/app_cpp"
}
check "C++ program with the installed hookbridge.hpp" cpp_app

staged() {
  DESTDIR="$WORK/stage" "$C_DIR/install.sh" --build-dir "$HB_BUILD_DIR" /opt/hookbridge &&
  [ -f "$WORK/stage/opt/hookbridge/lib/libhookbridge.so.$VERSION" ] && [ -f "$WORK/stage/opt/hookbridge/include/hookbridge.hpp" ] &&
  grep -qx "prefix=/opt/hookbridge" "$WORK/stage/opt/hookbridge/lib/pkgconfig/hookbridge.pc" && [ ! -e /opt/hookbridge/lib/libhookbridge.so.$VERSION ]
}
check "DESTDIR stages under it; the .pc file names the final prefix" staged

uninstalled() {
  "$C_DIR/install.sh" --uninstall "$prefix" && [ -z "$(find "$prefix" -type f -o -type l)" ] || { find "$prefix"; return 1; }
}
check "--uninstall removes every installed file" uninstalled

echo "install_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
