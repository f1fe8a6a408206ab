"""Working-day deadline arithmetic. Pure: no database, no clock, aware datetimes only.

The counting rule: "N working days" ends at close of business on the Nth working day after the day
of receipt; N = 0 ends at close of business on the day of receipt. A receipt on a non-working day or
at or after close of business counts as received at the start of the next working day (business hours
are half-open: [opens, closes)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from banchengshi.sla.calendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class BusinessHours:
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    tz: ZoneInfo = SHANGHAI

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("business hours must open before they close")

    def at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    @property
    def seconds_per_day(self) -> int:
        return int((self.at(date(2000, 1, 3), self.closes) - self.at(date(2000, 1, 3), self.opens)).total_seconds())


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required")


def day_of_receipt(received_at: datetime, calendar: WorkCalendar, hours: BusinessHours) -> date:
    """The working day a receipt counts on."""
    _require_aware(received_at)
    local = received_at.astimezone(hours.tz)
    day = local.date()
    if not calendar.is_working_day(day) or local.time() >= hours.closes:
        return calendar.next_working_day(day)
    return day


def add_working_days(start: datetime, days: int, calendar: WorkCalendar, hours: BusinessHours) -> datetime:
    """Close of business on the `days`-th working day after the day `start` counts as received."""
    if days < 0:
        raise ValueError("working days cannot be negative")
    _require_aware(start)
    local = start.astimezone(hours.tz)
    day = local.date()
    late = local.time() >= hours.closes or not calendar.is_working_day(day)  # counts from the next working day
    return datetime.combine(calendar.working_days_after(day, days + 1 if late else days), hours.closes, tzinfo=hours.tz)


def business_seconds_between(start: datetime, end: datetime, calendar: WorkCalendar, hours: BusinessHours) -> int:
    """Seconds of business hours on working days within [start, end)."""
    _require_aware(start)
    _require_aware(end)
    if end <= start:
        return 0
    start_local, end_local = start.astimezone(hours.tz), end.astimezone(hours.tz)
    first, last = start_local.date(), end_local.date()

    def within(day: date) -> float:
        if not calendar.is_working_day(day):
            return 0.0
        lo = max(start_local, hours.at(day, hours.opens))
        hi = min(end_local, hours.at(day, hours.closes))
        return (hi - lo).total_seconds() if hi > lo else 0.0

    if first == last:
        return round(within(first))
    # The first and last days in part; every working day between them whole, counted from the calendar's
    # index (not walked day by day: how late a case two years overdue is takes as long as one a day late).
    whole = calendar.working_days_between(first, last) * hours.seconds_per_day
    return round(within(first) + whole + within(last))


def add_business_seconds(start: datetime, seconds: int, calendar: WorkCalendar, hours: BusinessHours) -> datetime:
    """The instant `seconds` of business time after `start` (used to push a deadline past a pause)."""
    _require_aware(start)
    if seconds <= 0:
        return start
    local = start.astimezone(hours.tz)
    remaining = float(seconds)
    day = local.date()
    cursor = local
    while True:
        if calendar.is_working_day(day):
            cursor = max(cursor, hours.at(day, hours.opens))
            closes = hours.at(day, hours.closes)
            if cursor < closes:
                available = (closes - cursor).total_seconds()
                if remaining <= available:
                    return cursor + timedelta(seconds=remaining)
                remaining -= available
        day += timedelta(days=1)
        cursor = hours.at(day, time.min)


def warning_time(start: datetime, due_at: datetime, warn_hours: int) -> datetime:
    """When the light turns yellow: `warn_hours` before the limit, never before the clock started."""
    return max(start, due_at - timedelta(hours=warn_hours))


def light(now: datetime, due_at: datetime, warn_at: datetime) -> str:
    if now > due_at:
        return "red"
    if now >= warn_at:
        return "yellow"
    return "green"
