"""SQLite only: adding a column to cases_case (cases 0016) makes Django rebuild the table (create a copy, drop
the old one, rename the copy), which fails while the triggers of cases_clock, cases_workorder and cases_visit
name cases_case in their bodies, and silently drops the triggers on cases_case itself. The day-summary
triggers are taken off before it (here) and put back after it (0005). PostgreSQL adds the column in place."""

from importlib import import_module
from typing import Any

from django.db import migrations

triggers = import_module("banchengshi.reports.migrations.0003_stale_day_triggers")


def off(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        triggers.remove(apps, schema_editor)


def on(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        triggers.install(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [("reports", "0003_stale_day_triggers")]
    run_before = [("cases", "0016_case_search_index")]

    operations = [migrations.RunPython(off, on)]
