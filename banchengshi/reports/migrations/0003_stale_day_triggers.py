"""Triggers that mark a day of receipt stale whenever a case received that day, or one of its clocks, work
orders or return visits, is inserted, updated or deleted (reports.models.StaleDay), and every day that
already has cases stale, so the first figures summarise them.

PostgreSQL: one statement-level trigger per table and event, reading the transition tables (a COPY or an
UPDATE of many rows marks each day once). SQLite: row-level triggers. The day is the Asia/Shanghai date
(UTC+8 all year)."""

from typing import Any

from django.db import migrations

TABLES = {"cases_case": None, "cases_clock": "case_id", "cases_workorder": "case_id", "cases_visit": "case_id"}
PG_DAY = "(c.received_at AT TIME ZONE 'Asia/Shanghai')::date"


def _pg_select(table: str, rows: str) -> str:
    if TABLES[table] is None:
        return f"SELECT DISTINCT {PG_DAY} FROM {rows} c"
    return f"SELECT DISTINCT {PG_DAY} FROM (SELECT DISTINCT case_id FROM {rows}) r JOIN cases_case c ON c.id = r.case_id"


def _pg(table: str) -> list[str]:
    function = f"reports_stale_{table}"
    statements = [f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO reports_staleday (day) {_pg_select(table, "new_rows")} ON CONFLICT DO NOTHING;
          END IF;
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO reports_staleday (day) {_pg_select(table, "old_rows")} ON CONFLICT DO NOTHING;
          END IF;
          RETURN NULL;
        END $$"""]
    for event, referencing in (("INSERT", "NEW TABLE AS new_rows"), ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
                               ("DELETE", "OLD TABLE AS old_rows")):
        statements.append(f"CREATE TRIGGER {function}_{event.lower()} AFTER {event} ON {table} "
                          f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
    return statements


def _sqlite(table: str) -> list[str]:
    statements = []
    for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"]), ("DELETE", ["OLD"])):
        body = []
        for row in rows:
            if TABLES[table] is None:
                body.append(f"INSERT OR IGNORE INTO reports_staleday (day) VALUES (date({row}.received_at, '+8 hours'));")
            else:
                body.append("INSERT OR IGNORE INTO reports_staleday (day) SELECT date(received_at, '+8 hours') "
                            f"FROM cases_case WHERE id = {row}.case_id;")
        statements.append(f"CREATE TRIGGER reports_stale_{table}_{event.lower()} AFTER {event} ON {table} "
                          f"FOR EACH ROW BEGIN {' '.join(body)} END")
    return statements


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"the day-summary triggers are written for PostgreSQL and SQLite, not {vendor}")
    for table in TABLES:
        for statement in (_pg(table) if vendor == "postgresql" else _sqlite(table)):
            schema_editor.execute(statement)
    day = PG_DAY if vendor == "postgresql" else "date(c.received_at, '+8 hours')"
    schema_editor.execute(f"INSERT INTO reports_staleday (day) SELECT DISTINCT {day} FROM cases_case c")


def remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for event in ("insert", "update", "delete"):
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_stale_{table}_{event} ON {table}")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_stale_{table}_{event}")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS reports_stale_{table}()")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_day_figures"),
        ("cases", "0012_stats_indexes"),
    ]

    operations = [migrations.RunPython(install, remove)]
