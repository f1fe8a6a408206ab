"""Review before closure, closure and return visit (re-supervision is supervision.actions)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.cases.actions.base import (
    ActionError,
    InvalidInput,
    lock_case,
    lock_order,
    move,
    move_order,
    optional_text,
    require_text,
)
from banchengshi.cases.choices import ClosureBasis, Rating, VisitSource, WorkOrderRole, WorkOrderStatus
from banchengshi.cases.clocks import on_event
from banchengshi.cases.models import Case, Visit, WorkOrder
from banchengshi.cases.sms import tell_reply_ready
from banchengshi.sla.choices import ClockEvent
from banchengshi.sla.deadlines import add_working_days
from banchengshi.sla.services import effective_policy, hours_of, load_calendar


def lead_reply(case: Case) -> WorkOrder | None:
    return case.work_orders.filter(role=WorkOrderRole.LEAD, status=WorkOrderStatus.REPLIED).order_by("-replied_at").first()


@transaction.atomic
def do_review_case(case: Case, *, acting_user: User, approve: bool, note: str = "") -> Case:
    """The center head checks the reply before closure; a returned reply goes back to the lead unit."""
    note = optional_text(note, "审核意见")
    case = lock_case(case, "approve" if approve else "review_return")
    now = timezone.now()
    if approve:
        case.review_approved_at = now
        move(case, "approve", actor=acting_user, action="review_approved", at=now,
             fields=("review_approved_at",), note=note.strip())
        on_event(case, ClockEvent.APPROVED, now)
        tell_reply_ready(case, objection_window_ends(case))
        return case
    note = require_text(note, "退回意见")
    lead = lead_reply(case)
    if lead is not None:
        lead = lock_order(lead)
        move_order(lead, "reopen")
    case.review_approved_at = None
    move(case, "review_return", actor=acting_user, action="review_returned", at=now,
         fields=("review_approved_at",), note=note, unit=lead.unit.name if lead else "")
    on_event(case, ClockEvent.REVIEW_RETURNED, now)
    return case


def objection_window_ends(case: Case) -> datetime | None:
    """When the reporter's window to object to the reply closes (None before a reply)."""
    if case.replied_at is None:
        return None
    days = effective_policy(case.center).objection_days
    return add_working_days(case.replied_at, days, load_calendar(), hours_of(case.center))


@transaction.atomic
def do_close_case(
    case: Case, *, acting_user: User | None, reporter_confirmed: bool = False, actor_label: str = ""
) -> Case:
    """办结: after an approved review (or on the spot), on the reporter's confirmation or, failing it,
    once the objection window has passed; the case records which."""
    case = lock_case(case, "close")
    now = timezone.now()
    if reporter_confirmed or case.reporter_confirmed:
        case.reporter_confirmed = True
        case.closure_basis = ClosureBasis.CONFIRMED
    else:
        window_ends = objection_window_ends(case)
        if window_ends is None or now <= window_ends:
            until = f"异议期至 {timezone.localtime(window_ends):%Y-%m-%d %H:%M} 届满" if window_ends else "尚无答复"
            raise ActionError(f"反映人尚未确认办理结果（{until}）：请确认后勾选“反映人已确认办理结果”，或待异议期满后办结")
        case.closure_basis = ClosureBasis.NO_OBJECTION
    case.closed_at = now
    move(case, "close", actor=acting_user, actor_label=actor_label, action="closed", at=now,
         fields=("closed_at", "reporter_confirmed", "closure_basis"), reporter_confirmed=case.reporter_confirmed,
         basis=str(ClosureBasis(case.closure_basis).label))
    on_event(case, ClockEvent.CLOSED, now)
    return case


@transaction.atomic
def do_visit_case(case: Case, *, acting_user: User, rating: int, solved: bool, note: str = "") -> Visit:
    """回访 on the 好差评 scale (5 = 非常满意)."""
    if rating not in Rating.values:
        raise InvalidInput("满意度须为 1（非常不满意）至 5（非常满意）")
    case = lock_case(case, "visit")
    return record_visit(case, rating=rating, solved=solved, note=note, given_by=VisitSource.STAFF, acting_user=acting_user)


def record_visit(
    case: Case, *, rating: int, solved: bool, note: str, given_by: str, acting_user: User | None, actor_label: str = ""
) -> Visit:
    """The one record of a rating, whoever gave it (a staff return visit or the reporter's own): the case
    moves to 已回访, and an unsatisfied or unsolved rating starts the re-supervision clock. `case` is locked."""
    note = optional_text(note, "回访记录")
    now = timezone.now()
    visit = Visit.objects.create(
        case=case, rating=rating, solved=solved, note=note.strip(), given_by=given_by, visited_by=acting_user, visited_at=now
    )
    action = "reporter_rated" if given_by == VisitSource.REPORTER else "visited"
    move(case, "visit", actor=acting_user, actor_label=actor_label, action=action, at=now,
         rating=rating, rating_label=str(Rating(rating).label), solved=solved, note=visit.note)
    if visit.unsatisfied:
        on_event(case, ClockEvent.VISITED_UNSATISFIED, now)
    return visit
