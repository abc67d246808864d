# Bluelamp: two commands for a newcomer — `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

.PHONY: demo serve test check unit lint js bench bench-all clean services-up services-down browser

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Bluelamp needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install -q -e '.[dev]'
	@touch $@

## demo: install and run Bluelamp with demo users and a simulated London feed (http://127.0.0.1:8050)
demo: $(VENV)/.installed
	$(VENV)/bin/bluelamp demo

## serve: run the product with the configuration in the environment / .env
serve: $(VENV)/.installed
	$(VENV)/bin/bluelamp serve

## test: install the dev dependencies, make sure Redis, PostgreSQL and Chromium are there, run everything
test: $(VENV)/.dev-installed browser
	@$(PY) scripts/test_services.py up
	@status=0; $(MAKE) --no-print-directory check || status=$$?; \
	  $(PY) scripts/test_services.py down; exit $$status

check: lint js unit

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

unit: $(VENV)/.dev-installed
	$(VENV)/bin/pytest

## js: lint (eslint) and unit-test (node --test) the browser modules in dashboard/assets/js
js: node_modules/.package-lock.json
	node_modules/.bin/eslint
	node --test --test-reporter=spec tests/js/*.test.js

# npm writes node_modules/.package-lock.json on every install: a fresh clone, or a changed
# package-lock.json, installs exactly what the lock file pins.
node_modules/.package-lock.json: package-lock.json
	@{ command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } || { \
	  echo "installing Debian's nodejs and npm for the browser scripts' lint and tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null; } || { \
	  echo "node and npm are missing and could not be installed: apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } || { \
	  echo "Chromium is missing and could not be installed: apt-get install chromium"; exit 1; }

## bench: issue 18's figures in one table, beside their baselines, targets and committed figures
bench: $(VENV)/.dev-installed browser
	@$(PY) scripts/test_services.py up
	@status=0; $(PY) -m benchmarks.table || status=$$?; \
	  $(PY) scripts/test_services.py down; exit $$status

## bench-all: every benchmark in benchmarks/, one after the other (figures go to docs/performance.md)
bench-all: $(VENV)/.dev-installed browser
	@$(PY) scripts/test_services.py up
	@status=0; for b in benchmarks/bench_*.py; do \
	  $(PY) -m benchmarks.$$(basename $$b .py) || status=$$?; done; \
	  $(PY) scripts/test_services.py down; exit $$status

clean:
	rm -rf $(VENV) node_modules var test-artifacts .pytest_cache .mypy_cache .ruff_cache
