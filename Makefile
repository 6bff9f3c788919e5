# Two commands for a newcomer: `make run` (the app with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DEBUG ?= True

.PHONY: setup setup-test run test lint bench clean-db

# Python packages, reinstalled only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e ".[test]"
	touch $@

setup: $(VENV)/.installed
	scripts/install-system-deps
	$(PY) manage.py migrate --noinput -v 0

setup-test: $(VENV)/.installed-test
	scripts/install-system-deps --test

run: setup
	$(PY) manage.py seed_demo --if-empty
	scripts/serve $(PORT)

test: setup-test
	scripts/run-tests

lint: setup-test
	$(VENV)/bin/ruff check .

bench: setup
	$(PY) manage.py bench
