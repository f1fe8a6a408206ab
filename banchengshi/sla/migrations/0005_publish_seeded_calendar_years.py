"""Years copied from chinese-calendar (0002) are complete State Council arrangements: published."""

from django.db import migrations

SEEDED_SOURCE = "chinese-calendar（国务院办公厅节假日安排）"


def publish_seeded(apps, schema_editor):
    CalendarYear = apps.get_model("sla", "CalendarYear")
    CalendarYear.objects.filter(source=SEEDED_SOURCE).update(published=True)


def unpublish_seeded(apps, schema_editor):
    CalendarYear = apps.get_model("sla", "CalendarYear")
    CalendarYear.objects.filter(source=SEEDED_SOURCE).update(published=False)


class Migration(migrations.Migration):
    dependencies = [("sla", "0004_calendar_year_published")]

    operations = [migrations.RunPython(publish_seeded, unpublish_seeded)]
