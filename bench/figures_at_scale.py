"""Benchmark (issue 11): the whole district's figures over a million cases in PostgreSQL, against a real
server — the 数据看板 page and `GET /api/v1/stats` within 1 s, the quarterly report file within 5 s.

Its own installation on its own database (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/bcs_bench,
created when missing; a database named like `test*` is refused, and one not named like `*bench*` is used
only while it holds no tables): migrates, loads the district, loads BENCH_CASES generated cases received
over the two years to yesterday (`manage.py generate_cases`, COPY), VACUUM ANALYZE, then runs gunicorn and
the Huey worker. An admin-office account signs in through the login form and enrols its TOTP app as a
person does (the code computed from the secret the page shows); an API token of the same account reads
the API. Each measurement: one warm-up, then BENCH_RUNS requests (default 10); p50, p95, max.

A second run on the same database with the same BENCH_CASES reuses the loaded cases (BENCH_RELOAD=1 loads
them again). The var folder (PII key, the result) is var/bench/. Prints a table and writes it, with the
machine and the versions, to var/bench/figures_at_scale.json.

    make bench-scale                      # 1,000,000 cases
    BENCH_CASES=50000 make bench-scale
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b32decode
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from django_otp.oath import TOTP
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from public_reports import free_port  # noqa: E402 -- the sibling benchmark's helper, with this folder on the path
from sections import replace_section  # noqa: E402 -- the same

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bcs_bench"
LIMITS = {"stats": 1.0, "dashboard": 1.0, "quarterly": 5.0}  # seconds, p95 (issue 11)
PREFIX = "BENCH"
SEED = 11
WHOLE_DISTRICT = "ZWB"  # the admin office: its scope is every case
LARGEST_CENTER = "FWZX"  # the district's center with its town centers below it: the largest quarterly report
SHANGHAI = ZoneInfo("Asia/Shanghai")
ENROL = "/account/second-factor/enrol/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# --- the database ---------------------------------------------------------------------------------------

def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "") or DEFAULT_URL
    if not url.startswith("postgres"):
        raise SystemExit(f"bench-scale needs PostgreSQL: DATABASE_URL={url} (unset it for {DEFAULT_URL})")
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not name or name.startswith("test"):
        raise SystemExit(f"refusing the database {name or '(none)'}: the tests' databases are not the benchmark's")
    return url


def admin_url(url: str) -> str:
    """The same server's maintenance database, to create or drop the benchmark's."""
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))


def prepare_database(url: str, cases: int) -> bool:
    """Creates the database when missing; True when it already holds exactly the cases wanted."""
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url(url), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return False
    with psycopg.connect(url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        if not tables or not tables[0]:
            return False
        has_cases = conn.execute("SELECT to_regclass('cases_case') IS NOT NULL").fetchone()
        loaded = conn.execute(
            "SELECT count(*) FROM cases_case WHERE reference LIKE %s", [f"{PREFIX}%"]
        ).fetchone() if has_cases and has_cases[0] else (0,)
    if loaded and loaded[0] == cases and os.environ.get("BENCH_RELOAD") != "1":
        return True
    if "bench" not in name:
        raise SystemExit(f"the database {name} holds tables: the benchmark drops and recreates only a *bench* database")
    with psycopg.connect(admin_url(url), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def vacuum_analyze(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# --- the server and the client ---------------------------------------------------------------------------

def get(opener: urllib.request.OpenerDirector, url: str, token: str = "") -> tuple[int, bytes, float]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    began = time.perf_counter()
    try:
        with opener.open(request, timeout=120) as answer:
            body = answer.read()
            return answer.status, body, time.perf_counter() - began
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.perf_counter() - began


def post_form(opener: urllib.request.OpenerDirector, url: str, page: str, fields: dict[str, str]) -> None:
    token = CSRF.search(page)
    if token is None:
        raise SystemExit(f"no CSRF token on {url}")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], **fields}).encode()
    request = urllib.request.Request(url, form, headers={"Referer": url})
    try:
        opener.open(request, timeout=60).read()
    except urllib.error.HTTPError as exc:
        if exc.code not in (301, 302, 303):
            raise SystemExit(f"POST {url}: {exc.code} {exc.read()[:300]!r}") from exc


def sign_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """The login form, then the TOTP enrolment as a person does it with an authenticator app."""
    jar = http.cookiejar.CookieJar()
    once = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = once.open(f"{base}/login/", timeout=30).read().decode()
    post_form(once, f"{base}/login/", page, {"username": username, "password": password})
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/", timeout=30) as home:
        page, path = home.read().decode(), urllib.parse.urlsplit(home.url).path
    if path != ENROL:
        raise SystemExit(f"expected the TOTP enrolment after the password, landed on {path}")
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page)
    if secret is None:
        raise SystemExit("the enrolment page shows no secret")
    totp = TOTP(b32decode(secret[1].replace(" ", "")))
    post_form(once, f"{base}{ENROL}", page, {"code": f"{totp.token():06d}"})
    with opener.open(f"{base}/dashboard/?from=2000-01-01&to=2000-01-01", timeout=60) as check:
        if urllib.parse.urlsplit(check.url).path != "/dashboard/":
            raise SystemExit(f"not signed in: /dashboard/ led to {check.url}")
    return opener


TOUCHED = 3


class Toucher:
    """Changes TOUCHED random cases (their `updated_at`) before a request: their days' summaries go stale."""

    def __init__(self, url: str) -> None:
        self.url = url
        with psycopg.connect(url) as conn:
            self.ids = conn.execute("SELECT min(id), max(id) FROM cases_case").fetchone() or (0, 0)
        self.random = random.Random(5)  # noqa: S311 -- which cases to touch, no secret

    def __call__(self) -> None:
        ids = [self.random.randint(*self.ids) for _ in range(TOUCHED)]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("UPDATE cases_case SET updated_at = now() WHERE id = ANY(%s)", [ids])


def measure(label: str, fetch: Any, runs: int, check: Any = None) -> dict[str, Any]:
    """One warm-up, then `runs` timed requests. A 404 means the route is not there (yet): 未提供."""
    status, body, _ = fetch()
    if status == 404:
        print(f"  {label}: 404 未提供")
        return {"label": label, "status": 404, "provided": False}
    if status != 200:
        raise SystemExit(f"{label}: HTTP {status} {body[:300]!r}")
    if check is not None:
        check(body)
    times = []
    for _ in range(runs):
        status, body, seconds = fetch()
        if status != 200:
            raise SystemExit(f"{label}: HTTP {status} {body[:300]!r}")
        times.append(seconds)
    ms = sorted(t * 1000 for t in times)
    p = lambda q: ms[min(len(ms) - 1, int(round(q * (len(ms) - 1))))]  # noqa: E731
    row = {"label": label, "status": 200, "provided": True, "runs": runs, "bytes": len(body),
           "p50_ms": round(p(.5), 1), "p95_ms": round(p(.95), 1), "max_ms": round(ms[-1], 1)}
    print(f"  {label}: p50 {row['p50_ms']:.0f} ms  p95 {row['p95_ms']:.0f} ms  max {row['max_ms']:.0f} ms")
    return row


# --- the machine -----------------------------------------------------------------------------------------

def machine(url: str) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    with psycopg.connect(url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()
        settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                    for name in ("shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather")}
    versions = subprocess.run([PY, "-c", "import django, psycopg; print(django.get_version(), psycopg.__version__)"],
                              capture_output=True, text=True, check=True).stdout.split()
    return {
        "cpus": os.cpu_count(), "cpu_model": model[1].strip() if model else platform.processor(),
        "ram_gib": round(int(mem[1]) / 1024 / 1024, 1) if mem else None, "os": platform.platform(),
        "postgresql": pg[0] if pg else "?", "postgresql_settings": settings,
        "python": platform.python_version(), "django": versions[0], "psycopg": versions[1],
        "load_average": os.getloadavg(),
    }


def is_zip(body: bytes) -> None:
    """xlsx and docx are zip packages."""
    if body[:2] != b"PK":
        raise SystemExit(f"the quarterly report is not an Office file: {body[:200]!r}")


def last_full_quarter(today: date) -> tuple[int, int, date, date]:
    q = (today.month - 1) // 3  # this quarter, 0-based; the one before it is the last full one
    year, quarter = (today.year, q) if q else (today.year - 1, 4)
    first = date(year, 3 * (quarter - 1) + 1, 1)
    after = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return year, quarter, first, after - timedelta(days=1)


def main() -> None:  # noqa: PLR0915 -- one script, read top to bottom
    cases = int(os.environ.get("BENCH_CASES", "1000000"))
    runs = int(os.environ.get("BENCH_RUNS", "10"))
    url = database_url()
    workdir = ROOT / "var" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "BANCHENGSHI_VAR": str(workdir), "LOG_LEVEL": "WARNING",
           "SECRET_KEY": "bench-" + os.urandom(24).hex()}
    manage = [PY, str(ROOT / "manage.py")]

    def run(*args: str) -> str:
        done = subprocess.run([*manage, *args], env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"manage.py {' '.join(args)} 失败（退出码 {done.returncode}）：\n{done.stderr[-3000:]}")
        return done.stdout

    today = datetime.now(SHANGHAI).date()
    last = today - timedelta(days=1)
    first = last.replace(year=last.year - 2) + timedelta(days=1)
    reused = prepare_database(url, cases)
    if reused and not (workdir / "pii_key").exists():
        raise SystemExit("the loaded cases were encrypted with a key no longer in var/bench: run with BENCH_RELOAD=1")
    run("migrate", "--noinput", "-v0")
    run("load_district", str(ROOT / "banchengshi/dispatch/district"))
    load_seconds = None
    if reused:
        print(f"{cases} cases already loaded in {url.rsplit('/', 1)[-1]}: reused (BENCH_RELOAD=1 to load them again)")
    else:
        print(f"loading {cases} cases received {first} … {last} …", flush=True)
        began = time.monotonic()
        print("  " + run("generate_cases", str(cases), "--from", first.isoformat(), "--to", last.isoformat(),
                         "--seed", str(SEED), "--prefix", PREFIX).strip())
        load_seconds = time.monotonic() - began
        began = time.monotonic()
        vacuum_analyze(url)
        print(f"  VACUUM ANALYZE {time.monotonic() - began:.1f} s", flush=True)
    # The whole district's day summaries (reports.figures): made once after a load, as the periodic job
    # keeps them; timed apart from the requests.
    began = time.monotonic()
    print("  " + run("refresh_figures", "--from", first.isoformat(), "--to", today.isoformat()).strip(), flush=True)
    summary_seconds = time.monotonic() - began
    with psycopg.connect(url) as conn:
        counts = {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]  # type: ignore[index]
                  for t in ("cases_case", "cases_clock", "cases_workorder", "cases_visit")}
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]  # type: ignore[index]
    username, password = f"bench_admin_{os.urandom(3).hex()}", "Bench-password-" + os.urandom(6).hex()
    run("create_staff", username, "--unit", WHOLE_DISTRICT, "--role", "admin_office", "--password", password)
    token = run("issue_token", username).strip()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = str(Path(PY).parent / "gunicorn")
    web = subprocess.Popen([gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                            "--threads", "2", "--timeout", "300", "--log-level", "warning"], env=env, cwd=ROOT)
    worker = subprocess.Popen([*manage, "run_huey", "--workers", "1", "-q"], env=env, cwd=ROOT)
    plain = urllib.request.build_opener()
    rows: list[dict[str, Any]] = []
    year, quarter, q_first, q_last = last_full_quarter(today)
    periods = {"quarter": (q_first, q_last, f"{year}年第{quarter}季度"), "two_years": (first, last, "两年")}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(plain, f"{base}/api/v1/public/centers")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        session = sign_in(base, username, password)
        print(f"\n{cases} cases ({counts['cases_clock']} clocks, {counts['cases_workorder']} work orders, "
              f"{counts['cases_visit']} visits; database {size}); whole district, {runs} runs after one warm-up:")

        def registered_in(body: bytes) -> None:
            figures = json.loads(body)
            assert figures["registered"] > 0 and figures["unit"] is None, figures

        for key, (start, end, name) in periods.items():
            query = f"from={start}&to={end}"
            row = measure(f"GET /api/v1/stats {name}", lambda q=query: get(plain, f"{base}/api/v1/stats?{q}", token),
                          runs, registered_in)
            rows.append({**row, "what": "stats", "period": key, "from": str(start), "to": end.isoformat()})
            row = measure(f"/dashboard/ {name}", lambda q=query: get(session, f"{base}/dashboard/?{q}"), runs,
                          lambda body: body.decode().index("登记数量"))
            rows.append({**row, "what": "dashboard", "period": key, "from": str(start), "to": end.isoformat()})
        # As in use: cases change all the time, and their days' summaries are redone by the next request.
        start, end, name = periods["two_years"]
        touch = Toucher(url)
        row = measure(f"/dashboard/ {name}，每次前改动 {TOUCHED} 天的反映件",
                      lambda: touch() or get(session, f"{base}/dashboard/?from={start}&to={end}"), runs)
        rows.append({**row, "what": "dashboard", "period": "two_years_changed", "from": str(start), "to": end.isoformat()})
        for fmt in ("xlsx", "docx"):
            query = f"unit={LARGEST_CENTER}&year={year}&quarter={quarter}&format={fmt}"
            row = measure(f"GET /api/v1/reports/quarterly {LARGEST_CENTER} {year}Q{quarter} {fmt}",
                          lambda q=query: get(plain, f"{base}/api/v1/reports/quarterly?{q}", token), runs,
                          is_zip)
            rows.append({**row, "what": "quarterly", "period": "quarter", "format": fmt})
    finally:
        web.terminate()
        worker.terminate()
        web.wait(10)
        worker.wait(10)
    report(rows, cases, counts, size, {"load": load_seconds, "summaries": summary_seconds}, reused, url, workdir)


def report(rows: list[dict[str, Any]], cases: int, counts: dict[str, int], size: str, seconds: dict[str, float | None],
           reused: bool, url: str, workdir: Path) -> None:
    info = machine(url)
    print(f"\n{'测量项':<44}{'p50':>9}{'p95':>9}{'max':>9}  限值   结论")
    failed = False
    for row in rows:
        limit = LIMITS[row["what"]]
        if not row["provided"]:
            row["verdict"] = "未提供"
            print(f"{row['label']:<46}{'—':>9}{'—':>9}{'—':>9}  {limit:.0f} s   未提供")
            continue
        ok = row["p95_ms"] <= limit * 1000
        row["limit_s"], row["verdict"] = limit, "达标" if ok else "超限"
        failed |= not ok
        print(f"{row['label']:<46}{row['p50_ms']:>7.0f}ms{row['p95_ms']:>7.0f}ms{row['max_ms']:>7.0f}ms  {limit:.0f} s   {row['verdict']}")
    load_seconds, summary_seconds = seconds["load"], seconds["summaries"]
    load = "reused" if reused else f"{load_seconds:.0f} s (generate_cases with COPY)"
    print(f"\nload: {cases} cases, {load}; day summaries {summary_seconds:.0f} s; database {size}")
    print(f"machine: {info['cpus']} × {info['cpu_model']}, {info['ram_gib']} GiB RAM, {info['os']}")
    print(f"versions: PostgreSQL {info['postgresql']}, Python {info['python']}, Django {info['django']}, psycopg {info['psycopg']}")
    result = {"date": datetime.now(SHANGHAI).date().isoformat(), "cases": cases, "rows": counts, "database_size": size,
              "load_seconds": None if load_seconds is None else round(load_seconds, 1), "reused": reused,
              "summary_seconds": None if summary_seconds is None else round(summary_seconds, 1),
              "machine": info, "measurements": rows}
    out = workdir / "figures_at_scale.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")
    replace_section("numbers", "## 数据看板与季度报表：一百万件 (issue 14d, `make bench-scale`)", markdown(result))
    if failed:
        sys.exit(1)


def markdown(result: dict[str, Any]) -> str:
    info = result["machine"]
    load = "reused" if result["reused"] else f"{result['load_seconds']:.0f} s"
    lines = [f"Measured by `make bench-scale` on {result['date']}: {info['cpus']} × {info['cpu_model']}, {info['ram_gib']} GiB RAM, "
             f"load average {', '.join(f'{x:.1f}' for x in info['load_average'])}; PostgreSQL {info['postgresql']}, "
             f"Python {info['python']}, Django {info['django']}; gunicorn 2 workers × 2 threads, one Huey worker.",
             "",
             f"{result['cases']:,} cases ({result['rows']['cases_clock']:,} clocks, {result['rows']['cases_workorder']:,} work "
             f"orders, {result['rows']['cases_visit']:,} visits; database {result['database_size']}); load {load}; day "
             f"summaries {result['summary_seconds']:.0f} s. One warm-up, then the runs; milliseconds.",
             "",
             "| measurement | p50 | p95 | max | limit (p95) | verdict |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for row in result["measurements"]:
        if not row["provided"]:
            lines.append(f"| {row['label']} | — | — | — | {LIMITS[row['what']]:.0f} s | 未提供 |")
            continue
        lines.append(f"| {row['label']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['max_ms']:.0f} | "
                     f"{row['limit_s']:.0f} s | {row['verdict']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
