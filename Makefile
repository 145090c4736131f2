# Portcullis: `make run` serves the demo platform, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PASSWORD ?= portcullis-demo
export DJANGO_SETTINGS_MODULE := coordination.settings

.PHONY: run test venv migrate demo bench wrk clean chromium icu mutate pdfdeps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# PyICU (the name transliteration under `fingerprints`) compiles against Debian's libicu-dev.
icu:
	@pkg-config --exists icu-uc 2>/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y libicu-dev pkg-config)

# WeasyPrint (the case-file PDF) needs Pango and fonts; pdftoppm (poppler-utils) renders PDF pages to PNG in tests.
pdfdeps:
	@(ldconfig -p | grep -q libpangoft2-1.0 && fc-list | grep -qi dejavu && command -v pdftoppm >/dev/null) || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python icu pdfdeps
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo --password "$(DEMO_PASSWORD)"

run: demo
	@echo ""
	@echo "Portcullis is at http://127.0.0.1:$(PORT)/  (every demo login above uses the password: $(DEMO_PASSWORD))"
	@echo ""
	@echo "(DEBUG is off unless DJANGO_DEBUG=1.)"
	@echo ""
	DATABASE_CONN_MAX_AGE=0 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The browser tests (tests/e2e) drive Debian's Chromium; install it only when it is missing.
chromium:
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver)

test: venv chromium
	$(BIN)/python -m pytest

# Issue 13: mutation testing of the access policy (cases/access.py, cases/services/guard.py) with
# mutmut against the permission tests, in a throw-away copy of the work tree (MUTATE_DIR) on
# SQLite; prints the figures and fails if a mutant survives. Not part of `make test`.
# MUTATE_JOBS=N, MUTATE_REV=<commit> (instead of the work tree); tests/mutation/run.py says more.
mutate: venv
	$(BIN)/python -m tests.mutation.run

# Issue 4's benchmark (bench/): bulk data in a fresh PostgreSQL database, then the list
# query, HTTP under gunicorn + wrk, growth and audit cost; writes bench/RESULTS.md and
# bench/results.json. BENCH_DATABASE_URL, not DATABASE_URL: the test suite's database is never dropped.
SIZE ?= 100000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portcullis_bench
BENCH_CASE_FILE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portcullis_bench_case_file

wrk:
	@command -v wrk >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk)

bench: venv wrk
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.verify
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run --size $(SIZE)
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} BENCH_DATABASE_URL=$(BENCH_CASE_FILE_DATABASE_URL) \
		$(BIN)/python -m bench.case_file

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
