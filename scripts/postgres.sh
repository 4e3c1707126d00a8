#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks, from Debian's packages (installed when
# missing). Sourced; gives:
#   pg_start   initdb into a temporary directory owned by the postgres user, start on a free
#              loopback port, export HB_TEST_POSTGRES (postgres://postgres@127.0.0.1:PORT),
#              HB_TEST_PGDATA, HB_TEST_PGCTL and HB_TEST_PGOPTIONS (the tests stop and restart
#              it: server/tests/harness/backend.rs TestPostgres), and stop and
#              remove it when the shell exits
#   pg_stop    stop it now and remove its directory
# initdb refuses to run as root, so everything runs as the `postgres` user.

setup_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "installing PostgreSQL"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq postgresql >/dev/null; fi
  fi
  PG_BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
}

pg_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

pg_start() {
  setup_postgres
  PG_DIR="$(mktemp -d /tmp/hb-postgres.XXXXXX)"
  chown postgres "$PG_DIR" 2>/dev/null || sudo chown postgres "$PG_DIR"
  local port
  # A free port BELOW the kernel's ephemeral range: tests stop and restart this server, and while
  # it is down an outgoing connection could take an ephemeral port as its own local port and keep
  # the restarted server from binding it.
  port="$(python3 -c '
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    port = random.randrange(10000, max(low, 10001))
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        continue
    finally:
        s.close()
')"
  pg_as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log"; return 1; }
  # Tests open many connections (every server process holds a pool): allow plenty.
  local options="-k $PG_DIR -p $port -c listen_addresses=127.0.0.1 -c max_connections=1000 -c shared_buffers=128MB -c fsync=on"
  pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/log" -o "$options" start >/dev/null
  trap pg_stop EXIT
  export HB_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port"
  export HB_TEST_PGDATA="$PG_DIR/data"
  export HB_TEST_PGCTL="$PG_BIN/pg_ctl"
  export HB_TEST_PGPORT="$port"
  export HB_TEST_PGSOCKET="$PG_DIR"
  export HB_TEST_PGOPTIONS="$options"   # tests that stop the server start it again with these
  log "PostgreSQL on $HB_TEST_POSTGRES (data in $PG_DIR)"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
