#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver for the browser tests (tests/test_web_*.py), installed only
# when missing. Idempotent; run by `make test`. The tests drive /usr/bin/chromium through
# Playwright's Python client, which never downloads a browser of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -n "$0" "$@"
  fi
  echo "install-browser: /usr/bin/chromium is missing; as root run: apt-get install -y chromium chromium-driver" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
/usr/bin/chromium --version
