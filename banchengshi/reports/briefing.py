"""工作简报 (Ankang 第十五条: 定期汇报情况并编印工作简报): a period's work of a unit (or of all the
user may see) as a Word file: the key figures, charts by month, channel and reason, and the typical
cases chosen, masked. The figures are `reports.figures.compute`'s, as everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from banchengshi.accounts.models import User
from banchengshi.reports import charts, word
from banchengshi.reports.figures import Figures, Period, compute, scope_for
from banchengshi.reports.typical import TypicalCase, typical_cases
from banchengshi.sla.deadlines import SHANGHAI

MAX_TYPICAL = 5
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Briefing:
    figures: Figures
    typical: list[TypicalCase]
    issuer: str = ""  # the user's unit, whose briefing it is when no unit was chosen

    @property
    def scope_label(self) -> str:
        """The unit chosen, else the user's own: "全部可见范围" is the form's word, not a briefing's title."""
        if self.figures.scope.unit is None and self.issuer:
            return self.issuer
        return self.figures.scope.label

    @property
    def period_label(self) -> str:
        p = self.figures.period
        return f"{p.start:%Y年%m月%d日}至{p.end:%Y年%m月%d日}"

    @property
    def file_stem(self) -> str:
        p = self.figures.period
        return f"{self.scope_label}办不成事工作简报{p.start:%Y%m%d}-{p.end:%Y%m%d}"

    def key_figures(self) -> list[tuple[str, str]]:
        f = self.figures
        return [
            ("登记数量", f"{f.registered} 件"),
            ("受理", f"{f.accepted} 件"),
            ("不予受理", f"{f.not_accepted} 件"),
            ("现场办结", f"{f.resolved_on_site} 件"),
            ("办结", f"{f.closed} 件"),
            ("按时办结率", _percent(f.on_time_rate, f"按时 {f.headline.on_time} 件，超时 {f.headline.late} 件")),
            ("满意率（满意+非常满意）", _percent(f.satisfied_share, f"已评价 {f.rated} 件")),
            ("再督办", f"{f.resupervisions} 次（涉及 {f.resupervised_cases} 件）"),
            ("平均办理用时", "—" if f.handling_days_avg is None else f"{f.handling_days_avg:.1f} 个工作日"),
            ("90% 办结件用时不超过", "—" if f.handling_days_p90 is None else f"{f.handling_days_p90} 个工作日"),
        ]

    def overview(self) -> str:
        f = self.figures
        return (f"{self.period_label}，{self.scope_label}“办不成事”反映窗口共登记反映 {f.registered} 件，"
                f"受理 {f.accepted} 件，不予受理 {f.not_accepted} 件，现场办结 {f.resolved_on_site} 件，"
                f"办结 {f.closed} 件。")


def _percent(value: float | None, note: str) -> str:
    return f"—（{note}）" if value is None else f"{value * 100:.1f}%（{note}）"


def build_briefing(user: User, unit_code: str | None, start: date, end: date, *, cases: list[str],
                   now: datetime) -> Briefing:
    """The briefing of the user's scope (narrowed to `unit_code`: 403 outside it, 404 unknown)."""
    scope = scope_for(user, unit_code)
    period = Period(start, end)
    return Briefing(compute(scope, period, now), typical_cases(scope, period, cases[:MAX_TYPICAL]),
                    issuer=user.unit.name if user.unit is not None else "")


def briefing_docx(briefing: Briefing) -> bytes:
    f = briefing.figures
    document = word.new_document()
    word.centred(document, "“办不成事”反映窗口工作简报", size=20)
    word.centred(document, f"{briefing.scope_label}　{briefing.period_label}", size=12, bold=False)
    word.centred(document, f"编印日期：{f.now.astimezone(SHANGHAI):%Y年%m月%d日}", size=10, bold=False)
    sections = [
        ("总体情况", None),
        ("分月登记情况", charts.line_chart("登记数量（按月）", f.by_month)),
        ("反映渠道", charts.bar_chart("反映渠道（件）", f.by_channel)),
        ("办不成原因", charts.bar_chart("办不成原因（件）", f.by_reason, horizontal=True)),
    ]
    for number, (title, chart) in enumerate(sections):
        word.heading(document, f"{NUMERALS[number]}、{title}", level=2)
        if chart is None:
            word.paragraph(document, briefing.overview())
            word.label_table(document, briefing.key_figures())
        else:
            word.picture(document, chart, f"图{number}　{title}")
    word.heading(document, f"{NUMERALS[len(sections)]}、典型案例", level=2)
    if not briefing.typical:
        word.paragraph(document, "本期未选择典型案例。")
    for number, case in enumerate(briefing.typical):
        word.heading(document, f"案例{NUMERALS[number]}", level=3)
        word.typical_case(document, case)
    word.paragraph(document, "统计口径：按登记日期统计；按时办结率、满意率、办理用时的定义见系统“数据看板”。")
    return word.to_bytes(document)
