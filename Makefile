# Two commands do all set-up on a fresh machine:
#   make serve   build the bundled graph (first run only) and serve it on http://127.0.0.1:8000
#   make test    run the whole test suite (ruff + mypy + pytest)
# Both create .venv and install what they need on first use (and build the web front end,
# web/dist, from npm packages; make test also installs Debian chromium and virtuoso-opensource
# when they are missing).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
# make serve PORT=8001 HOST=0.0.0.0 CORS_ORIGIN=https://dash.example ADMIN_TOKEN=s3cret
# (CORS_ORIGIN may list several origins, space-separated; SERVE_ARGS passes any other flag)
CORS_ORIGIN ?=
ADMIN_TOKEN ?=
SERVE_ARGS  ?=
PYTEST_ARGS ?=

.PHONY: serve test lint venv build clean bench docs web browser virtuoso screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

# The workbench and views (web/): npm packages pinned by web/package-lock.json, bundled by
# esbuild into web/dist (not in git). Rebuilt when a source or the lockfile changes.
WEB_STAMP := web/dist/.built
WEB_DEPS  := web/node_modules/.installed
$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_DEPS)
$(WEB_STAMP): $(WEB_DEPS) web/build.mjs $(shell find web/src -type f 2>/dev/null)
	cd web && node build.mjs

web: $(WEB_STAMP)

# Debian chromium + chromium-driver for the browser tests, installed only when missing.
browser:
	scripts/install-browser.sh

# Debian virtuoso-opensource (7.2) for the remote-store tests, installed only when missing; the
# tests start their own throw-away server (tests/support/virtuoso.py), never the system service.
virtuoso:
	scripts/install-virtuoso.sh

serve: $(STAMP) $(WEB_STAMP)
	$(if $(ADMIN_TOKEN),MILGRAPH_ADMIN_TOKEN='$(ADMIN_TOKEN)') $(BIN)/milgraph serve --host $(HOST) --port $(PORT) \
		$(foreach o,$(CORS_ORIGIN),--cors-origin $(o)) $(SERVE_ARGS)

test: $(STAMP) $(WEB_STAMP) browser virtuoso
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Refresh the screenshots README.md shows (docs/screenshots/) from the browser tests.
screenshots: $(STAMP) $(WEB_STAMP) browser
	MILGRAPH_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/web/test_browser.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

build: $(STAMP)
	$(BIN)/milgraph build

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,docs,bench]'
	$(BIN)/python -m benchmarks

docs: $(STAMP)
	$(BIN)/python -m milgraph.vocabulary_docs

clean:
	rm -rf .milgraph
