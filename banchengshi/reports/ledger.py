"""台账: cases as one spreadsheet row each, the ledger the window keeps (Songjiang 登记表, Ankang 工单).

Pure rendering: no access checks and no queries of its own. Callers pass cases the user may see
(`cases_visible_to(user)`), already prefetched, or every row costs several queries:

    cases.select_related("center", "matter").prefetch_related("clocks", "work_orders__unit", "visits")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from io import BytesIO
from typing import IO, Any

import xlsxwriter
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from banchengshi.cases.choices import (
    CaseStatus,
    Category,
    Channel,
    Complexity,
    HandlingType,
    Rating,
    Reason,
    WorkOrderRole,
)
from banchengshi.cases.models import Case, Visit
from banchengshi.cases.presenters import case_light
from banchengshi.cases.selectors import holding_units
from banchengshi.lib import xlsx
from banchengshi.lib.masking import mask_name, mask_phone, mask_phones_in

LIGHT_LABELS = {"red": gettext_lazy("红"), "yellow": gettext_lazy("黄"), "green": gettext_lazy("绿")}
NO_LIGHT = "—"
# A unit that returned its order or passed it down no longer handles the case.

TITLE_ROW, FILTER_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1


def _local(moment: datetime | None) -> str:
    return "" if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _label(choices: type[models.Choices], value: Any) -> str:
    """The Chinese label of a stored choice; a value no longer in the code shows as stored."""
    if value in ("", None):
        return ""
    labels: dict[Any, Any] = dict(choices.choices)
    return str(labels.get(value, value))


def _reasons(case: Case) -> str:
    labels = []
    for reason in case.reasons:
        if reason == Reason.OTHER and case.reason_other:
            labels.append(f"{Reason.OTHER.label}：{case.reason_other}")
        else:
            labels.append(_label(Reason, reason))
    if case.reason_other and Reason.OTHER not in case.reasons:
        labels.append(case.reason_other)
    return "、".join(labels)


def _latest_visit(case: Case) -> Visit | None:
    visits = list(case.visits.all())
    return max(visits, key=lambda v: (v.visited_at, v.pk)) if visits else None


def _closed_at(case: Case) -> str:
    if case.closed_at is None and case.status == CaseStatus.RESOLVED_ON_SITE:
        return _local(case.replied_at)  # 现场办结 is closed the moment the window answers
    return _local(case.closed_at)


def _result(case: Case) -> str:
    if not case.result and case.status == CaseStatus.NOT_ACCEPTED:
        return f"{_('不予受理')}：{case.rejection_reason}"
    return case.result


def _light(case: Case, now: datetime) -> str:
    light = case_light(list(case.clocks.all()), now)
    return NO_LIGHT if light is None else str(LIGHT_LABELS[light])


def _solved(visit: Visit | None) -> str:
    if visit is None:
        return ""
    return _("是") if visit.solved else _("否")


Cell = Callable[[Case, datetime, Visit | None], str]

REPORTER, PROBLEM, DEMAND, RESULT = gettext_lazy("反映人"), gettext_lazy("遇到的问题"), gettext_lazy("诉求"), gettext_lazy("办理结果")

# (header, column width in characters, wrap, value)
COLUMNS: list[tuple[Promise, int, bool, Cell]] = [
    (gettext_lazy("登记编号"), 16, False, lambda c, now, v: c.reference),
    (gettext_lazy("登记时间"), 17, False, lambda c, now, v: _local(c.received_at)),
    (gettext_lazy("反映渠道"), 12, True, lambda c, now, v: _label(Channel, c.channel)),
    (gettext_lazy("登记中心"), 18, True, lambda c, now, v: c.center.name),
    (REPORTER, 10, False, lambda c, now, v: c.reporter_name),
    (gettext_lazy("联系电话"), 14, False, lambda c, now, v: mask_phone(c.reporter_phone)),
    (gettext_lazy("企业名称"), 20, True, lambda c, now, v: c.reporter_organization),
    (gettext_lazy("事项"), 22, True, lambda c, now, v: c.matter.name if c.matter else ""),
    (gettext_lazy("办理业务名称"), 20, True, lambda c, now, v: c.business_name),
    (gettext_lazy("办不成原因"), 22, True, lambda c, now, v: _reasons(c)),
    (gettext_lazy("问题类型"), 12, False, lambda c, now, v: _label(Category, c.category)),
    (PROBLEM, 40, True, lambda c, now, v: c.description),
    (DEMAND, 30, True, lambda c, now, v: c.demand),
    (gettext_lazy("办理方式"), 10, False, lambda c, now, v: _label(HandlingType, c.handling_type)),
    (gettext_lazy("难易程度"), 9, False, lambda c, now, v: _label(Complexity, c.complexity)),
    (gettext_lazy("状态"), 12, False, lambda c, now, v: _label(CaseStatus, c.status)),
    (gettext_lazy("承办单位"), 20, True, lambda c, now, v: holding_units(c, WorkOrderRole.LEAD)),
    (gettext_lazy("协办单位"), 20, True, lambda c, now, v: holding_units(c, WorkOrderRole.ASSISTING)),
    (gettext_lazy("时限灯"), 7, False, lambda c, now, v: _light(c, now)),
    (gettext_lazy("办结时间"), 17, False, lambda c, now, v: _closed_at(c)),
    (RESULT, 40, True, lambda c, now, v: _result(c)),
    (gettext_lazy("回访满意度"), 11, False, lambda c, now, v: _label(Rating, v.rating) if v else ""),
    (gettext_lazy("是否解决"), 9, False, lambda c, now, v: _solved(v)),
]

def _filters_text(filters: list[tuple[str, str]], count: int, now: datetime) -> str:
    applied = "；".join(f"{label}：{value}" for label, value in filters) if filters else _("全部")
    return _("筛选条件：{filters}　共 {count} 件　导出时间：{now}").format(
        filters=applied, count=count, now=_local(now)
    )


# What a reader who does not call reporters sees of them in the ledger: the name masked (张*), and any
# mobile number in the texts (the phone column is masked for everyone).
MASKED_COLUMNS: list[tuple[Promise, Callable[[str], str]]] = [
    (REPORTER, mask_name), (PROBLEM, mask_phones_in), (DEMAND, mask_phones_in), (RESULT, mask_phones_in),
]


def write_ledger(
    target: str | IO[bytes], cases: Iterable[Case], *, count: int, title: str, filters: list[tuple[str, str]],
    now: datetime | None = None, full_names: bool = False,
) -> int:
    """The 台账 as .xlsx into `target` (a path or a binary file): title, the filters applied and `count`, a
    header, then one row per case. Rows go to disk as they are written (XlsxWriter's constant-memory mode), so
    a hundred thousand cases take no more memory than ten: pass `cases` as an iterator. Returns the rows.

    `filters` are (label, value) pairs already in Chinese, e.g. [("状态", "办理中")]. `now` decides the
    时限灯 and the export time shown. Names are masked unless `full_names` (`cases.personal.sees_contact`).
    Every text is written as a string (never a formula); one a spreadsheet would read as a formula also gets
    the quote prefix (lib/xlsx.py).
    """
    masks = {} if full_names else {
        index: mask for index, (header, *_rest) in enumerate(COLUMNS) for column, mask in MASKED_COLUMNS
        if header is column
    }
    now = now or timezone.now()
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": title, "author": "办成事"})
    sheet = book.add_worksheet(_("台账"))
    body = {(wrap, quoted): book.add_format({"border": 1, "border_color": "#999999", "valign": "top", "align": "left",
                                             "text_wrap": wrap, "quote_prefix": quoted})
            for wrap in (False, True) for quoted in (False, True)}
    last = len(COLUMNS) - 1

    sheet.set_row(TITLE_ROW - 1, 30)
    sheet.merge_range(TITLE_ROW - 1, 0, TITLE_ROW - 1, last, xlsx.clean(title),
                      book.add_format({"bold": True, "font_size": 16, "align": "left", "valign": "vcenter"}))
    sheet.merge_range(FILTER_ROW - 1, 0, FILTER_ROW - 1, last, _filters_text(filters, count, now),
                      book.add_format({"align": "left", "valign": "vcenter", "text_wrap": True}))
    header = book.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1, "border_color": "#999999",
                              "align": "center", "valign": "vcenter", "text_wrap": True})
    for index, (title_of_column, width, _wrap, _value) in enumerate(COLUMNS):
        sheet.set_column(index, index, width)
        sheet.write_string(HEADER_ROW - 1, index, str(title_of_column), header)

    row = HEADER_ROW - 1
    for case in cases:
        row += 1
        visit = _latest_visit(case)
        for index, (_header, _width, wrap, value) in enumerate(COLUMNS):
            text = xlsx.clean(value(case, now, visit))
            text = masks[index](text) if index in masks else text
            if text:
                sheet.write_string(row, index, text, body[wrap, text.startswith(xlsx.FORMULA_STARTS)])
            else:
                sheet.write_blank(row, index, None, body[wrap, False])  # bordered, and read back as empty

    sheet.freeze_panes(FIRST_DATA_ROW - 1, 1)  # header and 登记编号 stay in view
    sheet.autofilter(HEADER_ROW - 1, 0, max(row, HEADER_ROW - 1), last)
    sheet.repeat_rows(HEADER_ROW - 1)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    book.close()
    return row - (HEADER_ROW - 1)


def ledger_xlsx(
    cases: Iterable[Case], *, title: str, filters: list[tuple[str, str]], now: datetime | None = None,
    full_names: bool = False,
) -> bytes:
    """A small ledger as bytes (the tests, a handful of cases); exports use `write_ledger` into a file."""
    rows = list(cases)
    buffer = BytesIO()
    write_ledger(buffer, rows, count=len(rows), title=title, filters=filters, now=now, full_names=full_names)
    return buffer.getvalue()
