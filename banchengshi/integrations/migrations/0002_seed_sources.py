"""The three upstream sources every installation has (without secrets: each refuses every delivery, saying
why, until `manage.py set_integration_secret` gives it one)."""

from django.db import migrations

SOURCES = [
    ("yiwangtongban", "一网通办总门户（中途退出）", "abandoned", "upstream_exit"),
    ("haochaping", "好差评管理平台（差评）", "bad_review", "bad_review"),
    ("generic", "其他对接平台", "other", "online"),
]


def seed(apps, schema_editor):
    Source = apps.get_model("integrations", "IntegrationSource")
    for code, name, kind, channel in SOURCES:
        Source.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "channel": channel})


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_sources_events_deliveries")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
