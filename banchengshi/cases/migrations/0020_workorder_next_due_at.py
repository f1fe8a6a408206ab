from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    """Every order's copy of its case's soonest limit, in one UPDATE (the orders of cases with one)."""
    Case = apps.get_model("cases", "Case")
    WorkOrder = apps.get_model("cases", "WorkOrder")
    soonest = Case.objects.filter(pk=OuterRef("case_id")).values("next_due_at")[:1]
    WorkOrder.objects.filter(case__next_due_at__isnull=False).update(next_due_at=Subquery(soonest))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_login_attempt_proxy"),
        ("cases", "0019_queue_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="next_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="反映件最近时限"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(fields=["unit", "status", "next_due_at", "case"], name="workorder_unit_next_due"),
        ),
    ]
