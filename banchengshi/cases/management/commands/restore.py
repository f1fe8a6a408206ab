from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banchengshi.cases.backup import BackupError, restore


class Command(BaseCommand):
    help = ("把 backup 生成的备份文件恢复到所配置的空数据库（有任何反映件、账号或审计记录即拒绝），"
            "然后校验审计链并打印反映件数量和链尾；审计链校验不通过或缺少只可追加触发器时退出码非 0。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="backup 命令生成的备份文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}", returncode=1) from exc
        verification = restored.verification
        self.stdout.write(f"恢复完成：{restored.figures.describe()}")
        if verification.finding is not None:
            raise CommandError(f"审计链校验未通过（请确认 AUDIT_KEY 与备份时相同）：{verification.finding.message}",
                               returncode=1)
        self.stdout.write(f"审计链完整：校验了 {verification.checked} 条记录（已记入本次恢复）")
        if not restored.guarded:
            raise CommandError("恢复后的数据库缺少保护审计记录表的触发器（只可追加）：请运行 migrate 后再核对", returncode=2)
