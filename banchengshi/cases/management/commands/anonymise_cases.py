"""Anonymise the personal data of cases closed longer ago than PII_RETENTION_DAYS (cases/retention.py); the
job worker does the same every night."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from banchengshi.cases.retention import do_anonymise_closed_cases, due_for_anonymisation, retention_cutoff


class Command(BaseCommand):
    help = "将办结超过 PII_RETENTION_DAYS 天（默认 1095 天）的反映件中的反映人姓名脱敏为“张*”、清除联系电话；统计数字不变"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出将被匿名化的件数，不做改动")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        now = timezone.now()
        cutoff = f"{timezone.localtime(retention_cutoff(now)):%Y-%m-%d %H:%M}"
        if dry_run:
            count = due_for_anonymisation(now).count()
            self.stdout.write(f"将匿名化 {count} 件（{cutoff} 前办结，保存期限 {settings.PII_RETENTION_DAYS} 天）；未做改动")
            return
        count = do_anonymise_closed_cases(now=now)
        self.stdout.write(f"已匿名化 {count} 件（{cutoff} 前办结，保存期限 {settings.PII_RETENTION_DAYS} 天），已记入审计日志")
