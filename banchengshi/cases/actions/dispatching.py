"""Dispatch to a lead unit and assisting units; returns, dispatch down and co-handling requests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from banchengshi.accounts.access import subtree_ids
from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit, User
from banchengshi.audit.events import record_event
from banchengshi.cases.actions.base import (
    ActionError,
    InvalidInput,
    lock_case,
    lock_order,
    move,
    move_order,
    optional_text,
    require_text,
    submit_for_review_when_done,
)
from banchengshi.cases.choices import OPEN_WORK_ORDER, WorkOrderRole, WorkOrderStatus
from banchengshi.cases.clocks import on_event
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.dispatch.models import PastDispatch
from banchengshi.dispatch.routing import MODEL, Suggestion, case_text, route_case
from banchengshi.dispatch.tasks import schedule_retrain
from banchengshi.sla.choices import ClockEvent
from banchengshi.sla.services import effective_policy

HANDLING_UNITS = frozenset({UnitKind.DEPARTMENT, UnitKind.SERVICE_CENTER})


def _check_handling_unit(unit: Unit) -> None:
    if unit.kind not in HANDLING_UNITS or not unit.is_active:
        raise InvalidInput(f"“{unit.name}”不能承办工单")


def _open_order(case: Case, unit: Unit, role: str, actor: User | None, *, parent: WorkOrder | None = None) -> WorkOrder:
    order = WorkOrder.objects.create(
        case=case, unit=unit, role=role, parent=parent, created_by=actor, created_at=timezone.now(),
        next_due_at=case.next_due_at,
    )
    record_event("work_order_created", actor=actor, case=case, work_order=order, unit=unit.name, role=role)
    arrived = ClockEvent.DISPATCHED if role == WorkOrderRole.LEAD else ClockEvent.ASSISTANCE_ORDERED
    on_event(case, arrived, order.created_at, work_order=order)
    return order


def _confident_guess(case: Case, suggestions: Sequence[Suggestion]) -> Suggestion | None:
    """The model's best suggestion when it is sure enough (the policy's threshold) to dispatch without a
    person: never the catalog's keyword fallback, never once an order came back (the dispatcher, who has
    the return's reason, chooses), only a unit that may handle cases."""
    best = suggestions[0] if suggestions else None
    if best is None or best.source != MODEL:
        return None
    if best.confidence < effective_policy(case.center).auto_dispatch_threshold:
        return None
    if case.work_orders.filter(status=WorkOrderStatus.RETURNED).exists():
        return None
    if best.unit.kind not in HANDLING_UNITS or not best.unit.is_active:
        return None
    return best


@transaction.atomic
def do_dispatch_case(
    case: Case, *, acting_user: User, lead_unit: Unit | None = None, assisting_units: Sequence[Unit] = ()
) -> Case:
    """Dispatch to `lead_unit`, or by the catalog's rules, else by the routing model when its best guess
    reaches the policy's threshold; what neither places waits for a dispatcher, with the suggestions."""
    case = lock_case(case, "dispatch")
    if lead_unit is None and assisting_units:
        raise InvalidInput("指定协办单位时请同时指定主办单位")
    now = timezone.now()
    rule = "人工派单"
    if lead_unit is None:
        route = route_case(case)
        lead_unit, rule = route.lead, route.rule
        if lead_unit is None:
            guess = _confident_guess(case, route.suggestions)
            if guess is None:
                case.awaiting_manual_dispatch = True
                case.save(update_fields=["awaiting_manual_dispatch", "updated_at"])
                record_event(
                    "queued_for_manual_dispatch",
                    actor=acting_user,
                    case=case,
                    at=now,
                    rule=route.rule,
                    suggestions=[{"unit": s.unit.code, "confidence": round(s.confidence, 3), "words": s.reasons}
                                 for s in route.suggestions],
                )
                return case
            lead_unit = guess.unit
            rule = (f"智能派单：模型推荐{guess.unit.name}（置信度 {guess.confidence:.2f}，"
                    f"依据：{'、'.join(guess.reasons) or '—'}）")
            record_event("auto_dispatched", actor=acting_user, case=case, at=now, unit=guess.unit.name,
                         matter=guess.matter.name if guess.matter else "", confidence=round(guess.confidence, 3),
                         words=guess.reasons, threshold=effective_policy(case.center).auto_dispatch_threshold)
    else:
        # Every dispatch a person decides teaches the routing model (a correction above all), after commit.
        PastDispatch.objects.get_or_create(
            text=case_text(case), department=lead_unit,
            defaults={"matter": case.matter, "complexity": case.complexity, "source": "manual"},
        )
        transaction.on_commit(schedule_retrain)
    _check_handling_unit(lead_unit)
    assisting = [u for u in dict.fromkeys(assisting_units) if u.pk != lead_unit.pk]
    for unit in assisting:
        _check_handling_unit(unit)
    case.awaiting_manual_dispatch = False
    move(case, "dispatch", actor=acting_user, action="dispatched", at=now,
         fields=("awaiting_manual_dispatch",), lead=lead_unit.name, assisting=[u.name for u in assisting], rule=rule)
    _open_order(case, lead_unit, WorkOrderRole.LEAD, acting_user)
    already = set(case.work_orders.filter(status__in=OPEN_WORK_ORDER).values_list("unit_id", flat=True))
    for unit in assisting:
        if unit.pk not in already:
            _open_order(case, unit, WorkOrderRole.ASSISTING, acting_user)
    if assisting:
        on_event(case, ClockEvent.MULTI_DEPARTMENT, now)
    return case


@transaction.atomic
def do_return_work_order(order: WorkOrder, *, acting_user: User, reason: str) -> WorkOrder:
    """The holder objects: the order goes back up (to the unit that dispatched it down, else the dispatcher)."""
    order = lock_order(order, "return")
    reason = require_text(reason, "退回原因")
    redispatch = order.parent is None and order.role == WorkOrderRole.LEAD
    case = lock_case(order.case, "return_for_redispatch" if redispatch else None)
    now = timezone.now()
    order.return_reason = reason
    move_order(order, "return", fields=("return_reason",))
    said: dict[str, Any] = {"work_order": order, "unit": order.unit.name, "reason": reason}
    if order.parent is not None:
        parent = lock_order(order.parent)
        move_order(parent, "take_back" if parent.received_at else "take_back_unreceived")
        case.clocks.filter(work_order=order).update(work_order=parent)
        record_event("work_order_returned", actor=acting_user, case=case, to_unit=parent.unit.name, **said)
        return order
    on_event(case, ClockEvent.ORDER_RETURNED, now, work_order=order)
    if redispatch:
        case.awaiting_manual_dispatch = True
        move(case, "return_for_redispatch", actor=acting_user, action="work_order_returned", at=now,
             fields=("awaiting_manual_dispatch",), **said)
    else:
        record_event("work_order_returned", actor=acting_user, case=case, **said)
        submit_for_review_when_done(case, acting_user)
    return order


def dispatch_down_targets(holder: Unit) -> QuerySet[Unit]:
    """Where `holder` may send an order down: a department to any town/street center (its matters are
    handled locally there), a center to the centers below it."""
    centers = Unit.objects.filter(kind=UnitKind.SERVICE_CENTER, is_active=True).exclude(pk=holder.pk)
    if holder.kind == UnitKind.DEPARTMENT:
        return centers.filter(parent__kind=UnitKind.SERVICE_CENTER)
    return centers.filter(pk__in=subtree_ids(holder))


def _below(holder: Unit, target: Unit) -> bool:
    return dispatch_down_targets(holder).filter(pk=target.pk).exists()


@transaction.atomic
def do_dispatch_down(order: WorkOrder, *, acting_user: User, unit: Unit) -> WorkOrder:
    order = lock_order(order, "dispatch_down")
    if not _below(order.unit, unit):
        raise InvalidInput(f"“{unit.name}”不是“{order.unit.name}”可下派的下级中心")
    case = lock_case(order.case)
    move_order(order, "dispatch_down")
    child = WorkOrder.objects.create(
        case=case, unit=unit, role=order.role, parent=order, created_by=acting_user, created_at=timezone.now(),
        next_due_at=case.next_due_at,
    )
    case.clocks.filter(work_order=order).update(work_order=child)
    record_event("dispatched_down", actor=acting_user, case=case, work_order=child, from_unit=order.unit.name, unit=unit.name)
    return child


@transaction.atomic
def do_request_assistance(order: WorkOrder, *, acting_user: User, units: Sequence[Unit], note: str = "") -> list[WorkOrder]:
    """首受负责: the lead unit asks other units to co-handle."""
    order = lock_order(order, "request_assistance")
    if order.role != WorkOrderRole.LEAD:
        raise ActionError("只有主办单位可以发起协办")
    note = optional_text(note, "协办说明")
    if not units:
        raise InvalidInput("请选择协办单位")
    case = lock_case(order.case)
    open_units = set(case.work_orders.filter(status__in=OPEN_WORK_ORDER).values_list("unit_id", flat=True))
    created = []
    for unit in dict.fromkeys(units):
        _check_handling_unit(unit)
        if unit.pk in open_units:
            raise InvalidInput(f"“{unit.name}”已在办理该反映件")
        created.append(_open_order(case, unit, WorkOrderRole.ASSISTING, acting_user))
    record_event("assistance_requested", actor=acting_user, case=case, work_order=order,
                 units=[u.name for u in units], note=note.strip())
    on_event(case, ClockEvent.MULTI_DEPARTMENT, timezone.now())
    return created


def _outstanding_assisting(order: WorkOrder, transition: str) -> tuple[WorkOrder, Case]:
    order = lock_order(order, transition)
    if order.role != WorkOrderRole.ASSISTING:
        raise ActionError("只能对协办工单催办或撤回；主办工单请由承办单位退回")
    return order, lock_case(order.case)


@transaction.atomic
def do_chase_work_order(order: WorkOrder, *, acting_user: User, note: str = "") -> WorkOrder:
    """催办: an assisting unit that has not answered is reminded; the chase is on the timeline."""
    note = optional_text(note, "催办说明")
    order, case = _outstanding_assisting(order, "chase")
    record_event("work_order_chased", actor=acting_user, case=case, work_order=order, unit=order.unit.name,
                 note=note.strip())
    return order


@transaction.atomic
def do_withdraw_work_order(order: WorkOrder, *, acting_user: User, reason: str) -> WorkOrder:
    """撤回 an assisting order that holds up a replied case; once none is open, review begins."""
    order, case = _outstanding_assisting(order, "withdraw")
    reason = require_text(reason, "撤回原因")
    move_order(order, "withdraw")
    on_event(case, ClockEvent.ORDER_WITHDRAWN, timezone.now(), work_order=order)
    record_event("work_order_withdrawn", actor=acting_user, case=case, work_order=order, unit=order.unit.name,
                 reason=reason)
    submit_for_review_when_done(case, acting_user)
    return order
