from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banchengshi.dispatch.loading import DistrictFileError, load_district


class Command(BaseCommand):
    help = "载入辖区数据：units.csv、matters.csv 和（如有）dispatch_history.csv；重复运行不产生变化"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        if not directory.is_dir():
            raise CommandError(f"目录不存在：{directory}")
        try:
            report = load_district(directory)
        except DistrictFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"单位：新增 {report.units_created}，更新 {report.units_updated}；"
            f"事项：新增 {report.matters_created}，更新 {report.matters_updated}；"
            f"历史派单：新增 {report.dispatches_created}"
        )
