#!/usr/bin/env bash
# Runs tests/compat/official_sdk_flow.py with the OFFICIAL hookbridge==1.4.0 and
# tests/compat/official_sdk_2_flow.py with the OFFICIAL hookbridge==2.0.0 (each in its own venv)
# against a fresh `hookbridge-server --dev`. Needs target/debug/hookbridge-server.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${HB_CACHE:-$root/.cache}"

# official_venv VERSION DIR: DIR holds the official hookbridge==VERSION from PyPI.
official_venv() {
  local version="$1" venv="$2"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import hookbridge; assert hookbridge.__version__ == '$version'" 2>/dev/null; then
    python3 -m venv --clear "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "hookbridge==$version"
  fi
}
official_venv 1.4.0 "$cache/official-sdk-venv"
official_venv 2.0.0 "$cache/official-sdk-2-venv"
server="${HOOKBRIDGE_SERVER_BIN:-$root/target/debug/hookbridge-server}"
log="$(mktemp)"
"$server" --dev --listen 127.0.0.1:0 --retry-time-scale 0.001 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  url="$(sed -n 's/^hookbridge-server listening on //p' "$log")"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "server did not start"; exit 1; }
key="$(sed -n 's/^api key: //p' "$log")"
echo "== official hookbridge 1.4.0 against the server"
"$cache/official-sdk-venv/bin/python" "$root/tests/compat/official_sdk_flow.py" "$url" "$key"
echo "== official hookbridge 2.0.0 against the server"
"$cache/official-sdk-2-venv/bin/python" "$root/tests/compat/official_sdk_2_flow.py" "$url" "$key"
