#!/usr/bin/env bash
# Start Plaza on the embedded default: migrate, seed the demo community when the database is
# empty, then run the Huey consumer in the background and the ASGI server in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-8000}
bin=.venv/bin
: "${PLAZA_PUBLIC_URL:=http://localhost:$port}"
export PLAZA_PUBLIC_URL
"$bin/python" manage.py migrate --noinput
"$bin/python" manage.py seed_demo --if-empty
"$bin/python" manage.py run_huey --quiet &
consumer=$!
trap 'kill $consumer 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  Plaza is running at $PLAZA_PUBLIC_URL
  Demo login: demo / demo-password-2026   (data in ${PLAZA_DATA_DIR:-var})

MSG
"$bin/python" -m plaza.serve --host 0.0.0.0 --port "$port" --workers "${PLAZA_WEB_WORKERS:-1}"
