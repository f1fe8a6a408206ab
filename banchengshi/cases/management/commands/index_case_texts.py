"""Cut and store the words of the cases a repeat may join (cases.duplicates), ahead of the first checks:
after an upgrade, a restore or a change of the features' version. Running it again does only what is new."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from banchengshi.cases.duplicates import open_or_recent, stored_features
from banchengshi.cases.models import Case
from banchengshi.lib import textsim


class Command(BaseCommand):
    help = "为在办和近期办结的反映件预先计算并保存文本特征（重复反映查找用）；已保存的跳过。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="每批件数")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, options["batch"])
        pending = (Case.objects.filter(open_or_recent(timezone.now())).exclude(text__version=textsim.VERSION)
                   .order_by("-received_at").values_list("pk", flat=True))
        done = 0
        while ids := list(pending[:batch]):
            stored_features(ids)
            done += len(ids)
        self.stdout.write(f"已保存 {done} 件反映件的文本特征。")
