#!/usr/bin/env bash
# Set up a throwaway Plaza the way Mastodon.py's own test suite expects (its tests/setup.sql on a
# Mastodon), start it, and run /work/shared/tools/mastodon-py-suite (or $MASTODON_PY_SUITE) against it.
# Not part of `make test`: it takes 5-15 minutes.
#
# Usage: tests/clients/run_mastodon_py_suite.sh [PORT] [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
port=${1:-3917}
out=${2:-/tmp/mastodon-py-suite}
tool=${MASTODON_PY_SUITE:-/work/shared/tools/mastodon-py-suite}
base="http://127.0.0.1:$port"
data=$(mktemp -d /tmp/plaza-mpysuite.XXXXXX)

export PLAZA_DATA_DIR=$data PLAZA_PUBLIC_URL=$base PLAZA_TASK_IMMEDIATE=true \
  PLAZA_REGISTRATIONS_OPEN=true PLAZA_SECRET_KEY=mastodon-py-suite-not-secret
py=$repo/.venv/bin/python
manage() { "$py" "$repo/manage.py" "$@"; }

manage migrate --noinput >/dev/null
manage plaza_user create mastodonpy_test --email mastodonpy_test@localhost \
  --password mastodonpy_test_password --allow-weak-password --locked >/dev/null
manage plaza_user create mastodonpy_test_2 --email mastodonpy_test_2@localhost \
  --password mastodonpy_test_2_password --allow-weak-password >/dev/null
manage plaza_user create admin2 --email admin2@localhost \
  --password admin2_password --allow-weak-password --admin >/dev/null
manage plaza_app register --name "Mastodon.py test suite" \
  --client-id __MASTODON_PY_TEST_CLIENT_ID --client-secret __MASTODON_PY_TEST_CLIENT_SECRET \
  --redirect-uri urn:ietf:wg:oauth:2.0:oob \
  --scopes "read write follow push admin:read admin:write" >/dev/null
manage plaza_token issue --client-id __MASTODON_PY_TEST_CLIENT_ID --user mastodonpy_test \
  --scopes "read write follow push" --token __MASTODON_PY_TEST_ACCESS_TOKEN >/dev/null
manage plaza_token issue --client-id __MASTODON_PY_TEST_CLIENT_ID --user admin2 \
  --scopes "read write follow push admin:read admin:write" \
  --token __MASTODON_PY_TEST_ACCESS_TOKEN_2 >/dev/null
manage plaza_token issue --client-id __MASTODON_PY_TEST_CLIENT_ID --user mastodonpy_test_2 \
  --scopes "read write follow push" --token __MASTODON_PY_TEST_ACCESS_TOKEN_3 >/dev/null

mkdir -p "$out"
"$repo/.venv/bin/uvicorn" plaza.asgi:application --host 127.0.0.1 --port "$port" \
  --no-access-log --log-level warning >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT INT TERM
for _ in $(seq 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/healthz" >/dev/null || { echo "Plaza did not start; see $out/server.log"; exit 2; }

"$tool" "$base" "$out"
