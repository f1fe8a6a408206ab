import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from banchengshi.demo.build import DemoResult, build_demo, reset_demo_passwords


def database_label() -> str:
    """Names the database the accounts live in, without its password."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {s['NAME']}"
    return f"{connection.vendor} {s.get('HOST') or 'localhost'}:{s.get('PORT') or ''}/{s['NAME']}"


class Command(BaseCommand):
    help = (
        "载入示范区演示数据：单位、事项、每个角色一个账号和各状态的示例反映件。只在创建账号（或 --reset-passwords "
        "重设密码）时打印密码，并写入演示账号文件（settings.DEMO_ACCOUNTS_FILE）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords", action="store_true", help="为已存在的演示账号重设密码，并重写演示账号文件"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A production system holds real cases; demo accounts with known passwords (printed, and written
        # to a file) have no place on it, so the command refuses before touching the database.
        if settings.PRODUCTION:
            raise CommandError(
                "生产环境（BANCHENGSHI_PROFILE=production）不能载入演示数据：演示账号的密码会被打印并写入文件。"
                "请用 manage.py create_staff 创建真实账号。"
            )
        path = Path(settings.DEMO_ACCOUNTS_FILE)
        if options["reset_passwords"]:
            result = reset_demo_passwords()
            if not result.accounts:
                self.stdout.write("数据库中没有演示账号，先运行 manage.py demo。")
                return
            self._write(path, result, "重设密码")
            return
        result = build_demo()
        if result.created:
            self._write(path, result, "创建")
            return
        if path.exists() and database_label() in path.read_text(encoding="utf-8").splitlines()[0]:
            self.stdout.write(f"演示数据已存在，未重复创建。演示账号和密码见 {path}")
        else:
            self.stdout.write(
                f"演示数据已存在，未重复创建。{path} 不存在或不是这个数据库的账号；"
                "运行 manage.py demo --reset-passwords 重设演示账号的密码并写入该文件。"
            )

    def _write(self, path: Path, result: DemoResult, what: str) -> None:
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        lines = [
            f"办成事演示账号 — 数据库 {database_label()}，{when} {what}。",
            "密码只保存在本文件中（数据库里只有其散列）；密码不对时运行 manage.py demo --reset-passwords 重设。",
            "",
            f"{'账号':<16}{'密码':<20}单位 / 角色",
        ]
        lines += [f"{u:<16}{p:<20}{unit} / {role}" for u, p, unit, role in result.accounts]
        text = "\n".join(lines)
        self.stdout.write(text)
        # For this machine only (git-ignored, readable by the owner only).
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.chmod(path, 0o600)  # also when the file was there before
        self.stdout.write(f"\n以上账号和密码已保存到 {path}")
