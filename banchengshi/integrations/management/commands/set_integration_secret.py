from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banchengshi.integrations.services import set_secret


class Command(BaseCommand):
    help = (
        "把 SECRET 设为上游来源平台 SOURCE 的当前签名密钥（来源不存在时新建）；原来的当前密钥在下次轮换前仍然有效。"
        "不打印任何密钥。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="来源编码，如 yiwangtongban、haochaping")
        parser.add_argument("secret", help="新的签名密钥（至少 16 个字符）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source, created = set_secret(options["source"], options["secret"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        what = "已新建来源平台并设置签名密钥" if created else "已更新签名密钥"
        kept = "；上一个密钥在下次轮换前仍然有效" if source.previous_secret else ""
        self.stdout.write(f"{source}：{what}{kept}。")
