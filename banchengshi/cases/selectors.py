"""User-scoped reads. Nothing else filters cases for a user."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from ninja import Field as NinjaField

from banchengshi.accounts.access import SEES_EVERYTHING, Need, has_role_for, subtree_ids
from banchengshi.accounts.choices import CENTER_STAFF, UnitKind
from banchengshi.cases.actions.base import ActionError
from banchengshi.cases.choices import OPEN_WORK_ORDER, CaseStatus, Channel, Reason
from banchengshi.cases.models import Case, Clock, WorkOrder
from banchengshi.cases.transitions import InvalidTransition, ensure_transition
from banchengshi.lib.pagination import PageParams


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


def access_case(user: Any, reference: str, need: Need = Need.VIEW, *, transition: str | None = None) -> Case:
    """The case if `user` may see it (404), and may act on it as `authorize_case` says."""
    visible = cases_visible_to(user).filter(reference=reference)
    case = visible.select_related("center", "center__parent", "matter", "locality").first()
    if case is None:
        raise Http404("未找到该反映件")
    authorize_case(user, case, need, transition=transition)
    return case


def authorize_case(user: Any, case: Case, need: Need, *, transition: str | None = None) -> None:
    """The role allows `need` (403); when `transition` is given, the case may take it now (409) —
    asked before whether the user's unit holds the case (403)."""
    if not has_role_for(user, need):
        raise ActionForbidden("您的角色无权进行此操作")
    if need is Need.REVIEW and user.role == "center_head" and case.center_id != user.unit_id:
        raise ActionForbidden("只有登记中心的负责人可以审核和办结")
    if transition is not None:
        ensure_transition(case.status, transition)
    if need is Need.HANDLE and not case.work_orders.filter(unit_id=user.unit_id, status__in=OPEN_WORK_ORDER).exists():
        raise ActionForbidden("只有正在承办该反映件的单位可以进行此操作")


def may(user: Any, case: Case, need: Need, *, transition: str | None = None) -> bool:
    """Whether `authorize_case` would let the user act now (which buttons a page shows)."""
    try:
        authorize_case(user, case, need, transition=transition)
    except (ActionForbidden, InvalidTransition):
        return False
    return True


def access_work_order(user: Any, work_order_id: int, need: Need = Need.HANDLE) -> WorkOrder:
    """A work order the user's unit holds (for HANDLE) or whose case the user may see (for VIEW)."""
    order = WorkOrder.objects.select_related("case", "unit", "case__center").filter(pk=work_order_id).first()
    if order is None or not cases_visible_to(user).filter(pk=order.case_id).exists():
        raise Http404("未找到该工单")
    authorize_work_order(user, order, need)
    return order


def authorize_work_order(user: Any, order: WorkOrder, need: Need = Need.HANDLE) -> None:
    if need is Need.HANDLE:
        if user.role not in CENTER_STAFF or user.unit_id != order.unit_id:
            raise ActionForbidden("只有承办单位的工作人员可以办理该工单")
    elif not has_role_for(user, need):
        raise ActionForbidden("您的角色无权进行此操作")


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class CaseFilters(PageParams):
    status: CaseStatus | None = None
    light: Literal["green", "yellow", "red"] | None = None
    channel: Channel | None = None
    reason: Reason | None = NinjaField(None, description="办不成原因编码")
    unit: str | None = NinjaField(None, description="承办或登记单位编码")
    matter: str | None = NinjaField(None, description="事项编码")
    received_from: date | None = NinjaField(None, ge=EARLIEST, le=LATEST)
    received_to: date | None = NinjaField(None, ge=EARLIEST, le=LATEST, description="含当日")
    q: str | None = NinjaField(None, max_length=100, description="全文检索（中文）")


def _running(**conditions: Any) -> Exists:
    return Exists(Clock.objects.filter(case=OuterRef("pk"), stopped_at__isnull=True, **conditions))


def filter_cases(cases: QuerySet[Case], f: CaseFilters) -> QuerySet[Case]:
    now = timezone.now()
    if f.status:
        cases = cases.filter(status=f.status)
    if f.unit:
        cases = cases.filter(Q(center__code=f.unit) | Q(work_orders__unit__code=f.unit)).distinct()
    if f.matter:
        cases = cases.filter(matter__code=f.matter)
    if f.channel:
        cases = cases.filter(channel=f.channel)
    if f.reason:
        # The JSON list as text holds each code in quotes, on SQLite and PostgreSQL alike.
        cases = cases.filter(reasons__icontains=f'"{f.reason.value}"')
    tz = timezone.get_current_timezone()
    if f.received_from:
        cases = cases.filter(received_at__gte=datetime.combine(f.received_from, time.min, tzinfo=tz))
    if f.received_to:
        cases = cases.filter(received_at__lte=datetime.combine(f.received_to, time.max, tzinfo=tz))
    if f.q and f.q.strip():
        words = f.q.split()
        for word in words:
            match = (
                Q(reference__icontains=word)
                | Q(description__icontains=word)
                | Q(demand__icontains=word)
                | Q(business_name__icontains=word)
                | Q(reporter_organization__icontains=word)
                | Q(result__icontains=word)
                | Q(matter__name__icontains=word)
            )
            if word.isdigit() and len(word) >= 7:
                match |= Q(reporter_phone=word)
            cases = cases.filter(match)
    if f.light:
        red = _running(paused_at__isnull=True, due_at__lt=now) | _running(paused_at__isnull=False, due_at__lt=F("paused_at"))
        yellow = _running(paused_at__isnull=True, warn_at__lte=now) | _running(
            paused_at__isnull=False, warn_at__lte=F("paused_at")
        )
        if f.light == "red":
            cases = cases.filter(red)
        elif f.light == "yellow":
            cases = cases.filter(yellow).exclude(red)
        else:
            cases = cases.filter(_running()).exclude(yellow)
    return cases


REFUSALS = (ActionForbidden, InvalidTransition, ActionError)


def refusal(exc: Exception) -> tuple[str, int]:
    """What a page tells the user, and the status it answers with, when an action is refused."""
    if isinstance(exc, ActionForbidden):
        return str(exc), 403
    if isinstance(exc, InvalidTransition):
        return str(exc), 409
    if isinstance(exc, ActionError):
        return exc.message, exc.status
    raise exc
