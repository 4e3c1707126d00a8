#!/usr/bin/env bash
# Installs what the demo and the tests need on a fresh machine. Idempotent: each step is skipped
# when its result is already there. Sourced by scripts/demo.sh and scripts/test.sh.
#   HB_CACHE  where downloaded tools and the reference SDK venv live (default: <repo>/.cache)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export HB_CACHE="${HB_CACHE:-$ROOT/.cache}"
VENV="$ROOT/.venv"
mkdir -p "$HB_CACHE"

log() { printf '\n==> %s\n' "$*"; }

# System packages (Debian): valgrind and pkg-config for the C tests, g++ for the C++ example,
# a JDK and Maven for Kotlin. Preinstalled on the usual image; installed here when missing.
setup_system() {
  local missing=()
  command -v valgrind >/dev/null || missing+=(valgrind)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  command -v g++ >/dev/null || missing+=(build-essential)
  command -v mvn >/dev/null || missing+=(maven)
  command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}" >/dev/null; fi
  fi
}

# Python tooling in <repo>/.venv: maturin builds the package, pytest/mypy/uvloop/trio/anyio/pytest-httpx test it,
# and libraries nobody here wrote check our signatures.
setup_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
  fi
  # pytest-httpx (and httpx) for test_httpx_mode.py: user test suites mock the package through them.
  # standardwebhooks, svix and stripe judge our signatures (outbound schemes, inbound presets).
  if ! "$VENV/bin/python" -c 'import maturin, pytest, mypy, uvloop, trio, anyio, httpx, pytest_httpx, standardwebhooks, svix, stripe' 2>/dev/null; then
    log "installing Python build and test tools"
    "$VENV/bin/pip" install -q --disable-pip-version-check "maturin==1.16.0" "pytest>=8" "mypy>=1.10" "uvloop>=0.19" \
      "trio>=0.25" "anyio>=4" "httpx>=0.27" "pytest-httpx>=0.30" "standardwebhooks>=1.0" "svix>=1.40" "stripe>=10"
  fi
}

# Builds the hookbridge Python package from this checkout into .venv (Rust core + pyo3 layer).
build_python_package() {
  log "building the hookbridge Python package (maturin develop)"
  (cd "$ROOT" && VIRTUAL_ENV="$VENV" "$VENV/bin/maturin" develop -q)
}

# Starts `hookbridge-server --dev` in the background; sets SERVER_PID, SERVER_URL, SERVER_KEY.
start_dev_server() {
  local log_file
  log_file="$(mktemp)"
  "$ROOT/target/debug/hookbridge-server" --dev --listen 127.0.0.1:0 "$@" >"$log_file" 2>&1 &
  SERVER_PID=$!
  SERVER_URL=""
  for _ in $(seq 1 200); do
    SERVER_URL="$(sed -n 's/^hookbridge-server listening on //p' "$log_file")"
    [ -n "$SERVER_URL" ] && break
    sleep 0.05
  done
  [ -n "$SERVER_URL" ] || { cat "$log_file"; echo "hookbridge-server did not start" >&2; return 1; }
  SERVER_KEY="$(sed -n 's/^api key: //p' "$log_file")"
}
