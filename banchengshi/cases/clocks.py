"""Starting, pausing and stopping a case's clocks. Called from actions, inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from banchengshi.audit.events import record_event
from banchengshi.cases.choices import ClockKind
from banchengshi.cases.models import Case, Clock, WorkOrder
from banchengshi.sla import deadlines
from banchengshi.sla.calendar import WorkCalendar
from banchengshi.sla.models import Policy
from banchengshi.sla.services import effective_policy, hours_of, load_calendar


def days_for(kind: str, case: Case, policy: Policy) -> int | None:
    """The policy's limit for a clock of `kind` on `case`; None where the policy sets none."""
    if kind == ClockKind.RESOLUTION:
        return policy.resolution_days(case.handling_type, case.complexity)
    field = {
        ClockKind.FORWARD: "forward_days",
        ClockKind.ACCEPTANCE_REPLY: "reject_reply_days",
        ClockKind.FIRST_CONTACT: "contact_days",
        ClockKind.FIRST_FEEDBACK: "first_feedback_days",
        ClockKind.RECTIFICATION: "rectification_days",
    }[ClockKind(kind)]
    days: int | None = getattr(policy, field)
    return days


def _schedule(clock: Clock, calendar: WorkCalendar, case: Case) -> None:
    hours = hours_of(case.center)
    policy = effective_policy(case.center)
    base = deadlines.add_working_days(clock.started_at, clock.working_days, calendar, hours)
    clock.due_at = deadlines.add_business_seconds(base, clock.paused_seconds, calendar, hours)
    clock.warn_at = deadlines.warning_time(clock.started_at, clock.due_at, policy.warn_hours)
    start_day = clock.started_at.astimezone(hours.tz).date()
    clock.calendar_fallback = bool(calendar.missing_years(start_day, clock.due_at.astimezone(hours.tz).date()))


def start_clock(
    case: Case,
    kind: ClockKind,
    at: datetime,
    *,
    work_order: WorkOrder | None = None,
    calendar: WorkCalendar | None = None,
) -> Clock | None:
    """Start a clock with the limit the case's policy sets; a policy that sets none starts none."""
    working_days = days_for(kind, case, effective_policy(case.center))
    if working_days is None:
        return None
    clock = Clock(case=case, work_order=work_order, kind=kind, working_days=working_days, started_at=at)
    _schedule(clock, calendar or load_calendar(), case)
    clock.save()
    return clock


def stop_clocks(case: Case, at: datetime, kinds: Iterable[ClockKind] | None = None, *, work_order: WorkOrder | None = None) -> int:
    running = case.clocks.filter(stopped_at__isnull=True)
    if kinds is not None:
        running = running.filter(kind__in=list(kinds))
    if work_order is not None:
        running = running.filter(work_order=work_order)
    # A clock stopped while paused first gets its paused time added back; the others stay paused.
    resume_clocks(case, at, only=running)
    return running.update(stopped_at=at)


def reopen_clock(case: Case, kinds: Iterable[ClockKind]) -> Clock | None:
    clock = case.clocks.filter(kind__in=list(kinds)).order_by("-started_at", "-id").first()
    if clock is not None and clock.stopped_at is not None:
        clock.stopped_at = None
        clock.save(update_fields=["stopped_at"])
    return clock


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


def recompute_open_clocks(cases: Iterable[Case], *, reason: str, actor: Any = None) -> int:
    """Reschedule every running clock of `cases` (after a calendar or policy change); log each move."""
    calendar = load_calendar()
    moved = 0
    for case in cases:
        policy = effective_policy(case.center)
        for clock in case.clocks.select_for_update().filter(stopped_at__isnull=True):
            before = (clock.due_at, clock.warn_at)
            days = days_for(clock.kind, case, policy)
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
