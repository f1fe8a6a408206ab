import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from banchengshi.demo.build import build_demo


class Command(BaseCommand):
    help = "载入示范区演示数据：单位、事项、每个角色一个账号（密码仅打印一次）和各状态的示例反映件"

    def handle(self, *args: Any, **options: Any) -> None:
        result = build_demo()
        if not result.created:
            self.stdout.write("演示数据已存在，未重复创建。")
            return
        lines = ["演示账号（密码仅在此显示一次）：", f"{'账号':<16}{'密码':<20}单位 / 角色"]
        lines += [f"{u:<16}{p:<20}{unit} / {role}" for u, p, unit, role in result.accounts]
        text = "\n".join(lines)
        self.stdout.write(text)
        # Kept for `make run` on this machine only (git-ignored, readable by the owner only).
        path = settings.VAR_DIR / "demo-accounts.txt"
        path.write_text(text + "\n", encoding="utf-8")
        os.chmod(path, 0o600)
