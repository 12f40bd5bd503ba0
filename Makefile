# `make run`: install, ingest corpus/, serve the chat on 127.0.0.1:7860.  `make test`: install and run the tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser run ingest lint test eval clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

ingest: install
	$(BIN)/qa ingest corpus/

run: ingest
	$(BIN)/python app.py

# The browser tests drive Debian's chromium (Playwright uses it; it downloads no browser of its own).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

# ruff (lint and format) and mypy, as CI runs them.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install browser
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .qa

eval: ingest
	$(BIN)/qa eval evals/seed.jsonl --out evals/reports/seed
