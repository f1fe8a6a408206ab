from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import AuthedRequest
from banchengshi.accounts.selectors import unit_by_code
from banchengshi.lib.errors import ActionForbidden
from banchengshi.lib.validation import PlausibleDatetime
from banchengshi.sla.actions import do_set_calendar_year
from banchengshi.sla.models import CalendarYear, DayKind
from banchengshi.sla.services import Due, due_for, missing_year_warning

router = Router(tags=["工作日历与时限"])



class CalendarIn(Schema):
    holidays: list[date] = Field(description="法定节假日（休息日）")
    workdays: list[date] = Field(default_factory=list, description="调休上班日（周六或周日）")
    source: str = Field("国务院办公厅通知", max_length=200)


class CalendarOut(Schema):
    year: int
    loaded: bool
    source: str
    holidays: list[date]
    workdays: list[date]
    warning: str | None
    moved_clocks: int | None = None


class DueQuery(Schema):
    start: PlausibleDatetime = Field(description="起算时间；未带偏移按北京时间")
    working_days: int = Field(ge=0, le=60)
    center: str


class DueOut(Schema):
    due_at: datetime
    warn_at: datetime
    warnings: list[str]


def _calendar(year: int) -> dict[str, Any]:
    found = CalendarYear.objects.filter(year=year).first()
    if found is None:
        return {"year": year, "loaded": False, "source": "", "holidays": [], "workdays": [], "warning": missing_year_warning(year)}
    days = list(found.days.values_list("date", "kind"))
    return {
        "year": year,
        "loaded": found.published,  # a draft typed into the admin counts once it is published
        "source": found.source,
        "holidays": [d for d, k in days if k == DayKind.HOLIDAY],
        "workdays": [d for d, k in days if k == DayKind.WORKDAY],
        "warning": None if found.published else missing_year_warning(year),
    }


@router.get("/due", response=DueOut, summary="按中心工作时间推算时限")
def due(request: AuthedRequest, query: Query[DueQuery]) -> Due:
    if not has_role_for(request.auth, Need.VIEW):
        raise ActionForbidden("您的角色无权使用此功能")
    start = query.start if timezone.is_aware(query.start) else timezone.make_aware(query.start)
    return due_for(start, query.working_days, unit_by_code(query.center, "中心"))


@router.get("/{year}", response=CalendarOut, summary="某年的节假日和调休上班日")
def get_calendar(request: AuthedRequest, year: int) -> dict[str, Any]:
    if not 2000 <= year <= 2100:
        raise HttpError(422, "年份须在 2000 至 2100 之间")
    return _calendar(year)


@router.put("/{year}", response=CalendarOut, summary="录入或修改某年日历（重算未完成的时限）")
def put_calendar(request: AuthedRequest, year: int, payload: CalendarIn) -> dict[str, Any]:
    if not has_role_for(request.auth, Need.CALENDAR):
        raise ActionForbidden("只有政务服务办或系统管理员可以修改工作日历")
    _, moved = do_set_calendar_year(
        year, holidays=payload.holidays, workdays=payload.workdays, acting_user=request.auth, source=payload.source
    )
    return {**_calendar(year), "moved_clocks": moved}
