from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    """The table the public pages' request limits are counted in (settings.CACHES, when no Redis)."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("public", "0001_initial")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
