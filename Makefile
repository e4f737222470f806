# Herald — see README.md. Every target installs what it needs on a fresh machine.
SHELL := /bin/bash
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .venv-tools/bin/uv)
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/herald
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: demo test install install-dev lint check test-sqlite test-postgres test-e2e \
        bench bench-100k bench-members run migrate services chromium clean

$(UV):
	python3 -m venv .venv-tools && .venv-tools/bin/pip install -q "uv>=0.6,<1"

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --no-dev -q
	touch $@

.venv/.installed-dev: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen -q
	touch $@ .venv/.installed

install: .venv/.installed
install-dev: .venv/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput -v0

## make demo: install, migrate SQLite, load the demo publication, serve on $(PORT).
demo: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_demo --port $(PORT)
	HERALD_INPROCESS_SCHEDULER=1 HERALD_SERVE_MEDIA=1 $(PY) manage.py serve_demo --port $(PORT)

run: migrate
	HERALD_DEBUG=1 HERALD_INPROCESS_SCHEDULER=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: lint, conventions, the suite on SQLite and PostgreSQL, browser tests.
test: install-dev services chromium lint check test-sqlite test-postgres test-e2e

services:
	@bash tools/ensure_services.sh

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

lint: install-dev
	$(PY) -m ruff check herald tools tests
	$(PY) -m ruff format --check herald tools tests

check: install-dev
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) tools/check_conventions.py
	.venv/bin/lint-imports --no-cache

test-sqlite: install-dev
	$(PY) -m pytest -q -m "not browser" herald tests

test-postgres: install-dev services
	HERALD_DATABASE_URL=$(PG_URL) HERALD_REDIS_URL=redis://127.0.0.1:6379/15 \
	  $(PY) -m pytest -q -m "not browser" herald tests

test-e2e: install-dev chromium
	$(PY) -m pytest -q -m browser tests/e2e

## make bench: load the shared corpus and print p50/p95 (see docs/performance.md).
## BENCH_ARGS passes options to tools/bench/run.py (e.g. --db URL --workers 4).
BENCH_ARGS ?=
bench: install-dev services
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(PY) tools/bench/run.py $(BENCH_ARGS)

## make bench-100k: the scale test (100,000 articles; compares with the 1,000 run).
bench-100k: install-dev services
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(PY) tools/bench/run.py --count 100000 $(BENCH_ARGS)

## make bench-sitemaps: render time of the sitemap index and pages at 100,000
## articles on PostgreSQL (target ≤ 2 s each; BENCH_ARGS e.g. --count 1000).
.PHONY: bench-sitemaps
bench-sitemaps: install-dev services
	$(PY) tools/bench/sitemaps.py $(BENCH_ARGS)

clean:
	rm -rf var .venv .venv-tools
