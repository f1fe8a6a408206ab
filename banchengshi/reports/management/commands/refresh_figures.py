import time
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from banchengshi.reports.figures import refresh_days
from banchengshi.reports.models import DayFigures, StaleDay


class Command(BaseCommand):
    help = (
        "更新全区每日统计（数据看板、统计接口按日汇总的数据）：重新计算有变化的日期。平时由统计请求和定时任务"
        "自动完成；大批量导入数据后可先运行本命令，免得第一次打开看板时等待。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", type=date.fromisoformat, help="登记日期起（默认：最早的待更新日期）")
        parser.add_argument("--to", dest="end", type=date.fromisoformat, help="登记日期止（默认：今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        end = options["end"] or timezone.localdate(now)
        earliest = StaleDay.objects.order_by("day").values_list("day", flat=True).first()
        start = options["start"] or min(earliest or end, end - timedelta(days=366))
        if start > end:
            raise CommandError("开始日期不能晚于结束日期")
        began = time.monotonic()
        days = refresh_days(start, end, now)
        redone = DayFigures.objects.filter(day__gte=start, day__lte=end, computed_at=now).count()
        self.stdout.write(f"每日统计已更新：{start} 至 {end}，重新计算 {redone} 天（共 {len(days)} 天有统计），"
                          f"用时 {time.monotonic() - began:.1f} 秒")
