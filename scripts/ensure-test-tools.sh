#!/usr/bin/env bash
# The suite needs two Debian packages: chromium (browser journeys) and ffmpeg (video poster
# frames). Install what is missing when we can (root + apt); otherwise say so — the tests
# that need them are skipped.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's ${missing[*]} for the tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "missing: ${missing[*]} (install the Debian packages; the tests that need them are skipped)" >&2
fi
