"""What the reporter does to their own case from the public pages or API: confirm the reply, object to it
within the objection window, rate the closed case (一事一评). The public side proves who they are
(reference and phone suffix) before calling these; staff call the same rules through their own actions."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from banchengshi.cases.actions.base import ActionError, InvalidInput, lock_case, move, require_text
from banchengshi.cases.actions.closing import do_close_case, objection_window_ends, record_visit
from banchengshi.cases.choices import CaseStatus, Rating, VisitSource
from banchengshi.cases.clocks import on_event
from banchengshi.cases.models import Case, Clock, Visit
from banchengshi.sla.choices import ClockEvent, ClockKind

REPORTER = "反映人（本人）"


def objection_open(case: Case, at: datetime | None = None) -> bool:
    """The reply is approved and the reporter's window to object has not ended."""
    ends = objection_window_ends(case)
    return case.status == CaseStatus.APPROVED and ends is not None and (at or timezone.now()) <= ends


@transaction.atomic
def do_reporter_confirm(case: Case) -> Case:
    """The reporter accepts the reply: the case closes on their confirmation."""
    case = lock_case(case, "close")
    return do_close_case(case, acting_user=None, reporter_confirmed=True, actor_label=REPORTER)


@transaction.atomic
def do_reporter_object(case: Case, *, reason: str) -> Case:
    """异议: the reporter disagrees with the approved reply within the window; the case goes back to
    review with their words on the timeline."""
    case = lock_case(case, "object")
    reason = require_text(reason, "异议理由", limit=1000)
    now = timezone.now()
    if not objection_open(case, now):
        raise ActionError("异议期已过，不能再提出异议；如仍有问题，请重新反映或拨打服务电话")
    move(case, "object", actor=None, actor_label=REPORTER, action="reporter_objected", at=now, reason=reason)
    on_event(case, ClockEvent.OBJECTED, now)
    return case


@transaction.atomic
def do_reporter_rate(case: Case, *, rating: int, solved: bool, note: str = "") -> Visit:
    """一事一评: once per closure, on the five levels; an unsatisfied or unsolved rating puts the case in
    the admin office's re-supervision queue, as a staff return visit would."""
    if rating not in Rating.values:
        raise InvalidInput("请选择评价：非常满意、满意、基本满意、不满意或非常不满意")
    case = lock_case(case)
    if case.status != CaseStatus.CLOSED:
        if case.status in (CaseStatus.VISITED, CaseStatus.RESUPERVISED):
            raise ActionError("这次办理已经评价过了，谢谢您")
        raise ActionError("办结后才能评价")
    return record_visit(case, rating=rating, solved=solved, note=note[:1000], given_by=VisitSource.REPORTER,
                        acting_user=None, actor_label=REPORTER)


def close_unanswered() -> list[str]:
    """Close each approved case whose objection window ended without an objection (Songjiang:
    无异议的视为诉求办结). Run by a periodic job; a case closes once, whoever gets there first."""
    now = timezone.now()
    due = Clock.objects.filter(
        kind=ClockKind.OBJECTION, stopped_at__isnull=True, paused_at__isnull=True, due_at__lt=now,
        case__status=CaseStatus.APPROVED,
    ).values_list("case_id", flat=True)
    closed = []
    for case in Case.objects.filter(pk__in=list(due)):
        with transaction.atomic():
            locked = lock_case(case)
            if locked.status != CaseStatus.APPROVED or objection_open(locked, now):
                continue
            do_close_case(locked, acting_user=None)
            closed.append(locked.reference)
    return closed
