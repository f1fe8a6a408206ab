"""`manage.py backup FILE` and `manage.py restore FILE`: an online backup of the configured database while
the system runs, and its restore onto an empty database, followed by the audit chain's verification.

- SQLite: the sqlite3 backup API (`Connection.backup`) copies the database file page by page in one read
  transaction, so the copy is one consistent moment even while the web processes write (WAL lets them go
  on). Restore copies the backup into the configured file through the same API.
- PostgreSQL: `pg_dump --format=custom` with the DATABASE_URL's parameters (the password through the
  environment, never the command line). The figures printed with the backup (cases, chain head) are read in
  a repeatable-read transaction whose snapshot pg_dump is given (`--snapshot`), so they describe exactly
  what the file holds. Restore is `pg_restore --single-transaction`: all of it or nothing; the audit
  table's append-only triggers are part of the dump and come back with it.

A backup holds every case and the personal data in them: it is written readable by its owner only. It
does not hold the keys (AUDIT_KEY or the file AUDIT_KEY_FILE, SECRET_KEY, …): they are kept apart, and a
restore is verified with the same AUDIT_KEY, without which no chain verifies."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, connections, transaction

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.audit.guard import installed
from banchengshi.audit.integrity import Verification, verify_chain
from banchengshi.audit.labels import EventType
from banchengshi.audit.models import AuditChain, Event
from banchengshi.cases.models import Case

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
ACTOR = "系统管理员（命令行）"


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the person at the console."""


@dataclass(frozen=True)
class Figures:
    """What a database holds at one moment: its cases and the head of its audit chain."""

    cases: int
    chain_seq: int
    chain_mac: str

    def describe(self) -> str:
        return f"{self.cases} 件反映件；审计链至第 {self.chain_seq} 条，链尾校验码 {self.chain_mac or '（空）'}"


def figures() -> Figures:
    """The configured database's figures, in the caller's transaction (or now)."""
    head = AuditChain.objects.filter(pk=1).values_list("last_seq", "last_mac").first() or (0, "")
    return Figures(Case.objects.count(), int(head[0]), str(head[1]))


def _sqlite_figures(db: sqlite3.Connection) -> Figures:
    cases = db.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    head = db.execute("SELECT last_seq, last_mac FROM audit_auditchain WHERE id = 1").fetchone() or (0, "")
    return Figures(int(cases), int(head[0]), str(head[1]))


def _vendor() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库：{connection.vendor}（只支持 SQLite 和 PostgreSQL）")
    return connection.vendor


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"SQLite 数据库不是一个文件（{name or '未配置'}），无法备份或恢复")
    return Path(name)


def _private_temp(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    os.chmod(name, 0o600)  # the backup holds personal data: its owner's only
    return Path(name)


# ---- PostgreSQL tools

def _pg_env() -> dict[str, str]:
    """libpq's variables from the configured database; the password never on a command line."""
    conf = connection.settings_dict
    env = dict(os.environ)
    for var, value in (("PGHOST", conf.get("HOST")), ("PGPORT", conf.get("PORT")), ("PGUSER", conf.get("USER")),
                       ("PGPASSWORD", conf.get("PASSWORD")), ("PGDATABASE", conf.get("NAME"))):
        if value:
            env[var] = str(value)
        else:
            env.pop(var, None)
    sslmode = (conf.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _pg_tool(name: str) -> str:
    """pg_dump or pg_restore, of a major version at least the server's (an older one refuses or loses data)."""
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"找不到 {name}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端（如 postgresql-client）")
    # The PostgreSQL client found on PATH, with fixed arguments: nothing from a request reaches it.
    said = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", said.stdout)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
    if found is None or int(found.group(1)) < server_major:
        version = found.group(1) if found else "未知"
        raise BackupError(f"{name} 的版本（{version}）低于数据库服务器（{server_major}）：请安装 {server_major} 或更新版本的客户端")
    return tool


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603 (our tool, our file)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


# ---- backup

def backup(target: Path) -> Figures:
    """Write a backup of the configured database to `target` (replaced only once complete) and record the
    backup in the audit trail; returns the figures of the moment the backup holds."""
    vendor = _vendor()
    part = _private_temp(target)
    try:
        taken = _backup_sqlite(part) if vendor == "sqlite" else _backup_postgresql(part)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    record_event(EventType.BACKUP_TAKEN, actor_label=ACTOR, file=target.name, cases=taken.cases,
                 chain_seq=taken.chain_seq, chain_mac=taken.chain_mac)
    return taken


def _backup_sqlite(part: Path) -> Figures:
    path = _sqlite_path()
    if not path.is_file():
        raise BackupError(f"数据库文件 {path} 不存在")
    source = sqlite3.connect(path, timeout=30)
    copy = sqlite3.connect(part)
    try:
        source.backup(copy)  # all pages in one step: one read transaction, one moment
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("备份文件校验失败（PRAGMA quick_check），请重试")
        return _sqlite_figures(copy)
    finally:
        copy.close()
        source.close()


def _backup_postgresql(part: Path) -> Figures:
    pg_dump = _pg_tool("pg_dump")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        taken = figures()
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={part}"])
    return taken


# ---- restore

def _refuse_unless_empty() -> None:
    tables = set(connection.introspection.table_names())
    cases = Case.objects.count() if Case._meta.db_table in tables else 0
    users = User.objects.count() if User._meta.db_table in tables else 0
    events = Event.objects.count() if Event._meta.db_table in tables else 0
    if cases or users or events:
        raise BackupError(
            f"目标数据库不是空的（已有 {cases} 件反映件、{users} 个账号、{events} 条审计记录）：只能恢复到空数据库。"
            "请新建一个空数据库（可先运行 migrate），在 DATABASE_URL 中指向它，再运行 restore"
        )


def _kind(source: Path) -> str:
    try:
        with source.open("rb") as file:
            head = file.read(16)
    except OSError as exc:
        raise BackupError(f"无法读取备份文件 {source}：{exc.strerror or exc}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{source} 不是本系统的备份文件（既不是 SQLite 数据库，也不是 pg_dump 自定义格式）")


@dataclass(frozen=True)
class Restored:
    figures: Figures
    verification: Verification
    guarded: bool


def restore(source: Path) -> Restored:
    """Restore the backup `source` onto the configured database, which must be empty; then verify the audit
    chain and check the append-only triggers. The restore is recorded in the restored chain when it verifies."""
    vendor = _vendor()
    kind = _kind(source)
    if kind != vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"备份文件是 {names[kind]} 的，配置的数据库是 {names[vendor]} 的：只能恢复到同一种数据库")
    _refuse_unless_empty()
    if vendor == "sqlite":
        _restore_sqlite(source)
    else:
        _restore_postgresql(source)
    connections.close_all()  # the next query sees the restored database from a fresh connection
    restored = Restored(figures(), verify_chain(), installed())
    if restored.verification.intact:
        record_event(EventType.DATABASE_RESTORED, actor_label=ACTOR, file=source.name, cases=restored.figures.cases,
                     chain_seq=restored.figures.chain_seq, chain_mac=restored.figures.chain_mac)
    return restored


def _restore_sqlite(source: Path) -> None:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if backup_db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"备份文件 {source} 已损坏（PRAGMA quick_check 未通过）")
        connections.close_all()
        target = sqlite3.connect(_sqlite_path(), timeout=30)
        try:
            backup_db.backup(target)
        finally:
            target.close()
    finally:
        backup_db.close()


def _restore_postgresql(source: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    connections.close_all()
    # --clean --if-exists: a migrated but empty database has the tables already. Ownership and grants
    # are the restoring role's (--no-owner --no-acl): give the application's role its rights afterwards.
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
          "--exit-on-error", f"--dbname={_pg_env().get('PGDATABASE', '')}", str(source)])
