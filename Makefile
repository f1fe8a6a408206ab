# 办成事 — the two commands people need are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck pytest migrate demo install install-dev clean bench bench-reports bench-intake bench-scale bench-search bench-clocks bench-duplicates bench-papers bench-routing bench-workbench screenshots backup restore

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install --quiet -e '.[dev]'
	touch $@

# axe-core (package.json, test-only) checks the public pages in the browser tests; npm writes
# node_modules/.package-lock.json on each install, so `npm ci` runs again only when package.json or the
# lockfile is newer. Without npm the axe checks are skipped (CI installs npm and fails without them).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; \
	else echo "npm is missing: the axe-core accessibility checks will be skipped (apt-get install npm)"; fi

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo

## make run: set up, migrate SQLite, load the demo district, serve on http://$(HOST):$(PORT) with the job worker
run: demo
	$(PY) manage.py collectstatic --noinput -v0
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) scripts/run

## make test: ruff, import contracts, mypy and the whole suite (DATABASE_URL selects PostgreSQL)
test: lint typecheck pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: install-dev
	$(VENV)/bin/mypy banchengshi config

# One pytest-xdist worker per core (each with its own test database and Chromium); PYTEST_WORKERS=0
# runs the suite in one process. PYTEST_ARGS go to pytest (CI's PostgreSQL pass: -m "not browser").
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
pytest: install-dev
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make screenshots: the browser tests, writing a full-page screenshot of each main page to var/screenshots/
screenshots: install-dev
	SCREENSHOTS=1 $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m browser
	SCREENSHOTS=1 $(VENV)/bin/pytest -n $(PYTEST_WORKERS) banchengshi/papers

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache .hypothesis

## make bench: the benchmarks (figures for the issues' notes): all below
bench: bench-reports bench-intake bench-scale bench-search bench-clocks bench-duplicates bench-papers bench-routing bench-workbench

## make bench-routing: the routing model's training time and one suggestion's time over 1,000 reports (issue 12)
bench-routing: install
	$(PY) bench/routing.py

## make bench-reports: online reports -> listed in the center's queue, in a temporary installation (issue 8)
bench-reports: install
	$(PY) bench/public_reports.py

## make bench-intake: reports accepted per second (staff API, public route) beside a bare Django INSERT under the same
## gunicorn, on SQLite and PostgreSQL; writes the intake section of BENCHMARKS.md (issue 14)
bench-intake: install
	$(PY) bench/intake.py

## make bench-workbench: each role's workbench, the ledger (filters, Chinese search), a case page and the API list
## at 10,000 and 1,000,000 cases (PostgreSQL bcs_bench_10k and bcs_bench, SQLite at 10,000), p50/p99 and the
## queries per request; then the workers' memory, also after exporting 100,000 cases; writes the workbench
## section of BENCHMARKS.md (issue 14b, 14e)
bench-workbench: install
	$(PY) bench/workbench.py

## make bench-papers: each kind of paper (回执, 登记表, 不予受理通知书, 通报, 工单) rendered as a PDF, within 1 s (issue 13)
bench-papers: install
	$(PY) bench/papers.py

## make bench-scale: the whole district's dashboard, stats API and quarterly file over BENCH_CASES (default
## 1,000,000) cases in PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/bcs_bench) (issue 11)
bench-scale: install
	$(PY) bench/figures_at_scale.py

## make bench-clocks: deadline computations per second, and a one-day calendar change moving the open clocks
## of the same BENCH_CASES cases (issue 14)
bench-clocks: install
	$(PY) bench/clocks.py

## make bench-duplicates: finding the possible repeats of one new report over BENCH_CASES (default 100,000)
## cases in PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/bcs_bench_dups) (issue 12)
bench-duplicates: install
	$(PY) bench/duplicates_at_scale.py

## make bench-search: full-text searches (ledger, API, queue) over the same BENCH_CASES cases in PostgreSQL
## (the database of bench-scale: loaded once for both) (issue 12)
bench-search: install
	$(PY) bench/search_at_scale.py

## make backup FILE=path: an online backup of the configured database (DATABASE_URL) while it runs
backup: install
	@test -n "$(FILE)" || { echo "用法：make backup FILE=备份文件路径"; exit 2; }
	$(PY) manage.py backup "$(FILE)"

## make restore FILE=path: a backup onto the configured database, which must be empty; verifies the audit chain
restore: install
	@test -n "$(FILE)" || { echo "用法：make restore FILE=备份文件路径"; exit 2; }
	$(PY) manage.py restore "$(FILE)"
