from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from banchengshi.audit.guard import installed
from banchengshi.audit.integrity import verify_chain


class Command(BaseCommand):
    help = "校验审计链（操作记录与反映件时间线）：完整时退出码为 0；否则非 0，并指出第一条被篡改或缺失的记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.finding is not None:
            raise CommandError(f"审计链校验未通过：{result.finding.message}", returncode=1)
        purged = f"（第 1–{result.purged_through} 条已按保存期限清理）" if result.purged_through else ""
        if result.checked:
            self.stdout.write(
                f"审计链完整：校验了第 {result.first_seq}–{result.last_seq} 条，共 {result.checked} 条记录{purged}；"
                f"链尾校验码 {result.last_mac[:16]}…（可另行记下，以便发现链尾被截断）"
            )
        else:
            self.stdout.write(f"审计链完整：没有待校验的记录{purged}")
        if not installed():
            self.stderr.write("注意：数据库中缺少保护操作记录表的触发器（只可追加），请运行 migrate 或联系系统管理员")
