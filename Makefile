# Herald — see README.md. Every target installs what it needs on a fresh machine.
SHELL := /bin/bash
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .venv-tools/bin/uv)
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/herald
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: demo test install install-dev lint check test-sqlite test-postgres test-e2e \
        bench bench-100k bench-members run migrate services chromium nginx clean

$(UV):
	python3 -m venv .venv-tools && .venv-tools/bin/pip install -q "uv>=0.6,<1"

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --no-dev --inexact -q
	touch $@

.venv/.installed-dev: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen -q
	touch $@ .venv/.installed

install: .venv/.installed

migrate: install
	$(PY) manage.py migrate --noinput -v0

## make demo: install, migrate SQLite, load the demo publication, serve on $(PORT).
demo: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_demo --port $(PORT)
	HERALD_INPROCESS_SCHEDULER=1 HERALD_SERVE_MEDIA=1 $(PY) manage.py serve_demo --port $(PORT)

run: migrate
	HERALD_BASE_URL="$${HERALD_BASE_URL:-http://127.0.0.1:$(PORT)}" HERALD_DEBUG=1 HERALD_INPROCESS_SCHEDULER=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: what CI runs (.ci/run). Installs what is missing (uv, the locked
## packages, PostgreSQL/Redis, Chromium, gettext), then: ruff, migrations check,
## conventions, import layers, the suite on SQLite, again on PostgreSQL + Redis,
## and the browser tests in Chromium. Each stage prints its time; a summary ends it.
## PYTEST_N=1 runs the suites in one process; PYTEST_ARGS adds pytest options.
.PHONY: test-start messages conventions imports migrations-check vnu
PYTEST_N ?= 2
PYTEST_ARGS ?=
XDIST := $(if $(filter-out 0 1,$(PYTEST_N)),-n $(PYTEST_N) --dist load,)
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
TIMINGS := var/test-timings.txt
# $(call timed,NAME,COMMAND): run COMMAND, print and record how long it took.
timed = @mkdir -p var; start=$$(date +%s); echo "==> $(1)"; ( $(2) ); rc=$$?; \
	took=$$(( $$(date +%s) - start )); echo "<== $(1): $${took}s"; \
	printf '%-18s %5ss  exit %s\n' "$(1)" "$$took" "$$rc" >> $(TIMINGS); exit $$rc
# $(call pytest,LOG,ARGS): pytest with its output kept in var/pytest-LOG.log; exit
# code 5 (no test collected) is not a failure for one stage.
pytest = set -o pipefail; $(PY) -m pytest $(2) 2>&1 | tee var/pytest-$(1).log || \
	{ rc=$$?; [ $$rc -eq 5 ] && echo "(no tests collected)" || exit $$rc; }
# The SQLite and browser runs ignore a developer's exported service URLs.
NO_SERVICES = export HERALD_DATABASE_URL= HERALD_REDIS_URL= HERALD_CELERY_BROKER_URL=
apt_get = { (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; }

test: test-start install-dev services chromium nginx vnu messages lint check test-sqlite test-postgres test-e2e
	@python3 tools/test_summary.py var

test-start:
	@mkdir -p var; : > $(TIMINGS); rm -f var/pytest-*.log

install-dev: | $(UV)
	$(call timed,install,$(UV) sync --frozen -q && touch .venv/.installed-dev .venv/.installed)

services:
	$(call timed,services,bash tools/ensure_services.sh)

chromium:
	$(call timed,chromium,command -v chromium >/dev/null 2>&1 || $(call apt_get,chromium))

# nginx and Debian's cache purge module, for tests/test_nginx_cache.py and
# tools/bench/nginx.py (they run nginx as a child process; Debian's policy-rc.d
# or the absence of systemd keeps the packaged service from starting).
NGINX_PURGE_MODULE := /usr/lib/nginx/modules/ngx_http_cache_purge_module.so
nginx:
	$(call timed,nginx,{ command -v nginx >/dev/null 2>&1 && [ -f $(NGINX_PURGE_MODULE) ]; } || \
	  $(call apt_get,nginx libnginx-mod-http-cache-purge))

# The W3C Nu HTML checker (npm's vnu-jar, pinned) and a Java to run it:
# tests/test_html_validity.py checks every reader page with it. Its postinstall
# script would fetch a Java runtime from GitHub; Debian's is used instead.
VNU_VERSION := 26.9.27
VNU_DIR := var/vnu
VNU_PACKAGE := $(VNU_DIR)/node_modules/vnu-jar
vnu:
	$(call timed,vnu,{ command -v java >/dev/null 2>&1 || $(call apt_get,default-jre-headless); } && \
	  if grep -qs '"version": "$(VNU_VERSION)"' $(VNU_PACKAGE)/package.json && \
	    [ -f $(VNU_PACKAGE)/build/dist/vnu.jar ]; then :; else \
	    { command -v npm >/dev/null 2>&1 || $(call apt_get,npm); } && \
	    npm install --prefix $(VNU_DIR) --ignore-scripts --no-save --no-audit --no-fund \
	      --silent vnu-jar@$(VNU_VERSION); fi)

# Compile translations when there are any (.mo files are build output).
messages: install-dev
	$(call timed,messages,if find herald -name '*.po' | grep -q .; then \
	  command -v msgfmt >/dev/null 2>&1 || $(call apt_get,gettext); \
	  $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=.venv-tools --ignore=var; fi)

lint: install-dev
	$(call timed,ruff,$(PY) -m ruff check . && $(PY) -m ruff format --check .)

check: migrations-check conventions imports

migrations-check: install-dev
	$(call timed,migrations,$(PY) manage.py makemigrations --check --dry-run -v1)

conventions:
	$(call timed,conventions,python3 tools/check_conventions.py)

imports: install-dev
	$(call timed,import-layers,.venv/bin/lint-imports --no-cache)

test-sqlite: install-dev vnu
	$(call timed,pytest-sqlite,$(NO_SERVICES); \
	  $(call pytest,sqlite,-q -m "not browser" $(XDIST) --durations=5 $(PYTEST_ARGS) herald tests))

test-postgres: install-dev services vnu
	$(call timed,pytest-postgres,export HERALD_DATABASE_URL=$(PG_URL) \
	  HERALD_REDIS_URL=$(TEST_REDIS_URL) HERALD_CELERY_BROKER_URL=; \
	  $(call pytest,postgres,-q -m "not browser" $(XDIST) --durations=5 $(PYTEST_ARGS) herald tests))

test-e2e: install-dev chromium
	$(call timed,pytest-browser,$(NO_SERVICES); \
	  $(call pytest,browser,-q -m browser --durations=5 $(PYTEST_ARGS) tests/e2e))

## make bench: load the shared corpus and print p50/p95 (see docs/performance.md).
## BENCH_ARGS passes options to tools/bench/run.py (e.g. --db URL --workers 4);
## then tools/bench/nginx.py (nginx's page cache vs a static file; NGINX_BENCH_ARGS).
NGINX_BENCH_ARGS ?=
BENCH_ARGS ?=
bench: install-dev services nginx
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(PY) tools/bench/run.py $(BENCH_ARGS)
	$(PY) tools/bench/nginx.py $(NGINX_BENCH_ARGS)

## make bench-100k: the scale test (100,000 articles; compares with the 1,000 run).
bench-100k: install-dev services
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(PY) tools/bench/run.py --count 100000 $(BENCH_ARGS)

## make bench-sitemaps: render time of the sitemap index and pages at 100,000
## articles on PostgreSQL (target ≤ 2 s each; BENCH_ARGS e.g. --count 1000).
.PHONY: bench-sitemaps
bench-sitemaps: install-dev services
	$(PY) tools/bench/sitemaps.py $(BENCH_ARGS)

## make bench-members: import 100,000 members from CSV into PostgreSQL
## (target ≤ 60 s; BENCH_ARGS e.g. --rows 10000 --db postgres://…).
bench-members: install-dev services
	$(PY) tools/bench/members_import.py $(BENCH_ARGS)

## make bench-search: p50/p95 of two-word site searches on PostgreSQL at 100,000
## articles (the bench-100k corpus; builds the search index if missing; target
## p95 ≤ 50 ms; BENCH_ARGS e.g. --queries 500 --db postgres://…).
## make bench-send: one newsletter send to 100,000 subscribers through SMTP to a
## local sink with 2 workers, then the same with a worker killed mid-send
## (targets of issue 11; BENCH_ARGS e.g. --readers 10000 --no-crash).
.PHONY: bench-send
bench-send: install-dev services
	$(PY) tools/bench/send.py $(BENCH_ARGS)

.PHONY: bench-search
bench-search: install-dev services
	$(PY) tools/bench/search.py $(BENCH_ARGS)

clean:
	rm -rf var .venv .venv-tools

## make bench-push: one breaking push to 100,000 subscriptions with 2 Celery
## workers against the local push service (target ≤ 60 s, ≤ 300 MB per worker,
## 0 duplicates, 0 missing; BENCH_ARGS e.g. --subscriptions 10000).
.PHONY: bench-push
bench-push: install-dev services
	$(PY) tools/bench/push.py $(BENCH_ARGS)
