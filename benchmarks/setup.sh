#!/usr/bin/env bash
# Install what the serving benchmark compares against, if missing:
#   - the peers, from PyPI into this venv: the `bench` extra (oxigraph CLI, rdflib-endpoint);
#   - wrk (HTTP load generator) from Debian, with apt-get (needs root or sudo).
# Called by `python -m benchmarks.serving` when something is missing; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"

if ! "$PY" -c 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("rdflib_endpoint") else 1)' \
   || [ ! -x "$(dirname "$PY")/oxigraph" ]; then
  echo "benchmarks/setup.sh: installing the bench extra (oxigraph, rdflib-endpoint)" >&2
  "$PY" -m pip install --quiet -e '.[bench]'
fi

if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  echo "benchmarks/setup.sh: installing wrk from Debian" >&2
  if ! { $SUDO apt-get install -y -qq wrk >/dev/null 2>&1 \
         || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq wrk >/dev/null 2>&1; }; }; then
    echo "benchmarks/setup.sh: could not install wrk; the Python load generator will be used" >&2
  fi
fi
