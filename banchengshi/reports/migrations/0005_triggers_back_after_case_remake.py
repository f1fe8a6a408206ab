"""SQLite only: the day-summary triggers back after cases 0016 rebuilt cases_case (see 0004); installing them
marks every day stale, as a change made meanwhile was not seen."""

from importlib import import_module
from typing import Any

from django.db import migrations

triggers = import_module("banchengshi.reports.migrations.0003_stale_day_triggers")


def on(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DELETE FROM reports_staleday")  # install marks every day again
        triggers.install(apps, schema_editor)


def off(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        triggers.remove(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [("reports", "0004_triggers_off_for_case_remake"), ("cases", "0016_case_search_index")]

    operations = [migrations.RunPython(on, off)]
