"""User-scoped reads. Nothing else filters cases for a user."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from banchengshi.accounts.access import SEES_EVERYTHING, Need, has_role_for, subtree_ids
from banchengshi.accounts.choices import CENTER_STAFF, UnitKind
from banchengshi.cases.choices import OPEN_WORK_ORDER
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.cases.transitions import ensure_transition


class ActionForbidden(Exception):
    """The user may see the case but their role may not do this."""


def cases_visible_to(user: Any) -> QuerySet[Case]:
    cases = Case.objects.all()
    if not has_role_for(user, Need.VIEW):
        return cases.none()
    if user.role in SEES_EVERYTHING:
        return cases
    if user.unit is None:
        return cases.none()
    units = subtree_ids(user.unit) if user.unit.kind == UnitKind.SERVICE_CENTER else {user.unit.pk}
    holds_order = Exists(WorkOrder.objects.filter(case=OuterRef("pk"), unit_id__in=units))
    if user.unit.kind == UnitKind.SERVICE_CENTER:
        return cases.filter(Q(center_id__in=units) | holds_order)
    return cases.filter(holds_order)


def access_case(user: Any, reference: str, need: Need = Need.VIEW, *, target: str | None = None) -> Case:
    """The case if `user` may see it (404), their role allows `need` (403) and, when `target` is
    given, the case's status may move to it now (409) — asked before whether the user's unit holds it."""
    visible = cases_visible_to(user).filter(reference=reference)
    case = visible.select_related("center", "center__parent", "matter", "locality").first()
    if case is None:
        raise Http404("未找到该反映件")
    if not has_role_for(user, need):
        raise ActionForbidden("您的角色无权进行此操作")
    if need is Need.REVIEW and user.role == "center_head" and case.center_id != user.unit_id:
        raise ActionForbidden("只有登记中心的负责人可以审核和办结")
    if target is not None:
        ensure_transition(case.status, target)
    if need is Need.HANDLE and not case.work_orders.filter(unit_id=user.unit_id, status__in=OPEN_WORK_ORDER).exists():
        raise ActionForbidden("只有正在承办该反映件的单位可以进行此操作")
    return case


def access_work_order(user: Any, work_order_id: int, need: Need = Need.HANDLE) -> WorkOrder:
    """A work order the user's unit holds (for HANDLE) or whose case the user may see (for VIEW)."""
    order = WorkOrder.objects.select_related("case", "unit", "case__center").filter(pk=work_order_id).first()
    if order is None or not cases_visible_to(user).filter(pk=order.case_id).exists():
        raise Http404("未找到该工单")
    if need is Need.HANDLE:
        if user.role not in CENTER_STAFF or user.unit_id != order.unit_id:
            raise ActionForbidden("只有承办单位的工作人员可以办理该工单")
    elif not has_role_for(user, need):
        raise ActionForbidden("您的角色无权进行此操作")
    return order
