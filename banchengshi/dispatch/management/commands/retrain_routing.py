"""manage.py retrain_routing: train the routing model now (the job does it after dispatches and hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from banchengshi.dispatch.training import retrain


class Command(BaseCommand):
    help = "立即重新训练智能派单模型（平时由后台任务在人工派单后和每小时自动进行）"

    def handle(self, *args: Any, **options: Any) -> None:
        row = retrain("手动重新训练")
        if row.error:
            raise CommandError(f"训练失败：{row.error}")
        self.stdout.write(f"已训练：{row.samples} 条样本，用时 {row.figures.get('seconds')} 秒")
