"""Issue 9, must-show 4: the system as deployed at scale — PostgreSQL and Redis, two web processes and two
job consumers — takes a burst of changes, and every job runs once: every outbox message reaches its
receiver exactly once, and each periodic job runs once per period although both consumers wake for it.

Runs when the suite runs on PostgreSQL (DATABASE_URL) and Redis answers on 127.0.0.1:6379 (CI's second
pass); it builds its own database and Redis namespace and removes them afterwards."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from banchengshi.notify.transports import sign
from banchengshi.sla.deadlines import SHANGHAI

ROOT = Path(__file__).resolve().parents[3]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS = ("127.0.0.1", 6379)
CASES = 40
LATE = 10  # cases reported a week ago and not yet accepted: their acceptance clocks are red
EVENTS = 15  # upstream events, each delivered three times at once
UPSTREAM_SECRET = "system-test-upstream-secret-0123"


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = [
    pytest.mark.system,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="the scale-out run needs PostgreSQL"),
    pytest.mark.skipif(not redis_answers(), reason="the scale-out run needs Redis on 127.0.0.1:6379"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(method: str, url: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (127.0.0.1 only)
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def answers(url: str) -> bool:
    try:
        return call("GET", url)[0] == 200
    except OSError:
        return False


class Receiver(BaseHTTPRequestHandler):
    """The SMS gateway and the subscriber: records every delivery by its idempotency key."""

    keys: list[str] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        with Receiver.lock:
            Receiver.keys.append(self.headers["Idempotency-Key"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.keys = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def installation(tmp_path: Path, receiver: str) -> Iterator[dict[str, str]]:
    """A database of its own on the same PostgreSQL server, and a Redis namespace of its own."""
    import psycopg
    from django.conf import settings

    name = f"bcs_system_{uuid.uuid4().hex[:8]}"
    server = settings.DATABASES["default"]
    admin = f"host={server['HOST'] or '127.0.0.1'} port={server['PORT'] or 5432} user={server['USER'] or 'postgres'} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{server['USER'] or 'postgres'}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}/{name}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "HUEY_NAME": name,
        "BANCHENGSHI_VAR": str(tmp_path),
        "SECRET_KEY": "system-" + uuid.uuid4().hex,
        "SMS_GATEWAY_URL": f"{receiver}/sms",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    try:
        yield env
    finally:
        subprocess.run([sys.executable, "-c", (
            "import redis,sys; r=redis.Redis.from_url('redis://127.0.0.1:6379/0');"
            "[r.delete(k) for k in r.scan_iter(sys.argv[1] + '*')]"
        ), f"huey.*.{name}"], check=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def read(env: dict[str, str], code: str) -> Any:
    """Evaluate `code` in the installation (manage.py shell, the outbox's models imported) as JSON."""
    program = f"import json\nfrom banchengshi.notify.models import *\nprint(json.dumps({code}, default=str))"
    return json.loads(manage(env, "shell", "--no-imports", "-c", program).strip().splitlines()[-1])


def test_two_web_processes_and_two_consumers_run_every_job_once(installation: dict[str, str], receiver: str) -> None:
    env = installation
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_district", str(ROOT / "banchengshi/dispatch/district"))
    manage(env, "create_staff", "sys_registrar", "--unit", "FWZX", "--role", "registrar", "--password", "System-password-2026")
    manage(env, "shell", "-c", (
        "from banchengshi.notify.models import Subscriber;"
        f"Subscriber.objects.create(name='12345', url='{receiver}/hook', secret='s')"
    ))
    token = manage(env, "issue_token", "sys_registrar").strip()
    for name, role in (("sys_handler", "handler"), ("sys_head", "center_head"), ("sys_zwb", "admin_office")):
        unit = "ZWB" if role == "admin_office" else "FWZX"
        manage(env, "create_staff", name, "--unit", unit, "--role", role, "--password", "System-password-2026")
    office = manage(env, "issue_token", "sys_zwb").strip()
    manage(env, "set_integration_secret", "yiwangtongban", UPSTREAM_SECRET)

    ports = [free_port(), free_port()]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    processes = [
        subprocess.Popen([gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                          "--threads", "4", "--log-level", "warning"], env=env, cwd=ROOT)
        for port in ports
    ] + [
        subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "run_huey", "--workers", "2", "-q"], env=env, cwd=ROOT)
        for _ in range(2)
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while not answers(f"http://127.0.0.1:{port}/api/v1/public/centers"):
                assert time.monotonic() < deadline, "the web server did not start"
                time.sleep(0.3)

        # The burst: cases registered and accepted through both web processes at once, and SMS queued.
        def work(n: int) -> None:
            base = f"http://127.0.0.1:{ports[n % 2]}/api/v1"
            status, case = call("POST", f"{base}/cases", {
                "channel": "phone", "reporter": {"name": "测试", "phone": f"139{n:08d}", "kind": "person"},
                "center": "FWZX", "reasons": ["material_mismatch"], "description": f"第{n}件：系统测试",
            }, token)
            assert status == 201, case
            status, answer = call("POST", f"{base}/cases/{case['reference']}/accept",
                                  {"handling_type": "assist", "complexity": "simple"}, token)
            assert status == 200, answer

        # And upstream events, each delivered three times through both web processes at once.
        statuses: list[int] = []

        def deliver_event(n: int, attempt: int) -> None:
            raw = json.dumps({
                "type": "abandoned", "reporter": {"name": "赵六", "phone": f"137{n:08d}"}, "step": "上传材料",
                "description": f"第{n}件：网上申报时上传材料失败，只好退出。",
            }, ensure_ascii=False).encode()
            timestamp = str(int(time.time()))
            request = urllib.request.Request(
                f"http://127.0.0.1:{ports[attempt % 2]}/api/v1/integrations/yiwangtongban/events", data=raw, method="POST")
            for name, value in {"Content-Type": "application/json", "X-Event-Id": f"exit-{n}", "X-Timestamp": timestamp,
                                "X-Signature": f"sha256={sign(UPSTREAM_SECRET, timestamp, raw)}"}.items():
                request.add_header(name, value)
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (127.0.0.1 only)
                    statuses.append(answer.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)

        # Clock changes: late cases whose clocks are already red, and the calendar edited meanwhile.
        week_ago = (datetime.now(SHANGHAI) - timedelta(days=7)).replace(hour=10, minute=0).isoformat()

        def late(n: int) -> None:
            status, case = call("POST", f"http://127.0.0.1:{ports[n % 2]}/api/v1/cases", {
                "channel": "window", "reporter": {"name": "钱七", "phone": f"136{n:08d}", "kind": "person"},
                "center": "FWZX", "reasons": ["other"], "reason_other": "补登", "description": f"补登第{n}件",
                "received_at": week_ago,
            }, token)
            assert status == 201, case

        def edit_calendar(n: int) -> None:
            year = datetime.now(SHANGHAI).year
            base = f"http://127.0.0.1:{ports[n % 2]}/api/v1/calendar/{year}"
            status, calendar = call("GET", base, token=office)
            assert status == 200, calendar
            status, answer = call("PUT", base, {"holidays": calendar["holidays"], "workdays": calendar["workdays"]}, office)
            assert status == 200, answer

        threads = [threading.Thread(target=work, args=(n,)) for n in range(CASES)]
        threads += [threading.Thread(target=late, args=(n,)) for n in range(LATE)]
        threads += [threading.Thread(target=edit_calendar, args=(n,)) for n in range(2)]
        threads += [threading.Thread(target=deliver_event, args=(n, a)) for n in range(EVENTS) for a in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        manage(env, "shell", "-c", (
            "from banchengshi.notify.services import queue_sms\n"
            "from django.db import transaction\n"
            "with transaction.atomic():\n"
            "    [queue_sms('1380000%04d' % n, '系统测试短信%d' % n) for n in range(20)]"
        ))
        assert sorted(statuses) == sorted([201] * EVENTS + [200] * EVENTS * 2), Counter(statuses)
        # received + accepted per staff case, received per upstream and per late case, the SMS
        expected = CASES * 2 + EVENTS + LATE + 20

        # Every message arrives once; then wait for a periodic period both consumers woke for.
        deadline = time.monotonic() + 90
        while len(Receiver.keys) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        # A periodic period both consumers woke for: one ran the sweep, the other left a mark.
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            deadline = time.monotonic() + 150
            query = ("SELECT count(*) FROM notify_periodicrun WHERE job IN ('deliver_pending', 'clock_reminders') "
                     "AND skipped > 0 GROUP BY job")
            # Every red clock of the late cases told to its two recipients, in the workbench.
            told = ("SELECT (SELECT count(*) FROM notify_notice), "
                    "(SELECT coalesce(sum(recipients), 0) FROM cases_clockalert WHERE told), "
                    "(SELECT count(*) FROM cases_clockalert WHERE told AND light = 'red')")

            def all_told() -> bool:
                notices, recipients, red = conn.execute(told).fetchone()  # type: ignore[misc]
                return bool(red >= LATE and notices == recipients == 2 * red)

            while time.monotonic() < deadline and (len(conn.execute(query).fetchall()) < 2 or not all_told()):
                time.sleep(1)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)

    assert len(Receiver.keys) == expected, f"{len(Receiver.keys)} deliveries for {expected} messages"
    assert Counter(Receiver.keys).most_common(1)[0][1] == 1  # none twice
    outbox = read(env, "{'unsent': Message.objects.filter(sent_at__isnull=True).count(),"
                       " 'attempts': list(Message.objects.values_list('attempts', flat=True))}")
    assert outbox["unsent"] == 0 and set(outbox["attempts"]) == {1}  # each sent on its first and only try
    upstream = read(env, "__import__('banchengshi.cases.models', fromlist=['Case']).Case.objects"
                         ".filter(origin='yiwangtongban').count()")
    assert upstream == EVENTS  # one case per event, however often and wherever it was delivered
    # Each late case's red clocks (acceptance, forwarding) told once to each of the center's handler and head.
    told = read(env, "list(Notice.objects.values_list('user__username', 'subject', 'title'))")
    red = read(env, "__import__('banchengshi.cases.models', fromlist=['ClockAlert']).ClockAlert.objects"
                    ".filter(told=True, light='red').count()")
    assert red >= LATE and len(told) == 2 * red and len({tuple(t) for t in told}) == len(told), told
    assert {t[0] for t in told} == {"sys_handler", "sys_head"}
    runs = read(env, "list(PeriodicRun.objects.values('job', 'period', 'skipped', 'finished_at'))")
    sweeps = [run for run in runs if run["job"] == "deliver_pending"]
    assert sweeps, "the periodic sweep never ran"
    assert len({run["period"] for run in sweeps}) == len(sweeps)  # one run per period
    # Both consumers woke for a period and only one ran it: the other left a mark.
    assert any(run["skipped"] >= 1 for run in sweeps), runs
    assert all(run["finished_at"] for run in sweeps)
    reminders = [run for run in runs if run["job"] == "clock_reminders"]
    assert len({run["period"] for run in reminders}) == len(reminders) and any(run["skipped"] for run in reminders)
