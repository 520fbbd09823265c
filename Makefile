# weiyuan — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6 needs Python 3.12+: take the first one found (PATH, then pyenv's installs).
PYTHON ?= $(shell for p in python3.13 python3.12 $$(ls -d /root/.pyenv/versions/3.1[23]*/bin/python3 2>/dev/null) python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/weiyuan
# The legal corpus shipped beside the project (../shared/data/laws), imported into the knowledge base by `make run`.
LAWS_DIR ?= ../shared/data/laws
# pytest workers (pytest-xdist): the suite is split over the machine's two cores.
TEST_WORKERS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv system-deps browser-deps run serve migrate seed translations lint typecheck test test-sqlite test-postgres test-browser bench bench-cases bench-kb bench-experts bench-opinions bench-marks bench-ecommerce bench-kpis clean

help:
	@echo "make run    - set everything up (venv, migrations, demo data, translations) and serve http://$(HOST):$(PORT)"
	@echo "make test   - ruff, mypy, pytest on PostgreSQL (SQLite-specific parts on SQLite too), browser tests"
	@echo "make bench  - 1,000,000 cases, a 1,000,000-entry knowledge base, 50,000 experts, 1,000,000 marks, 1,000,000 e-commerce listings; p50/p95"

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required (Django 6)."; exit 1; }
	@echo "Using $(PYTHON)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(VENV)/.installed

# Debian packages the project needs: gettext (translations), Pango + CJK fonts (PDF letters), chromium (browser tests).
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	dpkg -s libpango-1.0-0 >/dev/null 2>&1 || missing="$$missing libpango-1.0-0"; \
	dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || missing="$$missing libpangoft2-1.0-0"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi

browser-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi

translations: venv system-deps
	$(MANAGE) compilemessages --ignore=.venv --ignore=var -v 0

migrate: venv
	mkdir -p var
	$(MANAGE) migrate --no-input -v 0

seed: migrate
	$(MANAGE) seed_demo
	@if [ -d "$(LAWS_DIR)" ]; then $(MANAGE) kb_import_laws "$(LAWS_DIR)" && $(MANAGE) kb_seed_demo; \
	else echo "$(LAWS_DIR) not found: laws (and the knowledge-base demo items citing them) not imported"; fi
	$(MANAGE) kpi_rebuild --no-progress

run: venv system-deps translations seed
	$(MANAGE) collectstatic --no-input -v 0
	@$(MANAGE) demo_logins
	@echo "Starting the outbox worker and the web server on http://$(HOST):$(PORT) (Ctrl-C stops both)"
	@trap 'kill 0' EXIT; \
	$(MANAGE) outbox_worker --sweep-every 60 & \
	$(MANAGE) webhooks_deliver --loop & \
	$(MANAGE) runserver $(HOST):$(PORT) --noreload

lint: venv
	$(VENV)/bin/ruff check weiyuan tests
	$(VENV)/bin/ruff format --check weiyuan tests

typecheck: venv
	$(VENV)/bin/mypy weiyuan

# With PostgreSQL reachable the whole suite runs there (test-postgres) and only the modules marked both_databases
# (tests/conftest.py: code with another path on SQLite) run here too; without it, everything runs on SQLite.
# TEST_ALL_ON_SQLITE=1 runs everything on SQLite regardless.
test-sqlite: venv translations
	@if [ "$(TEST_ALL_ON_SQLITE)" != "1" ] && $(PY) scripts/pg_available.py "$(PG_URL)"; then \
		echo "SQLite: the modules marked both_databases (the whole suite runs on PostgreSQL)"; \
		DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(VENV)/bin/pytest -q -m "not browser and both_databases" -n $(TEST_WORKERS); \
	else DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(VENV)/bin/pytest -q -m "not browser" -n $(TEST_WORKERS); fi

test-postgres: venv translations
	@if $(PY) scripts/pg_available.py "$(PG_URL)"; then \
		DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q -m "not browser" -n $(TEST_WORKERS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is required when CI=true but $(PG_URL) is not reachable"; exit 1; \
	else echo "PostgreSQL not reachable at $(PG_URL): skipping the PostgreSQL run"; fi

test-browser: venv translations browser-deps
	DATABASE_URL=sqlite:///$(CURDIR)/var/test-browser.sqlite3 $(VENV)/bin/pytest -q -m browser

test: lint typecheck test-sqlite test-postgres test-browser

bench: bench-cases bench-kpis bench-kb bench-experts bench-opinions bench-marks bench-ecommerce

bench-cases: venv
	@$(PY) scripts/pg_available.py --create "$(PG_URL)_bench" || { echo "make bench needs PostgreSQL at $(PG_URL)"; exit 1; }
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) bench $(BENCH_ARGS)

# KPI dashboards, ranking, refresh, rebuild and 100,000-row exports over the cases of bench-cases.
bench-kpis: venv
	@$(PY) scripts/pg_available.py --create "$(PG_URL)_bench" || { echo "make bench needs PostgreSQL at $(PG_URL)"; exit 1; }
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) kpi_bench $(KPI_BENCH_ARGS)

# Expert matching over 50,000 generated experts (PostgreSQL bench database; uses the cases of bench-cases).
bench-experts: venv
	@$(PY) scripts/pg_available.py --create "$(PG_URL)_bench" || { echo "make bench needs PostgreSQL at $(PG_URL)"; exit 1; }
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) experts_bench $(EXPERTS_BENCH_ARGS)

# Opinion letter PDF: p50/p95 of generating one letter (3 claims, ~20 features); its records are rolled back.
bench-opinions: venv
	@$(PY) scripts/pg_available.py --create "$(PG_URL)_bench" || { echo "make bench needs PostgreSQL at $(PG_URL)"; exit 1; }
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) opinions_bench $(OPINIONS_BENCH_ARGS)

# Trademark screening: a synthetic register of 1,000,000 marks through tm_import, the index rebuilt, p50/p95 of
# tm_screen over 1,000 queries (its own database: the load drops nothing else).
bench-marks: venv
	@$(PY) scripts/pg_available.py --create "$(PG_URL)_marks_bench" || { echo "make bench needs PostgreSQL at $(PG_URL)"; exit 1; }
	DATABASE_URL=$(PG_URL)_marks_bench $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=$(PG_URL)_marks_bench $(MANAGE) tm_bench --write-docs docs/benchmarks.md $(MARKS_BENCH_ARGS)

# E-commerce notices: one notice with 300 listings end to end (rolled back), then 10,000 generated notices with
# 1,000,000 listings: p50/p95 of the platform inbox and of the clock sweep (same bench database).
bench-ecommerce: venv
	@$(PY) scripts/pg_available.py --create "$(PG_URL)_bench" || { echo "make bench needs PostgreSQL at $(PG_URL)"; exit 1; }
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) ecommerce_bench $(ECOMMERCE_BENCH_ARGS)

# Knowledge-base search: a 1,000,000-entry corpus in PostgreSQL (same bench database) and in var/bench.sqlite3.
bench-kb: venv
	@$(PY) scripts/pg_available.py --create "$(PG_URL)_bench" || { echo "make bench needs PostgreSQL at $(PG_URL)"; exit 1; }
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=$(PG_URL)_bench $(MANAGE) kb_bench --laws "$(LAWS_DIR)" $(KB_BENCH_ARGS)
	mkdir -p var
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(MANAGE) kb_bench --laws "$(LAWS_DIR)" $(KB_BENCH_ARGS)

clean:
	rm -rf $(VENV) var
