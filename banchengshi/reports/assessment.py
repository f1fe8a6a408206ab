"""年度考核表: per unit of the viewer's scope, a year's figures for the annual “一网通办” assessment (Chongming
五、（四）：推进落实完成情况、问题处理结果和满意度情况纳入年度考核; Ankang 第十七条).

Each unit's case figures are `reports.figures.compute(scope_for(user, unit), the year, now)` — the same
numbers as the dashboard and `GET /api/v1/stats` for that unit and year — and its rectifications are
counted by `supervision.selectors.rectification_counts` (items opened in the year, cancelled ones left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from django.utils import timezone

from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit, User
from banchengshi.cases.selectors import units_in_scope_of
from banchengshi.lib import xlsx
from banchengshi.lib.errors import InvalidInput
from banchengshi.reports.figures import Figures, Period, compute, scope_for
from banchengshi.sla.services import load_calendar
from banchengshi.supervision.selectors import rectification_counts

ASSESSED_KINDS = (UnitKind.SERVICE_CENTER, UnitKind.DEPARTMENT)
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


@dataclass(frozen=True)
class AssessmentRow:
    unit: Unit
    figures: Figures
    rectifications_opened: int
    rectifications_on_time: int
    rectifications_late: int  # closed after their due time
    rectifications_overdue: int  # still running past their due time

    @property
    def on_time_rate(self) -> float | None:
        return self.figures.on_time_rate

    @property
    def satisfied_share(self) -> float | None:
        return self.figures.satisfied_share


def parse_year(raw: str, today: date) -> int:
    raw = (raw or "").strip()
    if not raw:
        return today.year
    if not raw.isdigit() or not EARLIEST_YEAR <= int(raw) <= LATEST_YEAR:
        raise InvalidInput(f"年份须为 {EARLIEST_YEAR} 至 {LATEST_YEAR} 之间的四位数字", field="year")
    return int(raw)


def assessment(user: User, year: int, now: datetime) -> list[AssessmentRow]:
    """One row per center and department in the user's scope (scope_for refuses a role without figures)."""
    scope_for(user)  # 403 for a role that may not read figures
    units = units_in_scope_of(user).filter(kind__in=ASSESSED_KINDS, is_active=True).select_related("parent")
    units = units.order_by("kind", "code")
    period = Period(date(year, 1, 1), date(year, 12, 31))
    lo, hi = period.bounds
    counts = rectification_counts(units, lo, hi, now)
    calendar = load_calendar()
    rows = []
    for unit in units:
        figures = compute(scope_for(user, unit.code), period, now, calendar=calendar)
        mine = counts.get(unit.pk, {})
        rows.append(AssessmentRow(
            unit, figures, mine.get("opened", 0), mine.get("closed_on_time", 0), mine.get("closed_late", 0),
            mine.get("running_overdue", 0),
        ))
    return rows


HEADERS = ("单位", "单位类型", "受理登记（件）", "已办结（件）", "按时办结（件）", "超时办结或超时未办结（件）", "按时办结率",
           "已回访评价（件）", "满意（件）", "满意率", "再督办（次）", "发起整改（项）", "按时完成整改（项）",
           "逾期完成整改（项）", "逾期未完成整改（项）")

# The page's shorter column names (the spreadsheet keeps the full ones above), after 单位.
PAGE_HEADERS = ("登记（件）", "办结", "按时办结", "超时", "按时办结率", "回访评价", "满意", "满意率", "再督办（次）",
                "发起整改（项）", "按时完成", "逾期完成", "逾期未完成")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def cells(row: AssessmentRow) -> list[object]:
    f = row.figures
    return [row.unit.name, row.unit.get_kind_display(), f.registered, f.closed, f.headline.on_time, f.headline.late,
            _percent(row.on_time_rate), f.rated, f.satisfied, _percent(row.satisfied_share), f.resupervisions,
            row.rectifications_opened, row.rectifications_on_time, row.rectifications_late, row.rectifications_overdue]


def assessment_xlsx(rows: list[AssessmentRow], year: int, viewer: str) -> bytes:
    from openpyxl import Workbook  # here, not at start-up: see lib/xlsx.py
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{year}年度考核"
    xlsx.put(sheet, 1, 1, f"{year}年度“办不成事”反映窗口工作考核表（{viewer}）").font = Font(bold=True, size=14)
    xlsx.put(sheet, 2, 1, f"统计口径：{year}年1月1日至12月31日登记的反映件；整改为当年发起的反馈整改（不含撤销）；"
                          f"生成时间 {timezone.localtime():%Y-%m-%d %H:%M}")
    for column, header in enumerate(HEADERS, start=1):
        cell = xlsx.put(sheet, 3, column, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        xlsx.append(sheet, cells(row))
    for column in range(1, len(HEADERS) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 24 if column == 1 else 13
    sheet.freeze_panes = "B4"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
