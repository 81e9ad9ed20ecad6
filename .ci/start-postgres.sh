#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the store tests and
# print its SQLAlchemy URL on stdout.  Idempotent: reuses a running server.
set -euo pipefail
PGPORT="${PGPORT:-55432}"
PGDATA="${PGDATA_DIR:-/tmp/dispatch-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! run "$BIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q 2>/dev/null; then
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
    run "$BIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  run "$BIN/pg_ctl" -D "$PGDATA" -o "-h 127.0.0.1 -p $PGPORT -k /tmp" -l "$PGDATA/server.log" -w start >/dev/null
fi
run "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='dispatch_test'" | grep -q 1 \
  || run "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres dispatch_test
echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/dispatch_test"
