"""A year's calendar: read it, or replace it and move the open clocks (GET/PUT /api/v1/calendar/{year}).

Both methods of the path live here, with the action that recomputes clocks: Ninja serves a path from one
router only, so the read cannot stay in sla while the write moves to cases.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Router, Schema
from ninja.errors import HttpError

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import AuthedRequest
from banchengshi.cases.actions.calendar import do_set_calendar_year
from banchengshi.lib.errors import ActionForbidden
from banchengshi.lib.schemas import InputSchema
from banchengshi.sla.services import calendar_summary

router = Router(tags=["工作日历与时限"])


class CalendarIn(InputSchema):
    holidays: list[date] = Field(max_length=366, description="法定节假日（休息日）")
    workdays: list[date] = Field(default_factory=list, max_length=366, description="调休上班日（周六或周日）")
    source: str = Field("国务院办公厅通知", max_length=200)


class RecomputeOut(Schema):
    status: str = Field(description="queued / running / done / failed")
    total: int = Field(description="涉及的未完成时限数")
    done: int
    moved: int


class CalendarOut(Schema):
    year: int
    loaded: bool
    source: str
    holidays: list[date]
    workdays: list[date]
    warning: str | None
    moved_clocks: int | None = Field(None, description="已重算且时限有变化的时限数；在后台重算时为空，见 recompute")
    recompute: RecomputeOut | None = None


@router.get("/{year}", response=CalendarOut, summary="某年的节假日和调休上班日")
def get_calendar(request: AuthedRequest, year: int) -> dict[str, Any]:
    if not 2000 <= year <= 2100:
        raise HttpError(422, "年份须在 2000 至 2100 之间")
    return calendar_summary(year)


@router.put("/{year}", response=CalendarOut, summary="录入或修改某年日历（重算未完成的时限）")
def put_calendar(request: AuthedRequest, year: int, payload: CalendarIn) -> dict[str, Any]:
    if not has_role_for(request.auth, Need.CALENDAR):
        raise ActionForbidden("只有政务服务办或系统管理员可以修改工作日历")
    _, run = do_set_calendar_year(
        year, holidays=payload.holidays, workdays=payload.workdays, acting_user=request.auth, source=payload.source
    )
    recompute = {"status": run.status, "total": run.total, "done": run.done, "moved": run.moved}
    return {**calendar_summary(year), "moved_clocks": run.moved if run.status == "done" else None, "recompute": recompute}
