#!/usr/bin/env bash
# Stage `openapi`: proves /openapi.json with tools nobody here wrote, against a fresh
# `hookbridge-server --dev` on 127.0.0.1 (needs target/debug/hookbridge-server):
#   1. openapi-spec-validator accepts the served document;
#   2. openapi-python-client generates a client from it, and client_flow.py uses that generated
#      client to create an endpoint, send a message and read it back;
#   3. schemathesis fuzzes every operation (bounded examples), then runs its stateful phase
#      (bounded by time): it follows the document's links from the operations that create a
#      resource to the ones that take its id, so those run with real ids. No 5xx, every answer
#      matches its documented schema.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/tests/openapi"
venv="${HB_CACHE:-$root/.cache}/openapi-venv"
if [ ! -x "$venv/bin/schemathesis" ] || [ ! -x "$venv/bin/openapi-python-client" ] || [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    'openapi-spec-validator>=0.7,<1' 'openapi-python-client>=0.29,<1' 'schemathesis>=4,<5'
fi
server="${HOOKBRIDGE_SERVER_BIN:-$root/target/debug/hookbridge-server}"
work="$(mktemp -d)"
log="$work/server.log"
# Generated endpoint URLs name random hosts, which the server resolves: it runs under
# `unshare -m` with a private /etc/hosts and a resolv.conf naming 127.0.0.1, so no name goes to
# the machine's resolver and every one but localhost fails at once. (`unshare` and `sh` exec in
# place: $! is the server's pid.)
printf '127.0.0.1 localhost\n' >"$work/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$work/resolv.conf"
# --auth-failure-limit 0: schemathesis sends requests without a valid key on purpose; with the
# failed-authentication throttle on, 20 of them would turn every later request into a 429.
unshare -m -- sh -c 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"' \
  sh "$work/hosts" "$work/resolv.conf" \
  "$server" --dev --listen 127.0.0.1:0 --retry-time-scale 0.001 --auth-failure-limit 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^hookbridge-server listening on //p' "$log")"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "server did not start"; exit 1; }
key="$(sed -n 's/^api key: //p' "$log")"

echo "== openapi-spec-validator"
"$venv/bin/python" -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1] + "/openapi.json").read())' "$url" >"$work/openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"

echo "== openapi-python-client"
(cd "$work" && "$venv/bin/openapi-python-client" generate --path openapi.json --config "$here/client-config.yaml" \
  --output-path hookbridge_openapi_client --meta none --overwrite >"$work/generate.log" 2>&1) || { cat "$work/generate.log"; exit 1; }
if grep -q "^WARNING\|Unable to" "$work/generate.log"; then cat "$work/generate.log"; echo "the generator skipped parts of the document"; exit 1; fi
PYTHONPATH="$work" "$venv/bin/python" "$here/client_flow.py" "$url" "$key"

echo "== schemathesis stateful (links)"
# Run from the scratch directory: schemathesis keeps a cache of failing cases in ./.schemathesis.
cd "$work"
# First, on the fresh server (after the fuzzing phase it covered few links): --max-time bounds
# the stateful phase (HB_OPENAPI_STATEFUL_SECS, default 60).
"$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run "$url/openapi.json" \
  -H "Authorization: Bearer $key" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples 1000 \
  --max-time "${HB_OPENAPI_STATEFUL_SECS:-60}" \
  --phases stateful \
  --seed 1 \
  --request-timeout 10 \
  --workers 2

echo "== schemathesis fuzzing"
"$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run "$url/openapi.json" \
  -H "Authorization: Bearer $key" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "${HB_OPENAPI_EXAMPLES:-20}" \
  --phases examples,fuzzing \
  --seed 1 \
  --request-timeout 10 \
  --workers 2
