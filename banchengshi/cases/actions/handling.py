"""What the unit holding a work order does: receive, contact, note, pause, reply."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.actions.base import (
    ActionError,
    lock_case,
    lock_order,
    move,
    move_order,
    optional_text,
    require_text,
    submit_for_review_when_done,
)
from banchengshi.cases.choices import CaseStatus, WorkOrderRole
from banchengshi.cases.clocks import on_event, pause_clocks, resume_clocks
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.sla.choices import ClockEvent


@transaction.atomic
def do_receive_work_order(order: WorkOrder, *, acting_user: User, note: str = "") -> WorkOrder:
    note = optional_text(note, "接单说明")
    order = lock_order(order, "receive")
    case = lock_case(order.case)
    now = timezone.now()
    order.received_at = now
    move_order(order, "receive", fields=("received_at",))
    if case.status in (CaseStatus.DISPATCHED, CaseStatus.RESUPERVISED):
        move(case, "receive", actor=acting_user, action="work_order_received", at=now,
             unit=order.unit.name, note=note.strip())
    else:
        record_event("work_order_received", actor=acting_user, case=case, work_order=order, unit=order.unit.name, note=note.strip())
    return order


@transaction.atomic
def do_contact_reporter(order: WorkOrder, *, acting_user: User, note: str) -> WorkOrder:
    order = lock_order(order, "contact")
    note = require_text(note, "联系情况")
    case = lock_case(order.case)
    now = timezone.now()
    if order.contacted_at is None:
        order.contacted_at = now
        order.save(update_fields=["contacted_at"])
    on_event(case, ClockEvent.CONTACTED, now, work_order=order)
    record_event("reporter_contacted", actor=acting_user, case=case, work_order=order, note=note)
    return order


@transaction.atomic
def do_add_note(order: WorkOrder, *, acting_user: User, note: str = "", verification: str = "", opinion: str = "") -> WorkOrder:
    """A handling note, and the Ankang 工单's 核实情况 and 处理意见 when given."""
    note, verification, opinion = (optional_text(note, "办理记录"), optional_text(verification, "核实情况"),
                                   optional_text(opinion, "处理意见"))
    order = lock_order(order, "note")
    if not (note.strip() or verification.strip() or opinion.strip()):
        raise ActionError("请填写办理记录、核实情况或处理意见")
    fields = []
    if verification.strip():
        order.verification = verification.strip()
        fields.append("verification")
    if opinion.strip():
        order.opinion = opinion.strip()
        fields.append("opinion")
    if fields:
        order.save(update_fields=fields)
    record_event("note_added", actor=acting_user, case=order.case, work_order=order, note=note.strip(),
                 verification=verification.strip(), opinion=opinion.strip())
    return order


@transaction.atomic
def do_pause_case(case: Case, *, acting_user: User, reason: str) -> Case:
    """Stop the clocks while waiting on the reporter (e.g. for materials)."""
    case = lock_case(case, "pause")
    now = timezone.now()
    reason = require_text(reason, "暂停原因")
    move(case, "pause", actor=acting_user, action="paused", at=now, reason=reason)
    pause_clocks(case, now)
    return case


@transaction.atomic
def do_resume_case(case: Case, *, acting_user: User) -> Case:
    case = lock_case(case, "resume")
    now = timezone.now()
    move(case, "resume", actor=acting_user, action="resumed", at=now)
    resume_clocks(case, now)
    return case


@transaction.atomic
def do_reply_work_order(order: WorkOrder, *, acting_user: User, result: str) -> WorkOrder:
    """The unit's result. The lead's reply is the case's; once every order has replied, review begins."""
    order = lock_order(order, "reply")
    result = require_text(result, "办理结果")
    lead = order.role == WorkOrderRole.LEAD
    case = lock_case(order.case, "reply" if lead else None)
    now = timezone.now()
    order.result = result
    order.replied_at = now
    move_order(order, "reply", fields=("result", "replied_at"))
    if lead:
        case.result = order.result
        case.replied_at = now
        move(case, "reply", actor=acting_user, action="replied", at=now,
             fields=("result", "replied_at"), unit=order.unit.name, result=order.result)
        on_event(case, ClockEvent.REPLIED, now, work_order=order)
    else:
        record_event("assisting_replied", actor=acting_user, case=case, work_order=order, unit=order.unit.name, result=order.result)
        on_event(case, ClockEvent.ASSISTING_REPLIED, now, work_order=order)
    submit_for_review_when_done(case, acting_user)
    return order
