"""`GET /api/v1/stats`: the figures of the caller's scope (reports.figures), as API.md names them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from banchengshi.accounts.auth import AuthedRequest
from banchengshi.cases.selectors import EARLIEST, LATEST
from banchengshi.reports.figures import Period, compute, scope_for

router = Router(tags=["统计"])


class StatsQuery(Schema):
    start: date = NinjaField(..., alias="from", ge=EARLIEST, le=LATEST, description="登记日期起（含），北京时间")
    end: date = NinjaField(..., alias="to", ge=EARLIEST, le=LATEST, description="登记日期止（含），北京时间")
    unit: str | None = NinjaField(None, max_length=32, description="单位编码：只统计该单位范围内的反映件（须在本人可见范围内）")


@router.get("", summary="统计数据（登记、受理、办结、按时办结率、满意度等）")
def stats(request: AuthedRequest, query: Query[StatsQuery]) -> dict[str, Any]:
    """Figures for cases received in [from, to] within the caller's scope; `unit` narrows it to one unit's
    cases (403 outside the scope, 404 unknown). Definitions: `banchengshi/reports/figures.py`."""
    scope = scope_for(request.auth, query.unit)
    return compute(scope, Period(query.start, query.end), timezone.now()).as_api()
