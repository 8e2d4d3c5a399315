# A throwaway PostgreSQL server on a free loopback port, for tests. Meant to be sourced:
#   source scripts/pg-test-server.sh
#   pg_test_start; trap pg_test_stop EXIT
#   ... tests read CTIS_TEST_PG_URL=postgresql://ctis@127.0.0.1:PORT/postgres ...
# initdb refuses to run as root, so as root the server runs as the postgres user.

PG_TEST_BIN="${PG_TEST_BIN:-/usr/lib/postgresql/15/bin}"
PG_TEST_DIR=""

# Runs a command as the server's owner (postgres when we are root).
_pg_test_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# True when nothing listens on TCP port $1.
_pg_test_port_free() {
  ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

pg_test_start() {
  if [ -n "$PG_TEST_DIR" ]; then
    echo "pg_test_start: already running in $PG_TEST_DIR" >&2
    return 1
  fi
  PG_TEST_DIR="$(mktemp -d /tmp/ctis-pg.XXXXXX)" || return 1
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_TEST_DIR"
  if ! _pg_test_as_owner "$PG_TEST_BIN/initdb" -D "$PG_TEST_DIR/db" -A trust -U ctis \
      -E UTF8 --locale=C.UTF-8 >"$PG_TEST_DIR/initdb.log" 2>&1; then
    echo "pg_test_start: initdb failed:" >&2
    cat "$PG_TEST_DIR/initdb.log" >&2
    pg_test_stop
    return 1
  fi
  # A port can be taken between the check and the start: try a few.
  local attempt port
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    _pg_test_port_free "$port" || continue
    if _pg_test_as_owner "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/db" -l "$PG_TEST_DIR/server.log" \
        -w -t 60 -o "-k $PG_TEST_DIR -p $port -c listen_addresses=127.0.0.1 -c fsync=on \
        -c max_connections=200" start >/dev/null 2>&1; then
      export CTIS_TEST_PG_URL="postgresql://ctis@127.0.0.1:$port/postgres"
      echo "pg_test_start: PostgreSQL on 127.0.0.1:$port (data in $PG_TEST_DIR)" >&2
      return 0
    fi
  done
  echo "pg_test_start: the server did not start:" >&2
  tail -n 20 "$PG_TEST_DIR/server.log" >&2 2>/dev/null
  pg_test_stop
  return 1
}

# Stops the server and removes its files. Safe to call twice; never fails.
pg_test_stop() {
  if [ -n "$PG_TEST_DIR" ]; then
    if [ -f "$PG_TEST_DIR/db/postmaster.pid" ]; then
      _pg_test_as_owner "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/db" -m fast -w stop \
        >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TEST_DIR" || true
  fi
  PG_TEST_DIR=""
  unset CTIS_TEST_PG_URL
  return 0
}
