#!/usr/bin/env bash
# Runs the Swift package's tests (bindings-uniffi/swift/test.sh) on a Debian host that has no
# Swift toolchain: Swift comes from Debian trixie's `swiftlang` package, installed once into a
# debootstrap chroot kept outside the checkout and reused by later runs. Needs root (debootstrap,
# mount, chroot). Called by `scripts/test.sh swift`, after bindings-uniffi/swift/build.sh and
# `cargo build -p hookbridge-server` (the chroot runs the host-built library and server unchanged).
#
#   HB_CACHE_ROOT     where the chroot lives, as <HB_CACHE_ROOT>/swift-trixie
#                     (default /var/cache/hookbridge: outside the clone, so fresh clones reuse it)
#   HB_DEBIAN_MIRROR  the Debian mirror for debootstrap (default: the first non-security URI of
#                     the machine's own apt sources)
#
# The chroot is complete only when its stamp file holds the current recipe; a half-built one (an
# interrupted run) is removed and built again. Everything is mounted in a private mount namespace
# (so a crash cannot leave mounts behind on the host) and unmounted on every exit path.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$ROOT/bindings-uniffi/scripts/common.sh"

CACHE_ROOT="${HB_CACHE_ROOT:-/var/cache/hookbridge}"
CHROOT="$CACHE_ROOT/swift-trixie"
STAMP=".hookbridge-chroot-complete"
# Bump when the packages below change: a chroot with another recipe in its stamp is rebuilt.
RECIPE="trixie minbase; swiftlang git pkgconf ca-certificates"
PACKAGES=(swiftlang git pkgconf ca-certificates)

[ "$(id -u)" = 0 ] || { echo "swift-chroot.sh needs root (debootstrap, mount, chroot)" >&2; exit 1; }

# Every mount point at or below $1, deepest first (as the kernel lists them in this namespace).
mounts_under() {
  awk -v dir="$1" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# Unmounts whatever is mounted at or below $1 (stale mounts of a crashed run included).
unmount_under() {
  local mount_point
  for mount_point in $(mounts_under "$1"); do
    umount "$mount_point" 2>/dev/null || umount -l "$mount_point"
  done
  if [ -n "$(mounts_under "$1")" ]; then
    echo "still mounted under $1:" >&2
    mounts_under "$1" >&2
    return 1
  fi
}

# Deletes a chroot directory, never through a mount into it (the checkout is bind-mounted there
# during a run): unmount first, then refuse to cross file systems.
remove_tree() {
  [ -e "$1" ] || return 0
  unmount_under "$1"
  rm -rf --one-file-system "$1"
}

# The first non-security Debian URI of the machine's apt sources (deb822 or one-line format).
debian_mirror() {
  if [ -n "${HB_DEBIAN_MIRROR:-}" ]; then echo "$HB_DEBIAN_MIRROR"; return; fi
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
      /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) {
      if ($i !~ /security/) { print $i; exit } else break } }' /etc/apt/sources.list)"
  fi
  [ -n "$uri" ] || { echo "no Debian mirror in the apt sources; set HB_DEBIAN_MIRROR" >&2; return 1; }
  echo "$uri"
}

# Mounts /proc and /dev into the chroot at $1 (for apt, swift and the server).
mount_system() {
  mount -t proc proc "$1/proc"
  mount --rbind /dev "$1/dev"
}

# Bind-mounts host directory $2 at the same path inside the chroot at $1.
mount_same_path() {
  mkdir -p "$1$2"
  mount --rbind "$2" "$1$2"
}

# Builds the chroot into <CHROOT>.partial and renames it into place once complete.
create_chroot() {
  local partial="$CHROOT.partial" mirror
  log "creating the Swift chroot in $CHROOT (once; reused by later runs)"
  remove_tree "$CHROOT"
  remove_tree "$partial"
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
  fi
  mirror="$(debian_mirror)"
  log "debootstrap trixie from $mirror"
  debootstrap --variant=minbase trixie "$partial" "$mirror" >"$CACHE_ROOT/debootstrap.log" 2>&1 \
    || { tail -n 30 "$CACHE_ROOT/debootstrap.log" >&2; return 1; }
  cp /etc/resolv.conf "$partial/etc/resolv.conf"
  mount_system "$partial"
  log "installing ${PACKAGES[*]} in the chroot"
  chroot "$partial" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -c \
    "apt-get update -qq && apt-get install -y -qq ${PACKAGES[*]} >/dev/null"
  chroot "$partial" swift --version
  unmount_under "$partial"
  echo "$RECIPE" >"$partial/$STAMP"
  mv "$partial" "$CHROOT"
}

# Makes sure a complete chroot exists, then holds a shared lock on it until this script exits,
# so that a concurrent run never rebuilds it underneath us.
ensure_chroot() {
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/swift-trixie.lock"
  flock 9
  if [ "$(cat "$CHROOT/$STAMP" 2>/dev/null)" != "$RECIPE" ]; then
    create_chroot
  else
    log "reusing the Swift chroot in $CHROOT"
  fi
  flock -s 9
}

cleanup() {
  local rc=$?
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  unmount_under "$CHROOT" || rc=1
  unmount_under "$CHROOT.partial" || rc=1
  exit $rc
}

if [ "${HB_SWIFT_CHROOT_NAMESPACE:-}" != 1 ]; then
  # Outside the private namespace: clear stale mounts a crashed run may have left on the host,
  # then run the rest in a namespace of its own, whose mounts vanish when it ends.
  unmount_under "$CHROOT"
  unmount_under "$CHROOT.partial"
  exec env HB_SWIFT_CHROOT_NAMESPACE=1 unshare --mount --propagation private bash "${BASH_SOURCE[0]}" "$@"
fi

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_chroot
mount_system "$CHROOT"
mount_same_path "$CHROOT" "$ROOT"
# A target dir reached through a symlink (CI links target/ to a cache) is mounted at its real path.
TARGET_DIR="$(readlink -f "$TARGET_DIR")"
case "$TARGET_DIR/" in "$ROOT"/*) ;; *) mount_same_path "$CHROOT" "$TARGET_DIR" ;; esac

# The server runs on the host; the chroot shares the host's network, so 127.0.0.1 reaches it.
start_dev_server
log "hookbridge-server --dev on $SERVER_URL (host); running the Swift tests in the chroot"
chroot "$CHROOT" /usr/bin/env -i \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  HOOKBRIDGE_LIB_DIR="$TARGET_DIR/debug" \
  HOOKBRIDGE_SERVER_BIN="$TARGET_DIR/debug/hookbridge-server" \
  HOOKBRIDGE_SERVER_URL="$SERVER_URL" HOOKBRIDGE_API_KEY="$SERVER_KEY" \
  bash "$ROOT/bindings-uniffi/swift/test.sh"
