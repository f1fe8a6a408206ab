# Full-text search (issue 12): the reporter's name gets a lookup hash (blind index), filled in for the
# existing rows, and the search index (cases/search.py: FTS5 on SQLite, a tsvector with a GIN index on
# PostgreSQL) is created and filled. Raw SQL: the historical models know nothing of the index.

from typing import Any

import banchengshi.lib.fields
from django.db import migrations

from banchengshi.cases import search
from banchengshi.lib import pii
from banchengshi.lib.pii_migration import rewrite_rows

TABLE = "cases_case"


def hash_names(apps: Any, schema_editor: Any) -> None:
    def change(table: str, values: dict[str, str]) -> dict[str, str]:
        name = values["reporter_name"]
        clear = pii.decrypt(name, f"{table}.reporter_name") if pii.is_encrypted(name) else name
        return {**values, "reporter_name_hash": pii.lookup_hash(clear, pii.NAME_PURPOSE)}

    rewrite_rows(schema_editor.connection, TABLE, ["reporter_name", "reporter_name_hash"], change)


def build_index(apps: Any, schema_editor: Any) -> None:
    search.create_table(schema_editor.connection)
    search.rebuild(schema_editor.connection)


def drop_index(apps: Any, schema_editor: Any) -> None:
    search.drop_table(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0015_casedocument'),
        ('dispatch', '0002_past_dispatch_choices_and_verbose_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='reporter_name_hash',
            field=banchengshi.lib.fields.LookupHashField(purpose='name', source='reporter_name', verbose_name='反映人姓名查找摘要'),
        ),
        migrations.RunPython(hash_names, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(build_index, drop_index, elidable=False),
    ]
