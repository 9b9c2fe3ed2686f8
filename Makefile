# The committee registry: `make run` serves the demo, `make test` runs the whole suite.
# Every package, system package and service check the project needs is here.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The suite's real services (override to point elsewhere).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/registry
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
SYSTEM_PACKAGES := chromium fonts-dejavu-core poppler-utils

.PHONY: run test venv venv-dev system-deps services lint format check messages demo bench bench-reports backup restore clean

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

## run: the demo on an embedded SQLite database, tasks in-process, at http://127.0.0.1:$(PORT)/
run: venv
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py load_seeds
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py create_demo_accounts
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py generate_reports --sync --verbosity 0
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py runserver 127.0.0.1:$(PORT)

## system-deps: Debian packages the tests need (headless Chromium, fonts, pdftoppm)
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## services: stop with a clear message when PostgreSQL or Redis is not reachable
services: venv-dev
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) scripts/check_services.py

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/mypy

format: venv-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: venv-dev
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py check --fail-level WARNING
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py makemigrations --check --dry-run

## test: the whole suite on PostgreSQL and Redis, with a real Celery worker and headless Chromium
test: venv-dev system-deps services lint check
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

## messages: compile the Vietnamese catalogues (locale/vi and each app's locale/vi; needs GNU
## gettext). The .mo files are committed; edit the .po files (scripts/fill_po.py for locale/vi).
messages: venv-dev
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var

# ---------------------------------------------------------------------------------------------
# Reports budget benchmark (issue 4): prints figures, not part of `make test`. It runs on its own
# PostgreSQL database (created when missing, migrated), and rolls back everything it creates.
BENCH_DATABASE_URL ?= $(TEST_DATABASE_URL)_bench

## bench-reports: 32-member committee report vs WeasyPrint alone; city overview of 5,000 committees;
## BENCH_REPORTS_ARGS="--throughput 20": reports per minute with 1, then 2, Celery workers
bench-reports: venv-dev system-deps services
	$(PY) -c "import sys, psycopg; base, name = sys.argv[1].rsplit('/', 1); conn = psycopg.connect(base + '/postgres', autocommit=True); exists = conn.execute('SELECT 1 FROM pg_database WHERE datname = %s', (name,)).fetchone(); exists or conn.execute('CREATE DATABASE \"%s\"' % name)" $(BENCH_DATABASE_URL)
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) manage.py bench_reports $(BENCH_REPORTS_ARGS)

## backup: one archive (pg_dump of DATABASE_URL, or the SQLite file, plus the private report
## files) under var/backups/ (BACKUP_DIR=... to choose); restore: make restore FILE=... [FORCE=1]
BACKUP_DIR ?= var/backups
backup: venv
	$(PY) scripts/backup.py backup --output $(BACKUP_DIR)

restore: venv
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/registry-....tar.gz [FORCE=1]" >&2; exit 2; }
	$(PY) scripts/backup.py restore "$(FILE)" $(if $(FORCE),--force)

## bench: every page at demo size and at city scale, measured alternately in one process, on
## two PostgreSQL databases of its own (registry_bench_demo and _scale: built once, reused
## while the migrations, the seeding code and the seed_scale parameters are unchanged); prints a
## table and writes bench/results.json. Not part of `make test`. See docs/performance.md;
## BENCH_ARGS="--fresh" (rebuild), "--only admin", "--rounds 10 --repeat 3"…
bench: venv-dev services
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) AXES_ENABLED=false \
		$(PY) manage.py bench $(BENCH_ARGS)
