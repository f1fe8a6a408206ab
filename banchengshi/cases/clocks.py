"""Starting, pausing and stopping a case's clocks by the one table of clock rules (sla.clock_rules).
Called from actions, inside their transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db.models import QuerySet

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.choices import Complexity, WorkOrderStatus
from banchengshi.cases.models import Case, Clock, WorkOrder
from banchengshi.sla import deadlines
from banchengshi.sla.calendar import WorkCalendar
from banchengshi.sla.choices import ClockEvent
from banchengshi.sla.clock_rules import RULE_FOR, RULES, TERMINAL, ClockRule
from banchengshi.sla.models import Policy
from banchengshi.sla.services import effective_policy, hours_of, load_calendar


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


def _schedule(clock: Clock, calendar: WorkCalendar, case: Case) -> None:
    hours = hours_of(case.center)
    policy = effective_policy(case.center)
    base = deadlines.add_working_days(clock.started_at, clock.working_days, calendar, hours)
    clock.due_at = deadlines.add_business_seconds(base, clock.paused_seconds, calendar, hours)
    clock.warn_at = deadlines.warning_time(clock.started_at, clock.due_at, policy.warn_hours)
    start_day = clock.started_at.astimezone(hours.tz).date()
    clock.calendar_fallback = bool(calendar.missing_years(start_day, clock.due_at.astimezone(hours.tz).date()))


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


def recompute_open_clocks(cases: Iterable[Case], *, reason: str, actor: User | None = None) -> int:
    """Reschedule every running clock of `cases` (after a calendar or policy change); log each move."""
    calendar = load_calendar()
    moved = 0
    for case in cases:
        policy = effective_policy(case.center)
        for clock in case.clocks.select_for_update().filter(stopped_at__isnull=True):
            before = (clock.due_at, clock.warn_at)
            days = None if RULE_FOR[clock.kind].chosen_days else days_for(clock.kind, case, policy)
            clock.working_days = clock.working_days if days is None else days
            _schedule(clock, calendar, case)
            if (clock.due_at, clock.warn_at) == before:
                continue
            clock.save(update_fields=["working_days", "due_at", "warn_at", "calendar_fallback"])
            moved += 1
            record_event(
                "clock_recomputed",
                actor=actor,
                case=case,
                reason=reason,
                clock=clock.kind,
                due_before=before[0],
                due_after=clock.due_at,
            )
    return moved


def clock_light(clock: Clock, now: datetime) -> str:
    """Frozen at the moment the clock stopped or was paused; otherwise as of `now`."""
    moment = clock.stopped_at or clock.paused_at or now
    return deadlines.light(moment, clock.due_at, clock.warn_at)
