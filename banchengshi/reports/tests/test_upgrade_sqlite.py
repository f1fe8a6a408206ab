"""Upgrading an existing SQLite installation: a database made before cases 0016 (which adds a column to
cases_case, so SQLite rebuilds that table) already holds the day-summary triggers; `migrate` must still go
through and leave all twelve triggers in place (reports 0004 takes them off, 0005 puts them back)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


def triggers(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'reports_stale%'")
                   .fetchone()[0])


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite's table rebuild; the SQLite pass runs it")
def test_a_database_from_before_the_search_index_migrates_with_its_triggers(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "BANCHENGSHI_VAR": str(tmp_path),
           "SECRET_KEY": "upgrade-" + uuid.uuid4().hex, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    # The last release's schema: cases up to 0015, and the reports' triggers installed on it.
    manage(env, "migrate", "cases", "0015_casedocument", "-v0")
    manage(env, "migrate", "reports", "0003_stale_day_triggers", "-v0")
    assert triggers(database) == 12
    manage(env, "migrate", "-v0")
    assert triggers(database) == 12
    with sqlite3.connect(database) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(cases_case)")]
    assert "reporter_name_hash" in columns
