# Two commands for a newcomer: `make run` (the app with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DEBUG ?= True

.PHONY: setup setup-test run test lint bench clean-db lock

# Python packages: the exact versions and hashes of the lock files (pyproject.toml keeps the ranges),
# reinstalled only when a lock file or pyproject.toml changes. The app's packages for `make run`, the
# test tools on top for `make test`.
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock

$(VENV)/.installed: $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed $(TEST_LOCK)
	$(PY) -m pip install -q --require-hashes -r $(TEST_LOCK)
	touch $@

# The lock files from pyproject.toml with uv (installed into the venv when missing): every pin that still
# fits the ranges is kept; `make lock UPGRADE=1` takes the newest versions the ranges allow. The app's lock
# takes its versions from the test lock, so both install the same versions. Hashes cover every platform.
UV := $(VENV)/bin/uv
LOCK_FLAGS := --quiet --generate-hashes --universal --python-version 3.11 --annotation-style line \
	--custom-compile-command "make lock"

lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install -q uv
	$(UV) pip compile pyproject.toml --extra test $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade) \
		-o $(TEST_LOCK)
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) -c $(TEST_LOCK) -o $(LOCK)

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
