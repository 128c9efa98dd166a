#!/usr/bin/env bash
# Start a private PostgreSQL cluster for tests; prints `export PLAZA_TEST_DATABASE_URL=...`.
# Idempotent: reuses a running cluster in the same directory.
set -euo pipefail
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "PostgreSQL server binaries not found" >&2; exit 1
  fi
fi
dir=${PLAZA_PG_DIR:-/tmp/plaza-test-pg}
port=${PLAZA_PG_PORT:-55432}
as_pg=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_pg=(runuser -u postgres --)
fi
if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir" && [ "$(id -u)" != "0" ] || chown postgres "$dir"
  "${as_pg[@]}" "$pgbin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >/dev/null
fi
if ! "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2
fi
echo "export PLAZA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/plaza"
