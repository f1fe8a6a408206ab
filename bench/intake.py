"""Benchmark (issue 14a): reports accepted per second through the real server, beside the stack's ceiling.

For SQLite and for PostgreSQL in turn (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/bcs_bench_intake,
dropped and created for each run): a fresh installation — migrate, the district, a registrar with an API token,
phone codes ready for the public route — served by gunicorn with 2 workers per core (gthread, 2 threads, the
same for every target) and the Huey job worker running, as in production. Then BENCH_CLIENTS (8) client
processes, each on one kept-alive connection, send as many requests as they can for BENCH_SECONDS (10) to:

- `api`: `POST /api/v1/cases` (a registrar's token: validation, the case, its clocks, the audit record, the SMS
  queued in the outbox, the JSON answer);
- `public`: `POST /api/v1/public/reports` (the citizen's route: its rate limits, the one-time code spent);
- `bare`: the stack's ceiling — the same settings and database under the same gunicorn, one Django view doing one
  INSERT with no middleware (bench/bare_settings.py, bench/bare_urls.py).

BENCH_RUNS (3) rounds, each target once per round in turn; the median round's rate and its p50/p99 latency; the
ratio to the ceiling. Prints the table, writes var/bench/intake.json, and replaces the intake section of
BENCHMARKS.md (between its `intake` markers).

    make bench-intake
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from public_reports import free_port  # noqa: E402 -- the sibling benchmark's helper, with this folder on the path
from sections import replace_section  # noqa: E402 -- the same

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/bcs_bench_intake"
CODE = "246810"
TARGETS = ("bare", "api", "public")
WANTED_RATIO = 0.60  # of the ceiling (issue 14)

SEED_CODES = """
from datetime import timedelta
from django.utils import timezone
from banchengshi.public.codes import _digest
from banchengshi.public.models import PhoneCode
now = timezone.now()
PhoneCode.objects.bulk_create([
    PhoneCode(phone_digest=_digest("phone", f"137{{n:08d}}"), code_digest=_digest("code", "{code}"), created_at=now,
              expires_at=now + timedelta(hours=2)) for n in range({count})], batch_size=5000)
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE bench_bare_insert (id {key}, description TEXT NOT NULL)")
"""


def body_for(target: str, n: int) -> dict[str, Any]:
    text = f"第{n}件：网上申领失业保险金一直提示未办理失业登记，窗口让我去社区开证明，社区说不归他们管。"
    if target == "bare":
        return {"description": text}
    report = {"reporter": {"name": "测试", "phone": f"137{n:08d}", "kind": "person"}, "center": "FWZX",
              "matter": "RSJ-003", "reasons": ["material_mismatch"], "description": text}
    if target == "public":
        return {**report, "phone_code": CODE}
    return {**report, "channel": "phone"}


def client(target: str, port: int, token: str, first: int, seconds: float, out: Any) -> None:
    """One kept-alive connection sending requests until the time is up; puts (201s, others, latencies)."""
    path = {"bare": "/insert", "api": "/api/v1/cases", "public": "/api/v1/public/reports"}[target]
    headers = {"Content-Type": "application/json", "User-Agent": "Mozilla/5.0 bench"}
    if target == "api":
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    created = failed = 0
    latencies: list[float] = []
    n = first
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        payload = json.dumps(body_for(target, n)).encode()
        began = time.monotonic()
        try:
            conn.request("POST", path, payload, headers)
            answer = conn.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            failed += 1
            continue
        latencies.append(time.monotonic() - began)
        if answer.status == 201:
            created += 1
        else:
            failed += 1
        n += 1
    conn.close()
    out.put((created, failed, latencies))


STRIDE = 3000  # phone numbers per client and load: more than one connection sends in a load


def load(target: str, port: int, token: str, clients: int, seconds: float, offset: int) -> dict[str, Any]:
    """`clients` processes for `seconds`; client i numbers its reports from offset + i × STRIDE."""
    out: Any = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=client, args=(target, port, token, offset + i * STRIDE, seconds, out))
               for i in range(clients)]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - began
    latencies = sorted(x for _c, _f, lat in results for x in lat)
    created = sum(c for c, _f, _l in results)
    failed = sum(f for _c, f, _l in results)

    def pct(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * (len(latencies) - 1)))] if latencies else 0.0

    return {"per_second": created / elapsed, "created": created, "failed": failed, "p50_ms": pct(0.5), "p99_ms": pct(0.99)}


def installation(database: str, workdir: Path, codes: int) -> tuple[dict[str, str], str]:
    env = {**os.environ, "BANCHENGSHI_VAR": str(workdir), "SECRET_KEY": "bench-" + os.urandom(24).hex(),
           "LOG_LEVEL": "WARNING", "LIMIT_REPORTS_PER_IP": "100000000/h", "LIMIT_CODES_PER_IP": "100000000/h",
           "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}"}
    env.pop("REDIS_URL", None)
    if database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'intake.sqlite3'}"
        key = "INTEGER PRIMARY KEY AUTOINCREMENT"
    else:
        url = os.environ.get("DATABASE_URL", "") or DEFAULT_PG
        if not url.startswith("postgres") or "bench" not in url.rsplit("/", 1)[-1]:
            url = DEFAULT_PG
        name = urllib.parse.urlsplit(url).path.lstrip("/")
        admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env["DATABASE_URL"] = url
        key = "BIGSERIAL PRIMARY KEY"

    def manage(*args: str) -> str:
        done = subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"manage.py {args[0]} 失败（退出码 {done.returncode}）：\n{done.stderr[-3000:]}")
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    manage("load_district", str(ROOT / "banchengshi/dispatch/district"))
    manage("create_staff", "bench_registrar", "--unit", "FWZX", "--role", "registrar", "--password", "Bench-password-2026")
    token = manage("issue_token", "bench_registrar").strip()
    manage("shell", "--no-imports", "-c", SEED_CODES.format(code=CODE, count=codes, key=key))
    return env, token


def rss_mb(pid: int) -> float:
    """The largest resident memory of a process and its children (gunicorn's workers), in MB."""
    total = 0
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:  # the field after the state: the parent
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    for each in pids:
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except OSError:
            continue
        total = max(total, next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0))
    return total / 1024


def serve(env: dict[str, str], settings: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(PY).parent / "gunicorn")
    return subprocess.Popen([gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                             "--threads", "2", "--keep-alive", "30", "--log-level", "warning"],
                            env={**env, "DJANGO_SETTINGS_MODULE": settings}, cwd=ROOT)


def wait_for(port: int, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server on {port} did not start")


def bench_database(database: str, clients: int, seconds: float, runs: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"bcs-intake-{database}-"))
    workers = 2 * (os.cpu_count() or 1)
    env, token = installation(database, workdir, (runs + 1) * clients * STRIDE)  # a public report spends its phone's code
    app_port, bare_port = free_port(), free_port()
    app = serve(env, "config.settings", app_port, workers)
    bare = serve(env, "bare_settings", bare_port, workers)
    job_worker = subprocess.Popen([PY, str(ROOT / "manage.py"), "run_huey", "--workers", "1", "-q"], env=env, cwd=ROOT)
    try:
        wait_for(app_port, "/api/v1/public/centers")
        wait_for(bare_port, "/insert")
        rounds: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGETS}
        offsets = dict.fromkeys(TARGETS, 0)
        for number in range(runs + 1):  # the first round warms up (every worker connected, its code loaded)
            for target in TARGETS:
                port = bare_port if target == "bare" else app_port
                measured = load(target, port, token, clients, seconds if number else 2, offsets[target])
                offsets[target] += clients * STRIDE
                if number:
                    rounds[target].append(measured)
        memory = {"web_worker_mb": rss_mb(app.pid)}
    finally:
        for process in (app, bare, job_worker):
            process.terminate()
        for process in (app, bare, job_worker):
            process.wait(20)
        shutil.rmtree(workdir, ignore_errors=True)
    result: dict[str, Any] = {"workers": workers, "clients": clients, "seconds": seconds, "runs": runs, **memory}
    for target in TARGETS:
        ordered = sorted(rounds[target], key=lambda r: r["per_second"])
        result[target] = {**ordered[len(ordered) // 2], "rates": [round(r["per_second"], 1) for r in rounds[target]]}
    for target in ("api", "public"):
        result[target]["ratio"] = result[target]["per_second"] / result["bare"]["per_second"]
    return result


def versions() -> dict[str, str]:
    import django

    return {"python": platform.python_version(), "django": django.get_version(),
            "cpu": next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                         if line.startswith("model name")), platform.processor()), "cores": str(os.cpu_count())}


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| database | target | requests/s (median of runs) | runs | p50 ms | p99 ms | failed | of the ceiling |",
             "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |"]
    names = {"bare": "ceiling: bare Django view, one INSERT", "api": "`POST /api/v1/cases`", "public": "`POST /api/v1/public/reports`"}
    for database, result in results.items():
        for target in TARGETS:
            row = result[target]
            ratio = f"{row['ratio']:.0%}" if "ratio" in row else "—"
            lines.append(f"| {database} | {names[target]} | {row['per_second']:.0f} | {', '.join(f'{r:.0f}' for r in row['rates'])} "
                         f"| {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['failed']} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    clients = int(os.environ.get("BENCH_CLIENTS", "8"))
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    results = {database: bench_database(database, clients, seconds, runs) for database in databases}
    text = table(results)
    print(text)
    for database, result in results.items():
        print(f"{database}: web worker RSS after the runs {result['web_worker_mb']:.0f} MB")
    workdir = ROOT / "var" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "intake.json").write_text(json.dumps({"results": results, "machine": versions()}, indent=2, ensure_ascii=False))
    machine = versions()
    body = (f"Measured by `make bench-intake` on {time.strftime('%Y-%m-%d')}: {machine['cores']} cores "
            f"({machine['cpu']}), Python {machine['python']}, Django {machine['django']}; gunicorn with "
            f"{results[databases[0]]['workers']} workers × 2 threads, {clients} client processes on kept-alive connections, "
            f"{seconds:.0f} s per run; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end.\n\n{text}")
    replace_section("intake", "## Intake (issue 14a, `make bench-intake`)", body)
    short = [f"{d} {t} {r[t]['ratio']:.0%}" for d, r in results.items() for t in ("api", "public")]
    print("of the ceiling: " + ", ".join(short))
    sys.exit(0 if all(r[t]["ratio"] >= WANTED_RATIO for r in results.values() for t in ("api", "public")) else 1)


if __name__ == "__main__":
    main()
