"""The event table is append-only in the database itself: triggers (created by migration 0008, one set per
vendor) refuse every UPDATE, every TRUNCATE and every DELETE of a row younger than RETENTION_FLOOR_DAYS.
The configured AUDIT_RETENTION_DAYS may only be longer; `purge_audit` enforces it.

The triggers stop the application, a slip in the admin or a careless `manage.py dbshell`; they do not stop
the owner of the database, who can drop them. What catches that owner is the chain (`audit.chain`),
whose key the database does not hold.

The test suite must empty its database between transactional tests, so the guard can be lifted, and only
where settings.AUDIT_GUARD_LIFTABLE is true (the tests' conftest; never in config/settings.py):
- SQLite: the triggers ask the function `bcs_audit_guard_lifted()`, which this module registers on every
  connection the application opens and which answers no unless lifted here. A connection that is not the
  application's (the sqlite3 shell) has no such function, so its UPDATE or DELETE fails: closed by default.
- PostgreSQL: inside a transaction `SET session_replication_role = replica` (a superuser's power), outside
  one `ALTER TABLE audit_event DISABLE TRIGGER …` (the table owner's); the application's role should hold
  neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

RETENTION_FLOOR_DAYS = 180
TABLE = "audit_event"
SQLITE_TRIGGERS = ("audit_event_no_update", "audit_event_no_delete")
POSTGRES_TRIGGERS = ("audit_event_append_only", "audit_event_no_truncate")

SQLITE_INSTALL = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT bcs_audit_guard_lifted()
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE}
    WHEN NOT bcs_audit_guard_lifted() AND OLD."at" >= datetime('now', '-{RETENTION_FLOOR_DAYS} days')
    BEGIN SELECT RAISE(ABORT, 'audit_event rows younger than {RETENTION_FLOOR_DAYS} days cannot be deleted'); END""",
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]

POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD."at" < now() - interval '{RETENTION_FLOOR_DAYS} days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$""",
    f"""CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    f"""CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]


# Process-wide, not per thread: a test's flush may run on another thread than the one that lifted.
_lifted_depth = 0


def _guard_lifted() -> int:
    return int(bool(getattr(settings, "AUDIT_GUARD_LIFTABLE", False)) and _lifted_depth > 0)


def register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created: give each SQLite connection the function its triggers ask."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("bcs_audit_guard_lifted", 0, _guard_lifted)


def install_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}.get(vendor, [])


def remove_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE}.get(vendor, [])


def installed(using: str = "default") -> bool:
    """Whether the triggers are in place (a schema change that rebuilds the table on SQLite drops them)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            expected = set(SQLITE_TRIGGERS)
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE])
            expected = set(POSTGRES_TRIGGERS)
        else:
            return False
        return expected <= {row[0] for row in cursor.fetchall()}


@contextmanager
def guard_lifted(using: str = "default") -> Iterator[None]:
    """Tests only: UPDATE and DELETE pass while inside (to flush the database, or to play an attacker)."""
    global _lifted_depth
    if not getattr(settings, "AUDIT_GUARD_LIFTABLE", False):
        raise ImproperlyConfigured("The audit log's guard is lifted only by the test suite")
    connection = connections[using]
    _lifted_depth += 1
    how = _lift_postgres(connection) if connection.vendor == "postgresql" and _lifted_depth == 1 else ""
    try:
        yield
    finally:
        _lifted_depth -= 1
        if how:
            _restore_postgres(connection, how)


# Inside a transaction (a test rolled back at its end) the session is switched to replica mode, which only
# a superuser may do and which the rollback's connection keeps; outside one (the flush after a transactional
# or browser test, which may run on a connection opened later) the table's triggers are switched off, which
# only its owner may do. The application's role should be neither.
def _lift_postgres(connection: BaseDatabaseWrapper) -> str:
    if not str(connection.settings_dict["NAME"]).startswith("test"):
        raise ImproperlyConfigured("The audit log's guard is lifted only on a test database")
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute("SET session_replication_role = replica")
            return "session"
        for name in POSTGRES_TRIGGERS:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {name}")
        return "table"


def _restore_postgres(connection: BaseDatabaseWrapper, how: str) -> None:
    if not str(connection.settings_dict["NAME"]).startswith("test"):
        return  # the session's end destroyed the test database meanwhile
    try:
        with connection.cursor() as cursor:
            if how == "session":
                cursor.execute("RESET session_replication_role")
            else:
                for name in POSTGRES_TRIGGERS:
                    cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {name}")
    except DatabaseError:
        if how == "table" and not connection.in_atomic_block:
            connection.close()
            with connection.cursor() as cursor:
                for name in POSTGRES_TRIGGERS:
                    cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {name}")
        # a failed transaction: the test's rollback resets the session setting with it
