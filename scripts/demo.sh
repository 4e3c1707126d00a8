#!/usr/bin/env bash
# The demo: builds the server and the Python SDK, starts the embedded server (SQLite in a temp
# dir), and runs examples/demo.py: create an endpoint, send webhooks, verify every signature at a
# local receiver, print statuses, logs and metrics, and show delivery surviving a failing receiver.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
setup_python
log "building hookbridge-server"
cargo build -q -p hookbridge-server
build_python_package
# --retry-time-scale 0.001 turns the 30-minute first retry into 1.8 s so the demo shows recovery quickly.
start_dev_server --retry-time-scale 0.001
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
log "hookbridge-server is running at $SERVER_URL"
HOOKBRIDGE_BASE_URL="$SERVER_URL" HOOKBRIDGE_API_KEY="$SERVER_KEY" "$VENV/bin/python" "$ROOT/examples/demo.py"
