#!/usr/bin/env bash
# Run the suite against PostgreSQL. Uses PLAZA_TEST_DATABASE_URL when set; otherwise starts a
# throw-away PostgreSQL cluster on a local port (needs the postgresql server binaries).
set -euo pipefail
cd "$(dirname "$0")/.."
url=${PLAZA_TEST_DATABASE_URL:-}
if [ -z "$url" ]; then
  eval "$(scripts/start-postgres.sh)"
  url=$PLAZA_TEST_DATABASE_URL
fi
echo "Running the suite on PostgreSQL ($url)"
PLAZA_DATABASE_URL=$url .venv/bin/pytest -n 2 -q "$@"
