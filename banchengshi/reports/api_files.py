"""`GET /api/v1/reports/quarterly` (the Songjiang 统计报表) and `GET /api/v1/reports/briefing` (工作简报):
the files, built from the figures of the caller's scope (reports.figures) and audited (reports.exports)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router

from banchengshi.accounts.auth import AuthedRequest
from banchengshi.reports.exports import (
    DOCX,
    XLSX,
    BriefingQuery,
    QuarterlyQuery,
    briefing_file,
    download,
    quarterly_file,
)

router = Router(tags=["统计报表"])


def _file_response(description: str, *content_types: str) -> dict[str, Any]:
    """The 200 of a file download, as the OpenAPI document names it (its body is the file, not JSON)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": dict.fromkeys(content_types, binary)}}}


@router.get("/quarterly", response={200: None}, summary="季度“办不成事”统计报表（xlsx 或 docx）",
            openapi_extra=_file_response("统计报表文件（附件，文件名为中文）", XLSX, DOCX))
def quarterly(request: AuthedRequest, query: Query[QuarterlyQuery]) -> HttpResponse:
    """One unit's quarter as the Songjiang 统计报表 (附件2): 登记数量, 受理, 不予受理, 涉及业务范围, and the
    typical case `case` told without personal data. 403 for a unit outside the caller's scope, 404 for an
    unknown one, 422 for a typical case that is not the unit's in that quarter."""
    return download(quarterly_file(request.auth, query, timezone.now()))


@router.get("/briefing", response={200: None}, summary="“办不成事”工作简报（docx）",
            openapi_extra=_file_response("工作简报文件（附件，文件名为中文）", DOCX))
def briefing(request: AuthedRequest, query: Query[BriefingQuery]) -> HttpResponse:
    """The period's key figures, charts by month, channel and reason, and the typical cases `case`
    (repeatable), masked. `unit` narrows it to one unit of the caller's scope."""
    return download(briefing_file(request.auth, query, timezone.now()))
