# Plaza — the commands a newcomer needs. `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PLAZA_DATA_DIR ?= $(CURDIR)/var

.PHONY: run setup test lint types pytest pytest-postgres bench seed clean help

help:
	@echo "make run    set up and start Plaza (web + task consumer) on http://localhost:$(PORT)"
	@echo "make test   lint, type-check and run the whole suite (SQLite; PostgreSQL too with PLAZA_TEST_POSTGRES=1)"
	@echo "make bench  build the synthetic network and measure feed latency, posting and fan-out"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

run: setup
	@scripts/run.sh $(PORT)

seed: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: setup
	$(BIN)/mypy .

pytest: setup
	scripts/ensure-test-tools.sh
	$(BIN)/pytest -n 2 -q

pytest-postgres: setup
	scripts/test-postgres.sh

test: lint types pytest
	@if [ "$$PLAZA_TEST_POSTGRES" = "1" ]; then $(MAKE) --no-print-directory pytest-postgres; fi

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var/static
