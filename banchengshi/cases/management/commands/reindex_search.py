from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from banchengshi.cases import search


class Command(BaseCommand):
    help = "重建全文检索索引（反映问题、诉求、办理结果、业务名称、事项名称、登记编号、企业名称；jieba 分词）"

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.monotonic()
        with transaction.atomic():
            search.create_table(connection)
            total = search.rebuild(connection)
        self.stdout.write(f"已重建全文检索索引：{total} 件反映件，用时 {time.monotonic() - began:.1f} 秒")
