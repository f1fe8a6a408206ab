import banchengshi.notify.models
from django.db import migrations, models


def distinct_keys(apps, schema_editor):
    """Rows written before the key existed each get their own."""
    import uuid

    Message = apps.get_model("notify", "Message")
    for pk in Message.objects.values_list("pk", flat=True):
        Message.objects.filter(pk=pk).update(key=uuid.uuid4().hex)



class Migration(migrations.Migration):
    dependencies = [("notify", "0002_outbox_kinds_subscribers_notices")]

    operations = [
        migrations.RunPython(distinct_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="message",
            name="key",
            field=models.CharField(default=banchengshi.notify.models.new_key, editable=False, max_length=64, unique=True, verbose_name="幂等键"),
        ),
    ]
