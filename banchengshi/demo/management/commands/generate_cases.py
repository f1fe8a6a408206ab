import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from banchengshi.demo.bulk import CopyWriter
from banchengshi.demo.generate import generate_cases
from banchengshi.sla.deadlines import SHANGHAI


class Command(BaseCommand):
    help = (
        "生成大量模拟反映件（各种状态，含时限、工单、回访），供统计和性能测试使用；PostgreSQL 上用 COPY 写入，"
        "一百万件约需数分钟。须先载入示范区（manage.py load_district）。生产环境不可用。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="反映件数量")
        parser.add_argument("--from", dest="start", type=date.fromisoformat, help="最早登记日期（默认：截止日期前两年）")
        parser.add_argument("--to", dest="end", type=date.fromisoformat, help="截止日期（含，默认：昨天）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")
        parser.add_argument("--prefix", default="GEN", help="登记编号前缀")
        parser.add_argument("--phones", type=int, default=20_000, help="不同反映人电话的数量")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("生产环境（BANCHENGSHI_PROFILE=production）不能生成模拟反映件。")
        count = options["count"]
        if count < 1:
            raise CommandError("反映件数量须为正整数")
        last = options["end"] or (datetime.now(SHANGHAI).date() - timedelta(days=1))
        first = options["start"] or last.replace(year=last.year - 2) + timedelta(days=1)
        if first > last:
            raise CommandError("最早登记日期不能晚于截止日期")
        start = datetime.combine(first, clock_time.min, tzinfo=SHANGHAI)
        end = datetime.combine(last, clock_time(23, 59), tzinfo=SHANGHAI)
        fast = connection.vendor == "postgresql"
        began = time.monotonic()
        try:
            made = generate_cases(count, start=start, end=end, seed=options["seed"], prefix=options["prefix"],
                                  writer=CopyWriter() if fast else None, phones=options["phones"],
                                  batch_size=10_000 if fast else 2_000)
        except LookupError as exc:
            raise CommandError("请先载入示范区：manage.py load_district") from exc
        seconds = time.monotonic() - began
        how = "COPY" if fast else "ORM"
        self.stdout.write(f"已生成 {made} 件反映件（{first} 至 {last}，{how}），用时 {seconds:.1f} 秒")
