"""Issue 14: the report pages read from a replica through the database router; the rest stays on the primary.

The system test builds two real databases — a primary and a copy of it taken at one moment (PostgreSQL:
`CREATE DATABASE … TEMPLATE`, SQLite: the file) — and registers cases on the primary only, as if the
replica lagged behind. With `DATABASE_REPLICA_URL` set, the figures (`GET /api/v1/stats`) count what the
replica holds, while the case list, the registration itself and the sign-in read and write the primary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from banchengshi.accounts.models import User
from banchengshi.cases.models import Case
from banchengshi.lib import replica

ROOT = Path(__file__).resolve().parents[3]
DATABASE_URL = os.environ.get("DATABASE_URL", "")


def test_the_router_sends_report_reads_to_the_replica_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    router = replica.ReplicaRouter()
    assert router.db_for_read(Case) is None  # no replica configured: Django's default
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    assert router.db_for_read(Case) is None  # outside a report request
    with replica.replica_reads():
        assert router.db_for_read(Case) == "replica"
        assert router.db_for_read(User) == "default"  # sign-in tables: a session made a moment ago works at once
        # In a transaction on the primary (`atomic`), a read that decides a write sees the primary.
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)
        assert router.db_for_read(Case) == "default"
        monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    assert router.db_for_read(Case) is None
    assert router.db_for_write(Case) == "default"
    assert router.allow_migrate("replica", "cases") is False
    assert router.allow_migrate("default", "cases") is True


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def two_databases(tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    """A primary of its own and how to copy it into a replica: (environment, replica URL)."""
    env = {**os.environ, "BANCHENGSHI_VAR": str(tmp_path), "SECRET_KEY": "replica-" + uuid.uuid4().hex,
           "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), "HUEY_IMMEDIATE": "true"}
    env.pop("DATABASE_REPLICA_URL", None)
    env.pop("REDIS_URL", None)
    if not DATABASE_URL.startswith("postgres"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'primary.sqlite3'}"
        yield env, f"sqlite:///{tmp_path / 'replica.sqlite3'}"
        return
    import psycopg
    from django.conf import settings

    server = settings.DATABASES["default"]
    user, host, port = server["USER"] or "postgres", server["HOST"] or "127.0.0.1", server["PORT"] or 5432
    name = f"bcs_replica_{uuid.uuid4().hex[:8]}"
    admin = f"host={host} port={port} user={user} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}_p"')
    env["DATABASE_URL"] = f"postgresql://{user}@{host}:{port}/{name}_p"
    try:
        yield env, f"postgresql://{user}@{host}:{port}/{name}_r"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for suffix in ("_p", "_r"):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}{suffix}" WITH (FORCE)')


def copy_primary(env: dict[str, str], replica_url: str, tmp_path: Path) -> None:
    """The replica as it stood at this moment (what a streaming replica holds, lagging from here on)."""
    if replica_url.startswith("sqlite"):
        shutil.copy(tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3")
        return
    import psycopg

    primary = env["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{primary[0]}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{replica_url.rsplit("/", 1)[1]}" TEMPLATE "{primary[1]}"')


REGISTER_AND_READ = """
import json
from django.test import Client
from django.utils import timezone
client = Client(HTTP_AUTHORIZATION="Bearer " + TOKEN)
for n in range(3):
    answer = client.post("/api/v1/cases", content_type="application/json", data=json.dumps({
        "channel": "phone", "reporter": {"name": "测试", "phone": f"1390000{n:04d}", "kind": "person"},
        "center": "FWZX", "reasons": ["material_mismatch"], "description": f"第{n}件：只在主库"}))
    assert answer.status_code == 201, answer.content
today = timezone.localdate().isoformat()
stats = client.get(f"/api/v1/stats?from={today}&to={today}")
listed = client.get("/api/v1/cases")
print(json.dumps({"stats": stats.status_code, "registered": stats.json().get("registered"),
                  "listed": listed.json()["count"]}))
"""


@pytest.mark.system
def test_report_reads_come_from_the_replica_and_registrations_from_the_primary(
    two_databases: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, replica_url = two_databases
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_district", str(ROOT / "banchengshi/dispatch/district"))
    manage(env, "create_staff", "replica_head", "--unit", "FWZX", "--role", "center_head", "--password", "Replica-password-2026")
    token = manage(env, "issue_token", "replica_head").strip()
    copy_primary(env, replica_url, tmp_path)

    program = f"TOKEN = {token!r}\n" + REGISTER_AND_READ
    with_replica = {**env, "DATABASE_REPLICA_URL": replica_url}
    seen = json.loads(manage(with_replica, "shell", "--no-imports", "-c", program).strip().splitlines()[-1])
    # The three cases went to the primary, and the list (not a report path) reads them there; the figures
    # come from the replica, which has not received them.
    assert seen == {"stats": 200, "registered": 0, "listed": 3}

    # Without a replica the same figures read the primary.
    program = f"TOKEN = {token!r}\n" + REGISTER_AND_READ.replace("range(3)", "range(0)")
    seen = json.loads(manage(env, "shell", "--no-imports", "-c", program).strip().splitlines()[-1])
    assert seen == {"stats": 200, "registered": 3, "listed": 3}
