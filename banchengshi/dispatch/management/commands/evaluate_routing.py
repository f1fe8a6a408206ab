"""manage.py evaluate_routing: the routing model's accuracy on a held-out part of dispatch_history.csv."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from banchengshi.dispatch import evaluation
from banchengshi.sla.models import Policy


def shipped_threshold() -> float:
    """The default policy's threshold; the field's default where no database is set up (the figures need none)."""
    try:
        policy = Policy.objects.order_by("-is_default", "code").first()
    except DatabaseError:
        policy = None
    return policy.auto_dispatch_threshold if policy else float(Policy._meta.get_field("auto_dispatch_threshold").default)


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


class Command(BaseCommand):
    help = "评估智能派单模型：按固定种子留出 dispatch_history.csv 的一部分，报告首选、前三准确率和自动派单错派率"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=evaluation.SEED, help="划分训练集与留出集的随机种子")
        parser.add_argument("--holdout", type=float, default=evaluation.HOLDOUT, help="留出比例（默认 0.25）")
        parser.add_argument("--extra", action="append", default=[], type=Path,
                            help="另加的已标注反映（CSV：text, department_code, matter_code），可重复")
        parser.add_argument("--threshold", type=float, default=None, help="自动派单阈值（默认：时限规则中的阈值）")
        parser.add_argument("--cv", action="store_true", help="在训练部分做五折交叉验证，给出建议阈值")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["holdout"] < 1:
            raise CommandError("--holdout 应在 0 和 1 之间")
        for path in options["extra"]:
            if not path.exists():
                raise CommandError(f"找不到文件 {path}")
        threshold = options["threshold"] if options["threshold"] is not None else shipped_threshold()
        figures = evaluation.evaluate(threshold, seed=options["seed"], holdout=options["holdout"],
                                      extra=options["extra"], cv=options["cv"])
        self.stdout.write(report(figures, options["seed"], options["holdout"]))


def report(figures: evaluation.Figures, seed: int, holdout: float) -> str:
    with (evaluation.DISTRICT_DIR / "units.csv").open(encoding="utf-8-sig", newline="") as f:
        names = {row["code"]: row["name"].removeprefix("示范区") for row in csv.DictReader(f)}
    lines = [f"训练：事项目录 + dispatch_history.csv 的 {pct(1 - holdout)}（种子 {seed}），共 {figures.samples} 条，用时 {figures.seconds} 秒",
             "", "测试集                条数   首选准确率   前三准确率"]
    for source in dict.fromkeys(o.source for o in figures.outcomes):
        lines.append(f"{source:<20} {len(figures.of(source)):>5}   {pct(figures.top1(source)):>9}   {pct(figures.top3(source)):>9}")
    lines.append(f"{'合计':<19} {len(figures.outcomes):>5}   {pct(figures.top1()):>9}   {pct(figures.top3()):>9}")
    share, wrong = figures.automatic()
    lines += ["", f"自动派单阈值 {figures.threshold:.2f}：自动派单 {pct(share)}，其中派错 {pct(wrong)}；其余转人工派单（附推荐）",
              "", "按部门   条数    首选    前三"]
    for unit, n, top1, top3 in figures.per_unit():
        lines.append(f"{unit:<7} {n:>4}  {pct(top1):>6}  {pct(top3):>6}  {names.get(unit, '')}")
    lines += ["", "混淆（应派 → 首选推荐，次数）："]
    lines += [f"  {a} → {b}  {n}" for a, b, n in figures.confusions()] or ["  无"]
    if figures.cv_threshold is not None:
        lines += ["", "训练部分五折交叉验证（阈值：自动派单比例，其中派错比例）："]
        lines += [f"  {t:.2f}: {pct(s)}，{pct(w)}" for t, s, w in figures.cv_table]
        lines.append(f"建议阈值（交叉验证中自该阈值起派错均低于 {pct(evaluation.CV_TARGET)} 的最低阈值）：{figures.cv_threshold:.2f}")
    return "\n".join(lines)
