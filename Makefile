# LLM Reference: `make run` to serve locally, `make test` to run the tests. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# uv must use a Python already on this machine (3.13 preferred, see .python-version); never download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# Audit tools from npm, cached in .tools/npm (not committed): the Nu HTML Checker for the e2e audit
# (tests/e2e/test_audits.py, run with Java) and Lighthouse for `make audit`. axe-core is vendored in tests/e2e/vendor/.
NPM_TOOLS := $(TOOLS)/npm
VNU_VERSION := 26.9.27
LIGHTHOUSE_VERSION := 12.2.3
VNU_STAMP := $(NPM_TOOLS)/.vnu-jar-$(VNU_VERSION)
LIGHTHOUSE_STAMP := $(NPM_TOOLS)/.lighthouse-$(LIGHTHOUSE_VERSION)

.PHONY: help setup run migrate demo snapshot otp test test-e2e lint format clean bench loadtest audit audit-tools

help:
	@echo "make run   - set up, migrate, load the demo catalog, serve http://127.0.0.1:8000 (SQLite)"
	@echo "make otp   - print the demo reviewers' current admin sign-in codes (TOTP)"
	@echo "make snapshot - rebuild catalog/snapshot/public-catalog.json.gz from models.dev and LiteLLM (DATA=../shared/data)"
	@echo "make test  - run the test suite (set DATABASE_URL for PostgreSQL)"
	@echo "make lint  - ruff check + format check"
	@echo "make bench - load-test every public page with wrk at 50 and 2,000 models (PostgreSQL, ~10 min)"
	@echo "make loadtest - 64 connections over a page/fragment/API mix, then while publishing a price change a second"
	@echo "make audit - Lighthouse scores of every kind of page, mobile and desktop, production settings (~6 min)"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen || $(UV) sync --frozen --python python3
	@touch $@

setup: $(VENV)/.synced

migrate: setup
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput

# The curated demo catalog, then the snapshot of models.dev and LiteLLM (catalog/snapshot/, rebuilt by
# `make snapshot`): applied by the system accounts except the values that disagree with a curated one, which
# wait in a change set for the demo reviewer. --once: a database that already holds this snapshot skips it.
SNAPSHOT := catalog/snapshot/public-catalog.json.gz
demo: migrate
	DJANGO_DEBUG=1 $(MANAGE) load_demo_catalog
	DJANGO_DEBUG=1 $(MANAGE) import_catalog llmref $(SNAPSHOT) --once --apply-undisputed
	DJANGO_DEBUG=1 $(MANAGE) create_demo_accounts
	DJANGO_DEBUG=1 $(MANAGE) enrol_demo_otp

# Rebuild the snapshot from the two public catalogs (DATA: a folder with models.dev/ and litellm/, as
# ../shared/data); see catalog/snapshot/NOTICE for the inputs it names.
DATA ?= ../shared/data
MODELS_DEV_REVISION ?= f3fc692299671838c7c65fd8126bf84d81a2e817
LITELLM_REVISION ?= v1.110.2
LITELLM_DAY ?= 2026-11-20
snapshot: setup
	DJANGO_DEBUG=1 $(MANAGE) build_catalog_snapshot --models-dev $(DATA)/models.dev \
		--litellm $(DATA)/litellm/model_prices_and_context_window.json --out $(SNAPSHOT) \
		--models-dev-revision $(MODELS_DEV_REVISION) --litellm-revision $(LITELLM_REVISION) --litellm-today $(LITELLM_DAY)

# The demo reviewers' current TOTP codes (local development only).
otp: setup
	@DJANGO_DEBUG=1 $(MANAGE) enrol_demo_otp

run: demo
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# The suite runs with DEBUG off (as production), unhashed static files (no collectstatic needed) and no HTTPS
# redirect (the test client speaks http; tests/test_deploy.py checks the redirect in production settings). The
# replica router is tested with a mirror alias (tests/test_replica_router.py), so a DATABASE_REPLICA_URL is ignored.
# Without npm the HTML audit skips (and fails in CI, where E2E_REQUIRED=1).
$(VNU_STAMP):
	@if command -v npm >/dev/null; then \
	  npm install --prefix $(NPM_TOOLS) --no-audit --no-fund --loglevel=error vnu-jar@$(VNU_VERSION) >/dev/null && touch $@; \
	else echo "npm not found: the Nu HTML Checker audit will be skipped"; fi

$(LIGHTHOUSE_STAMP):
	npm install --prefix $(NPM_TOOLS) --no-audit --no-fund --loglevel=error lighthouse@$(LIGHTHOUSE_VERSION) >/dev/null
	@touch $@

audit-tools: $(VNU_STAMP)

test: setup audit-tools
	DJANGO_SECRET_KEY=test-only-not-a-secret DJANGO_STATIC_MANIFEST=0 DJANGO_SECURE_SSL_REDIRECT=0 DATABASE_REPLICA_URL= $(VENV)/bin/pytest $(PYTEST_ARGS)

# Only the real-browser tests (Playwright driving /usr/bin/chromium); `make test` runs them as well.
test-e2e: setup
	$(MAKE) test PYTEST_ARGS="-m e2e $(PYTEST_ARGS)"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Recreates the PostgreSQL database BENCH_DATABASE_URL (default llmref_bench on 127.0.0.1) for each catalog
# size, serves it with gunicorn on 127.0.0.1, port BENCH_PORT (default 8020), and prints one table (benchmarks/bench.py).
bench: setup
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) benchmarks/bench.py

# The same database and server as `make bench` (BENCH_DATABASE_URL, BENCH_PORT); benchmarks/loadtest.py.
loadtest: setup
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) benchmarks/loadtest.py

# Lighthouse (mobile and desktop presets) on every kind of page against gunicorn with production settings and the
# demo catalog in a temporary SQLite database (benchmarks/audit.py); Chromium at CHROME_PATH (/usr/bin/chromium).
audit: setup $(LIGHTHOUSE_STAMP)
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(PY) benchmarks/audit.py

clean:
	rm -rf $(VENV) $(TOOLS) staticfiles
