"""Triggers that keep the event table append-only, one set per vendor (SQL in audit/guard.py, which
explains what they stop and what they do not)."""

from django.db import migrations


def install(apps, schema_editor):
    from banchengshi.audit.guard import install_sql

    for statement in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    from banchengshi.audit.guard import remove_sql

    for statement in remove_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [("audit", "0007_event_seq_required")]

    operations = [migrations.RunPython(install, remove)]
