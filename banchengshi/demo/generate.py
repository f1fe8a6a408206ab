"""Many cases fast, for the figures' tests and the benchmarks: rows written with bulk_create in every
state a case can be in (registered, not accepted, resolved on the spot, dispatched, paused, replied,
closed, visited, re-supervised, merged), with their clocks, work orders and return visits.

Not the actions: those write the timeline and the audit chain one case at a time, which is right for a
case and far too slow for a million. The rows are shaped as the actions leave them (see
cases/actions/ and cases/clocks.py), and the loaded district (`load_district`) must be in place.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Model

from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit
from banchengshi.cases import search
from banchengshi.cases.choices import (
    CaseStatus,
    Channel,
    ClockKind,
    Complexity,
    HandlingType,
    Reason,
    ReporterKind,
    WorkOrderRole,
    WorkOrderStatus,
)
from banchengshi.cases.clocks import refresh_next_due
from banchengshi.cases.models import Case, Clock, Visit, WorkOrder
from banchengshi.demo import texts
from banchengshi.dispatch.models import Matter
from banchengshi.sla.calendar import WorkCalendar
from banchengshi.sla.deadlines import BusinessHours, add_working_days
from banchengshi.sla.services import load_calendar

BATCH = 2000
S = CaseStatus

# (status, weight): how a generated case ends up; the later states pass through the earlier ones.
OUTCOMES: list[tuple[str, int]] = [
    (S.REGISTERED, 4), (S.NOT_ACCEPTED, 8), (S.RESOLVED_ON_SITE, 6), ("on_site_closed", 6), (S.MERGED, 2),
    (S.ACCEPTED, 3), (S.DISPATCHED, 4), (S.IN_PROGRESS, 8), (S.PAUSED, 3), (S.REPLIED, 3), (S.UNDER_REVIEW, 3),
    (S.APPROVED, 3), (S.CLOSED, 14), (S.VISITED, 28), (S.RESUPERVISED, 5),
]
AFTER_ACCEPTANCE = {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.PAUSED, S.REPLIED, S.UNDER_REVIEW, S.APPROVED,
                    S.CLOSED, S.VISITED, S.RESUPERVISED}
REPLIED_OR_LATER = {S.REPLIED, S.UNDER_REVIEW, S.APPROVED, S.CLOSED, S.VISITED}
CLOSED_STATES = {S.CLOSED, S.VISITED}


@dataclass
class _Case:
    case: Case
    outcome: str
    dispatched_at: datetime | None = None


class OrmWriter:
    """Writes each batch with the ORM (bulk_create): any database, every field's own conversion."""

    def cases(self, cases: list[Case], link: Callable[[], list[Case]]) -> None:
        """Store `cases`; `link` (called once they have their ids) sets the merged ones' targets."""
        Case.objects.bulk_create(cases)
        search.index_cases(cases)
        merged = link()
        if merged:
            Case.objects.bulk_update(merged, ["merged_into"])

    def rows(self, model: type[Model], objects: list[Any]) -> None:
        model._default_manager.bulk_create(objects)


class Writer(Protocol):
    def cases(self, cases: list[Case], link: Callable[[], list[Case]]) -> None: ...

    def rows(self, model: type[Model], objects: list[Any]) -> None: ...


def generate_cases(count: int, *, start: datetime, end: datetime, seed: int = 1, prefix: str = "GEN",
                   writer: Writer | None = None, phones: int = 100_000_000, batch_size: int = BATCH,
                   outcomes: list[tuple[str, int]] = OUTCOMES, recent_open: bool = True) -> int:
    """`count` cases received between `start` and `end` (nothing after `end`: it is "now" for the rows),
    spread over the district's centers, matters, channels and reasons. Returns how many were made.

    `writer` stores the rows (the ORM by default; demo.bulk.CopyWriter streams them into PostgreSQL with
    COPY, for a million); `phones`: how many distinct reporter phones the cases share; `outcomes`: (state,
    weight) pairs to draw from (the demo's past quarters take only the finished ones); `recent_open`: the
    cases of the last 20 days before `end` are still being handled (False: they end as drawn)."""
    writer = writer or OrmWriter()
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, no secret
    said = random.Random(seed + 12)  # noqa: S311 -- what reporters say: its own stream (demo/texts.py)
    centers = list(Unit.objects.filter(kind=UnitKind.SERVICE_CENTER, is_active=True))
    departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True))
    matters = list(Matter.objects.filter(is_active=True))
    if not centers or not departments:
        raise LookupError("load the district first (manage.py load_district)")
    calendar = load_calendar()
    hours = BusinessHours()
    states, weights = zip(*outcomes, strict=True)
    span = (end - start).total_seconds()
    made = 0
    for first in range(0, count, batch_size):
        batch: list[_Case] = []
        for i in range(first, min(first + batch_size, count)):
            # In order of receipt, as cases arrive (ids and references follow time): uniform over the span.
            received = start + timedelta(seconds=span * (i + rng.random()) / count)
            outcome = rng.choices(states, weights)[0]
            # A case received in the last days has not had time to get far.
            if recent_open and end - received < timedelta(days=20) and outcome in CLOSED_STATES | {S.RESUPERVISED}:
                outcome = rng.choice([S.IN_PROGRESS, S.REPLIED, S.DISPATCHED])
            case = _new_case(rng, i, prefix, received, outcome, centers, matters, end)
            case.reporter_phone = f"139{i % phones:08d}"
            words = texts.draw(said)
            case.reporter_name, case.description, case.demand = words.name, words.description, words.demand
            case.reporter_organization = words.organization
            if words.organization:
                case.reporter_kind = ReporterKind.ENTERPRISE
            batch.append(_Case(case, outcome))
        with transaction.atomic():
            writer.cases([b.case for b in batch], partial(_merge_targets, batch))
            writer.rows(WorkOrder, _work_orders(rng, batch, departments, end))
            writer.rows(Clock, _clocks(rng, batch, calendar, hours, end))
            refresh_next_due([b.case.pk for b in batch])
            writer.rows(Visit, _visits(rng, batch, end))
        made += len(batch)
    return made


def _later(rng: random.Random, moment: datetime, end: datetime, hours: float) -> datetime:
    """A moment up to `hours` (skewed short) after `moment`, never after `end`."""
    return min(moment + timedelta(hours=rng.expovariate(1 / hours)), end)


def _new_case(rng: random.Random, i: int, prefix: str, received: datetime, outcome: str, centers: list[Unit],
              matters: list[Matter], end: datetime) -> Case:
    reasons = rng.sample([r.value for r in Reason], k=rng.choice([1, 1, 1, 2, 3]))
    status = S.CLOSED if outcome == "on_site_closed" else outcome
    case = Case(
        reference=f"{prefix}{i:09d}", status=status, channel=rng.choice(list(Channel)).value,
        reporter_name="测试", center=rng.choice(centers),
        matter=rng.choice(matters) if matters and rng.random() < 0.85 else None, reasons=reasons,
        reason_other="其他情况" if Reason.OTHER in reasons else "", description=f"生成的反映件 {i}",
        received_at=received, resupervision_count=0,
    )
    if outcome in (S.RESOLVED_ON_SITE, "on_site_closed"):
        case.result = "当场办结"
        case.replied_at = _later(rng, received, end, 1)
        if outcome == "on_site_closed":
            case.closed_at = _later(rng, case.replied_at, end, 72)
    elif outcome == S.NOT_ACCEPTED:
        case.rejection_reason = "不属于受理范围"
    elif outcome in AFTER_ACCEPTANCE:
        case.handling_type = rng.choice(list(HandlingType)).value
        case.complexity = rng.choice(list(Complexity)).value
        case.accepted_at = _later(rng, received, end, 10)
        if outcome in REPLIED_OR_LATER | {S.RESUPERVISED}:
            case.replied_at = _later(rng, case.accepted_at, end, 24 * rng.choice([1, 2, 4, 8]))
            case.result = "已办理"
        if outcome in CLOSED_STATES:
            case.closed_at = _later(rng, case.replied_at or received, end, 48)
        if outcome == S.RESUPERVISED:
            case.resupervision_count = rng.choice([1, 1, 2])
        elif outcome == S.VISITED and rng.random() < 0.08:
            case.resupervision_count = 1  # re-supervised once, then closed again and visited
    return case


def _merge_targets(batch: list[_Case]) -> list[Case]:
    """The merged cases, each pointed at another case of the batch (the cases have their ids)."""
    merged = [b.case for b in batch if b.outcome == S.MERGED]
    others = [b.case for b in batch if b.outcome != S.MERGED]
    for case in merged:
        case.merged_into = others[case.pk % len(others)]
    return merged


def _work_orders(rng: random.Random, batch: list[_Case], departments: list[Unit], end: datetime) -> list[WorkOrder]:
    orders = []
    for b in batch:
        case = b.case
        if b.outcome not in AFTER_ACCEPTANCE - {S.ACCEPTED} or case.accepted_at is None:
            continue
        b.dispatched_at = _later(rng, case.accepted_at, end, 6)
        if rng.random() < 0.1:  # sent back once by a unit, then dispatched again
            returned_at = _later(rng, b.dispatched_at, end, 12)
            orders.append(WorkOrder(case=case, unit=rng.choice(departments), role=WorkOrderRole.LEAD,
                                    status=WorkOrderStatus.RETURNED, created_at=b.dispatched_at, return_reason="不属于本单位"))
            b.dispatched_at = returned_at
        status = WorkOrderStatus.PENDING if b.outcome == S.DISPATCHED else (
            WorkOrderStatus.REPLIED if case.replied_at is not None else WorkOrderStatus.RECEIVED)
        orders.append(WorkOrder(case=case, unit=rng.choice(departments), role=WorkOrderRole.LEAD, status=status,
                                created_at=b.dispatched_at, replied_at=case.replied_at))
        if rng.random() < 0.15:
            orders.append(WorkOrder(case=case, unit=rng.choice(departments), role=WorkOrderRole.ASSISTING,
                                    status=WorkOrderStatus.REPLIED, created_at=b.dispatched_at, replied_at=case.replied_at))
    return orders


_due: dict[tuple[object, ...], datetime] = {}


def _clock(case: Case, kind: str, started: datetime, days: int, calendar: WorkCalendar, hours: BusinessHours) -> Clock:
    # The limit depends on the day of receipt only (and whether it came after hours): computed once a day.
    local = started.astimezone(hours.tz)
    key = (id(calendar), local.date(), local.time() >= hours.closes, days)
    due = _due.get(key)
    if due is None:
        due = _due[key] = add_working_days(started, days, calendar, hours)
    return Clock(case=case, kind=kind, working_days=days, started_at=started, due_at=due,
                 warn_at=max(started, due - timedelta(hours=24)))


def _clocks(rng: random.Random, batch: list[_Case], calendar: WorkCalendar, hours: BusinessHours, end: datetime) -> list[Clock]:
    clocks = []
    for b in batch:
        case = b.case
        answered = case.accepted_at or case.replied_at
        acceptance = _clock(case, ClockKind.ACCEPTANCE_REPLY, case.received_at, 1, calendar, hours)
        if answered is not None:
            acceptance.stopped_at, acceptance.ended_by = answered, "accepted"
        elif case.status in (S.NOT_ACCEPTED, S.MERGED):
            acceptance.stopped_at, acceptance.ended_by = _later(rng, case.received_at, end, 20), "not_accepted"
            acceptance.cancelled = case.status == S.MERGED
        clocks.append(acceptance)
        if case.accepted_at is None:
            continue
        resolution = _clock(case, ClockKind.RESOLUTION, case.accepted_at, rng.choice([0, 3, 5, 10]), calendar, hours)
        if case.replied_at is not None and b.outcome != S.RESUPERVISED:
            resolution.stopped_at, resolution.ended_by = case.replied_at, "replied"
        elif b.outcome == S.PAUSED:
            resolution.paused_at = _later(rng, case.accepted_at, end, 30)
        clocks.append(resolution)
        if b.dispatched_at is not None:
            contact = _clock(case, ClockKind.FIRST_CONTACT, b.dispatched_at, 1, calendar, hours)
            if b.outcome != S.DISPATCHED:
                contact.stopped_at, contact.ended_by = _later(rng, b.dispatched_at, end, 16), "contacted"
            clocks.append(contact)
        if b.outcome == S.RESUPERVISED:
            rectify_from = case.replied_at or case.accepted_at
            clocks.append(_clock(case, ClockKind.RECTIFICATION, _later(rng, rectify_from, end, 48), 5, calendar, hours))
    for clock in clocks:
        _told(clock, end)
    return clocks


def _told(clock: Clock, end: datetime) -> None:
    """As the periodic jobs leave a running clock by `end`: its overdue noted and its light's reminder sent
    (otherwise the first run of the job worker would catch up on every old case at once)."""
    if clock.stopped_at is not None or clock.paused_at is not None:
        return
    if clock.due_at < end:
        clock.overdue_noted_at, clock.reminded = clock.due_at, "red"
    elif clock.warn_at <= end:
        clock.reminded = "yellow"


def _visits(rng: random.Random, batch: list[_Case], end: datetime) -> list[Visit]:
    visits = []
    for b in batch:
        case = b.case
        if b.outcome not in (S.VISITED, S.RESUPERVISED) or case.replied_at is None:
            continue
        at = _later(rng, case.closed_at or case.replied_at, end, 48)
        if b.outcome == S.RESUPERVISED or case.resupervision_count:
            visits.append(Visit(case=case, rating=rng.choice([1, 2]), solved=False, visited_at=at))
            at = min(at + timedelta(days=3), end)
        if b.outcome == S.VISITED:
            rating = rng.choices([1, 2, 3, 4, 5], [3, 4, 10, 35, 48])[0]
            visits.append(Visit(case=case, rating=rating, solved=rating > 2 or rng.random() < 0.5, visited_at=at))
    return visits
