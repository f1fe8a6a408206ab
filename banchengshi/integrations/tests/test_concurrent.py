"""One upstream event delivered 50 times at the same moment makes exactly one case: 1 × 201, 49 × 200, 50
logged deliveries. Threads against a live server: Django's threaded live server on PostgreSQL (each request
thread with its own connection); on SQLite a real gunicorn (several processes) on a database file, as
`make run` serves it, because a live server shares its one in-memory SQLite connection between all request
threads, which is no concurrency at the database at all."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from banchengshi.cases.models import Case
from banchengshi.integrations.models import Delivery
from banchengshi.integrations.tests.conftest import (
    SECRETS,
    abandoned_body,
    encode,
    ensure_sources,
    signed_headers,
)

ROOT = Path(__file__).resolve().parents[3]
TIMES = 50


def fire(url: str, raw: bytes, headers: dict[str, str], times: int = TIMES) -> list[tuple[int, dict[str, Any]]]:
    """`times` threads send the same delivery at once (a barrier releases them together)."""
    barrier = threading.Barrier(times)

    def one(_: int) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(url, data=raw, method="POST",
                                         headers={**headers, "Content-Type": "application/json"})
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(one, range(times)))


def check(answers: list[tuple[int, dict[str, Any]]]) -> str:
    assert Counter(status for status, _ in answers) == {201: 1, 200: TIMES - 1}, answers
    references = {body["reference"] for _, body in answers}
    assert len(references) == 1
    return references.pop()


def one_delivery(event_id: str) -> tuple[bytes, dict[str, str]]:
    raw = encode(abandoned_body(occurred_at=None))
    return raw, signed_headers(raw, event_id=event_id, secret=SECRETS["yiwangtongban"])


in_memory_sqlite = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite: test_fifty_at_once_on_a_real_server_and_sqlite_file covers it")


class RoomyServer(ThreadedWSGIServer):
    request_queue_size = 128  # Django's 10 would reset the 50 connections that arrive together


class RoomyServerThread(LiveServerThread):
    server_class = RoomyServer


@pytest.fixture
def roomy_live_server() -> Any:
    thread = RoomyServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@in_memory_sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_at_once_make_one_case(roomy_live_server: str) -> None:
    ensure_sources()
    raw, headers = one_delivery("ywtb-concurrent-1")
    reference = check(fire(f"{roomy_live_server}/api/v1/integrations/yiwangtongban/events", raw, headers))
    assert list(Case.objects.filter(origin="yiwangtongban", origin_ref="ywtb-concurrent-1").values_list(
        "reference", flat=True)) == [reference]
    logged = Counter(Delivery.objects.filter(event_id="ywtb-concurrent-1").values_list("outcome", "status_code"))
    assert logged == {("accepted", 201): 1, ("duplicate", 200): TIMES - 1}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_fifty_at_once_on_a_real_server_and_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    env = {**os.environ, "BANCHENGSHI_VAR": str(tmp_path), "SECRET_KEY": "inbound-test", "LOG_LEVEL": "WARNING",
           "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT), "HUEY_IMMEDIATE": "false"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "-v0"], ["load_district", str(ROOT / "banchengshi/dispatch/district")],
                    ["set_integration_secret", "yiwangtongban", SECRETS["yiwangtongban"]]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "3",
         "--threads", "8", "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        raw, headers = one_delivery("ywtb-concurrent-2")
        reference = check(fire(f"http://127.0.0.1:{port}/api/v1/integrations/yiwangtongban/events", raw, headers))
    finally:
        server.terminate()
        server.wait(timeout=30)
    with sqlite3.connect(database) as db:
        cases = db.execute("select reference from cases_case where origin_ref = 'ywtb-concurrent-2'").fetchall()
        logged = Counter(db.execute("select outcome, status_code from integrations_delivery").fetchall())
    assert cases == [(reference,)]
    assert logged == {("accepted", 201): 1, ("duplicate", 200): TIMES - 1}
