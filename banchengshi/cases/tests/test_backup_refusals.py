"""What `restore` refuses before it touches the database: a file that is no backup of ours, a backup of the
other kind of database, and a database that is not empty (the suite's has the district's accounts)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from banchengshi.accounts.models import User
from banchengshi.cases.models import Case
from banchengshi.conftest import District


def test_a_file_that_is_no_backup_is_refused(district: District, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("不是备份", encoding="utf-8")
    with pytest.raises(CommandError, match="不是本系统的备份文件"):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="无法读取备份文件"):
        call_command("restore", str(tmp_path / "missing.backup"))


def test_a_database_with_accounts_is_never_overwritten(district: District, tmp_path: Path, monday: Any) -> None:
    backup = tmp_path / "other.sqlite3"
    with sqlite3.connect(backup) as db:
        db.execute("CREATE TABLE cases_case (id integer)")
    users, cases = User.objects.count(), Case.objects.count()
    expected = "只能恢复到空数据库" if connection.vendor == "sqlite" else "只能恢复到同一种数据库"
    with pytest.raises(CommandError, match=expected):
        call_command("restore", str(backup))
    assert (User.objects.count(), Case.objects.count()) == (users, cases)


def test_a_postgresql_dump_is_not_restored_onto_sqlite(district: District, tmp_path: Path) -> None:
    dump = tmp_path / "pg.backup"
    dump.write_bytes(b"PGDMP\x01\x0f\x00" + b"\x00" * 64)
    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="只能恢复到同一种数据库"):
            call_command("restore", str(dump))
    else:
        with pytest.raises(CommandError, match="只能恢复到空数据库"):
            call_command("restore", str(dump))
