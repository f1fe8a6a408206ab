from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    """Every case's soonest running limit, in one UPDATE (the open clocks by their partial index)."""
    Case = apps.get_model("cases", "Case")
    Clock = apps.get_model("cases", "Clock")
    soonest = Clock.objects.filter(case=OuterRef("pk"), stopped_at__isnull=True).order_by("due_at").values("due_at")[:1]
    Case.objects.filter(clocks__stopped_at__isnull=True).update(next_due_at=Subquery(soonest))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0017_visit_period_and_open_clock_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="next_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="最近时限"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["status", "next_due_at", "received_at", "id"], name="case_status_next_due"),
        ),
    ]
