from __future__ import annotations

from datetime import datetime
from typing import Any

from banchengshi.audit.events import record_event
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.cases.transitions import ensure_transition


class ActionError(Exception):
    """A business rule refused the action; `status` is the HTTP status the API answers with."""

    status = 409

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InvalidInput(ActionError):
    status = 422


def lock_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("center", "center__parent", "matter", "locality").get(pk=case.pk)


def lock_order(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("unit", "case").get(pk=order.pk)


def move(
    case: Case, transition: str, *, actor: Any, action: str, at: datetime, fields: tuple[str, ...] = (), **data: Any
) -> None:
    """Change the status by the named transition, save the named fields, log the event `action`."""
    target = ensure_transition(case.status, transition)
    before = case.status
    case.status = target
    case.save(update_fields=["status", "updated_at", *fields])
    record_event(action, actor=actor, case=case, before=before, after=target, at=at, **data)


def require_text(value: str, label: str, *, limit: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"请填写{label}")
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}字")
    return value
