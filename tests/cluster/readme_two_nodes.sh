#!/usr/bin/env bash
# Runs the README's "Running several servers" example as written (two nodes, one PostgreSQL
# database, one secrets key, settings from the environment), on loopback ports: both nodes get
# ready, a send to node a is delivered once, signed, to a local receiver, node b sees the same
# message, and an idempotent repeat through node b returns the original.
# Needs HB_TEST_POSTGRES (scripts/postgres.sh pg_start) and a built target/debug/hookbridge-server.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${HB_SERVER_BIN:-$ROOT/target/debug/hookbridge-server}"
: "${HB_TEST_POSTGRES:?start PostgreSQL first (scripts/postgres.sh)}"
work="$(mktemp -d /tmp/hb-readme-cluster.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*" >&2; for f in "$work"/*.log; do echo "--- $f"; tail -20 "$f"; done >&2; exit 1; }

db="hb_readme_$$"
psql -X -q -d "$HB_TEST_POSTGRES/postgres" -c "CREATE DATABASE $db"   # createdb, as the README says

mkdir -p "$work/etc"
openssl rand -base64 32 > "$work/etc/secrets.key" && chmod 600 "$work/etc/secrets.key"
export HOOKBRIDGE_DATABASE_URL="$HB_TEST_POSTGRES/$db"
export HOOKBRIDGE_SECRETS_KEY_FILE="$work/etc/secrets.key"
export HOOKBRIDGE_API_KEY=hb_live_0123456789abcdef0123
export HOOKBRIDGE_ALLOW_PRIVATE_TARGETS=true   # the receiver below listens on loopback
export HOOKBRIDGE_LOG=warn
port_a="$(free_port)"; port_b="$(free_port)"; port_r="$(free_port)"
export HOOKBRIDGE_PUBLIC_URL="http://127.0.0.1:$port_a"

# A receiver that records each delivery's id and signature header.
python3 - "$port_r" "$work/received" > "$work/receiver.log" 2>&1 <<'PY' &
import sys, http.server
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "a") as f:
            f.write(f"{self.headers.get('X-Webhook-Id')} {self.headers.get('X-Webhook-Signature', '')[:7]}\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
pids+=($!)

"$BIN" --node-id a --listen "127.0.0.1:$port_a" --data-dir "$work/a" > "$work/a.log" 2>&1 &
pids+=($!)
"$BIN" --node-id b --listen "127.0.0.1:$port_b" --data-dir "$work/b" > "$work/b.log" 2>&1 &
pids+=($!)

for port in "$port_a" "$port_b"; do
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && break
    sleep 0.1
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] || fail "node on $port not ready"
done

auth=(-H "Authorization: Bearer $HOOKBRIDGE_API_KEY" -H 'Content-Type: application/json')
endpoint="$(curl -sf "${auth[@]}" "http://127.0.0.1:$port_a/v1/endpoints" -d "{\"url\": \"http://127.0.0.1:$port_r/hook\"}" \
  | python3 -c 'import sys, json; print(json.load(sys.stdin)["data"]["id"])')" || fail "create endpoint on node a"
send='{"endpoint_id": "'"$endpoint"'", "payload": {"order": 1}, "idempotency_key": "readme-1"}'
first="$(curl -sf "${auth[@]}" "http://127.0.0.1:$port_a/v1/webhooks/send" -d "$send" \
  | python3 -c 'import sys, json; print(json.load(sys.stdin)["data"]["message_id"])')" || fail "send on node a"
again="$(curl -sf "${auth[@]}" "http://127.0.0.1:$port_b/v1/webhooks/send" -d "$send" \
  | python3 -c 'import sys, json; print(json.load(sys.stdin)["data"]["message_id"])')" || fail "repeat on node b"
[ "$first" = "$again" ] || fail "the idempotent repeat on node b made a new message ($first, $again)"

for _ in $(seq 1 300); do [ -s "$work/received" ] && break; sleep 0.1; done
status="$(curl -sf "${auth[@]}" "http://127.0.0.1:$port_b/v1/messages/$first" \
  | python3 -c 'import sys, json; print(json.load(sys.stdin)["data"]["status"])')"
sleep 1   # a second delivery would show up here
[ "$(wc -l < "$work/received")" = 1 ] || fail "expected one delivery, got: $(cat "$work/received")"
grep -q "^$first sha256=" "$work/received" || fail "the delivery is not the sent message, signed: $(cat "$work/received")"
[ "$status" = succeeded ] || fail "node b reports $status"
echo "README two-node example: ok (message $first delivered once, seen from both nodes)"
