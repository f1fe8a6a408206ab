"""The Songjiang quarterly 统计报表 (附件2, 表2): one unit's quarter, as xlsx and docx.

    表2. ___政务服务中心 第( )季度“办不成事”统计报表
    单位名称(盖章)
    1、本季度“办不成事”反映窗口受理情况: 登记数量; “受理”:( )件; “不予受理”:( )件; 涉及业务范围
    2、典型案例: 问题及办理过程概述; 办理照片

`build_quarterly` gathers the data (the figures from `reports.figures.compute_volumes` over the unit's scope and
the quarter, and the typical case, masked); `quarterly_xlsx` and `quarterly_docx` only render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import TYPE_CHECKING

from banchengshi.accounts.models import Unit, User
from banchengshi.lib import xlsx
from banchengshi.lib.errors import InvalidInput
from banchengshi.reports import word
from banchengshi.reports.dashboard import quarter_of
from banchengshi.reports.figures import Bucket, Figures, Period, compute_volumes, scope_for
from banchengshi.reports.typical import TypicalCase, typical_case
from banchengshi.sla.deadlines import SHANGHAI

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

QUARTER_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四"}


def quarter_period(year: int, quarter: int) -> Period:
    start, end = quarter_of(date(year, 3 * quarter - 2, 1))
    return Period(start, end)


@dataclass(frozen=True)
class QuarterlyReport:
    unit: Unit
    year: int
    quarter: int
    figures: Figures
    typical: TypicalCase | None

    @property
    def title(self) -> str:
        return f"第（{QUARTER_NUMERALS[self.quarter]}）季度“办不成事”统计报表"

    @property
    def file_stem(self) -> str:
        return f"{self.unit.name}{self.year}年第{self.quarter}季度办不成事统计报表"

    @property
    def period_note(self) -> str:
        f = self.figures
        return (f"{self.year}年第{self.quarter}季度（登记日期 {f.period.start:%Y-%m-%d} 至 {f.period.end:%Y-%m-%d}），"
                f"数据截至 {f.now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")

    @property
    def others(self) -> int:
        """Registered but neither accepted, refused nor answered on the spot: merged, or still waiting."""
        f = self.figures
        return f.registered - f.accepted - f.not_accepted - f.resolved_on_site

    def business_scope(self) -> str:
        """涉及业务范围 in words: the matters and the departments the cases touched, with their counts."""
        f = self.figures
        if not f.registered:
            return "本季度无登记"
        return "；".join(filter(None, [_counted("涉及事项", f.by_matter), _counted("承办部门", f.by_lead_unit)]))

    def counts(self) -> list[tuple[str, int]]:
        f = self.figures
        return [("“办不成事”登记数量", f.registered), ("“受理”", f.accepted), ("“不予受理”", f.not_accepted),
                ("现场办结（未受理，当场解决）", f.resolved_on_site), ("并单或待受理", self.others)]


def _counted(label: str, buckets: list[Bucket]) -> str:
    if not buckets:
        return ""
    return f"{label} {len(buckets)} 项：" + "、".join(f"{b.label} {b.count} 件" for b in buckets)


def build_quarterly(user: User, unit_code: str, year: int, quarter: int, *, case: str | None, now: datetime,
                    ) -> QuarterlyReport:
    """The report of `unit_code` (in the user's scope: 403 outside it, 404 unknown) for the quarter."""
    scope = scope_for(user, unit_code)
    if scope.unit is None:  # no unit code: the form names one unit, never a whole scope
        raise InvalidInput("请选择单位", field="unit")
    period = quarter_period(year, quarter)
    typical = typical_case(scope, period, case) if case and case.strip() else None
    return QuarterlyReport(scope.unit, year, quarter, compute_volumes(scope, period, now), typical)


# ---- xlsx ---------------------------------------------------------------------------------------------

LABEL_COLUMN, VALUE_COLUMN = 1, 2


def quarterly_xlsx(report: QuarterlyReport) -> bytes:
    from openpyxl import Workbook  # here, not at start-up: see lib/xlsx.py

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "统计报表"
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 34, 80
    xlsx.put(sheet, 1, 1, "表2.")
    _bold(xlsx.put(sheet, 2, 1, f"{report.unit.name} {report.title}"), 14)
    xlsx.put(sheet, 3, 1, f"统计期间：{report.period_note}")
    row = _pairs(sheet, 5, [("单位名称（盖章）", report.unit.name)])
    _bold(xlsx.put(sheet, row + 1, 1, "1、本季度“办不成事”反映窗口受理情况："))
    row = _pairs(sheet, row + 2, [(label, count) for label, count in report.counts()])
    row = _pairs(sheet, row, [("涉及业务范围", report.business_scope())])
    row = _buckets(sheet, row + 1, "涉及事项", report.figures.by_matter)
    row = _buckets(sheet, row + 1, "承办部门", report.figures.by_lead_unit)
    _bold(xlsx.put(sheet, row + 1, 1, "2、典型案例："))
    typical = report.typical
    _pairs(sheet, row + 2, [
        ("问题及办理过程概述", typical.summary if typical else "未选择典型案例"),
        ("办理照片", "；".join(f"照片{i}：{p.name}（{p.uploaded_on}）" for i, p in enumerate(typical.photos, 1))
         if typical and typical.photos else "无"),
    ])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _bold(cell: Cell, size: int = 11) -> None:
    from openpyxl.styles import Font

    cell.font = Font(bold=True, size=size)


def _pairs(sheet: Worksheet, row: int, pairs: list[tuple[str, object]]) -> int:
    from openpyxl.styles import Alignment

    """Label and value rows from `row`; the next free row."""
    for label, value in pairs:
        xlsx.put(sheet, row, LABEL_COLUMN, label)
        cell = xlsx.put(sheet, row, VALUE_COLUMN, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    return row


def _buckets(sheet: Worksheet, row: int, title: str, buckets: list[Bucket]) -> int:
    _bold(xlsx.put(sheet, row, LABEL_COLUMN, f"{title}（件数）"))
    return _pairs(sheet, row + 1, [(b.label, b.count) for b in buckets] or [("无", 0)])


# ---- docx ---------------------------------------------------------------------------------------------


def quarterly_docx(report: QuarterlyReport) -> bytes:
    document = word.new_document()
    word.paragraph(document, "表2.")
    word.centred(document, report.unit.name)
    word.centred(document, report.title)
    word.paragraph(document, report.period_note)
    word.paragraph(document, report.unit.name, bold_label="单位名称（盖章）：")
    word.heading(document, "1、本季度“办不成事”反映窗口受理情况：", level=2)
    f = report.figures
    word.label_table(document, [
        ("“办不成事”登记数量", f"{f.registered} 件"),
        ("“受理”", f"（ {f.accepted} ）件"),
        ("“不予受理”", f"（ {f.not_accepted} ）件"),
        ("涉及业务范围", report.business_scope()),
    ])
    word.paragraph(document, f"另：现场办结（未受理，当场解决）{f.resolved_on_site} 件，并单或待受理 {report.others} 件。")
    word.heading(document, "2、典型案例：", level=2)
    if report.typical is None:
        word.paragraph(document, "未选择典型案例", bold_label="问题及办理过程概述：")
        word.photos(document, [])
    else:
        word.paragraph(document, "", bold_label="问题及办理过程概述：")
        word.typical_case(document, report.typical)
    return word.to_bytes(document)
