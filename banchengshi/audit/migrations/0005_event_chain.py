"""The audit chain's columns on every event, and the chain's head row (sealing follows in 0006)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_alter_event_action"),
        ("cases", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_seq", models.PositiveBigIntegerField(default=0, verbose_name="最后序号")),
                ("last_mac", models.CharField(max_length=64, verbose_name="最后校验码")),
                ("purged_through_seq", models.PositiveBigIntegerField(default=0, verbose_name="已清理至序号")),
                ("purged_through_mac", models.CharField(max_length=64, verbose_name="已清理至校验码")),
                ("purged_at", models.DateTimeField(blank=True, null=True, verbose_name="清理时间")),
            ],
            options={"verbose_name": "审计链", "verbose_name_plural": "审计链"},
        ),
        migrations.AddField(model_name="event", name="actor_role", field=models.CharField(blank=True, max_length=20, verbose_name="操作人角色")),
        migrations.AddField(model_name="event", name="request_id", field=models.CharField(blank=True, max_length=64, verbose_name="请求编号")),
        migrations.AddField(model_name="event", name="ip", field=models.CharField(blank=True, max_length=45, verbose_name="IP 地址")),
        migrations.AddField(model_name="event", name="seq", field=models.PositiveBigIntegerField(null=True, verbose_name="序号")),
        migrations.AddField(model_name="event", name="prev_mac", field=models.CharField(default="", max_length=64, verbose_name="前一条校验码"), preserve_default=False),
        migrations.AddField(model_name="event", name="mac", field=models.CharField(default="", max_length=64, verbose_name="校验码"), preserve_default=False),
    ]
