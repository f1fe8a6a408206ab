"""The working-day arithmetic against the real 2026 calendar (no database)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banchengshi.sla.calendar import WorkCalendar, from_chinese_calendar
from banchengshi.sla.deadlines import (
    SHANGHAI,
    BusinessHours,
    add_business_seconds,
    add_working_days,
    business_seconds_between,
    day_of_receipt,
    light,
    warning_time,
)

HOURS = BusinessHours()
_YEARS = from_chinese_calendar(2025, 2026)
CAL_2026 = WorkCalendar(
    holidays=frozenset(d for h, _ in _YEARS.values() for d in h),
    workdays=frozenset(d for _, w in _YEARS.values() for d in w),
    loaded_years=frozenset(_YEARS),
)


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


moments_2026 = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 10, 31, 23, 59), timezones=st.just(SHANGHAI)
)
days = st.integers(min_value=0, max_value=20)

MANY = settings(max_examples=1000, deadline=None)


@MANY
@given(moments_2026, days)
def test_deadline_is_close_of_business_on_a_working_day(start: datetime, n: int) -> None:
    due = add_working_days(start, n, CAL_2026, HOURS)
    assert due.timetz().replace(tzinfo=None) == HOURS.closes
    assert CAL_2026.is_working_day(due.date())
    assert due > start or (n == 0 and due >= start)


@MANY
@given(moments_2026, days, days)
def test_adding_a_then_b_equals_adding_a_plus_b_plus_one(start: datetime, a: int, b: int) -> None:
    # A limit ends exactly at close of business; hours are half-open, so a clock started then counts
    # from the next working day: chaining two limits costs one day more than adding them.
    once = add_working_days(start, a + b + 1, CAL_2026, HOURS)
    twice = add_working_days(add_working_days(start, a, CAL_2026, HOURS), b, CAL_2026, HOURS)
    assert once == twice


@MANY
@given(moments_2026, st.integers(min_value=1, max_value=20))
def test_exactly_n_working_days_lie_after_the_day_of_receipt(start: datetime, n: int) -> None:
    due = add_working_days(start, n, CAL_2026, HOURS)
    first = day_of_receipt(start, CAL_2026, HOURS)
    between = [first + timedelta(days=i) for i in range(1, (due.date() - first).days + 1)]
    assert sum(CAL_2026.is_working_day(d) for d in between) == n
    assert not any(d in CAL_2026.holidays for d in between if CAL_2026.is_working_day(d))


@MANY
@given(moments_2026, st.integers(min_value=0, max_value=8 * 3600 * 10))
def test_business_seconds_round_trip(start: datetime, seconds: int) -> None:
    end = add_business_seconds(start, seconds, CAL_2026, HOURS)
    assert end >= start
    assert business_seconds_between(start, end, CAL_2026, HOURS) == seconds


def _business_seconds_day_by_day(start: datetime, end: datetime, calendar: WorkCalendar) -> int:
    """The rule as written: every day from the first to the last, its business hours within [start, end)."""
    total, day = 0.0, start.astimezone(SHANGHAI).date()
    while day <= end.astimezone(SHANGHAI).date():
        if calendar.is_working_day(day):
            lo, hi = max(start, HOURS.at(day, HOURS.opens)), min(end, HOURS.at(day, HOURS.closes))
            total += max(0.0, (hi - lo).total_seconds())
        day += timedelta(days=1)
    return round(total)


spans = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31, 23, 59), timezones=st.just(SHANGHAI))


@MANY
@given(spans, spans)
def test_business_seconds_between_counts_the_days_between_from_the_index(start: datetime, end: datetime) -> None:
    # Whole working days between the first and the last are counted from the calendar's index (a case two
    # years overdue is described as fast as one a day late): the same seconds as walking day by day.
    assert business_seconds_between(start, end, CAL_2026, HOURS) == _business_seconds_day_by_day(start, end, CAL_2026)


def test_business_seconds_between_outside_the_index_walks_the_days() -> None:
    start, end = at(2101, 12, 20, 15), at(2102, 1, 10, 10)  # the index ends with 2101
    assert business_seconds_between(start, end, CAL_2026, HOURS) == _business_seconds_day_by_day(start, end, CAL_2026)
    assert CAL_2026.working_days_between(date(2101, 12, 31), date(2102, 1, 3)) == 1  # Sun 1, Mon 2 January 2102
    national_day = [date(2026, 10, 1) + timedelta(days=i) for i in range(11)]  # 1 to 11 October, a 调休 Saturday in it
    assert CAL_2026.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == sum(map(CAL_2026.is_working_day, national_day))


def test_national_day_example_from_the_issue() -> None:
    # Received Wednesday 30 September; 1-8 October is the holiday; Saturday 10 October is a 调休 workday.
    due = add_working_days(at(2026, 9, 30, 10), 3, CAL_2026, HOURS)
    assert due == at(2026, 10, 10, 17)
    assert due.weekday() == 5


@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        (at(2026, 11, 23, 10), 0, at(2026, 11, 23, 17)),  # same day
        (at(2026, 11, 23, 16, 59), 0, at(2026, 11, 23, 17)),  # a minute before close counts that day
        (at(2026, 11, 23, 17, 0), 0, at(2026, 11, 24, 17)),  # exactly at close: hours are half-open, next day
        (at(2026, 11, 23, 17, 1), 0, at(2026, 11, 24, 17)),  # after close: next working day
        (at(2026, 11, 23, 8, 0), 1, at(2026, 11, 24, 17)),  # before opening counts that day
        (at(2026, 11, 21, 10), 0, at(2026, 11, 23, 17)),  # Saturday receipt counts Monday
        (at(2026, 11, 20, 18), 1, at(2026, 11, 24, 17)),  # Friday evening: Monday is day 0
        (at(2026, 2, 13, 10), 1, at(2026, 2, 14, 17)),  # Saturday 14 Feb is a 调休 workday
        (at(2026, 2, 14, 10), 1, at(2026, 2, 24, 17)),  # then the Spring Festival holiday
        (at(2026, 12, 31, 10), 1, at(2027, 1, 1, 17)),  # 2027 not loaded: Monday-Friday fallback
    ],
)
def test_counting_rule(received: datetime, n: int, due: datetime) -> None:
    assert add_working_days(received, n, CAL_2026, HOURS) == due


def test_missing_year_is_reported_not_hidden() -> None:
    assert CAL_2026.missing_years(date(2026, 12, 31), date(2027, 1, 4)) == [2027]
    assert CAL_2026.missing_years(date(2026, 1, 1), date(2026, 12, 31)) == []


def test_center_hours_are_used() -> None:
    hours = BusinessHours(opens=time(8, 30), closes=time(17, 30))
    assert add_working_days(at(2026, 11, 23, 17, 15), 0, CAL_2026, hours) == at(2026, 11, 23, 17, 30)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_working_days(datetime(2026, 11, 23, 10), 1, CAL_2026, HOURS)  # noqa: DTZ001


def test_pause_pushes_the_deadline_by_business_time() -> None:
    due = at(2026, 11, 25, 17)
    paused = business_seconds_between(at(2026, 11, 23, 15), at(2026, 11, 24, 10), CAL_2026, HOURS)
    assert paused == 3 * 3600  # 15:00-17:00 Monday, 09:00-10:00 Tuesday
    assert add_business_seconds(due, paused, CAL_2026, HOURS) == at(2026, 11, 26, 12)


def test_lights() -> None:
    due = at(2026, 11, 25, 17)
    warn = warning_time(at(2026, 11, 23, 10), due, 24)
    assert warn == at(2026, 11, 24, 17)
    assert light(at(2026, 11, 24, 16), due, warn) == "green"
    assert light(at(2026, 11, 24, 17), due, warn) == "yellow"
    assert light(at(2026, 11, 25, 17, 1), due, warn) == "red"
    # A same-day limit is within 24 hours from the start: yellow at once, never before the start.
    assert warning_time(at(2026, 11, 23, 10), at(2026, 11, 23, 17), 24) == at(2026, 11, 23, 10)
