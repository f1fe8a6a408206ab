"""Benchmark (issue 14b and 14e): the staff workbench at 10,000 and at 1,000,000 cases, and the memory of the
workers after it.

For each target in BENCH_TARGETS (default `postgresql:10000,postgresql:1000000,sqlite:10000`), its own
installation: PostgreSQL `bcs_bench_10k` for 10,000 cases and `bcs_bench` for 1,000,000 (the database of
bench-scale and bench-search, loaded once for all three; BENCH_PG_10K / BENCH_PG_1M name others), SQLite
var/bench/workbench-N.sqlite3. Each is migrated, given the district and N generated cases received over the two
years to yesterday (`manage.py generate_cases`: COPY on PostgreSQL, the ORM on SQLite) and analysed; a later
run with the same N reuses them (BENCH_RELOAD=1 loads again). `python bench/workbench.py load` only loads.

Then gunicorn (2 workers × 2 threads, as bench-scale) serves bench/bench_settings.py — the application's
settings with a middleware that counts each request's SQL statements into the `X-Queries` header — and the
Huey job worker runs. One account per role with a workbench, each where its scope is largest: the registrar,
dispatcher and head of the district's center FWZX (its town centers below it), a handler of RSJ (the
department with the most work orders), the admin office (ZWB) and oversight (JWJW), the last two with their
TOTP enrolled through the pages as a person does. Measured, each with one warm-up then BENCH_RUNS requests
(default 10): p50, p99, the number of queries:

- each role's workbench `/` (its queues);
- the ledger `/ledger/` plain, with filters (status + unit) and with a Chinese search (q=社保), for the
  center's dispatcher, the department's handler and the admin office;
- one case page `/cases/REF/` (a visited case of FWZX with an RSJ work order) as the dispatcher and the handler;
- `GET /api/v1/cases` as the admin office (first page, a deep page, a filter) and the dispatcher.

Memory (14e): after the runs, VmRSS of each gunicorn worker and of the job worker; then the ledger exported
as the admin office (`/ledger/export.xlsx`, at most LEDGER_EXPORT_MAX_ROWS = 100,000 rows: the newest days
that fit) and VmRSS (and the peak, VmHWM) again.

Prints the table, writes var/bench/workbench.json and replaces the workbench section of BENCHMARKS.md
(between its `workbench` markers). Targets: p50 ≤ 50 ms at 1,000,000 cases and ≤ 1.5× the figure at 10,000;
a web worker ≤ 200 MB, also after the export.

    make bench-workbench
    BENCH_TARGETS=postgresql:10000 BENCH_RUNS=5 make bench-workbench
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b32decode
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from django_otp.oath import TOTP

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures_at_scale import (  # noqa: E402 -- the sibling benchmark's helpers, with this folder on the path
    CSRF,
    ENROL,
    PREFIX,
    SEED,
    SHANGHAI,
    NoRedirect,
    machine,
    post_form,
    prepare_database,
    vacuum_analyze,
)
from public_reports import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WORKDIR = ROOT / "var" / "bench"
PG_URLS = {10_000: os.environ.get("BENCH_PG_10K", "postgresql://postgres@127.0.0.1:5432/bcs_bench_10k"),
           1_000_000: os.environ.get("BENCH_PG_1M", "postgresql://postgres@127.0.0.1:5432/bcs_bench")}
P50_LIMIT_MS = 50  # at 1,000,000 cases (issue 14)
GROWTH_LIMIT = 1.5  # p50 at 1,000,000 over p50 at 10,000
RSS_LIMIT_MB = 200
EXPORT_ROWS = 100_000
CENTER, DEPARTMENT, WHOLE, OVERSIGHT = "FWZX", "RSJ", "ZWB", "JWJW"
ROLES = {"registrar": CENTER, "dispatcher": CENTER, "handler": DEPARTMENT, "center_head": CENTER,
         "admin_office": WHOLE, "overseer": OVERSIGHT}
ROLE_NAMES = {"registrar": "登记人员 FWZX", "dispatcher": "派单员 FWZX", "handler": "处置专员 RSJ",
              "center_head": "中心负责人 FWZX", "admin_office": "政务服务办 ZWB", "overseer": "纪委监委 JWJW",
              "admin_office_api": "政务服务办 ZWB（令牌）", "dispatcher_api": "派单员 FWZX（令牌）"}
SEARCH = "社保"
FILTER = f"status=in_progress&unit={DEPARTMENT}"  # the cases being handled at the largest department
DEEP_PAGE = 400  # × 20 per page: offset 7,980, inside the whole district's list at 10,000 cases too


# --- the installations -----------------------------------------------------------------------------------

def targets() -> list[tuple[str, int]]:
    chosen = []
    for item in os.environ.get("BENCH_TARGETS", "postgresql:10000,postgresql:1000000,sqlite:10000").split(","):
        vendor, _, count = item.strip().partition(":")
        if vendor not in ("postgresql", "sqlite") or not count.isdigit():
            raise SystemExit(f"BENCH_TARGETS: {item!r} is not vendor:cases (postgresql:10000, sqlite:10000)")
        chosen.append((vendor, int(count)))
    return chosen


def url_for(vendor: str, cases: int) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{WORKDIR / f'workbench-{cases}.sqlite3'}"
    url = PG_URLS.get(cases) or f"postgresql://postgres@127.0.0.1:5432/bcs_bench_{cases}"
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if "bench" not in name or name.startswith("test"):
        raise SystemExit(f"refusing the database {name}: the benchmark's are named *bench*")
    return url


def environment(url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "BANCHENGSHI_VAR": str(WORKDIR), "LOG_LEVEL": "WARNING",
           "SECRET_KEY": "bench-" + os.urandom(24).hex(), "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
           "LEDGER_EXPORT_MAX_ROWS": str(EXPORT_ROWS)}
    env.pop("REDIS_URL", None)  # the job queue in var/bench's SQLite file, as on a developer's machine
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} 失败（退出码 {done.returncode}）：\n{done.stderr[-3000:]}")
    return done.stdout


def one(url: str, query: str, params: tuple[Any, ...] = ()) -> Any:
    """The first column of the first row of a query, on either database (`%s` placeholders)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            row = conn.execute(query.replace("%s", "?"), params).fetchone()
    else:
        with psycopg.connect(url) as conn:
            row = conn.execute(query, params).fetchone()
    return row[0] if row else None


def sqlite_loaded(url: str, cases: int) -> bool:
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists() and os.environ.get("BENCH_RELOAD") != "1":
        try:
            if one(url, "SELECT count(*) FROM cases_case WHERE reference LIKE %s", (f"{PREFIX}%",)) == cases:
                return True
        except sqlite3.Error:
            pass
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    return False


def load(vendor: str, cases: int) -> dict[str, Any]:
    """The installation of one target, loaded when it is not already; the seconds it took."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    url = url_for(vendor, cases)
    env = environment(url)
    reused = sqlite_loaded(url, cases) if vendor == "sqlite" else prepare_database(url, cases)
    if reused and not (WORKDIR / "pii_key").exists():
        raise SystemExit(f"the loaded cases were encrypted with a key not in {WORKDIR}: run with BENCH_RELOAD=1")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_district", str(ROOT / "banchengshi/dispatch/district"))
    if reused:
        print(f"{vendor} {cases}: the cases already loaded are reused (BENCH_RELOAD=1 loads them again)", flush=True)
        return {"reused": True, "load_seconds": None}
    last = datetime.now(SHANGHAI).date() - timedelta(days=1)
    first = last.replace(year=last.year - 2) + timedelta(days=1)
    print(f"{vendor} {cases}: loading the cases received {first} … {last} …", flush=True)
    began = time.monotonic()
    print("  " + manage(env, "generate_cases", str(cases), "--from", first.isoformat(), "--to", last.isoformat(),
                        "--seed", str(SEED), "--prefix", PREFIX).strip(), flush=True)
    if vendor == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("ANALYZE")
    else:
        vacuum_analyze(url)
    return {"reused": False, "load_seconds": round(time.monotonic() - began, 1)}


# --- the client ------------------------------------------------------------------------------------------

def get(opener: urllib.request.OpenerDirector, url: str, token: str = "") -> tuple[int, bytes, float, int | None]:
    """Status, body, seconds and the `X-Queries` the server counted."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    began = time.perf_counter()
    try:
        with opener.open(request, timeout=300) as answer:
            body = answer.read()
            status, headers = answer.status, answer.headers
    except urllib.error.HTTPError as exc:
        body, status, headers = exc.read(), exc.code, exc.headers
    seconds = time.perf_counter() - began
    queries = headers.get("X-Queries")
    return status, body, seconds, int(queries) if queries and queries.isdigit() else None


def sign_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """The login form; for a role that needs a second factor, its TOTP enrolment as a person does it."""
    jar = http.cookiejar.CookieJar()
    once = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = once.open(f"{base}/login/", timeout=30).read().decode()
    post_form(once, f"{base}/login/", page, {"username": username, "password": password})
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/reminders/", timeout=60) as landed:
        page, path = landed.read().decode(), urllib.parse.urlsplit(landed.url).path
    if path == ENROL:
        secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page)
        if secret is None or not CSRF.search(page):
            raise SystemExit("the enrolment page shows no secret")
        totp = TOTP(b32decode(secret[1].replace(" ", "")))
        post_form(once, f"{base}{ENROL}", page, {"code": f"{totp.token():06d}"})
    with opener.open(f"{base}/reminders/", timeout=60) as check:
        if urllib.parse.urlsplit(check.url).path != "/reminders/":
            raise SystemExit(f"{username} is not signed in: /reminders/ led to {check.url}")
    return opener


def percentile(ms: list[float], q: float) -> float:
    """Nearest rank: of 10 runs, p50 is the 5th and p99 the 10th (the slowest)."""
    ordered = sorted(ms)
    rank = max(1, -(-int(q * 100) * len(ordered) // 100))
    return ordered[min(len(ordered), rank) - 1]


def measure(label: str, role: str, fetch: Any, runs: int) -> dict[str, Any]:
    status, body, _, _ = fetch()
    if status != 200:
        raise SystemExit(f"{label} ({role}): HTTP {status} {body[:300]!r}")
    times, queries = [], set()
    for _ in range(runs):
        status, body, seconds, counted = fetch()
        if status != 200:
            raise SystemExit(f"{label} ({role}): HTTP {status} {body[:300]!r}")
        times.append(seconds * 1000)
        queries.add(counted)
    known = sorted(q for q in queries if q is not None)
    row = {"page": label, "role": role, "runs": runs, "bytes": len(body),
           "p50_ms": round(percentile(times, .5), 1), "p99_ms": round(percentile(times, .99), 1),
           "queries": known[-1] if known else None, "queries_min": known[0] if known else None}
    print(f"  {label:<34} {ROLE_NAMES[role]:<22} p50 {row['p50_ms']:>7.1f} ms  p99 {row['p99_ms']:>7.1f} ms  "
          f"{row['queries']} queries", flush=True)
    return row


# --- memory ----------------------------------------------------------------------------------------------

def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:  # the field after the state: the parent
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return sorted(found)


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (the peak) of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in status.splitlines()
              if line.startswith(("VmRSS", "VmHWM"))}
    return {"rss_mb": round(values.get("VmRSS", 0), 1), "peak_mb": round(values.get("VmHWM", 0), 1)}


def memories(web: int, jobs: int) -> dict[str, Any]:
    return {"web_workers": [{"pid": pid, **memory_mb(pid)} for pid in children(web)],
            "job_worker": [{"pid": pid, **memory_mb(pid)} for pid in [jobs, *children(jobs)]]}


def export_filter(url: str, cases: int) -> tuple[str, int]:
    """The ledger's filter for the newest whole days that hold at most EXPORT_ROWS cases, and their count."""
    if cases <= EXPORT_ROWS:
        return "", cases
    newest = one(url, "SELECT received_at FROM cases_case ORDER BY received_at DESC LIMIT 1 OFFSET %s", (EXPORT_ROWS,))
    if isinstance(newest, str):  # SQLite keeps UTC times as text
        newest = datetime.fromisoformat(newest).replace(tzinfo=UTC)
    day = newest.astimezone(SHANGHAI).date() + timedelta(days=1)
    since = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI)
    if url.startswith("sqlite"):
        since_value: Any = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    else:
        since_value = since
    rows = one(url, "SELECT count(*) FROM cases_case WHERE received_at >= %s", (since_value,))
    return f"received_from={day.isoformat()}", int(rows)


# --- one target ------------------------------------------------------------------------------------------

def case_for_pages(url: str) -> str:
    """A visited case of the center (its timeline complete: accepted, dispatched, replied, closed, visited)
    with a work order of the department: one page both the dispatcher and the handler may open."""
    found = one(url, """
        SELECT c.reference FROM cases_case c
        JOIN accounts_unit center ON center.id = c.center_id
        WHERE center.code = %s AND c.status = 'visited' AND EXISTS (
            SELECT 1 FROM cases_workorder w JOIN accounts_unit u ON u.id = w.unit_id
            WHERE w.case_id = c.id AND u.code = %s)
        ORDER BY c.id LIMIT 1""", (CENTER, DEPARTMENT))
    if not found:
        raise SystemExit(f"no visited case of {CENTER} with a work order of {DEPARTMENT}")
    return str(found)


def run_target(vendor: str, cases: int, runs: int) -> dict[str, Any]:  # noqa: PLR0915 -- read top to bottom
    loaded = load(vendor, cases)
    url = url_for(vendor, cases)
    env = environment(url)
    suffix = os.urandom(3).hex()
    password = "Bench-password-" + os.urandom(6).hex()
    users = {role: f"bench_{role}_{suffix}" for role in ROLES}
    # One process for the accounts and their tokens (the commands a person runs, called in turn): starting
    # Django eight times took minutes on a loaded machine.
    script = "".join(f"call_command('create_staff', {users[role]!r}, unit={unit!r}, role={role!r}, password={password!r})\n"
                     for role, unit in ROLES.items())
    script += "".join(f"out = io.StringIO(); call_command('issue_token', {users[role]!r}, stdout=out); print({role!r}, out.getvalue().strip())\n"
                      for role in ("admin_office", "dispatcher"))
    printed = manage(env, "shell", "--no-imports", "-c", "import io\nfrom django.core.management import call_command\n" + script)
    tokens = dict(line.split(" ", 1) for line in printed.splitlines() if line.startswith(("admin_office ", "dispatcher ")))
    reference = case_for_pages(url)
    export_query, export_rows = export_filter(url, cases)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = str(Path(PY).parent / "gunicorn")
    web = subprocess.Popen([gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                            "--threads", "2", "--timeout", "600", "--log-level", "warning"],
                           env={**env, "DJANGO_SETTINGS_MODULE": "bench_settings"}, cwd=ROOT)
    jobs = subprocess.Popen([PY, str(ROOT / "manage.py"), "run_huey", "--workers", "1", "-q"], env=env, cwd=ROOT)
    plain = urllib.request.build_opener()
    rows: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(plain, f"{base}/login/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        if get(plain, f"{base}/login/")[3] is None:
            raise SystemExit("the server does not count queries: bench_settings not loaded")
        sessions = {role: sign_in(base, users[role], password) for role in ROLES}
        print(f"\n{vendor}, {cases} cases; {runs} runs after one warm-up each:", flush=True)

        def page(label: str, role: str, path: str) -> None:
            rows.append({**measure(label, role, lambda: get(sessions[role], f"{base}{path}"), runs), "path": path})

        def api(label: str, role: str, path: str) -> None:
            fetch = lambda: get(plain, f"{base}{path}", tokens[role])  # noqa: E731
            rows.append({**measure(label, f"{role}_api", fetch, runs), "path": path})

        for role in ROLES:
            page("工作台 /", role, "/")
        search = urllib.parse.quote(SEARCH)
        for role in ("dispatcher", "handler", "admin_office"):
            page("台账 /ledger/", role, "/ledger/")
            page(f"台账 筛选 {FILTER}", role, f"/ledger/?{FILTER}")
            page(f"台账 检索 q={SEARCH}", role, f"/ledger/?q={search}")
        for role in ("dispatcher", "handler"):
            page("反映件页 /cases/REF/", role, f"/cases/{reference}/")
        api("API /api/v1/cases 第1页", "admin_office", "/api/v1/cases")
        api(f"API /api/v1/cases 第{DEEP_PAGE}页", "admin_office", f"/api/v1/cases?page={DEEP_PAGE}")
        api(f"API 筛选 {FILTER}", "admin_office", f"/api/v1/cases?{FILTER}")
        api(f"API 检索 q={SEARCH}", "admin_office", f"/api/v1/cases?q={search}")
        api("API /api/v1/cases 第1页", "dispatcher", "/api/v1/cases")

        memory: dict[str, Any] = {"after_runs": memories(web.pid, jobs.pid)}
        print(f"  memory after the runs: {json.dumps(memory['after_runs'])}", flush=True)
        status, body, seconds, counted = get(sessions["admin_office"], f"{base}/ledger/export.xlsx?{export_query}")
        if status != 200 or body[:2] != b"PK":
            raise SystemExit(f"the ledger export: HTTP {status} {body[:300]!r}")
        time.sleep(1)
        memory["after_export"] = memories(web.pid, jobs.pid)
        memory["export"] = {"filter": export_query or "（全部）", "rows": export_rows, "seconds": round(seconds, 1),
                            "bytes": len(body), "queries": counted}
        print(f"  ledger export of {export_rows} rows ({export_query or 'all'}): {seconds:.1f} s, "
              f"{len(body) / 1e6:.1f} MB; memory after: {json.dumps(memory['after_export'])}", flush=True)
    finally:
        for process in (web, jobs):
            process.terminate()
        for process in (web, jobs):
            try:
                process.wait(60)  # a worker still inside a long request finishes it first
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
    return {"vendor": vendor, "cases": cases, **loaded, "case_page": reference, "rows": rows, "memory": memory}


# --- the report ------------------------------------------------------------------------------------------

def key(row: dict[str, Any]) -> tuple[str, str]:
    return row["page"], row["role"]


def verdict(small: dict[str, Any] | None, large: dict[str, Any] | None) -> tuple[str, float | None]:
    if large is None:
        return "—", None
    ratio = large["p50_ms"] / small["p50_ms"] if small and small["p50_ms"] else None
    misses = []
    if large["p50_ms"] > P50_LIMIT_MS:
        misses.append(f"p50 > {P50_LIMIT_MS} ms")
    if ratio is not None and ratio > GROWTH_LIMIT:
        misses.append(f"> {GROWTH_LIMIT}× 10k")
    return ("超限：" + "，".join(misses)) if misses else "达标", ratio


def table(results: list[dict[str, Any]]) -> str:
    by = {(r["vendor"], r["cases"]): {key(row): row for row in r["rows"]} for r in results}
    order: list[tuple[str, str]] = []
    for r in results:
        order += [key(row) for row in r["rows"] if key(row) not in order]
    small, large = by.get(("postgresql", 10_000), {}), by.get(("postgresql", 1_000_000), {})
    lite, lite_large = by.get(("sqlite", 10_000), {}), by.get(("sqlite", 1_000_000), {})

    def cells(row: dict[str, Any] | None) -> str:
        return "— | — | —" if row is None else f"{row['p50_ms']:.0f} | {row['p99_ms']:.0f} | {row['queries']}"

    head = ("| page | role | PG 10k p50 ms | p99 | queries | PG 1M p50 ms | p99 | queries | 1M/10k p50 | verdict "
            "| SQLite 10k p50 ms | p99 | queries |")
    lines = [head, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
    if lite_large:
        lines[0] += " SQLite 1M p50 ms | p99 | queries |"
        lines[1] += " ---: | ---: | ---: |"
    for k in order:
        word, ratio = verdict(small.get(k), large.get(k))
        line = (f"| {k[0]} | {ROLE_NAMES[k[1]]} | {cells(small.get(k))} | {cells(large.get(k))} | "
                f"{'—' if ratio is None else f'{ratio:.1f}×'} | {word} | {cells(lite.get(k))} |")
        if lite_large:
            line += f" {cells(lite_large.get(k))} |"
        lines.append(line)
    return "\n".join(lines)


def memory_lines(results: list[dict[str, Any]]) -> str:
    lines = ["| installation | web workers after the runs (RSS MB) | after the export: RSS / peak MB | job worker RSS MB "
             "| ledger export | verdict |", "| --- | --- | --- | --- | --- | --- |"]
    for r in results:
        memory = r["memory"]
        before = ", ".join(f"{w['rss_mb']:.0f}" for w in memory["after_runs"]["web_workers"])
        after = ", ".join(f"{w['rss_mb']:.0f} / {w['peak_mb']:.0f}" for w in memory["after_export"]["web_workers"])
        job = f"{memory['after_runs']['job_worker'][0]['rss_mb']:.0f} → {memory['after_export']['job_worker'][0]['rss_mb']:.0f}"
        export = memory["export"]
        worst = max(w["peak_mb"] for w in memory["after_export"]["web_workers"])
        word = "达标" if worst <= RSS_LIMIT_MB else f"超限：峰值 {worst:.0f} MB > {RSS_LIMIT_MB} MB"
        lines.append(f"| {r['vendor']} {r['cases']:,} | {before} | {after} | {job} | {export['rows']:,} rows "
                     f"({export['filter']}), {export['seconds']:.1f} s, {export['bytes'] / 1e6:.1f} MB | {word} |")
    return "\n".join(lines)


def write_section(results: list[dict[str, Any]], info: dict[str, Any], runs: int) -> None:
    from sections import machine_line, replace_section  # bench/sections.py, this folder on the path

    text = (f"Measured by `make bench-workbench`: {machine_line()}; PostgreSQL {info['postgresql']}, psycopg "
            f"{info['psycopg']}. gunicorn 2 workers × 2 threads, one client; each page one warm-up then {runs} requests "
            f"(p99 of {runs} is the slowest); queries counted by bench/query_count.py (bench settings only). Targets: "
            f"p50 ≤ {P50_LIMIT_MS} ms at 1,000,000 cases and ≤ {GROWTH_LIMIT}× the figure at 10,000.\n\n"
            f"{table(results)}\n\nMemory (issue 14e; target: a web worker ≤ {RSS_LIMIT_MB} MB, also after exporting "
            f"{EXPORT_ROWS:,} cases):\n\n{memory_lines(results)}")
    replace_section("workbench", "## Workbench at scale (issue 14b, 14e)", text)


def main() -> None:
    chosen = targets()
    if sys.argv[1:] == ["load"]:
        for vendor, cases in chosen:
            load(vendor, cases)
        return
    runs = int(os.environ.get("BENCH_RUNS", "10"))
    for vendor, cases in chosen:
        measured = run_target(vendor, cases, runs)
        (WORKDIR / f"workbench-{vendor}-{cases}.json").write_text(
            json.dumps({**measured, "runs": runs, "date": datetime.now(SHANGHAI).date().isoformat()},
                       ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # The table takes every installation measured so far (a run of one target keeps the others' figures).
    results = [json.loads((WORKDIR / f"workbench-{v}-{c}.json").read_text(encoding="utf-8"))
               for v, c in (("postgresql", 10_000), ("postgresql", 1_000_000), ("sqlite", 10_000), ("sqlite", 1_000_000))
               if (WORKDIR / f"workbench-{v}-{c}.json").exists()]
    pg = next((url_for(v, c) for v, c in chosen if v == "postgresql"), PG_URLS[10_000])
    info = machine(pg)
    print("\n" + table(results) + "\n\n" + memory_lines(results))
    out = WORKDIR / "workbench.json"
    out.write_text(json.dumps({"date": datetime.now(SHANGHAI).date().isoformat(), "runs": runs, "machine": info,
                               "results": results}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_section(results, info, runs)
    print(f"written to {out.relative_to(ROOT)} and BENCHMARKS.md")


if __name__ == "__main__":
    main()
