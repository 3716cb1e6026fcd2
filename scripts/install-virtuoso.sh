#!/usr/bin/env bash
# Debian's Virtuoso Open Source 7.2 (virtuoso-opensource) for the remote-store tests
# (tests/remote/), installed only when missing. Idempotent and non-interactive; run by
# `make test`. The tests start their own throw-away server (tests/support/virtuoso.py) on free
# loopback ports, so the package's system service is never started: a policy-rc.d forbids it
# for the length of the install, and the debconf DBA-password question is preseeded empty
# (the package then leaves its daemon disabled, which is what we want).
set -euo pipefail
if command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -n "$0" "$@"
  fi
  echo "install-virtuoso: virtuoso-t is missing; as root run: apt-get install -y --no-install-recommends virtuoso-opensource" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# install-virtuoso.sh: no service starts during this install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi
trap '[ -n "$made_policy" ] && rm -f "$policy"' EXIT
printf '%s\n' \
  'virtuoso-opensource-7 virtuoso-opensource-7/dba-password password' \
  'virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password' \
  'virtuoso-opensource-7 virtuoso-opensource-7/register-odbc-dsn boolean false' \
  | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null
virtuoso-t +version 2>&1 | sed -n 2p
