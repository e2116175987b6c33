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

.PHONY: help setup run migrate demo otp test test-e2e lint format clean bench loadtest

help:
	@echo "make run   - set up, migrate, load the demo catalog, serve http://127.0.0.1:8000 (SQLite)"
	@echo "make otp   - print the demo reviewers' current admin sign-in codes (TOTP)"
	@echo "make test  - run the test suite (set DATABASE_URL for PostgreSQL)"
	@echo "make lint  - ruff check + format check"
	@echo "make bench - load-test every public page with wrk at 50 and 2,000 models (PostgreSQL, ~10 min)"
	@echo "make loadtest - 64 connections over a page/fragment/API mix, then while publishing a price change a second"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen || $(UV) sync --frozen --python python3
	@touch $@

setup: $(VENV)/.synced

migrate: setup
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput

demo: migrate
	DJANGO_DEBUG=1 $(MANAGE) load_demo_catalog
	DJANGO_DEBUG=1 $(MANAGE) create_demo_accounts
	DJANGO_DEBUG=1 $(MANAGE) enrol_demo_otp

# The demo reviewers' current TOTP codes (local development only).
otp: setup
	@DJANGO_DEBUG=1 $(MANAGE) enrol_demo_otp

run: demo
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# The suite runs with DEBUG off (as production), unhashed static files (no collectstatic needed) and no HTTPS
# redirect (the test client speaks http; tests/test_deploy.py checks the redirect in production settings). The
# replica router is tested with a mirror alias (tests/test_replica_router.py), so a DATABASE_REPLICA_URL is ignored.
test: setup
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

clean:
	rm -rf $(VENV) $(TOOLS) staticfiles
