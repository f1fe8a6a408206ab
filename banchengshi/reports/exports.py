"""The report files as downloads: the inputs they take (shared by the API and the pages), building and
rendering them, and the audit event of each download (what, for which unit and period, which typical
cases; their texts go out masked, so no personal data is exported and no view of it is recorded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Field

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType
from banchengshi.cases.selectors import EARLIEST, LATEST
from banchengshi.lib.schemas import Code, InputSchema, Reference
from banchengshi.reports.briefing import MAX_TYPICAL, briefing_docx, build_briefing
from banchengshi.reports.quarterly import build_quarterly, quarterly_docx, quarterly_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"xlsx": (XLSX, "Excel"), "docx": (DOCX, "Word")}


class QuarterlyQuery(InputSchema):
    unit: str = Field(..., min_length=1, max_length=32, description="单位编码（须在本人可见范围内）")
    year: int = Field(..., ge=EARLIEST.year, le=LATEST.year, description="年份")
    quarter: int = Field(..., ge=1, le=4, description="季度：1–4")
    format: Literal["xlsx", "docx"] = Field("xlsx", description="文件格式：xlsx（Excel）或 docx（Word）")
    case: Reference | None = Field(None, description="典型案例的登记编号（须是该单位本季度登记的反映件），可不填")


class BriefingQuery(InputSchema):
    start: date = Field(..., alias="from", ge=EARLIEST, le=LATEST, description="登记日期起（含），北京时间")
    end: date = Field(..., alias="to", ge=EARLIEST, le=LATEST, description="登记日期止（含），北京时间")
    unit: Code | None = Field(None, description="单位编码：只统计该单位范围内的反映件（须在本人可见范围内）")
    case: list[Reference] = Field(default_factory=list, max_length=MAX_TYPICAL,
                                  description=f"典型案例的登记编号（统计期间登记的，最多 {MAX_TYPICAL} 件），可重复")


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    content_type: str
    name: str  # in Chinese, with its suffix
    ascii_name: str  # for clients that do not read filename*


def quarterly_file(user: User, query: QuarterlyQuery, now: datetime) -> ReportFile:
    report = build_quarterly(user, query.unit, query.year, query.quarter, case=query.case, now=now)
    content_type, label = FORMATS[query.format]
    content = quarterly_docx(report) if query.format == "docx" else quarterly_xlsx(report)
    typical = [report.typical.reference] if report.typical else []
    _audit(user, "quarterly_report", f"季度统计报表（{label}）", report.figures.registered, typical,
           [f"单位：{report.unit.name}", f"季度：{query.year}年第{query.quarter}季度"])
    return ReportFile(content, content_type, f"{report.file_stem}.{query.format}",
                      f"quarterly-{report.unit.code}-{query.year}Q{query.quarter}.{query.format}")


def briefing_file(user: User, query: BriefingQuery, now: datetime) -> ReportFile:
    briefing = build_briefing(user, query.unit, query.start, query.end, cases=query.case, now=now)
    typical = [case.reference for case in briefing.typical]
    _audit(user, "briefing", "工作简报（Word）", briefing.figures.registered, typical,
           [f"单位：{briefing.scope_label}", f"登记日期：{query.start:%Y-%m-%d} 至 {query.end:%Y-%m-%d}"])
    stamp = f"{query.start:%Y%m%d}-{query.end:%Y%m%d}"
    return ReportFile(briefing_docx(briefing), DOCX, f"{briefing.file_stem}.docx",
                      f"briefing-{query.unit or 'all'}-{stamp}.docx")


def _audit(user: User, what: str, title: str, rows: int, typical: list[str], filters: list[str]) -> None:
    if typical:
        filters.append(f"典型案例：{'、'.join(typical)}（已脱敏）")
    record_event(EventType.EXPORTED, actor=user, what=what, title=title, filters="；".join(filters), rows=rows,
                 typical_cases=typical, outcome="success")


def download(file: ReportFile) -> HttpResponse:
    """The file as an attachment, named in Chinese (RFC 6266 filename*) with an ASCII name beside it."""
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{file.ascii_name}\"; filename*=UTF-8''{quote(file.name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
