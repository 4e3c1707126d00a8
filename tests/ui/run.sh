#!/usr/bin/env bash
# Stage `ui`: the dashboard at /ui in a real headless Chromium (Debian's package), driven by
# playwright-core from npm (pointed at the system Chromium; Playwright downloads no browser).
# Starts a server (--dev, --max-attempts 1) and a receiver that fails and then recovers, logs in,
# finds the failed message, opens its attempts, replays it and sees it succeed, edits an endpoint
# from its page, opens an inbound endpoint's page, checks that an
# action without the CSRF token is refused (403), and saves screenshots of the main pages into
# ${UI_SCREENSHOTS:-target/ui-screenshots}. Installs what it needs once (idempotent).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HB_CACHE="${HB_CACHE:-$ROOT/.cache}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
SHOTS="${UI_SCREENSHOTS:-$TARGET/ui-screenshots}"
NODE_DIR="$HB_CACHE/ui-node"
PLAYWRIGHT_VERSION="1.65.1"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null; then
  echo "==> installing chromium (Debian package)"
  as_root apt-get update -qq && as_root apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null; then
  echo "==> installing nodejs and npm"
  as_root apt-get update -qq && as_root apt-get install -y -qq nodejs npm >/dev/null
fi
if [ "$(node -p "try{require('$NODE_DIR/node_modules/playwright-core/package.json').version}catch(e){''}")" != "$PLAYWRIGHT_VERSION" ]; then
  echo "==> installing playwright-core $PLAYWRIGHT_VERSION into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent "playwright-core@$PLAYWRIGHT_VERSION"
fi

BINARY="$TARGET/debug/hookbridge-server"
[ -x "$BINARY" ] || { echo "build the server first: cargo build -p hookbridge-server" >&2; exit 1; }
mkdir -p "$SHOTS"
export NODE_PATH="$NODE_DIR/node_modules"
exec node "$ROOT/tests/ui/dashboard.mjs" "$BINARY" "$SHOTS" "$(command -v chromium)"
