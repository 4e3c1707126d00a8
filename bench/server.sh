#!/usr/bin/env bash
# Server benchmark: builds release binaries and prints sends/s, deliveries/s, latency and peak RSS.
# Usage: bench/server.sh [SENDS_PER_LEVEL] [PAUSED_MESSAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p hookbridge-server -p hookbridge-bench
exec target/release/hookbridge-bench-server target/release/hookbridge-server "${1:-20000}" "${2:-100000}"
