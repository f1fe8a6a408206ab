from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banchengshi.cases.backup import BackupError, backup


class Command(BaseCommand):
    help = ("在系统运行时备份所配置的数据库（SQLite：在线备份接口；PostgreSQL：pg_dump 自定义格式）到 FILE，"
            "并打印备份时刻的反映件数量和审计链链尾。密钥（AUDIT_KEY 等）不在备份中，须另行保管。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="备份文件路径（已存在则在备份完成后替换）")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["file"])
        try:
            taken = backup(target)
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}", returncode=1) from exc
        self.stdout.write(f"备份完成：{target}（{taken.describe()}）")
        self.stdout.write("注意：审计密钥（AUDIT_KEY 或 AUDIT_KEY_FILE）和 SECRET_KEY 不在备份中，请另行妥善保管，"
                          "恢复后校验审计链需要同一个 AUDIT_KEY")
