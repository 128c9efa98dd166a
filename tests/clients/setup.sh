#!/usr/bin/env bash
# Install the real clients the tests in tests/clients drive, outside the project's own venv:
#   tests/clients/.venv/   Mastodon.py (import name `mastodon`, the same as our Django app, so it
#                    can not live in .venv) + blurhash + websocket-client, from PyPI (git, ruff,
#                    mypy and pytest all skip a folder named .venv);
#   tests/clients/js/node_modules/   masto.js from the committed package-lock.json (`npm ci`).
# Both are reused when already in place; rerun with --force to rebuild. Prints nothing on success.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
venv=${PLAZA_CLIENTS_VENV:-$repo/tests/clients/.venv}
mastodon_py="mastodon-py==2.*"
force=false
[ "${1:-}" = "--force" ] && force=true

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if $force || ! (cd / && "$venv/bin/python" -c 'import mastodon.streaming, blurhash, websocket') >/dev/null 2>&1; then
  rm -rf "$venv"
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check \
    "$mastodon_py" blurhash websocket-client requests; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "tests/clients/setup.sh: could not install Mastodon.py into $venv" >&2
    exit 1
  fi
fi

js=$repo/tests/clients/js
if $force || [ ! -f "$js/node_modules/masto/package.json" ] \
  || [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]; then
  if ! (cd "$js" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log" >&2
    echo "tests/clients/setup.sh: npm ci failed in $js" >&2
    exit 1
  fi
fi
