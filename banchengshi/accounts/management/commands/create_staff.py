from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banchengshi.accounts.choices import Role
from banchengshi.accounts.models import Unit
from banchengshi.accounts.services import StaffError, do_create_staff


class Command(BaseCommand):
    help = "创建工作人员账号；不指定 --password 时打印生成的密码"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="单位编码")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"未找到单位：{options['unit']}")
        try:
            user, password = do_create_staff(
                options["username"], unit=unit, role=options["role"], password=options["password"], display_name=options["name"]
            )
        except StaffError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已创建 {user.username}（{unit.name}，{user.get_role_display()}）")
        if not options["password"]:
            self.stdout.write(f"密码：{password}")
