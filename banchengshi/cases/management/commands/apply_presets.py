"""Write the shipped presets (sla/presets.py) into this database and move the open clocks they touch
(here, not in sla, because moving clocks is the cases' business)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from banchengshi.cases.actions.calendar import do_apply_presets
from banchengshi.sla.presets import PRESETS


class Command(BaseCommand):
    help = "按 sla/presets.py 更新各预设时限规则（崇明、松江、安康、梅州、苏州），并重算受影响的未完成时限"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--code", action="append", help="只更新这些预设（可多次指定）；默认全部")

    def handle(self, *args: Any, code: list[str] | None = None, **options: Any) -> None:
        known = {p["code"] for p in PRESETS}
        unknown = set(code or []) - known
        if unknown:
            raise CommandError(f"未知预设：{'、'.join(sorted(unknown))}；可选：{'、'.join(sorted(known))}")
        for policy, run in do_apply_presets(codes=code):
            if run is None:
                self.stdout.write(f"{policy.name}：已新建")
            elif run.status == "done":
                self.stdout.write(f"{policy.name}：已更新，重算 {run.total} 个未完成的时限（{run.moved} 个有变化）")
            else:
                self.stdout.write(f"{policy.name}：已更新，{run.total} 个未完成的时限正在后台重算")
