"""堵点分析: where cases fail most in a quarter, against the quarter before, within a figures scope.

A case *fails* in one of four ways (`FAILURES`), each the condition its ledger filter uses:
- not_accepted: 不予受理 (status not_accepted; ledger `status=not_accepted`);
- late: a clock of any kind missed its limit as of now (`clock_late`, as the figures' on-time count;
  ledger `timing=late`);
- unsatisfied: the visit that counts (the latest) rated 1 or 2 (ledger `reached=unsatisfied`);
- resupervised: re-supervised at least once (ledger `reached=resupervised`).

For each failure, the failing cases of the quarter (received in it, as the figures' period) are broken down
by matter, reason, registering center (the window's center) and lead unit with the figures' own groupings
(`figures.BREAKDOWNS`: the database counts, one grouped query each), and the same for the previous quarter;
a row is (grouping, key, failure) with both counts and the change (环比). Every count has the ledger URL
of the cases behind it.

Repeat reporters: the quarter's cases of the scope grouped by the phone's keyed lookup hash (the phone
itself is encrypted and never compared or shown: the page masks it as 138****5678); two or more reports make
a repeat reporter. Text clusters: `reports.clusters` over the quarter's descriptions (bounded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from banchengshi.cases import personal
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import clock_late, reached, with_clock
from banchengshi.dispatch.models import Matter
from banchengshi.lib.errors import InvalidInput
from banchengshi.lib.masking import mask_phones_in
from banchengshi.reports.clusters import MAX_TEXTS, cluster_texts
from banchengshi.reports.figures import BREAKDOWNS, Period, Scope

TOP = 10  # rows per grouping
REPEAT_MIN = 2
REPEAT_LIMIT = 50
CLUSTER_LIMIT = 30
CASES_SHOWN = 20  # cases listed under one repeat reporter or cluster


@dataclass(frozen=True)
class Failure:
    key: str
    label: str
    params: dict[str, str]

    def condition(self, now: datetime) -> Q:
        if self.key == "not_accepted":
            return Q(status=CaseStatus.NOT_ACCEPTED)
        if self.key == "late":
            return with_clock(clock_late(now))
        return reached(self.key)


FAILURES = (
    Failure("not_accepted", "不予受理", {"status": "not_accepted"}),
    Failure("late", "超时", {"timing": "late"}),
    Failure("unsatisfied", "回访不满意", {"reached": "unsatisfied"}),
    Failure("resupervised", "再督办", {"reached": "resupervised"}),
)
DIMENSIONS = {"matter": "事项", "reason": "办不成原因", "center": "登记中心（窗口）", "lead_unit": "主办单位"}


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise InvalidInput("季度须为 1 至 4", field="quarter")
        if not 2000 <= self.year <= 2100:
            raise InvalidInput("年份须在 2000 至 2100 之间", field="year")

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_full(cls, today: date) -> Quarter:
        return cls.of(today).previous

    @property
    def period(self) -> Period:
        first = date(self.year, 3 * self.number - 2, 1)
        after = date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)
        return Period(first, after - timedelta(days=1))

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.number}季度"


class Compared:
    """A count this quarter and the previous one (`count`, `previous`), and the change between them (环比)."""

    count: int
    previous: int

    @property
    def change(self) -> int:
        return self.count - self.previous

    @property
    def change_share(self) -> float | None:
        """The change against the previous quarter (None when it had none: no percentage of zero)."""
        return self.change / self.previous if self.previous else None


@dataclass(frozen=True)
class Row(Compared):
    dimension: str
    key: str
    label: str
    failure: Failure
    count: int
    previous: int
    url: str
    previous_url: str
    unit: str  # the unit a rectification would go to ("" when none is evident)

    @property
    def subject(self) -> str:
        return f"{DIMENSIONS[self.dimension]}“{self.label}”{self.failure.label}"


@dataclass(frozen=True)
class Total(Compared):
    failure: Failure
    count: int
    previous: int
    url: str
    previous_url: str


@dataclass(frozen=True)
class ListedCase:
    reference: str
    received_at: datetime
    status: str
    matter: str
    description: str


@dataclass(frozen=True)
class RepeatReporter:
    name: str  # masked: 张*
    phone: str  # masked: 138****5678
    count: int
    cases: list[ListedCase]


@dataclass(frozen=True)
class TextCluster:
    keywords: list[str]
    size: int
    cases: list[ListedCase]


@dataclass
class Analysis:
    scope: Scope
    quarter: Quarter
    now: datetime
    totals: list[Total] = field(default_factory=list)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    repeat_reporters: list[RepeatReporter] = field(default_factory=list)
    clusters: list[TextCluster] = field(default_factory=list)
    texts: int = 0  # how many texts the clustering read
    texts_capped: bool = False

    def as_api(self) -> dict[str, Any]:
        def change(item: Compared) -> dict[str, Any]:
            share = item.change_share
            return {"count": item.count, "previous": item.previous, "change": item.change,
                    "change_rate": None if share is None else round(share, 4)}

        def listed(c: ListedCase) -> dict[str, Any]:
            return {"reference": c.reference, "received_at": c.received_at, "status": c.status, "matter": c.matter}

        return {
            "year": self.quarter.year,
            "quarter": self.quarter.number,
            "from": self.quarter.period.start,
            "to": self.quarter.period.end,
            "previous_from": self.quarter.previous.period.start,
            "previous_to": self.quarter.previous.period.end,
            "unit": self.scope.unit.code if self.scope.unit is not None else None,
            "totals": [{"failure": t.failure.key, "label": t.failure.label, **change(t)} for t in self.totals],
            "bottlenecks": {
                dim: [{"key": r.key, "label": r.label, "failure": r.failure.key, "failure_label": r.failure.label,
                       **change(r)} for r in rows]
                for dim, rows in self.rows.items()
            },
            "repeat_reporters": [{"reporter": r.name, "phone": r.phone, "count": r.count,
                                  "cases": [listed(c) for c in r.cases]} for r in self.repeat_reporters],
            "clusters": [{"keywords": c.keywords, "size": c.size, "cases": [listed(x) for x in c.cases]}
                         for c in self.clusters],
        }


def _received_in(scope: Scope, period: Period) -> QuerySet[Case]:
    lo, hi = period.bounds
    return scope.cases.filter(received_at__gte=lo, received_at__lt=hi)


def _url(scope: Scope, period: Period, *params: dict[str, str]) -> str:
    merged: dict[str, str] = {**scope.ledger_params, **period.ledger_params}
    for p in params:
        merged.update(p)
    return f"{reverse('ledger')}?{urlencode(merged)}"


def analyse(scope: Scope, quarter: Quarter, now: datetime, *, clusters: bool = True) -> Analysis:
    """The bottlenecks of `scope` in `quarter` against the quarter before, as of `now`."""
    analysis = Analysis(scope, quarter, now)
    this, before = quarter.period, quarter.previous.period
    current, previous = _received_in(scope, this), _received_in(scope, before)
    departments = dict(Matter.objects.values_list("code", "department__code"))
    for failure in FAILURES:
        condition = failure.condition(now)
        failing, failed_before = current.filter(condition), previous.filter(condition)
        analysis.totals.append(Total(failure, failing.count(), failed_before.count(), _url(scope, this, failure.params),
                                     _url(scope, before, failure.params)))
        for dim, breakdown in BREAKDOWNS.items():
            now_buckets = {b.key: b for b in breakdown(failing)}
            then_buckets = {b.key: b for b in breakdown(failed_before)}
            for key in now_buckets.keys() | then_buckets.keys():
                bucket = now_buckets.get(key) or then_buckets[key]
                analysis.rows.setdefault(dim, []).append(Row(
                    dim, key, bucket.label, failure,
                    now_buckets[key].count if key in now_buckets else 0,
                    then_buckets[key].count if key in then_buckets else 0,
                    _url(scope, this, bucket.params, failure.params), _url(scope, before, bucket.params, failure.params),
                    _unit_of(dim, key, scope, departments),
                ))
    order = {f.key: i for i, f in enumerate(FAILURES)}
    for dim in DIMENSIONS:
        rows = analysis.rows.get(dim, [])
        rows.sort(key=lambda r: (-r.count, -r.change, order[r.failure.key], r.key))
        analysis.rows[dim] = [r for r in rows if r.count][:TOP]
    analysis.repeat_reporters = _repeat_reporters(current)
    if clusters:
        _clusters(analysis, current)
    return analysis


def _unit_of(dim: str, key: str, scope: Scope, departments: dict[str, str]) -> str:
    """Who a rectification of the row would be addressed to: the lead unit, the center, the matter's
    department; for a reason, the unit the analysis is narrowed to, if any."""
    if dim in ("lead_unit", "center"):
        return key
    if dim == "matter":
        return departments.get(key, "")
    return scope.unit.code if scope.unit is not None else ""


def _listed(cases: QuerySet[Case]) -> list[ListedCase]:
    rows = cases.select_related("matter").order_by("received_at", "pk")[:CASES_SHOWN]
    return [ListedCase(c.reference, c.received_at, str(CaseStatus(c.status).label), c.matter.name if c.matter else "未选事项",
                       mask_phones_in(c.description[:80])) for c in rows]


def _repeat_reporters(cases: QuerySet[Case]) -> list[RepeatReporter]:
    """Reporters (one phone's lookup hash) with REPEAT_MIN or more reports among `cases`, most first."""
    hashes = (cases.exclude(reporter_phone_hash__isnull=True).exclude(reporter_phone_hash="")
              .values("reporter_phone_hash").annotate(n=Count("pk")).filter(n__gte=REPEAT_MIN)
              .order_by("-n", "reporter_phone_hash")[:REPEAT_LIMIT])
    result = []
    for row in hashes:
        theirs = cases.filter(reporter_phone_hash=row["reporter_phone_hash"])
        first = theirs.order_by("received_at", "pk").first()
        assert first is not None
        shown = personal.masked(first)
        result.append(RepeatReporter(shown.name, shown.phone, row["n"], _listed(theirs)))
    return result


def _clusters(analysis: Analysis, cases: QuerySet[Case]) -> None:
    rows = list(cases.order_by("received_at", "pk").values_list("pk", "description")[: MAX_TEXTS + 1])
    analysis.texts_capped = len(rows) > MAX_TEXTS
    rows = rows[:MAX_TEXTS]
    analysis.texts = len(rows)
    found = cluster_texts([text for _, text in rows])[:CLUSTER_LIMIT]
    for cluster in found:
        ids = [rows[i][0] for i in cluster.members]
        analysis.clusters.append(TextCluster(cluster.keywords, cluster.size, _listed(Case.objects.filter(pk__in=ids))))
