from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banchengshi.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "为账号签发新的接口令牌，只打印令牌本身"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"未找到账号：{username}")
        self.stdout.write(ApiToken.issue(user))
