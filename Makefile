# Developer tasks: `make test`, `make lint`, `make ci` (as llm and sqlite-utils keep theirs in a Justfile; make is
# already on every machine). Each runs with the project's .venv (README: "Run all tests" makes it).

.DEFAULT_GOAL := test
VENV ?= .venv
PYTHON ?= $(VENV)/bin/python

.PHONY: help test test-all browser lint ci

help:
	@echo "make test      the fast default: every test but the browser ones, a tenth of the property-test examples,"
	@echo "               on every core (pytest-xdist; each worker has its own databases)"
	@echo "make test-all  every test, browser tests included (python -m pytest)"
	@echo "make browser   the browser tests alone (chromium, Playwright; tests/browser)"
	@echo "make lint      ruff, the formatter, mypy, and the scenario library and question bank checks"
	@echo "make ci        what CI runs (.ci/run): a fresh environment of its own, lint, then every test on SQLite and PostgreSQL"

test:
	$(PYTHON) -m pytest -q -m "not browser" -n auto

test-all:
	$(PYTHON) -m pytest

browser:
	$(PYTHON) -m pytest -q tests/browser

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PYTHON) -m scenarios check --lint
	$(PYTHON) -m scenarios audit --check > /dev/null
	$(PYTHON) -m scenarios coverage > /dev/null
	$(PYTHON) -m scenarios bank-coverage > /dev/null

ci:
	.ci/run
