from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.choices import OPEN_WORK_ORDER, CaseStatus
from banchengshi.cases.clocks import on_event
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.cases.outbound import tell_subscribers
from banchengshi.cases.transitions import ensure_order_transition, ensure_transition
from banchengshi.lib.errors import ActionError as ActionError  # re-exported: the actions' refusals
from banchengshi.lib.errors import InvalidInput as InvalidInput
from banchengshi.sla.choices import ClockEvent


def lock_case(case: Case, transition: str | None = None) -> Case:
    """The case's row, locked; with `transition`, refused (InvalidTransition) before anything is written
    when the case may not take it now."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("center", "center__parent", "matter", "locality").get(pk=case.pk)
    if transition is not None:
        ensure_transition(locked.status, transition)
    return locked


def lock_order(order: WorkOrder, transition: str | None = None) -> WorkOrder:
    """The order's row, locked; with `transition`, checked against the work-order table first."""
    locked = WorkOrder.objects.select_for_update(of=("self",)).select_related("unit", "case").get(pk=order.pk)
    if transition is not None:
        ensure_order_transition(locked.status, transition)
    return locked


def move_order(order: WorkOrder, transition: str, *, fields: tuple[str, ...] = ()) -> None:
    """Change the order's status by the named transition and save the named fields."""
    order.status = ensure_order_transition(order.status, transition)
    order.save(update_fields=["status", *fields])


def move(
    case: Case,
    transition: str,
    *,
    actor: User | None,
    action: str,
    at: datetime,
    fields: tuple[str, ...] = (),
    actor_label: str = "",
    **data: Any,
) -> None:
    """Change the status by the named transition, save the named fields, log the event `action`."""
    target = ensure_transition(case.status, transition)
    before = case.status
    case.status = target
    case.save(update_fields=["status", "updated_at", *fields])
    record_event(action, actor=actor, case=case, before=before, after=target, at=at, actor_label=actor_label, **data)
    tell_subscribers(case, action, at, data)


def optional_text(value: str, label: str, *, limit: int = 4000) -> str:
    """A text that may be left empty, within the limit the API's schemas also set (pages send anything)."""
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}字")
    return value


def require_text(value: str, label: str, *, limit: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"请填写{label}")
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}字")
    return value


def submit_for_review_when_done(case: Case, actor: User | None) -> None:
    """A replied case goes to review once no work order on it is still open."""
    if case.status == CaseStatus.REPLIED and not case.work_orders.filter(status__in=OPEN_WORK_ORDER).exists():
        now = timezone.now()
        move(case, "submit_for_review", actor=actor, action="submitted_for_review", at=now)
        on_event(case, ClockEvent.SUBMITTED_FOR_REVIEW, now)
