# Two commands do all set-up on a fresh machine:
#   make serve   build the bundled graph (first run only) and serve it on http://127.0.0.1:8000
#   make test    run the whole test suite (ruff + pytest)
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: serve test lint venv build clean bench docs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

serve: $(STAMP)
	$(BIN)/milgraph serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

build: $(STAMP)
	$(BIN)/milgraph build

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,docs,bench]'
	$(BIN)/python -m benchmarks

clean:
	rm -rf .milgraph
