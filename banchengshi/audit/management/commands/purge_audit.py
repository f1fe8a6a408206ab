from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from banchengshi.audit.integrity import PurgeRefused, purge_expired


class Command(BaseCommand):
    help = (
        "清理超过保存期限（AUDIT_RETENTION_DAYS，至少 180 天）的审计记录，按链的顺序从最早的开始；"
        "拒绝清理未满期限的记录。清理本身记入审计链，verify_audit 从清理处继续校验。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", help="只清理此日期（YYYY-MM-DD，本地时间 0 点）之前的记录；默认为保存期限的起点")

    def handle(self, *args: Any, **options: Any) -> None:
        before = None
        if options["before"]:
            try:
                day = date.fromisoformat(options["before"])
            except ValueError as exc:
                raise CommandError(f"--before 应为 YYYY-MM-DD，而不是 {options['before']!r}") from exc
            before = timezone.make_aware(datetime.combine(day, time.min))
        try:
            purge = purge_expired(before, actor_label="purge_audit 命令")
        except PurgeRefused as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if purge.deleted:
            self.stdout.write(f"已清理 {purge.deleted} 条审计记录（至第 {purge.through_seq} 条，均早于 {timezone.localtime(purge.cutoff):%Y-%m-%d %H:%M}）")
        else:
            self.stdout.write(f"没有超过保存期限（{settings.AUDIT_RETENTION_DAYS} 天）可清理的审计记录")
