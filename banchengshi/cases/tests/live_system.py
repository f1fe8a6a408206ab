"""A real installation for the crash and backup tests: its own database (a SQLite file in WAL mode, or a new
database on the PostgreSQL server of DATABASE_URL, dropped afterwards), gunicorn with several worker
processes, clients speaking HTTP with an `Idempotency-Key`, and SQL read straight from the database."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith("postgres")
PASSWORD = "System-password-2026"

# Each vendor in its own pass of CI: SQLite files in the SQLite pass, PostgreSQL in the PostgreSQL pass.
VENDORS = [
    pytest.param("sqlite", marks=pytest.mark.skipif(ON_POSTGRES, reason="the SQLite run belongs to the SQLite pass")),
    pytest.param("postgresql", marks=pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Database:
    """One database of the installation: its DATABASE_URL and plain SQL against it."""

    vendor: str
    url: str
    sqlite_path: Path | None = None
    pg_name: str = ""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path, timeout=30) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url) as db:
            return db.execute(sql).fetchall()  # type: ignore[arg-type]

    def value(self, sql: str) -> Any:
        return self.rows(sql)[0][0]


@dataclass
class Installation:
    root: Path
    env: dict[str, str]
    vendor: str
    db: Database | None = None
    made: list[Database] = field(default_factory=list)

    @property
    def source(self) -> Database:
        assert self.db is not None
        return self.db

    def manage(self, *args: str, db: Database | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "DATABASE_URL": (db or self.source).url}
        done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        if check:
            assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
        return done

    def new_database(self, label: str) -> Database:
        """Another empty database beside the installation's (a file name, or CREATE DATABASE)."""
        if self.vendor == "sqlite":
            path = self.root / f"{label}.sqlite3"
            return Database("sqlite", f"sqlite:///{path}", sqlite_path=path)
        import psycopg

        name = f"bcs_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        made = Database("postgresql", _pg_url(name), pg_name=name)
        self.made.append(made)
        return made


def _pg_parts() -> dict[str, Any]:
    from django.conf import settings

    server = settings.DATABASES["default"]
    return {"host": server["HOST"] or "127.0.0.1", "port": server["PORT"] or 5432, "user": server["USER"] or "postgres",
            "password": server["PASSWORD"] or ""}


def _pg_url(name: str) -> str:
    p = _pg_parts()
    auth = f"{p['user']}:{p['password']}" if p["password"] else p["user"]
    return f"postgresql://{auth}@{p['host']}:{p['port']}/{name}"


def _pg_admin_url() -> str:
    return _pg_url("postgres")


@contextmanager
def installation(vendor: str, tmp_path: Path) -> Iterator[Installation]:
    """A migrated installation with the demo district and one registrar; yields it, then drops what it made."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "AUDIT_KEY", "DATABASE_URL")}
    env.update({"BANCHENGSHI_VAR": str(tmp_path), "SECRET_KEY": "crash-" + uuid.uuid4().hex, "LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT), "HUEY_IMMEDIATE": "false", "SMS_FILE": str(tmp_path / "sms.jsonl")})
    inst = Installation(tmp_path, env, vendor)
    inst.db = inst.new_database("source")
    try:
        inst.manage("migrate", "--noinput", "-v0")
        inst.manage("load_district", str(ROOT / "banchengshi/dispatch/district"))
        inst.manage("create_staff", "crash_registrar", "--unit", "FWZX", "--role", "registrar", "--password", PASSWORD)
        yield inst
    finally:
        if inst.made:
            import psycopg

            with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
                for made in inst.made:
                    conn.execute(f'DROP DATABASE IF EXISTS "{made.pg_name}" WITH (FORCE)')  # type: ignore[arg-type]


@contextmanager
def gunicorn(inst: Installation, workers: int, threads: int) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn on a free port (`server.port`), several worker processes; stopped afterwards."""
    port = free_port()
    log = (inst.root / "gunicorn.log").open("ab")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--backlog", "2048", "--timeout", "60",
         "--graceful-timeout", "5", "--log-level", "warning",
         # Django loaded once in the master: a new worker is a fork, ready at once after a kill.
         "--preload"],
        env={**inst.env, "DATABASE_URL": inst.source.url}, cwd=ROOT, stdout=log, stderr=log,
    )
    server.port = port  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 90
        while not _answers(f"http://127.0.0.1:{port}/api/v1/public/centers"):
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (127.0.0.1 only)
            return bool(answer.status == 200)
    except OSError:
        return False


def workers_of(server: subprocess.Popen[bytes]) -> list[int]:
    """The worker processes the gunicorn master has now (its children)."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def case_body(n: int) -> dict[str, Any]:
    return {"channel": "phone", "reporter": {"name": "测试", "phone": f"139{n:08d}", "kind": "person"},
            "center": "FWZX", "reasons": ["material_mismatch"], "description": f"第{n}件：崩溃与备份测试"}


def post_case(base: str, token: str, body: dict[str, Any], key: str, timeout: float = 30) -> tuple[int, Any]:
    """One POST /api/v1/cases; (status, JSON). Connection errors are raised (OSError)."""
    request = urllib.request.Request(f"{base}/api/v1/cases", data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (127.0.0.1 only)
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"null")
        except ValueError:
            return exc.code, raw.decode(errors="replace")[:300]


def submit_until_answered(base: str, token: str, n: int, key: str, deadline: float) -> tuple[int, str, int]:
    """Send case n under `key` until it is answered 2xx, retrying with the same key after a connection
    error or a 5xx (a killed worker, a restarting one); returns (status, reference, retries)."""
    retries, status, answer = 0, 0, None
    while True:
        assert time.monotonic() < deadline, f"case {n} ({key}) got no answer in time; the last: {status} {answer}"
        try:
            status, answer = post_case(base, token, case_body(n), key)
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, no answer or half an answer: the worker died under it
            status, answer = 0, repr(exc)
        if status in (200, 201):
            return status, answer["reference"], retries
        assert status == 0 or status >= 500, (n, status, answer)  # a 4xx would be a real refusal: fail
        retries += 1
        time.sleep(0.05 * min(retries, 10))
