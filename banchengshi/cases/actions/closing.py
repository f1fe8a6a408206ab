"""Review before closure, closure, return visit and re-supervision."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from banchengshi.audit.events import record_event
from banchengshi.cases.actions.base import ActionError, InvalidInput, lock_case, move, require_text
from banchengshi.cases.choices import CaseStatus, ClockKind, Rating, WorkOrderRole, WorkOrderStatus
from banchengshi.cases.clocks import reopen_clock, start_clock, stop_clocks
from banchengshi.cases.models import Case, Resupervision, Visit, WorkOrder
from banchengshi.sla.deadlines import add_working_days
from banchengshi.sla.services import effective_policy, hours_of, load_calendar
from banchengshi.supervision import actions as supervision_actions
from banchengshi.supervision.choices import NoticeKind

UNSATISFIED = frozenset({Rating.VERY_DISSATISFIED, Rating.DISSATISFIED})


def _lead_reply(case: Case) -> WorkOrder | None:
    return case.work_orders.filter(role=WorkOrderRole.LEAD, status=WorkOrderStatus.REPLIED).order_by("-replied_at").first()


@transaction.atomic
def do_review_case(case: Case, *, acting_user: Any, approve: bool, note: str = "") -> Case:
    """The center head checks the reply before closure; a returned reply goes back to the lead unit."""
    case = lock_case(case)
    now = timezone.now()
    if case.status != CaseStatus.UNDER_REVIEW:
        raise ActionError(f"反映件当前为“{case.get_status_display()}”，没有待审核的答复")
    if approve:
        case.review_approved_at = now
        case.save(update_fields=["review_approved_at", "updated_at"])
        record_event("review_approved", actor=acting_user, case=case, at=now, note=note.strip())
        return case
    note = require_text(note, "退回意见")
    lead = _lead_reply(case)
    if lead is not None:
        lead.status = WorkOrderStatus.RECEIVED
        lead.save(update_fields=["status"])
    case.review_approved_at = None
    move(case, "review_return", actor=acting_user, action="review_returned", at=now,
         fields=("review_approved_at",), note=note, unit=lead.unit.name if lead else "")
    reopen_clock(case, [ClockKind.RESOLUTION, ClockKind.RECTIFICATION])
    return case


@transaction.atomic
def do_close_case(case: Case, *, acting_user: Any, reporter_confirmed: bool = False) -> Case:
    """办结: after an approved review and the reporter's confirmation or no objection within the window."""
    case = lock_case(case)
    now = timezone.now()
    if case.status == CaseStatus.UNDER_REVIEW:
        if case.review_approved_at is None:
            raise ActionError("答复尚未审核通过，不能办结")
        policy = effective_policy(case.center)
        confirmed = reporter_confirmed or case.reporter_confirmed
        if not confirmed and policy.objection_days and case.replied_at is not None:
            window_ends = add_working_days(case.replied_at, policy.objection_days, load_calendar(), hours_of(case.center))
            if now <= window_ends:
                raise ActionError(
                    f"反映人尚未确认，异议期至 {timezone.localtime(window_ends):%Y-%m-%d %H:%M} 届满后方可办结"
                )
        case.reporter_confirmed = confirmed
    case.closed_at = now
    move(case, "close", actor=acting_user, action="closed", at=now,
         fields=("closed_at", "reporter_confirmed"), reporter_confirmed=case.reporter_confirmed)
    stop_clocks(case, now)
    return case


@transaction.atomic
def do_visit_case(case: Case, *, acting_user: Any, rating: int, solved: bool, note: str = "") -> Visit:
    """回访 on the 好差评 scale (5 = 非常满意)."""
    if rating not in Rating.values:
        raise InvalidInput("满意度须为 1（非常不满意）至 5（非常满意）")
    case = lock_case(case)
    now = timezone.now()
    visit = Visit.objects.create(
        case=case, rating=rating, solved=solved, note=note.strip(), visited_by=acting_user, visited_at=now
    )
    move(case, "visit", actor=acting_user, action="visited", at=now,
         rating=rating, rating_label=str(Rating(rating).label), solved=solved, note=visit.note)
    return visit


@transaction.atomic
def do_resupervise_case(case: Case, *, acting_user: Any, reason: str) -> Resupervision:
    """再督办: a new limit for the lead unit and a notice (通报) to it."""
    case = lock_case(case)
    reason = require_text(reason, "再督办原因")
    visit = case.visits.order_by("-visited_at", "-id").first()
    if case.status == CaseStatus.VISITED and visit is not None and visit.rating not in UNSATISFIED and visit.solved:
        raise ActionError("回访满意且问题已解决，无需再督办")
    now = timezone.now()
    lead = _lead_reply(case)
    unit = lead.unit if lead is not None else case.center
    supervision = Resupervision.objects.create(case=case, unit=unit, reason=reason, created_by=acting_user, created_at=now)
    case.resupervision_count += 1
    case.review_approved_at = None
    case.reporter_confirmed = False
    case.closed_at = None
    move(case, "resupervise", actor=acting_user, action="resupervised", at=now,
         fields=("resupervision_count", "review_approved_at", "reporter_confirmed", "closed_at"),
         reason=reason, unit=unit.name)
    order = WorkOrder.objects.create(case=case, unit=unit, role=WorkOrderRole.LEAD, created_by=acting_user, created_at=now)
    # The 通报 is a Notice row the unit signs for; supervision.actions is imported as a module (it imports us).
    supervision_actions.do_issue_notice(
        acting_user=acting_user, unit=unit, case=case, kind=NoticeKind.RESUPERVISION,
        title=f"关于反映件{case.reference}的再督办通报", body=reason,
    )
    start_clock(case, ClockKind.RECTIFICATION, now, work_order=order)
    return supervision
