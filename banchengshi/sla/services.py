"""Reads the calendar, policies and business hours from the database for the pure SLA functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from banchengshi.lib.request_context import current_request
from banchengshi.sla.calendar import WorkCalendar
from banchengshi.sla.deadlines import BusinessHours, add_working_days, warning_time
from banchengshi.sla.models import CalendarDay, CalendarYear, DayKind, Policy

_cache: dict[str, tuple[object, WorkCalendar]] = {}
_checked: dict[str, str] = {}  # the request whose first look found the kept calendar current


def forget_calendar_check() -> None:
    """After a write to the calendar: the next `load_calendar` looks again, also within this request."""
    _checked.clear()


def load_calendar() -> WorkCalendar:
    """The published statutory calendar, rebuilt only when a year was added, changed or published
    (one cheap query otherwise, once per request: a page asks several times)."""
    request = current_request()
    cached = _cache.get("calendar")
    if request is not None and cached is not None and _checked.get("request") == request.request_id:
        return cached[1]
    stamp = CalendarYear.objects.aggregate(
        n=Count("year", distinct=True),
        published=Count("year", filter=Q(published=True), distinct=True),
        changed=Max("updated_at"),
        days=Count("days", distinct=True),
    )
    key = (stamp["n"], stamp["published"], stamp["changed"], stamp["days"])
    cached = _cache.get("calendar")
    if cached is not None and cached[0] == key:
        if request is not None:
            _checked["request"] = request.request_id
        return cached[1]
    calendar = _read_calendar()
    _cache["calendar"] = (key, calendar)
    if request is not None:
        _checked["request"] = request.request_id
    return calendar


def _read_calendar() -> WorkCalendar:
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in CalendarDay.objects.filter(year__published=True).values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
    years = frozenset(CalendarYear.objects.filter(published=True).values_list("year", flat=True))
    return WorkCalendar(frozenset(holidays), frozenset(workdays), years)


def missing_year_warning(year: int) -> str:
    return (
        f"{year}年的法定节假日和调休安排尚未录入（或尚未发布），该年时限暂按周一至周五推算；"
        f"请政务服务办按国务院办公厅通知录入并发布{year}年日历。"
    )


def calendar_warnings(calendar: WorkCalendar | None = None, today: date | None = None) -> list[str]:
    """Warnings every admin should see: this year or next year lacks its statutory calendar."""
    calendar = calendar or load_calendar()
    today = today or timezone.localdate()
    return [missing_year_warning(y) for y in (today.year, today.year + 1) if y not in calendar.loaded_years]


def hours_of(unit: object) -> BusinessHours:
    opens = getattr(unit, "opens", None)
    closes = getattr(unit, "closes", None)
    if opens is None or closes is None:
        return BusinessHours()
    return BusinessHours(opens=opens, closes=closes)


def default_policy() -> Policy | None:
    """The policy of units that have none up their tree."""
    return Policy.objects.order_by("-is_default", "code").first()


def effective_policy(unit: object, default: Policy | None = None) -> Policy:
    """The unit's own policy, else its nearest ancestor's, else the default one (`default`, when the
    caller has already read it)."""
    node = unit
    while node is not None:
        policy = getattr(node, "policy", None)
        if policy is not None:
            return policy
        node = getattr(node, "parent", None)
    policy = default or default_policy()
    if policy is None:
        raise LookupError("no time-limit policy is configured")
    return policy


@dataclass(frozen=True)
class Due:
    due_at: datetime
    warn_at: datetime
    warnings: list[str]


def due_for(start: datetime, working_days: int, unit: object, calendar: WorkCalendar | None = None) -> Due:
    """What a clerk tells the reporter: when `working_days` from `start` end at this unit (its local time)."""
    calendar = calendar or load_calendar()
    hours = hours_of(unit)
    policy = effective_policy(unit)
    due_at = add_working_days(start, working_days, calendar, hours)
    missing = calendar.missing_years(start.astimezone(hours.tz).date(), due_at.date())
    return Due(
        due_at=due_at,
        warn_at=warning_time(start, due_at, policy.warn_hours).astimezone(hours.tz),
        warnings=[missing_year_warning(y) for y in missing],
    )


def calendar_summary(year: int) -> dict[str, Any]:
    """A year's calendar as the API shows it: its holidays and 调休 workdays, and the warning while it is not in use."""
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
