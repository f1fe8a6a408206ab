from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import AuthedRequest
from banchengshi.accounts.selectors import unit_by_code
from banchengshi.lib.errors import ActionForbidden
from banchengshi.lib.validation import PlausibleDatetime
from banchengshi.sla.services import Due, due_for

# GET/PUT /calendar/{year} are cases' (cases/api_calendar.py, mounted at the same prefix): writing a year
# moves the open clocks, and Ninja serves both methods of a path from one router.
router = Router(tags=["工作日历与时限"])


class DueQuery(Schema):
    start: PlausibleDatetime = Field(description="起算时间；未带偏移按北京时间")
    working_days: int = Field(ge=0, le=60)
    center: str


class DueOut(Schema):
    due_at: datetime
    warn_at: datetime
    warnings: list[str]


@router.get("/due", response=DueOut, summary="按中心工作时间推算时限")
def due(request: AuthedRequest, query: Query[DueQuery]) -> Due:
    if not has_role_for(request.auth, Need.VIEW):
        raise ActionForbidden("您的角色无权使用此功能")
    start = query.start if timezone.is_aware(query.start) else timezone.make_aware(query.start)
    return due_for(start, query.working_days, unit_by_code(query.center, "中心"))
