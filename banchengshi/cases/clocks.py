"""Starting, pausing and stopping a case's clocks by the one table of clock rules (sla.clock_rules).
Called from actions, inside their transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from banchengshi.accounts.models import Unit, User
from banchengshi.audit.events import record_events
from banchengshi.cases.choices import OPEN_WORK_ORDER, Complexity, WorkOrderStatus
from banchengshi.cases.models import Case, Clock, WorkOrder
from banchengshi.sla import deadlines
from banchengshi.sla.calendar import WorkCalendar
from banchengshi.sla.choices import ClockEvent
from banchengshi.sla.clock_rules import RULE_FOR, RULES, TERMINAL, ClockRule
from banchengshi.sla.deadlines import BusinessHours
from banchengshi.sla.models import Policy
from banchengshi.sla.services import default_policy, effective_policy, hours_of, load_calendar


def days_for(kind: str, case: Case, policy: Policy) -> int | None:
    """The policy's limit for a clock of `kind` on `case`; None where the policy sets none."""
    return policy.limit_days(RULE_FOR[kind].limit, case.handling_type, case.complexity)


def _involves_several_units(case: Case) -> bool:
    live = case.work_orders.exclude(status__in=[WorkOrderStatus.RETURNED, WorkOrderStatus.WITHDRAWN])
    return live.values("unit").distinct().count() > 1


# The named conditions of the clock rules (sla.clock_rules.ClockRule.when).
CONDITIONS: dict[str, Callable[[Case], bool]] = {
    "complex_or_multi_department": lambda case: case.complexity == Complexity.COMPLEX or _involves_several_units(case),
}


def scheduled(
    started_at: datetime, working_days: int, paused_seconds: int, calendar: WorkCalendar, hours: BusinessHours,
    warn_hours: int,
) -> tuple[datetime, datetime, bool]:
    """A clock's limit, warning time and whether the calendar fell back to Monday-Friday: the one computation
    behind every clock, started, resumed or moved by a calendar or policy change."""
    due_at = deadlines.add_working_days(started_at, working_days, calendar, hours)  # in the center's time zone
    if paused_seconds:
        due_at = deadlines.add_business_seconds(due_at, paused_seconds, calendar, hours)
    warn_at = deadlines.warning_time(started_at, due_at, warn_hours)
    first, last = started_at.astimezone(hours.tz).year, due_at.year
    fallback = first not in calendar.loaded_years if first == last else bool(calendar.missing_years(
        started_at.astimezone(hours.tz).date(), due_at.date()))
    return due_at, warn_at, fallback


def _schedule(clock: Clock, calendar: WorkCalendar, case: Case) -> None:
    clock.due_at, clock.warn_at, clock.calendar_fallback = scheduled(
        clock.started_at, clock.working_days, clock.paused_seconds, calendar, hours_of(case.center),
        effective_policy(case.center).warn_hours,
    )


def refresh_next_due(case_ids: Collection[int]) -> None:
    """Store each case's soonest running limit (`Case.next_due_at`, and its copy on the case's open work orders,
    which a unit's queue walks) after its clocks changed: two UPDATEs, one probe of the open clocks' partial
    index per case."""
    soonest = Clock.objects.filter(case=OuterRef("pk"), stopped_at__isnull=True).order_by("due_at").values("due_at")[:1]
    ids = list(case_ids)
    Case.objects.filter(pk__in=ids).update(next_due_at=Subquery(soonest))
    WorkOrder.objects.filter(case_id__in=ids, status__in=OPEN_WORK_ORDER).update(
        next_due_at=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("next_due_at")[:1]))


def _refresh_case(case: Case) -> None:
    """`refresh_next_due` for the case in hand, which learns the value too (a later save keeps it)."""
    soonest = case.clocks.filter(stopped_at__isnull=True).order_by("due_at").values_list("due_at", flat=True).first()
    if soonest != case.next_due_at:
        Case.objects.filter(pk=case.pk).update(next_due_at=soonest)
        WorkOrder.objects.filter(case_id=case.pk, status__in=OPEN_WORK_ORDER).update(next_due_at=soonest)
        case.next_due_at = soonest


def _start(
    case: Case, rule: ClockRule, at: datetime, working_days: int, calendar: WorkCalendar, work_order: WorkOrder | None
) -> Clock:
    clock = Clock(case=case, work_order=work_order, kind=rule.kind, working_days=working_days, started_at=at)
    _schedule(clock, calendar, case)
    clock.save()
    return clock


def _end(clocks: QuerySet[Clock], case: Case, at: datetime, event: str, *, cancelled: bool) -> int:
    # A clock ended while paused first gets its paused time added back; the others stay paused.
    resume_clocks(case, at, only=clocks)
    return clocks.update(stopped_at=at, ended_by=event, cancelled=cancelled)


def _may_start(case: Case, rule: ClockRule, event: str, policy: Policy, work_order: WorkOrder | None) -> bool:
    if event not in rule.starts:
        return False
    if rule.start_choice and getattr(policy, rule.start_choice) != event:
        return False
    if rule.when and not CONDITIONS[rule.when](case):
        return False
    earlier = case.clocks.filter(kind=rule.kind)
    if rule.per_order:
        earlier = earlier.filter(work_order=work_order)
    if rule.repeats:
        return not earlier.filter(stopped_at__isnull=True).exists()
    return not earlier.filter(cancelled=False).exists()


def on_event(
    case: Case, event: ClockEvent, at: datetime, *, work_order: WorkOrder | None = None, days: int | None = None
) -> None:
    """Complete, cancel, reopen and start the case's clocks as `sla.clock_rules` says for `event`.
    `work_order` is the lead order the event concerns (for per-order clocks); `days` the working days
    chosen for a clock whose rule lets them be chosen. Called by actions, inside their transaction."""
    policy = effective_policy(case.center)
    calendar: WorkCalendar | None = None
    for rule in RULES:
        mine = case.clocks.filter(kind=rule.kind)
        if rule.per_order and work_order is not None:
            mine = mine.filter(work_order=work_order)
        running = mine.filter(stopped_at__isnull=True)
        if event in rule.completes:
            _end(running, case, at, event, cancelled=False)
        if event in rule.cancels:
            _end(running, case, at, event, cancelled=True)
        if event in rule.reopens and case.replied_at is not None:
            # Reopen what the reply under review had completed.
            mine.filter(ended_by=ClockEvent.REPLIED, stopped_at=case.replied_at).update(stopped_at=None, ended_by="")
        if _may_start(case, rule, event, policy, work_order):
            limit = days if rule.chosen_days and days is not None else days_for(rule.kind, case, policy)
            if limit is None:
                continue
            start = (getattr(case, rule.counts_from) if rule.counts_from else None) or at
            calendar = calendar or load_calendar()
            _start(case, rule, start, limit, calendar, work_order if rule.per_order else None)
    if event in TERMINAL:
        _end(case.clocks.filter(stopped_at__isnull=True), case, at, event, cancelled=True)
    _refresh_case(case)


def pause_clocks(case: Case, at: datetime) -> int:
    return case.clocks.filter(stopped_at__isnull=True, paused_at__isnull=True).update(paused_at=at)


def resume_clocks(case: Case, at: datetime, *, only: QuerySet[Clock] | None = None) -> None:
    """Push each paused clock's limit (of `only`, else of the case) by the business time it spent paused."""
    clocks = case.clocks.all() if only is None else only
    paused = list(clocks.select_for_update().filter(stopped_at__isnull=True, paused_at__isnull=False))
    if not paused:
        return
    calendar = load_calendar()
    hours = hours_of(case.center)
    for clock in paused:
        assert clock.paused_at is not None
        clock.paused_seconds += deadlines.business_seconds_between(clock.paused_at, at, calendar, hours)
        clock.paused_at = None
        _schedule(clock, calendar, case)
        clock.save(update_fields=["paused_seconds", "paused_at", "due_at", "warn_at", "calendar_fallback"])
    _refresh_case(case)


RECOMPUTE_BATCH = 2000
_MOVED_FIELDS = ["working_days", "due_at", "warn_at", "calendar_fallback"]


def center_rules() -> dict[int, tuple[Policy, BusinessHours]]:
    """Every unit's effective policy and hours, read once (the units are few; their parents are linked in
    memory, so walking up to a policy asks the database nothing)."""
    units = {u.pk: u for u in Unit.objects.select_related("policy")}
    for unit in units.values():
        if unit.parent_id is not None and unit.parent_id in units:
            unit.parent = units[unit.parent_id]
    default = default_policy()
    return {pk: (effective_policy(unit, default), hours_of(unit)) for pk, unit in units.items()}


def recompute_open_clocks(
    clocks: QuerySet[Clock], *, reason: str, actor: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Reschedule the running clocks among `clocks` (after a calendar, policy or unit change), in batches
    of RECOMPUTE_BATCH, each in its own transaction with its rows locked: a batch reads only the fields the
    computation needs, writes the clocks that moved with one UPDATE, and puts each move on its case's
    timeline (`clock_recomputed`, sealed into the audit chain in one go). `progress(done, moved)` after each
    batch. Each batch reads the calendar and the policies afresh, so two changes in quick succession end with
    the later one's limits whichever finishes last. Returns how many clocks moved."""
    fields = ("pk", "kind", "working_days", "started_at", "paused_seconds", "due_at", "warn_at",
              "case_id", "case__center_id", "case__handling_type", "case__complexity")
    running = clocks.filter(stopped_at__isnull=True)
    done = moved = 0
    after = 0
    while True:
        with transaction.atomic():
            calendar, rules = load_calendar(), center_rules()
            rows = list(running.filter(pk__gt=after).order_by("pk").select_for_update(of=("self",))
                        .values_list(*fields)[:RECOMPUTE_BATCH])
            if not rows:
                break
            changed: list[Clock] = []
            timeline: list[dict[str, Any]] = []
            for pk, kind, days, started_at, paused, due_at, warn_at, case_id, center_id, handling, complexity in rows:
                policy, hours = rules[center_id]
                limit = None if RULE_FOR[kind].chosen_days else policy.limit_days(RULE_FOR[kind].limit, handling, complexity)
                days = days if limit is None else limit
                new_due, new_warn, fallback = scheduled(started_at, days, paused, calendar, hours, policy.warn_hours)
                if (new_due, new_warn) == (due_at, warn_at):
                    continue
                changed.append(Clock(pk=pk, working_days=days, due_at=new_due, warn_at=new_warn, calendar_fallback=fallback))
                timeline.append({"case_id": case_id, "reason": reason, "clock": kind, "due_before": due_at,
                                 "due_after": new_due})
            Clock.objects.bulk_update(changed, _MOVED_FIELDS, batch_size=500)
            refresh_next_due({row["case_id"] for row in timeline})
            record_events("clock_recomputed", timeline, actor=actor)
        after = rows[-1][0]
        done += len(rows)
        moved += len(changed)
        if progress is not None:
            progress(done, moved)
    return moved


def clock_light(clock: Clock, now: datetime) -> str:
    """Frozen at the moment the clock stopped or was paused; otherwise as of `now`."""
    moment = clock.stopped_at or clock.paused_at or now
    return deadlines.light(moment, clock.due_at, clock.warn_at)
