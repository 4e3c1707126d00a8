#!/usr/bin/env bash
# Server benchmark: builds release binaries, measures this machine's limits (raw fsync rate of the
# data dir's disk, GET /healthz rate) and prints sends/s, deliveries/s and send→delivery latency
# for 1, 16 and 128 senders as ratios to those limits, with the performance goals as PASS/FAIL.
# Usage: bench/server.sh [SENDS_PER_LEVEL]             (default 20000; about a minute)
#        bench/server.sh memory [FIRST] [TOTAL] [SENDERS]  (RSS after 50000 and 300000 messages, 16 senders; 1-3 minutes)
#        bench/server.sh load [SENDERS] [SENDS]             (one level, no probes, SIGTERM at the end; for profiling)
#        bench/server.sh cluster [--database-url URL] [--nodes N] [SENDS]
#            (16 senders against SQLite and PostgreSQL with 1..N nodes, default 3, 20000 sends each;
#             without --database-url a throwaway PostgreSQL is started and removed at the end)
# HOOKBRIDGE_BENCH_DIR=DIR puts the data dir and the fsync probe on DIR's disk (default: the temp dir).
# HOOKBRIDGE_BENCH_SLOW_FSYNC_US=N makes every fsync of the bench and its servers N µs slower
#   (bench/slow_fsync.c, preloaded), to see the figures of a disk that syncs that slowly.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p hookbridge-server -p hookbridge-bench
if [ -n "${HOOKBRIDGE_BENCH_SLOW_FSYNC_US:-}" ]; then
  cc -O2 -shared -fPIC -o target/release/libslow_fsync.so bench/slow_fsync.c -ldl
  export SLOW_FSYNC_US="$HOOKBRIDGE_BENCH_SLOW_FSYNC_US"
  export LD_PRELOAD="$PWD/target/release/libslow_fsync.so${LD_PRELOAD:+:$LD_PRELOAD}"
  echo "every fsync and fdatasync is ${SLOW_FSYNC_US} µs slower (bench/slow_fsync.c)"
fi
if [ "${1:-}" = cluster ] && [[ " $* " != *" --database-url "* ]]; then
  # shellcheck source=../scripts/setup.sh
  source scripts/setup.sh
  # shellcheck source=../scripts/postgres.sh
  source scripts/postgres.sh
  pg_start
  shift
  # Not exec: the EXIT trap of pg_start stops and removes the server afterwards.
  target/release/hookbridge-bench-server target/release/hookbridge-server cluster --database-url "$HB_TEST_POSTGRES" "$@"
  exit $?
fi
exec target/release/hookbridge-bench-server target/release/hookbridge-server "$@"
