# The two commands of the README: `make run` (set up, then serve the web UI) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup browser run test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: an unpinned torch would pull a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $@

browser:
	@{ command -v chromium >/dev/null && fc-list | grep -qi wenquanyi; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null; }

run: setup
	$(VENV)/bin/askplan serve --host $(HOST) --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check src tests eval scripts

test: setup browser lint
	$(VENV)/bin/pytest -q

bench: setup
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) index/*
