"""China's statutory working-day calendar, as pure data.

A day is a working day when it is a 调休 make-up workday, or when it is a Monday-Friday that is not a
statutory holiday. Years without loaded data fall back to Monday-Friday; callers ask
`missing_years()` so the fallback is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

# The span of the working-day index: a day in it is shifted by N working days with two list lookups
# (a deadline computation is then a few microseconds); a day outside it by walking day by day.
_FIRST = date(2000, 1, 1).toordinal()
_LAST = date(2102, 1, 1).toordinal()


class CalendarError(ValueError):
    """A calendar year that the State Council would never announce, or one that cannot be published yet."""


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    loaded_years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.working_days_after(day, 1)

    def working_days_after(self, day: date, n: int) -> date:
        """The `n`-th working day strictly after `day` (`day` itself for n = 0)."""
        if n <= 0:
            return day
        ordinal = day.toordinal()
        if _FIRST <= ordinal < _LAST - 1:
            before, working = self._index
            k = before[ordinal + 1 - _FIRST] + n - 1  # working days up to `day`, then n more
            if k < len(working):
                return date.fromordinal(working[k])
        for _ in range(n):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return day

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days lie strictly between `first` and `last` (0 when `last` is not after the
        day after `first`): two list lookups inside the index's span, day by day outside it."""
        if last.toordinal() - first.toordinal() < 2:
            return 0
        if first.toordinal() >= _FIRST and last.toordinal() < _LAST:
            before, _ = self._index
            return before[last.toordinal() - _FIRST] - before[first.toordinal() + 1 - _FIRST]
        day, count = first + timedelta(days=1), 0
        while day < last:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count

    @cached_property
    def _index(self) -> tuple[list[int], list[int]]:
        """(working days before each day of the span, the span's working days as ordinals); built once per
        calendar (a calendar is rebuilt only when a year changes), in about 20 ms."""
        before: list[int] = []
        working: list[int] = []
        for ordinal in range(_FIRST, _LAST):
            before.append(len(working))
            if self.is_working_day(date.fromordinal(ordinal)):
                working.append(ordinal)
        return before, working

    def missing_years(self, first: date, last: date) -> list[int]:
        return [y for y in range(first.year, last.year + 1) if y not in self.loaded_years]


def from_chinese_calendar(first_year: int = 2004, last_year: int = 2026) -> dict[int, tuple[set[date], set[date]]]:
    """Holidays and make-up workdays per year from the `chinese_calendar` package."""
    import chinese_calendar

    years: dict[int, tuple[set[date], set[date]]] = {y: (set(), set()) for y in range(first_year, last_year + 1)}
    for day in chinese_calendar.holidays:
        if day.year in years and day.weekday() < 5:
            years[day.year][0].add(day)
    for day in chinese_calendar.workdays:
        if day.year in years and day.weekday() >= 5:
            years[day.year][1].add(day)
    return years


def holiday_names(year: int) -> dict[date, str]:
    """Chinese names of the statutory holidays in `year`, where the package knows them."""
    import chinese_calendar

    names = {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节",
        "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    }
    result: dict[date, str] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year == year:
            result[day] = names.get(str(name), str(name))
    for day, name in chinese_calendar.workdays.items():
        if day.year == year and day.weekday() >= 5:
            result[day] = f"{names.get(str(name), str(name))}调休上班"
    return result


WEEKDAY_NAMES = "一二三四五六日"


def special_day_problem(year: int, day: date, is_workday: bool) -> str | None:
    """Why `day` cannot be entered as a holiday or a 调休 make-up workday of `year`, in the admin's words."""
    weekday = f"星期{WEEKDAY_NAMES[day.weekday()]}"
    if day.year != year:
        return f"{day.isoformat()} 不属于{year}年"
    if is_workday and day.weekday() < 5:
        return f"{day.isoformat()} 是{weekday}，本来就上班；调休上班日须是星期六或星期日"
    if not is_workday and day.weekday() >= 5:
        return f"{day.isoformat()} 是{weekday}，本来就休息，无需录入为节假日"
    return None
