from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banchengshi.accounts.models import User
from banchengshi.accounts.second_factor import do_reset_second_factor


class Command(BaseCommand):
    help = "重置账号的动态口令（手机丢失或更换），本人下次登录时重新绑定；用于三员账号，按上级主管部门的指令执行，记入审计日志"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"未找到账号：{username}")
        removed = do_reset_second_factor(user, acting_user=None)
        self.stdout.write(f"已重置 {username} 的动态口令（删除 {removed} 个设备），本人下次登录时重新绑定。")
