"""`GET /api/v1/stats`: the figures of the caller's scope (reports.figures), as API.md names them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from banchengshi.accounts.auth import AuthedRequest
from banchengshi.cases.selectors import EARLIEST, LATEST
from banchengshi.lib.errors import InvalidInput
from banchengshi.reports.bottlenecks import Quarter, analyse
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


bottlenecks_router = Router(tags=["统计"])


class BottleneckQuery(Schema):
    year: int | None = NinjaField(None, ge=2000, le=2100, description="年份（与 quarter 同用；都不填时为上一个完整季度）")
    quarter: int | None = NinjaField(None, ge=1, le=4, description="季度 1-4")
    unit: str | None = NinjaField(None, max_length=32, description="单位编码：只分析该单位范围内的反映件（须在本人可见范围内）")


def quarter_from(year: int | None, quarter: int | None, today: date) -> Quarter:
    """The quarter asked for; neither given: the last full quarter; only one of them: refused."""
    if year is None and quarter is None:
        return Quarter.last_full(today)
    if year is None or quarter is None:
        raise InvalidInput("请同时选择年份和季度", field="quarter" if quarter is None else "year")
    return Quarter(year, quarter)


@bottlenecks_router.get("", summary="堵点分析（不予受理、超时、回访不满意、再督办最多的事项、原因、中心和主办单位，环比；重复反映人；文本聚类）")
def bottlenecks(request: AuthedRequest, query: Query[BottleneckQuery]) -> dict[str, Any]:
    """The bottlenecks of the caller's scope in a quarter against the quarter before (`unit` narrows it:
    403 outside the scope, 404 unknown). Definitions: `banchengshi/reports/bottlenecks.py`. Phones are
    masked (138****5678), names too."""
    scope = scope_for(request.auth, query.unit)
    return analyse(scope, quarter_from(query.year, query.quarter, timezone.localdate()), timezone.now()).as_api()
