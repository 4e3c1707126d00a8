#!/usr/bin/env bash
# Runs the libhookbridge C test programs and the C++ example (called by `make test` and
# `make test-valgrind`).
#
# Environment:
#   HB_BIN_DIR   directory with tests/<program> and examples/example (built by the Makefile)
#   HB_SERVER    path of the hookbridge-server binary
#   HB_VECTORS   path of tests/vectors/signing.json
#   HB_WRAPPER   optional command prefix for every program (e.g. valgrind ...)
#   HB_ALLOW_NO_SERVER=1  skip the server-backed programs when HB_SERVER does not exist
#
# Offline programs run first; then a `hookbridge-server --dev` is started on a free port and the
# server-backed programs get its URL and API key in HB_TEST_URL / HB_TEST_API_KEY; then the
# server is stopped and test_network checks the error for a server that is gone.
set -uo pipefail

: "${HB_BIN_DIR:?}" "${HB_SERVER:?}" "${HB_VECTORS:?}"
export HB_VECTORS
read -r -a WRAPPER <<< "${HB_WRAPPER:-}"
PASSED=0
FAILED=0
SERVER_PID=""
WORK=$(mktemp -d)

cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT

# Runs one program and adds the counts of its "name: N passed, M failed" line (or, for a program
# that prints none, one pass or failure from its exit status).
run_program() {
    local name=$1
    shift
    local log="$WORK/$name.log"
    echo "== $name"
    "${WRAPPER[@]}" "$@" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    local counts
    counts=$(sed -n 's/^[A-Za-z_+]*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$log" | tail -n 1)
    if [ -n "$counts" ]; then
        local p=${counts% *} f=${counts#* }
        PASSED=$((PASSED + p))
        FAILED=$((FAILED + f))
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
            echo "$name exited with status $status"
            FAILED=$((FAILED + 1))
        fi
    elif [ "$status" -eq 0 ]; then
        PASSED=$((PASSED + 1))
    else
        echo "$name exited with status $status"
        FAILED=$((FAILED + 1))
    fi
}

start_server() {
    local log="$WORK/server.log"
    mkdir -p "$WORK/data"
    "$HB_SERVER" --dev --listen 127.0.0.1:0 --data-dir "$WORK/data" --retry-time-scale 0.001 >"$log" 2>&1 &
    SERVER_PID=$!
    local url=""
    for _ in $(seq 1 300); do
        url=$(sed -n 's|^hookbridge-server listening on \(http://[^ ]*\)$|\1|p' "$log" | head -n 1)
        [ -n "$url" ] && break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "hookbridge-server exited before listening:"
            cat "$log"
            SERVER_PID=""
            return 1
        fi
        sleep 0.1
    done
    if [ -z "$url" ]; then
        echo "hookbridge-server did not print its URL within 30 s:"
        cat "$log"
        return 1
    fi
    local key
    key=$(sed -n 's/^api key: \(.*\)$/\1/p' "$log" | head -n 1)
    export HB_TEST_URL="$url"
    export HB_TEST_API_KEY="${key:-hb_test_dev00000000000000000000000000000}"
    echo "hookbridge-server (pid $SERVER_PID) at $HB_TEST_URL"
}

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=""
    fi
}

run_program test_signing "$HB_BIN_DIR/tests/test_signing"
run_program test_arguments "$HB_BIN_DIR/tests/test_arguments"

if [ -x "$HB_SERVER" ]; then
    if start_server; then
        run_program test_client "$HB_BIN_DIR/tests/test_client"
        run_program test_account "$HB_BIN_DIR/tests/test_account"
        run_program test_v2 "$HB_BIN_DIR/tests/test_v2"
        run_program test_schemes "$HB_BIN_DIR/tests/test_schemes"
        run_program test_errors "$HB_BIN_DIR/tests/test_errors"
        run_program test_threads "$HB_BIN_DIR/tests/test_threads"
        run_program test_fork "$HB_BIN_DIR/tests/test_fork"
        run_program example "$HB_BIN_DIR/examples/example"
        stop_server
        # HB_TEST_URL now points at a port nobody listens on.
        run_program test_network "$HB_BIN_DIR/tests/test_network"
    else
        FAILED=$((FAILED + 1))
    fi
elif [ "${HB_ALLOW_NO_SERVER:-}" = "1" ]; then
    echo "SKIPPED the server-backed programs: $HB_SERVER does not exist"
else
    echo "$HB_SERVER does not exist (build it with: cargo build -p hookbridge-server)"
    FAILED=$((FAILED + 1))
fi

echo "c-tests: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
