"""Benchmark (issue 8): over N online reports, the time from the submit's answer to the case being listed
in the receiving center's 待受理 queue, read through the staff API — against a real server.

Starts its own installation in a temporary folder (SQLite unless DATABASE_URL is set): migrates, loads
the district, makes a registrar with an API token, runs gunicorn and the Huey worker (which sends the SMS
codes through the development transport, read back from the SMS file like a phone would). Then for each
report: ask for a code, wait for its SMS, submit, and poll `GET /api/v1/cases?status=registered` as the
registrar until the reference is listed. Prints p50/p95/p99/max in milliseconds.

    make bench            # 200 reports
    BENCH_REPORTS=50 make bench
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(method: str, url: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (127.0.0.1 only)
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def wait_for_code(sms_file: Path, phone: str, seen: int, deadline: float) -> str:
    while time.monotonic() < deadline:
        if sms_file.exists():
            texts = [json.loads(x) for x in sms_file.read_text(encoding="utf-8").splitlines() if x.strip()]
            codes = [re.findall(r"(?<!\d)\d{6}(?!\d)", m["text"]) for m in texts if m["to"] == phone]
            codes = [c[0] for c in codes if c]
            if len(codes) > seen:
                return codes[-1]
        time.sleep(0.02)
    raise SystemExit(f"no SMS code for {phone} (is the job worker running?)")


def main() -> None:
    count = int(os.environ.get("BENCH_REPORTS", "200"))
    workdir = Path(tempfile.mkdtemp(prefix="bcs-bench-"))
    env = {
        **os.environ,
        "BANCHENGSHI_VAR": str(workdir),
        "SECRET_KEY": "bench-" + os.urandom(8).hex(),
        "LIMIT_REPORTS_PER_IP": f"{count * 2}/h",
        "LIMIT_CODES_PER_IP": f"{count * 2}/h",
        "LIMIT_TRACKING_PER_IP": f"{count * 10}/h",
        "LOG_LEVEL": "WARNING",
    }
    manage = [PY, str(ROOT / "manage.py")]
    run = dict(env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], **run)  # type: ignore[call-overload]
    subprocess.run([*manage, "load_district", str(ROOT / "banchengshi/dispatch/district")], **run, stdout=subprocess.DEVNULL)  # type: ignore[call-overload]
    subprocess.run([*manage, "create_staff", "bench_registrar", "--unit", "FWZX", "--role", "registrar", "--password", "Bench-password-2026"], **run, stdout=subprocess.DEVNULL)  # type: ignore[call-overload]
    token = subprocess.run([*manage, "issue_token", "bench_registrar"], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = str(Path(PY).parent / "gunicorn")
    web = subprocess.Popen([gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--log-level", "warning"], env=env, cwd=ROOT)
    worker = subprocess.Popen([*manage, "run_huey", "--workers", "2", "-q"], env=env, cwd=ROOT)
    sms_file = workdir / "sms.jsonl"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call("GET", f"{base}/api/v1/public/centers")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        waits: list[float] = []
        for i in range(count):
            phone = f"139{i:08d}"
            status, _ = call("POST", f"{base}/api/v1/public/phone-codes", {"phone": phone})
            assert status == 202, status
            code = wait_for_code(sms_file, phone, 0, time.monotonic() + 30)
            body = {
                "reporter": {"name": "测试", "phone": phone, "kind": "person"}, "phone_code": code, "center": "FWZX",
                "matter": "RSJ-003", "reasons": ["material_mismatch"], "description": f"第{i + 1}件：网上申领失业金一直提示未办理失业登记。",
            }
            status, answer = call("POST", f"{base}/api/v1/public/reports", body)
            answered = time.monotonic()
            assert status == 201, answer
            reference = answer["reference"]
            while True:
                status, page = call("GET", f"{base}/api/v1/cases?status=registered&page_size=20", token=token)
                assert status == 200, page
                if any(row["reference"] == reference for row in page["results"]):
                    waits.append(time.monotonic() - answered)
                    break
                if time.monotonic() - answered > 10:
                    raise SystemExit(f"{reference} not listed after 10 s")
    finally:
        web.terminate()
        worker.terminate()
        web.wait(10)
        worker.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    ms = sorted(w * 1000 for w in waits)
    p = lambda q: ms[min(len(ms) - 1, int(round(q * (len(ms) - 1))))]  # noqa: E731
    database = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"{len(ms)} online reports on {database}: submit answered -> listed in the center's queue (API)")
    print(f"  p50 {p(.5):.1f} ms  p95 {p(.95):.1f} ms  p99 {p(.99):.1f} ms  max {ms[-1]:.1f} ms  mean {statistics.mean(ms):.1f} ms")
    print("  p99 under 1 s: " + ("yes" if p(.99) < 1000 else "NO"))
    if p(.99) >= 1000:
        sys.exit(1)


if __name__ == "__main__":
    main()
