"""Years copied from chinese-calendar (0002) are complete State Council arrangements: published, and
their source named in Chinese on the admin's list."""

from django.db import migrations

SEEDED_SOURCE = "chinese-calendar（国务院办公厅节假日安排）"
SOURCE_IN_CHINESE = "国务院办公厅历年节假日安排（系统预置）"


def publish_seeded(apps, schema_editor):
    CalendarYear = apps.get_model("sla", "CalendarYear")
    CalendarYear.objects.filter(source=SEEDED_SOURCE).update(published=True, source=SOURCE_IN_CHINESE)


def unpublish_seeded(apps, schema_editor):
    CalendarYear = apps.get_model("sla", "CalendarYear")
    CalendarYear.objects.filter(source=SOURCE_IN_CHINESE).update(published=False, source=SEEDED_SOURCE)


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_calendar_year_published")]

    operations = [migrations.RunPython(publish_seeded, unpublish_seeded)]
