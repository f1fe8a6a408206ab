"""The figures: one source of truth for the dashboard, `GET /api/v1/stats`, the quarterly report, the
briefing, the bottleneck analysis and the public page.

Every figure is computed by the database (conditional counts, grouped counts, one histogram) over a
**scope** (the cases a user may see, a unit's cases, or the whole district for the public page) and a
**period** of received dates (Asia/Shanghai calendar days, both ends included); no case is loaded into
Python, so the cost grows with the number of groups, not of cases.

Definitions (each figure's drill-down in the ledger uses the same condition, from `cases.selectors`):
- registered: every case received in the period (a duplicate merged into another case included).
- accepted: accepted at some time (`accepted_at`); not_accepted: 不予受理; resolved_on_site: answered at the
  window without acceptance; closed: 办结 now, or answered on the spot (re-supervision reopens a case).
- on time, per clock kind: a clock *met* its limit when it stopped at or before `due_at`; it *missed* it
  when it stopped later, or is still running past `due_at`, or was paused after `due_at` had passed.
  Paused business time is not counted (resuming pushes `due_at` back by it), so a clock paused in time
  waits undecided. Running clocks not yet due and cancelled clocks (a returned order, a merged case) are
  left out. A case counts once per kind: late when any clock of the kind missed, on time when it has a
  decided clock of the kind and none missed. on_time_rate is the resolution clock's (按时办结率):
  on time / (on time + late), None when no case is decided.
- ratings: the latest return visit of each case (the one that counts), 1 非常不满意 … 5 非常满意;
  satisfied_share = (4 + 5) / rated cases.
- return_visit_rate: closed cases with at least one visit / closed cases.
- resupervisions: how many re-supervisions the cases received; resupervised_cases: how many cases had one.
- handling time: for closed cases, the working days (statutory calendar) after the day of receipt up to
  and including the day of closure (现场办结: the day of the answer); the same day is 0. The average, and
  the 90th percentile by nearest rank (the smallest value that at least 90% of cases do not exceed).
- open cases by light: the worst light among each case's running clocks now (as the ledger's filter).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.http import Http404

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.models import Unit, User
from banchengshi.cases.choices import (
    FORMER_HOLDER,
    CaseStatus,
    Channel,
    ClockKind,
    Rating,
    Reason,
    WorkOrderRole,
)
from banchengshi.cases.models import Case, Clock, WorkOrder
from banchengshi.cases.selectors import (
    RUNNING,
    cases_of_unit,
    cases_visible_to,
    clock_decided,
    clock_late,
    clock_red,
    clock_warned,
    reached,
    units_in_scope_of,
    with_latest_visit,
)
from banchengshi.dispatch.models import Matter
from banchengshi.lib.errors import ActionForbidden, InvalidInput
from banchengshi.sla.calendar import WorkCalendar
from banchengshi.sla.deadlines import SHANGHAI
from banchengshi.sla.services import load_calendar

HEADLINE_CLOCK = ClockKind.RESOLUTION
SATISFIED = (Rating.SATISFIED, Rating.VERY_SATISFIED)
MAX_PERIOD_DAYS = 3660  # ten years: a longer period is a typing error, not a question


@dataclass(frozen=True)
class Period:
    """Received dates from `start` to `end`, both included, as Asia/Shanghai calendar days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput("结束日期不能早于开始日期", field="to")
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise InvalidInput("统计期间不能超过十年", field="to")

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, the day after end 00:00) in Asia/Shanghai."""
        return (datetime.combine(self.start, time.min, tzinfo=SHANGHAI),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=SHANGHAI))

    @property
    def ledger_params(self) -> dict[str, str]:
        return {"received_from": self.start.isoformat(), "received_to": self.end.isoformat()}


@dataclass(frozen=True)
class Scope:
    """The cases figures are counted over: `cases` (any time), with the unit it is narrowed to (None: all
    the viewer may see) and the ledger filter that narrows the ledger the same way."""

    cases: QuerySet[Case]
    unit: Unit | None = None

    @property
    def ledger_params(self) -> dict[str, str]:
        return {"scope": self.unit.code} if self.unit is not None else {}

    @property
    def label(self) -> str:
        return self.unit.name if self.unit is not None else "全部可见范围"

    @property
    def whole(self) -> bool:
        """Every case of the district (no condition on the cases): its figures are the days' summaries."""
        return not self.cases.query.where


def scope_for(user: User, unit_code: str | None = None) -> Scope:
    """What `user` may count: the cases they may see, narrowed to `unit_code`'s cases when given. A unit
    outside the user's scope is refused (403); an unknown one is not found (404)."""
    if not has_role_for(user, Need.STATISTICS):
        raise ActionForbidden("您的角色无权查看统计数据")
    visible = cases_visible_to(user)
    if not unit_code:
        return Scope(visible)
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise Http404(f"未找到单位：{unit_code}")
    if not units_in_scope_of(user).filter(pk=unit.pk).exists():
        raise ActionForbidden(f"您无权查看“{unit.name}”的统计数据")
    return Scope(cases_of_unit(unit, visible), unit)


def public_scope(unit: Unit | None = None) -> Scope:
    """The whole district (or one unit's cases), for pages with no user: the public disclosure page."""
    return Scope(cases_of_unit(unit) if unit is not None else Case.objects.all(), unit)


@dataclass(frozen=True)
class Bucket:
    """One bar or slice: a key, its Chinese label, the count, and the ledger filters of the cases behind it."""

    key: str
    label: str
    count: int
    params: dict[str, str]


@dataclass(frozen=True)
class OnTime:
    kind: str
    label: str
    on_time: int
    late: int

    @property
    def rate(self) -> float | None:
        return _share(self.on_time, self.on_time + self.late)

    @property
    def on_time_params(self) -> dict[str, str]:
        return {"clock": self.kind, "timing": "on_time"}

    @property
    def late_params(self) -> dict[str, str]:
        return {"clock": self.kind, "timing": "late"}


@dataclass
class Figures:
    scope: Scope
    period: Period
    now: datetime
    registered: int = 0
    accepted: int = 0
    not_accepted: int = 0
    resolved_on_site: int = 0
    closed: int = 0
    visited: int = 0
    resupervised_cases: int = 0
    resupervisions: int = 0
    on_time: list[OnTime] = field(default_factory=list)
    ratings: dict[str, int] = field(default_factory=dict)
    handling_days_avg: float | None = None
    handling_days_p90: int | None = None
    by_channel: list[Bucket] = field(default_factory=list)
    by_matter: list[Bucket] = field(default_factory=list)
    by_reason: list[Bucket] = field(default_factory=list)
    by_center: list[Bucket] = field(default_factory=list)
    by_lead_unit: list[Bucket] = field(default_factory=list)
    by_month: list[Bucket] = field(default_factory=list)
    open_by_light: list[Bucket] = field(default_factory=list)

    @property
    def headline(self) -> OnTime:
        return next(o for o in self.on_time if o.kind == HEADLINE_CLOCK)

    @property
    def on_time_rate(self) -> float | None:
        return self.headline.rate

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfied(self) -> int:
        return sum(self.ratings[str(int(r))] for r in SATISFIED)

    @property
    def satisfied_share(self) -> float | None:
        return _share(self.satisfied, self.rated)

    @property
    def return_visit_rate(self) -> float | None:
        return _share(self.visited, self.closed)

    def ledger_params(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The ledger's filters for the cases behind a figure: scope, period, then the figure's own."""
        return {**self.scope.ledger_params, **self.period.ledger_params, **(extra or {})}

    def as_api(self) -> dict[str, Any]:
        """`GET /api/v1/stats`: the contract's keys first (API.md), then the rest."""
        return {
            "registered": self.registered,
            "accepted": self.accepted,
            "not_accepted": self.not_accepted,
            "resolved_on_site": self.resolved_on_site,
            "closed": self.closed,
            "on_time_rate": _round(self.on_time_rate),
            "ratings": self.ratings,
            "satisfied_share": _round(self.satisfied_share),
            "from": self.period.start,
            "to": self.period.end,
            "unit": self.scope.unit.code if self.scope.unit is not None else None,
            "at": self.now.astimezone(SHANGHAI),
            "on_time": [{"kind": o.kind, "label": o.label, "on_time": o.on_time, "late": o.late, "rate": _round(o.rate)}
                        for o in self.on_time],
            "rated": self.rated,
            "visited": self.visited,
            "return_visit_rate": _round(self.return_visit_rate),
            "resupervisions": self.resupervisions,
            "resupervised_cases": self.resupervised_cases,
            "handling_days_avg": None if self.handling_days_avg is None else round(self.handling_days_avg, 2),
            "handling_days_p90": self.handling_days_p90,
            **{name: [{"key": b.key, "label": b.label, "count": b.count} for b in getattr(self, name)]
               for name in ("by_channel", "by_matter", "by_reason", "by_center", "by_lead_unit", "by_month",
                            "open_by_light")},
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def compute(scope: Scope, period: Period, now: datetime, *, calendar: WorkCalendar | None = None) -> Figures:
    """Every figure of `scope` for cases received in `period`, lights and overdue as of `now`. The whole
    district's are added up from the summaries of its days (`DayFigures`, brought up to date first), so
    they cost the same for a quarter or for two years of a million cases; a narrower scope is counted."""
    if scope.whole:
        return _from_days(scope, period, now, calendar or load_calendar())
    lo, hi = period.bounds
    cases = scope.cases.filter(received_at__gte=lo, received_at__lt=hi)
    figures = Figures(scope, period, now)
    _totals(figures, cases)
    figures.on_time = _on_time(cases, now)
    figures.ratings = _ratings(cases)
    figures.handling_days_avg, figures.handling_days_p90 = _handling_days(_closed_pairs(cases), calendar or load_calendar())
    figures.by_channel = _by_channel(cases)
    figures.by_matter = _by_matter(cases)
    figures.by_reason = _by_reason(cases)
    figures.by_center = _by_center(cases)
    figures.by_lead_unit = _by_lead_unit(cases)
    figures.by_month = _by_month(cases, period)
    figures.open_by_light = _open_by_light(cases, now)
    return figures


def compute_volumes(scope: Scope, period: Period, now: datetime) -> Figures:
    """The quarterly 统计报表's figures (Songjiang 表2): the totals (登记, 受理, 不予受理, …) and the matters and
    lead units the cases touched (涉及业务范围), by the same functions as `compute`, without the clocks,
    visits, handling days and lights the form does not show (a third of the work for a large center)."""
    if scope.whole:
        return compute(scope, period, now)
    lo, hi = period.bounds
    cases = scope.cases.filter(received_at__gte=lo, received_at__lt=hi)
    figures = Figures(scope, period, now)
    _totals(figures, cases)
    figures.by_matter = _by_matter(cases)
    figures.by_lead_unit = _by_lead_unit(cases)
    return figures


def _totals(figures: Figures, cases: QuerySet[Case]) -> None:
    totals = cases.aggregate(
        registered=Count("pk"),
        accepted=Count("pk", filter=reached("accepted")),
        not_accepted=Count("pk", filter=Q(status=CaseStatus.NOT_ACCEPTED)),
        resolved_on_site=Count("pk", filter=reached("resolved_on_site")),
        closed=Count("pk", filter=reached("closed")),
        resupervised_cases=Count("pk", filter=reached("resupervised")),
        resupervisions=Coalesce(Sum("resupervision_count"), 0),
    )
    for name, value in totals.items():
        setattr(figures, name, value)
    # An EXISTS in an aggregate's FILTER is not portable: the visited cases are a count of their own.
    figures.visited = cases.filter(reached("visited")).count()


def _on_time(cases: QuerySet[Case], now: datetime) -> list[OnTime]:
    clocks = Clock.objects.filter(case__in=cases.values("pk"))
    rows = {
        row["kind"]: row
        for row in clocks.values("kind").annotate(
            decided=Count("case", distinct=True, filter=clock_decided(now)),
            late=Count("case", distinct=True, filter=clock_late(now)),
        )
    }
    result = []
    for kind in ClockKind:
        row = rows.get(kind.value, {"decided": 0, "late": 0})
        result.append(OnTime(kind.value, str(kind.label), row["decided"] - row["late"], row["late"]))
    return result


def _ratings(cases: QuerySet[Case]) -> dict[str, int]:
    counts = {str(int(r)): 0 for r in Rating}
    rated = with_latest_visit(cases).filter(Q(last_rating__isnull=False))
    for row in rated.values(rating=F("last_rating")).annotate(n=Count("pk")).order_by():
        counts[str(row["rating"])] = row["n"]
    return counts


def working_day_counter(calendar: WorkCalendar, first: date, last: date) -> Any:
    """A function (a, b) -> the working days d with a < d <= b, for dates in [first, last] (a prefix sum
    over the calendar, so a histogram of many date pairs costs one pass)."""
    days = (last - first).days + 1
    prefix = [0] * (days + 1)
    for i in range(days):
        prefix[i + 1] = prefix[i] + calendar.is_working_day(first + timedelta(days=i))

    def between(a: date, b: date) -> int:
        return prefix[(b - first).days + 1] - prefix[(a - first).days + 1] if b > a else 0

    return between


def _closed_pairs(cases: QuerySet[Case]) -> list[dict[str, Any]]:
    """How many closed cases were received on one day and closed on another: {day_in, day_out, n}."""
    pairs = list(
        cases.filter(reached("closed"))
        .annotate(
            day_in=TruncDate("received_at", tzinfo=SHANGHAI),
            day_out=TruncDate(Coalesce("closed_at", "replied_at"), tzinfo=SHANGHAI),
        )
        .values("day_in", "day_out")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [p for p in pairs if p["day_out"] is not None]


def _handling_days(pairs: list[dict[str, Any]], calendar: WorkCalendar) -> tuple[float | None, int | None]:
    """The histogram of (day received, day closed) pairs comes from the database; each pair's working
    days come from the calendar (now, so a corrected calendar counts at once)."""
    if not pairs:
        return None, None
    first = min(p["day_in"] for p in pairs)
    last = max(max(p["day_out"] for p in pairs), first)
    between = working_day_counter(calendar, first, last)
    histogram: dict[int, int] = {}
    for p in pairs:
        days = between(p["day_in"], p["day_out"])
        histogram[days] = histogram.get(days, 0) + p["n"]
    return _average(histogram), _nearest_rank(histogram, 0.9)


def _average(histogram: dict[int, int]) -> float:
    return sum(v * n for v, n in histogram.items()) / sum(histogram.values())


def _nearest_rank(histogram: dict[int, int], share: float) -> int:
    total = sum(histogram.values())
    rank = math.ceil(share * total)
    values = sorted(histogram)
    running, cumulative = 0, []
    for v in values:
        running += histogram[v]
        cumulative.append(running)
    return values[bisect_right(cumulative, rank - 1)]


def _buckets(rows: Iterable[dict[str, Any]], key: str, label: str, param: str, labels: dict[str, str] | None = None,
             ) -> list[Bucket]:
    result = []
    for row in rows:
        value = row[key]
        if value is None:
            continue
        name = (labels or {}).get(value, row[label] if label else value)
        result.append(Bucket(str(value), str(name), row["n"], {param: str(value)}))
    return sorted(result, key=lambda b: (-b.count, b.key))


def _by_channel(cases: QuerySet[Case]) -> list[Bucket]:
    rows = cases.values("channel").annotate(n=Count("pk")).order_by()
    return _buckets(rows, "channel", "", "channel", {str(k): str(v) for k, v in Channel.choices})


def _by_matter(cases: QuerySet[Case]) -> list[Bucket]:
    rows = list(cases.values("matter__code", "matter__name").annotate(n=Count("pk")).order_by())
    result = _buckets(rows, "matter__code", "matter__name", "matter")
    none = sum(r["n"] for r in rows if r["matter__code"] is None)
    if none:
        result.append(Bucket("", NO_MATTER, none, {"no_matter": "true"}))
    return result


def _by_reason(cases: QuerySet[Case]) -> list[Bucket]:
    """Reasons are a JSON list per case: one conditional count per known reason, matching the quoted code
    in the list's text — the ledger's `reason` filter, on SQLite and PostgreSQL alike."""
    counts = cases.aggregate(**{r.value: Count("pk", filter=Q(reasons__icontains=f'"{r.value}"')) for r in Reason})
    result = [Bucket(r.value, str(r.label), counts[r.value], {"reason": r.value}) for r in Reason if counts[r.value]]
    return sorted(result, key=lambda b: (-b.count, b.key))


def _by_center(cases: QuerySet[Case]) -> list[Bucket]:
    rows = cases.values("center__code", "center__name").annotate(n=Count("pk")).order_by()
    return _buckets(rows, "center__code", "center__name", "center")


def _by_lead_unit(cases: QuerySet[Case]) -> list[Bucket]:
    """Cases by the units holding their lead order now (handling or replied, not returned or passed down)."""
    orders = WorkOrder.objects.filter(case__in=cases.values("pk"), role=WorkOrderRole.LEAD).exclude(status__in=FORMER_HOLDER)
    rows = orders.values("unit__code", "unit__name").annotate(n=Count("case", distinct=True)).order_by()
    return _buckets(rows, "unit__code", "unit__name", "lead_unit")


def _by_month(cases: QuerySet[Case], period: Period) -> list[Bucket]:
    rows = cases.annotate(month=TruncMonth("received_at", tzinfo=SHANGHAI)).values("month").annotate(n=Count("pk")).order_by("month")
    return _month_buckets([(r["month"].date() if isinstance(r["month"], datetime) else r["month"], r["n"]) for r in rows],
                          period)


def _month_buckets(rows: list[tuple[date, int]], period: Period) -> list[Bucket]:
    """(first day of a month, cases) in month order -> the chart's buckets, each linked to its days."""
    result = []
    for first, n in rows:
        after = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        start, end = max(first, period.start), min(after - timedelta(days=1), period.end)
        result.append(Bucket(first.strftime("%Y-%m"), f"{first.year}年{first.month}月", n,
                             {"received_from": start.isoformat(), "received_to": end.isoformat()}))
    return result


LIGHTS = (("red", "红灯（已超时）"), ("yellow", "黄灯（临近时限）"), ("green", "绿灯（正常）"))


def _open_by_light(cases: QuerySet[Case], now: datetime) -> list[Bucket]:
    """A case's light is the worst of its running clocks (the ledger's `light` filter): counted in one
    pass over the running clocks — cases with any clock red; with any clock yellow or red, less the red
    ones; with any running clock, less those."""
    counts = Clock.objects.filter(RUNNING, case__in=cases.values("pk")).aggregate(
        running=Count("case", distinct=True),
        warned=Count("case", distinct=True, filter=clock_warned(now)),
        red=Count("case", distinct=True, filter=clock_red(now)),
    )
    values = {"red": counts["red"], "yellow": counts["warned"] - counts["red"], "green": counts["running"] - counts["warned"]}
    return [Bucket(light, label, values[light], {"light": light}) for light, label in LIGHTS]


# The groupings a figure is broken down by, each a function of the cases to their buckets (with the
# ledger filter of each): the dashboard's charts and the bottleneck analysis (reports.bottlenecks) alike.
BREAKDOWNS: dict[str, Callable[[QuerySet[Case]], list[Bucket]]] = {
    "matter": _by_matter,
    "reason": _by_reason,
    "center": _by_center,
    "lead_unit": _by_lead_unit,
}


# --- The whole district, by day ------------------------------------------------------------------------
# Each day of receipt keeps the figures of its cases (DayFigures), computed by the functions above over that
# day alone. A day's summary is redone before use when its cases changed since (StaleDay, written by
# triggers), when it was made for a later moment than asked, or when one of its running clocks turned
# yellow or red in between (the only way time alone changes a figure: a clock past its limit stays late).
# Every figure is a count of cases and each case belongs to one day, so the period's figures are the sums
# of its days'; handling days keep their (received, closed) date pairs, counted with today's calendar.

TOTALS = ("registered", "accepted", "not_accepted", "resolved_on_site", "closed", "visited", "resupervised_cases",
          "resupervisions")
DAY_BUCKETS = {"by_channel": _by_channel, "by_matter": _by_matter, "by_reason": _by_reason, "by_center": _by_center,
               "by_lead_unit": _by_lead_unit}
BUCKET_PARAMS = {"by_channel": "channel", "by_matter": "matter", "by_reason": "reason", "by_center": "center",
                 "by_lead_unit": "lead_unit"}
NO_MATTER = "未选事项"
DAY_FORMAT = 2  # a summary in another form is redone


def _bucket_labels() -> dict[str, dict[str, str]]:
    """A day keeps only the keys and counts of its buckets; the names are today's (as a count's join gives)."""
    units = dict(Unit.objects.values_list("code", "name"))
    return {
        "by_channel": {str(k): str(v) for k, v in Channel.choices},
        "by_matter": {**dict(Matter.objects.values_list("code", "name")), "": NO_MATTER},
        "by_reason": {r.value: str(r.label) for r in Reason},
        "by_center": units,
        "by_lead_unit": units,
    }


def day_summary(day: date, now: datetime) -> dict[str, Any]:
    """The figures of the cases received on `day`, as of `now`, in a form that adds up (JSON)."""
    lo, hi = Period(day, day).bounds
    cases = Case.objects.filter(received_at__gte=lo, received_at__lt=hi)
    figures = Figures(public_scope(), Period(day, day), now)
    _totals(figures, cases)
    if not figures.registered:
        return {}
    return {
        "format": DAY_FORMAT,
        "totals": {name: getattr(figures, name) for name in TOTALS},
        "on_time": {o.kind: [o.on_time, o.late] for o in _on_time(cases, now)},
        "ratings": _ratings(cases),
        "closed_on": {p["day_out"].isoformat(): p["n"] for p in _closed_pairs(cases)},
        "buckets": {name: {b.key: b.count for b in count(cases)} for name, count in DAY_BUCKETS.items()},
        "lights": {b.key: b.count for b in _open_by_light(cases, now)},
    }


def refresh_days(start: date, end: date, now: datetime) -> dict[date, dict[str, Any]]:
    """The days' summaries from `start` to `end`, those out of date for `now` redone first."""
    from banchengshi.reports.models import DayFigures, StaleDay

    kept = {row.day: row for row in DayFigures.objects.filter(day__gte=start, day__lte=end)}
    redo = set(StaleDay.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True))
    redo |= {day for day, row in kept.items() if row.computed_at > now or (row.data and row.data.get("format") != DAY_FORMAT)}
    if kept:
        since = min(min(row.computed_at for row in kept.values()), now)
        lo, hi = Period(start, end).bounds
        turned = (Clock.objects.filter(RUNNING, paused_at__isnull=True, case__received_at__gte=lo, case__received_at__lt=hi)
                  .filter(Q(warn_at__gt=since, warn_at__lte=now) | Q(due_at__gte=since, due_at__lt=now))
                  .values_list(TruncDate("case__received_at", tzinfo=SHANGHAI), "warn_at", "due_at"))
        for day, warn_at, due_at in turned:
            row = kept.get(day)
            if row is not None and (row.computed_at < warn_at <= now or row.computed_at <= due_at < now):
                redo.add(day)
    for day in sorted(redo):
        # The mark goes first (a change made while the day is summarised marks it again), and with the new
        # summary in one transaction: a day is never left unmarked without its summary.
        with transaction.atomic():
            StaleDay.objects.filter(day=day).delete()
            kept[day] = DayFigures(day=day, computed_at=now, data=day_summary(day, now))
            DayFigures.objects.bulk_create([kept[day]], update_conflicts=True, unique_fields=["day"],
                                           update_fields=["computed_at", "data"])
    return {day: row.data for day, row in kept.items()}


def _from_days(scope: Scope, period: Period, now: datetime, calendar: WorkCalendar) -> Figures:
    figures = Figures(scope, period, now)
    totals: dict[str, int] = dict.fromkeys(TOTALS, 0)
    on_time: dict[str, list[int]] = {kind.value: [0, 0] for kind in ClockKind}
    ratings = {str(int(r)): 0 for r in Rating}
    pairs: list[dict[str, Any]] = []
    buckets: dict[str, dict[str, int]] = {name: {} for name in DAY_BUCKETS}
    lights = dict.fromkeys((light for light, _label in LIGHTS), 0)
    months: dict[date, int] = {}
    for day, data in sorted(refresh_days(period.start, period.end, now).items()):
        if not data:
            continue
        for name, n in data["totals"].items():
            totals[name] += n
        for kind, (met, missed) in data["on_time"].items():
            on_time[kind][0] += met
            on_time[kind][1] += missed
        for rating, n in data["ratings"].items():
            ratings[rating] += n
        pairs += [{"day_in": day, "day_out": date.fromisoformat(out), "n": n} for out, n in data["closed_on"].items()]
        for name, counts in data["buckets"].items():
            merged = buckets[name]
            for key, n in counts.items():
                merged[key] = merged.get(key, 0) + n
        for light, n in data["lights"].items():
            lights[light] += n
        month = day.replace(day=1)
        months[month] = months.get(month, 0) + data["totals"]["registered"]
    for name, n in totals.items():
        setattr(figures, name, n)
    figures.on_time = [OnTime(kind.value, str(kind.label), *on_time[kind.value]) for kind in ClockKind]
    figures.ratings = ratings
    figures.handling_days_avg, figures.handling_days_p90 = _handling_days(pairs, calendar)
    labels = _bucket_labels()
    for name, counts in buckets.items():
        # As counted over the period: by count, then key; the cases with no matter last.
        named = sorted((Bucket(key, labels[name].get(key, key), n, {BUCKET_PARAMS[name]: key}) for key, n in counts.items() if key),
                       key=lambda b: (-b.count, b.key))
        if counts.get(""):
            named.append(Bucket("", NO_MATTER, counts[""], {"no_matter": "true"}))
        setattr(figures, name, named)
    figures.by_month = _month_buckets(sorted(months.items()), period)
    figures.open_by_light = [Bucket(light, label, lights[light], {"light": light}) for light, label in LIGHTS]
    return figures


def working_days_between(calendar: WorkCalendar, received: date, closed: date) -> int:
    """One pair, as `_handling_days` counts it (for callers and tests that need a single value)."""
    return int(working_day_counter(calendar, received, max(closed, received))(received, closed))


__all__ = ["BREAKDOWNS", "Bucket", "Figures", "OnTime", "Period", "Scope", "compute", "public_scope", "scope_for"]
