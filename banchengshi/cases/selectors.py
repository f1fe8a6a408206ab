"""User-scoped reads. Nothing else filters cases for a user."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import reduce
from typing import Any, Literal

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from ninja import Field as NinjaField

from banchengshi.accounts.access import SEES_EVERYTHING, Need, has_role_for, subtree_ids
from banchengshi.accounts.choices import Role, UnitKind
from banchengshi.accounts.models import Unit, User
from banchengshi.audit.events import record_event
from banchengshi.audit.models import Event
from banchengshi.cases import search
from banchengshi.cases.actions.base import ActionError
from banchengshi.cases.choices import (
    FORMER_HOLDER,
    OPEN_WORK_ORDER,
    UNSATISFIED_RATINGS,
    CaseStatus,
    Channel,
    ClockKind,
    Reason,
    WorkOrderRole,
    WorkOrderStatus,
)
from banchengshi.cases.clocks import center_rules
from banchengshi.cases.models import PHONE_PURPOSE, Attachment, Case, Clock, Visit, WorkOrder
from banchengshi.cases.transitions import (
    TRANSITIONS,
    InvalidTransition,
    ensure_order_transition,
    ensure_transition,
)
from banchengshi.dispatch.routing import PRESELECT_FLOOR, Route, route_case
from banchengshi.lib.errors import (
    ActionForbidden as ActionForbidden,  # re-exported: pages catch it with REFUSALS
)
from banchengshi.lib.pagination import PageParams
from banchengshi.lib.pii import lookup_hashes
from banchengshi.sla.deadlines import period_start
from banchengshi.sla.models import Policy
from banchengshi.sla.services import effective_policy, load_calendar

REFUSALS = (ActionForbidden, InvalidTransition, ActionError)


class DutiesNotSeparated(ActionForbidden):
    """The user handled the case and may not now review, close or visit it (the policy's
    `separate_duties`, on by default): one person never runs the whole loop (等保 2.0 三级 职责分离)."""


# What handling a case is, on its timeline: whoever did one of these (on any of its work orders, or on the
# spot at the window) handled it.
HANDLING_ACTIONS = frozenset({
    "resolved_on_site", "work_order_received", "reporter_contacted", "note_added", "assistance_requested",
    "paused", "resumed", "replied", "assisting_replied",
})

# The case actions a handler of the case may not take, and why (the refusal's words).
SEPARATED_ACTIONS: dict[str, str] = {
    "approve": "经办人不能审核自己办理的反映件",
    "review_return": "经办人不能审核自己办理的反映件",
    "close": "经办人不能办结自己办理的反映件",
    "visit": "经办人不能回访自己办理的反映件",
}


def handled_by(user: User, case: Case) -> bool:
    """Whether `user` handled `case`: received, worked on or replied to one of its work orders, or
    resolved it on the spot (the timeline's events, whose actor is the user)."""
    return Event.objects.filter(case=case, actor_id=user.pk, action__in=HANDLING_ACTIONS).exists()


def separation_refusal(user: User, case: Case, action: str) -> str:
    """Why `user` may not take `action` on `case` for separation of duties, or "" when they may."""
    reason = SEPARATED_ACTIONS.get(action, "")
    if not reason or not effective_policy(case.center).separate_duties:
        return ""
    return reason if handled_by(user, case) else ""


def centers_separating_duties() -> set[int]:
    """The units whose effective policy separates duties (`effective_policy` for every unit at once)."""
    units = {u.pk: u for u in Unit.objects.select_related("policy")}
    default: list[Policy | None] = []  # read once, when a unit has no policy of its own or above it
    separated = set()
    for pk, unit in units.items():
        node: Unit | None = unit
        while node is not None and node.policy is None:
            node = units.get(node.parent_id) if node.parent_id is not None else None
        if node is None and not default:
            default.append(Policy.objects.order_by("-is_default", "code").first())
        policy = node.policy if node is not None else default[0]
        if policy is not None and policy.separate_duties:
            separated.add(pk)
    return separated


def without_own_handling(user: User, cases: QuerySet[Case], separated: set[int] | None = None) -> QuerySet[Case]:
    """`separation_refusal` as a query: the cases left when those the user handled, under a policy that
    separates duties, are taken out (`separated`: `centers_separating_duties()`, when known)."""
    handled = Exists(Event.objects.filter(case=OuterRef("pk"), actor_id=user.pk, action__in=HANDLING_ACTIONS))
    centers = centers_separating_duties() if separated is None else separated
    return cases.exclude(Q(center_id__in=centers) & handled)


def cases_visible_to(user: User) -> QuerySet[Case]:
    cases = Case.objects.all()
    if not has_role_for(user, Need.VIEW):
        return cases.none()
    if user.role in SEES_EVERYTHING:
        return cases
    if user.unit is None:
        return cases.none()
    return cases_of_unit(user.unit)


def cases_of_unit(unit: Unit, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """A unit's cases: a center's are those registered at it or the centers below it, or held by a work
    order of one of them; a department's those it holds (or held) a work order for. The admin office and
    oversight see every case. The scope of a user (`cases_visible_to`), of a unit's figures and of the
    ledger's `scope` filter alike."""
    cases = Case.objects.all() if cases is None else cases
    if unit.kind in (UnitKind.ADMIN_OFFICE, UnitKind.OVERSIGHT):
        return cases
    if unit.kind != UnitKind.SERVICE_CENTER:
        return cases.filter(holding(WorkOrder.objects.filter(unit_id=unit.pk)))
    units = subtree_ids(unit)
    # Uncorrelated (IN, not EXISTS) beside the OR: read once, where EXISTS would probe every other center's case.
    return cases.filter(Q(center_id__in=units) | Q(pk__in=WorkOrder.objects.filter(unit_id__in=units).values("case_id")))


def holding(orders: QuerySet[WorkOrder]) -> Q | Exists:
    """The cases that have one of `orders`, in the form each database plans well. PostgreSQL: a correlated
    EXISTS, a semi-join that walks a page's cases in their order and probes each one's few orders (RSJ's
    in-progress cases at a million: 686 probes, 3 ms), where for IN (SELECT …) it gathered the orders first
    (all 46,674 of RSJ's, 119 ms). SQLite: the IN, read once; with EXISTS it walked the (unit, status) index
    of the orders for every case."""
    if connection.vendor == "postgresql":
        return Exists(orders.filter(case_id=OuterRef("pk")))
    return Q(pk__in=orders.values("case_id"))


def units_in_scope_of(user: User) -> QuerySet[Unit]:
    """The units whose figures `user` may read: every unit for the admin office and oversight, a center
    and the centers below it for a center's staff, a department itself."""
    if not has_role_for(user, Need.VIEW) or (user.role not in SEES_EVERYTHING and user.unit is None):
        return Unit.objects.none()
    if user.role in SEES_EVERYTHING:
        return Unit.objects.all()
    assert user.unit is not None
    if user.unit.kind == UnitKind.SERVICE_CENTER:
        return Unit.objects.filter(pk__in=subtree_ids(user.unit))
    return Unit.objects.filter(pk=user.unit.pk)


@dataclass(frozen=True)
class CaseAction:
    label: str  # what the page says was done
    need: Need  # the role's permission (accounts.access.ROLES_FOR)
    transition: str | None = None  # the case transition it takes (cases.transitions)


# Every action on a case, with the permission and transition it needs: the API, the pages' buttons and
# the queues all ask `may`, which reads this table.
CASE_ACTIONS: dict[str, CaseAction] = {
    "accept": CaseAction("受理", Need.REGISTER, "accept"),
    "reject": CaseAction("不予受理", Need.REGISTER, "reject"),
    "resolve": CaseAction("现场办结", Need.REGISTER, "resolve_on_site"),
    "merge": CaseAction("并单", Need.REGISTER, "merge"),
    "dispatch": CaseAction("派单", Need.DISPATCH, "dispatch"),
    "pause": CaseAction("暂停计时", Need.HANDLE, "pause"),
    "resume": CaseAction("恢复计时", Need.HANDLE, "resume"),
    "approve": CaseAction("审核通过", Need.REVIEW, "approve"),
    "review_return": CaseAction("退回重办", Need.REVIEW, "review_return"),
    "close": CaseAction("办结", Need.REVIEW, "close"),
    "visit": CaseAction("保存回访", Need.VISIT, "visit"),
    "resupervise": CaseAction("再督办", Need.RESUPERVISE, "resupervise"),
    "attach": CaseAction("上传附件", Need.ATTACH),
    "print": CaseAction("打印", Need.PRINT),
    "give_guide": CaseAction("发送办事指南", Need.GUIDE_GIVE),
    "one_time_notice": CaseAction("出具一次性告知单", Need.GUIDE_GIVE),
}


@dataclass(frozen=True)
class OrderAction:
    label: str
    need: Need
    transition: str  # the work-order transition (cases.transitions.ORDER_TRANSITIONS)
    role: str = ""  # only on lead (or assisting) orders; empty: either


ORDER_ACTIONS: dict[str, OrderAction] = {
    "receive": OrderAction("接单", Need.HANDLE, "receive"),
    "contact": OrderAction("记录联系情况", Need.HANDLE, "contact"),
    "note": OrderAction("保存办理记录", Need.HANDLE, "note"),
    "assist": OrderAction("发起协办", Need.HANDLE, "request_assistance", WorkOrderRole.LEAD),
    "reply": OrderAction("答复", Need.HANDLE, "reply"),
    "return": OrderAction("退回工单", Need.HANDLE, "return"),
    "dispatch-down": OrderAction("向下派单", Need.HANDLE, "dispatch_down"),
    "chase": OrderAction("催办", Need.CHASE, "chase", WorkOrderRole.ASSISTING),
    "withdraw": OrderAction("撤回协办", Need.DISPATCH, "withdraw", WorkOrderRole.ASSISTING),
}


def access_case(user: User, reference: str, action: str | None = None) -> Case:
    """The case if `user` may see it (404), and may take `action` on it now as `authorize_case` says."""
    visible = cases_visible_to(user).filter(reference=reference)
    case = visible.select_related("center", "center__parent", "matter", "locality").first()
    if case is None:
        raise Http404("未找到该反映件")
    if action is not None:
        authorize_case(user, case, action)
    return case


def authorize_case(user: User, case: Case, action: str) -> None:
    """May `user` take `action` on `case` now? The role (403), the center head's own center (403), the
    case's state (409), the unit holding the case for handling (403), the separation of duties (403), in
    that order. An attempt refused for separation of duties is written to the audit log."""
    try:
        check_case_action(user, case, action)
    except DutiesNotSeparated as exc:
        record_event("duty_separation_refused", actor=user, case=case, attempted=action, reason=str(exc))
        raise


def check_case_action(user: User, case: Case, action: str) -> None:
    """`authorize_case` without the audit record (`may`: which buttons a page shows)."""
    rule = CASE_ACTIONS[action]
    if not has_role_for(user, rule.need):
        raise ActionForbidden("您的角色无权进行此操作")
    if rule.need is Need.REVIEW and user.role == Role.CENTER_HEAD and case.center_id != user.unit_id:
        raise ActionForbidden("只有登记中心的负责人可以审核和办结")
    if rule.transition is not None:
        ensure_transition(case.status, rule.transition)
    if action == "attach" and case.status == CaseStatus.MERGED:
        raise ActionError("已并单的反映件不能再上传附件，请上传到主件")
    if action in ("give_guide", "one_time_notice") and case.status == CaseStatus.MERGED:
        raise ActionError("已并单的反映件不能再出具文书，请在主件上办理")
    if action == "resupervise" and not awaits_resupervision(case):
        raise ActionError("最近一次回访满意且问题已解决，无需再督办")
    if rule.need is Need.HANDLE and not (
        user.unit_id is not None and case.work_orders.filter(unit_id=user.unit_id, status__in=OPEN_WORK_ORDER).exists()
    ):
        raise ActionForbidden("只有正在承办该反映件的单位可以进行此操作")
    if reason := separation_refusal(user, case, action):
        raise DutiesNotSeparated(reason)


def may(user: User, case: Case, action: str) -> bool:
    """Whether `authorize_case` would let the user take `action` now (which buttons a page shows)."""
    try:
        check_case_action(user, case, action)
    except REFUSALS:
        return False
    return True


def holding_units(case: Case, role: str = WorkOrderRole.LEAD) -> str:
    """The case's 承办单位 (or, with role=assisting, 协办单位): the units whose orders of that role still
    hold the case, whether handling or replied — not those that returned it, sent it down or were
    withdrawn. Reads `case.work_orders.all()`, so a list prefetches `work_orders__unit`."""
    names = [o.unit.name for o in case.work_orders.all() if o.role == role and o.status not in FORMER_HOLDER]
    return "、".join(dict.fromkeys(names))


def latest_visit(case: Case) -> Visit | None:
    """The visit that counts: the latest (a later satisfied visit supersedes an earlier complaint)."""
    return case.visits.order_by("-visited_at", "-id").first()


def awaits_resupervision(case: Case) -> bool:
    """A visited case whose latest return visit calls for re-supervision."""
    visit = latest_visit(case)
    return case.status == CaseStatus.VISITED and visit is not None and visit.unsatisfied


def with_latest_visit(cases: QuerySet[Case]) -> QuerySet[Case]:
    """`latest_visit` as a query: each case annotated with the rating and `solved` of the visit that counts."""
    latest = Visit.objects.filter(case=OuterRef("pk")).order_by("-visited_at", "-id")
    return cases.annotate(
        last_rating=Subquery(latest.values("rating")[:1]), last_solved=Subquery(latest.values("solved")[:1])
    )


def awaiting_resupervision(cases: QuerySet[Case]) -> QuerySet[Case]:
    """`awaits_resupervision` as a query: the re-supervision queue."""
    return with_latest_visit(cases.filter(status=CaseStatus.VISITED)).filter(
        Q(last_rating__in=UNSATISFIED_RATINGS) | Q(last_solved=False)
    )


def access_attachment(user: User, attachment_id: int) -> Attachment:
    """An attachment of a case the user may see (404 otherwise): the one path of every download."""
    attachment = Attachment.objects.filter(pk=attachment_id, case__in=cases_visible_to(user)).first()
    if attachment is None:
        raise Http404("未找到该附件")
    return attachment


def access_work_order(user: User, work_order_id: int, action: str | None = None) -> WorkOrder:
    """A work order whose case the user may see (404), on which the user may take `action` now."""
    order = WorkOrder.objects.select_related("case", "unit", "case__center").filter(pk=work_order_id).first()
    if order is None or not cases_visible_to(user).filter(pk=order.case_id).exists():
        raise Http404("未找到该工单")
    if action is not None:
        authorize_work_order(user, order, action)
    return order


def authorize_work_order(user: User, order: WorkOrder, action: str) -> None:
    rule = ORDER_ACTIONS[action]
    if not has_role_for(user, rule.need):
        raise ActionForbidden("您的角色无权进行此操作")
    if rule.need is Need.HANDLE and user.unit_id != order.unit_id:
        raise ActionForbidden("只有承办单位的工作人员可以办理该工单")
    if rule.role and order.role != rule.role:
        raise ActionError(f"只能对{WorkOrderRole(rule.role).label}工单{rule.label}")
    ensure_order_transition(order.status, rule.transition)


def may_order(user: User, order: WorkOrder, action: str) -> bool:
    try:
        authorize_work_order(user, order, action)
    except REFUSALS:
        return False
    return True


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


# What a case has reached, as the figures count it (reports.figures) and the ledger filters it.
REACHED: dict[str, Q] = {
    "accepted": Q(accepted_at__isnull=False),
    # Answered at the window without acceptance (现场办结), whether closed since or not.
    "resolved_on_site": Q(accepted_at__isnull=True, replied_at__isnull=False),
    # 办结: closed now (a re-supervision reopens it), or answered on the spot, which is closed at once.
    "closed": Q(closed_at__isnull=False) | Q(status=CaseStatus.RESOLVED_ON_SITE),
    "resupervised": Q(resupervision_count__gt=0),
}
REACHED_LABELS = {"accepted": "已受理", "resolved_on_site": "现场办结", "closed": "已办结",
                  "visited": "已办结并回访", "resupervised": "经过再督办", "unsatisfied": "最近一次回访不满意"}


def reached(key: str) -> Q:
    """The cases that reached `key` (REACHED; "visited": closed and visited at least once; "unsatisfied":
    the visit that counts, the latest, rated 1 非常不满意 or 2 不满意)."""
    if key == "visited":
        return REACHED["closed"] & Q(pk__in=Visit.objects.values("case_id"))
    if key == "unsatisfied":
        return latest_visit_rated(UNSATISFIED_RATINGS)
    return REACHED[key]


def latest_visit_rated(ratings: frozenset[int]) -> Q:
    """The cases whose latest visit (`latest_visit`: by visited_at, then id) has one of `ratings`: an
    uncorrelated IN over the visits that no later visit of the same case follows."""
    later = Visit.objects.filter(case=OuterRef("case")).filter(
        Q(visited_at__gt=OuterRef("visited_at")) | Q(visited_at=OuterRef("visited_at"), pk__gt=OuterRef("pk")))
    return Q(pk__in=Visit.objects.filter(rating__in=ratings).exclude(Exists(later)).values("case_id"))


def clock_decided(now: datetime) -> Q:
    """A clock (not cancelled) whose outcome is known: it stopped, or it is already past its limit
    (running, or paused after its limit had passed: paused time does not count, and a paused clock keeps
    the light it had when it was paused)."""
    return Q(cancelled=False) & (Q(stopped_at__isnull=False) | clock_late(now))


def clock_late(now: datetime) -> Q:
    """A clock (not cancelled) that missed its limit: stopped after `due_at`, or still open past it."""
    return Q(cancelled=False) & (
        Q(stopped_at__gt=F("due_at"))
        | Q(stopped_at__isnull=True, paused_at__isnull=True, due_at__lt=now)
        | Q(stopped_at__isnull=True, paused_at__isnull=False, due_at__lt=F("paused_at"))
    )


class CaseFilters(PageParams):
    status: CaseStatus | None = None
    light: Literal["green", "yellow", "red"] | None = None
    channel: Channel | None = None
    reason: Reason | None = NinjaField(None, description="办不成原因编码")
    unit: str | None = NinjaField(None, description="承办或登记单位编码")
    scope: str | None = NinjaField(None, max_length=32, description="单位编码：该单位的反映件范围（中心含下级中心）")
    center: str | None = NinjaField(None, max_length=32, description="登记中心编码（仅该中心）")
    lead_unit: str | None = NinjaField(None, max_length=32, description="正在主办的单位编码")
    matter: str | None = NinjaField(None, description="事项编码")
    no_matter: bool | None = NinjaField(None, description="true：未选事项的反映件")
    reached: Literal["accepted", "resolved_on_site", "closed", "visited", "resupervised", "unsatisfied"] | None = NinjaField(
        None, description="已受理、现场办结、已办结、已办结并回访、经过再督办、最近一次回访不满意（1-2）"
    )
    rating: int | None = NinjaField(None, ge=1, le=5, description="最近一次回访满意度（1 非常不满意 … 5 非常满意）")
    clock: ClockKind | None = NinjaField(None, description="时限类型（与 timing 同用）")
    timing: Literal["on_time", "late"] | None = NinjaField(
        None, description="on_time：该类时限均按时完成；late：该类时限有超时（含未完成已超时）"
    )
    received_from: date | None = NinjaField(None, ge=EARLIEST, le=LATEST)
    received_to: date | None = NinjaField(None, ge=EARLIEST, le=LATEST, description="含当日")
    q: str | None = NinjaField(None, max_length=100, description="全文检索（中文）")


RUNNING = Q(stopped_at__isnull=True)


def clock_red(now: datetime) -> Q:
    """A running clock past its limit (a paused one keeps the light it had when it was paused)."""
    return RUNNING & (Q(paused_at__isnull=True, due_at__lt=now) | Q(paused_at__isnull=False, due_at__lt=F("paused_at")))


def clock_warned(now: datetime) -> Q:
    """A running clock yellow or red: past its warning time."""
    return RUNNING & (Q(paused_at__isnull=True, warn_at__lte=now) | Q(paused_at__isnull=False, warn_at__lte=F("paused_at")))


def with_clock(condition: Q) -> Q:
    """The cases with a clock meeting `condition`: an uncorrelated IN (SELECT case_id …), which both
    databases evaluate once rather than per case."""
    return Q(pk__in=Clock.objects.filter(condition).values("case_id"))


def filter_cases(cases: QuerySet[Case], f: CaseFilters, viewer: User | None = None) -> QuerySet[Case]:
    now = timezone.now()
    if f.status:
        cases = cases.filter(status=f.status)
    if f.unit:
        # Registered at the unit (a center) or held by an order of it: IN (SELECT …) or EXISTS, never a join and
        # DISTINCT (which made the database sort every column of every match); a department registers nothing,
        # so its filter is its orders alone, which PostgreSQL walks in the list's order (see `holding`).
        unit = Unit.objects.filter(code=f.unit).only("pk", "kind").first()
        if unit is None:
            cases = cases.none()
        elif unit.kind == UnitKind.SERVICE_CENTER:
            cases = cases.filter(Q(center_id=unit.pk) | Q(pk__in=WorkOrder.objects.filter(unit_id=unit.pk).values("case_id")))
        else:
            cases = cases.filter(holding(WorkOrder.objects.filter(unit_id=unit.pk)))
    if f.scope:
        scope_unit = Unit.objects.filter(code=f.scope).first()
        cases = cases_of_unit(scope_unit, cases) if scope_unit is not None else cases.none()
    if f.center:
        cases = cases.filter(center__code=f.center)
    if f.lead_unit:
        cases = cases.filter(Exists(WorkOrder.objects.filter(
            case=OuterRef("pk"), role=WorkOrderRole.LEAD, unit__code=f.lead_unit).exclude(status__in=FORMER_HOLDER)))
    if f.matter:
        cases = cases.filter(matter__code=f.matter)
    if f.no_matter:
        cases = cases.filter(matter__isnull=True)
    if f.reached:
        cases = cases.filter(reached(f.reached))
    if f.rating:
        cases = with_latest_visit(cases).filter(Q(last_rating=f.rating))
    if f.timing:
        kind = Q(kind=f.clock) if f.clock else Q()
        late = with_clock(kind & clock_late(now))
        cases = cases.filter(late) if f.timing == "late" else cases.filter(with_clock(kind & clock_decided(now))).exclude(late)
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
        # Chinese full text (cases/search.py): jieba tokens against the index, and a reporter's full name by
        # its lookup hash for the roles that see names (`viewer`; without one, never names).
        cases = search.filter_search(cases, search.parse(f.q, viewer))
    if f.light:
        red, warned = with_clock(clock_red(now)), with_clock(clock_warned(now))
        if f.light == "red":
            cases = cases.filter(red)
        elif f.light == "yellow":
            cases = cases.filter(warned).exclude(red)
        else:
            cases = cases.filter(with_clock(RUNNING)).exclude(warned)
    return cases




def refusal(exc: Exception) -> tuple[str, int]:
    """What a page tells the user, and the status it answers with, when an action is refused."""
    if isinstance(exc, ActionForbidden):
        return str(exc), 403
    if isinstance(exc, InvalidTransition):
        return str(exc), 409
    if isinstance(exc, ActionError):
        return exc.message, exc.status
    raise exc


def visit_periods(now: datetime) -> list[tuple[list[int], datetime]]:
    """When the return visits still due began: for each group of centers sharing a period, the start of the
    earliest closing day whose visit is still due (the effective policy's `visit_days` working days after
    the day of closing, that last day included). A case closed earlier has run out of its period."""
    calendar = load_calendar()
    groups: dict[tuple[int, Any], list[int]] = {}
    for pk, (policy, hours) in center_rules().items():
        groups.setdefault((policy.visit_days, hours.tz), []).append(pk)
    return [
        (centers, datetime.combine(period_start(now.astimezone(tz).date(), days, calendar), time.min, tzinfo=tz))
        for (days, tz), centers in sorted(groups.items(), key=lambda item: item[0][0])
    ]


def within_visit_period(now: datetime) -> Q:
    """The cases closed recently enough that their return visit is still due (`visit_periods`): the 待回访
    queue takes these, so it holds some days' closings however long the history."""
    return reduce(operator.or_, (Q(center_id__in=centers, closed_at__gte=start) for centers, start in visit_periods(now)),
                  Q(pk__in=[]))


def past_visit_period(now: datetime) -> Q:
    """The closed cases whose return visit ran out of its period without one: 逾期未回访, a list of their own."""
    return reduce(operator.or_, (Q(center_id__in=centers, closed_at__lt=start) for centers, start in visit_periods(now)),
                  Q(pk__in=[]))


def visit_deadlines(cases: list[Case]) -> dict[int, date]:
    """The last day of each closed case's return-visit period (the working days of its center's policy after
    the day it was closed), by case id."""
    if not any(case.closed_at is not None for case in cases):
        return {}
    rules, calendar = center_rules(), load_calendar()
    deadlines = {}
    for case in cases:
        if case.closed_at is not None and case.center_id in rules:
            policy, hours = rules[case.center_id]
            deadlines[case.pk] = calendar.working_days_after(case.closed_at.astimezone(hours.tz).date(), policy.visit_days)
    return deadlines


@dataclass(frozen=True)
class Queue:
    """A worklist: the cases waiting for `action` (a case action, or an order action on one of its
    orders) that the user may take — the same rule as `may`, as a query."""

    key: str
    title: str
    action: str = ""
    order_action: str = ""
    watchers: frozenset[str] = frozenset()  # a watch list for these roles, not an action
    # The visits whose period ran out (逾期未回访): the "visit" action's cases, past the period instead of within.
    lapsed: bool = False


QUEUES: tuple[Queue, ...] = (
    Queue("to-accept", "待受理", action="accept"),
    Queue("to-dispatch", "待派单（含退回件）", action="dispatch"),
    Queue("my-orders", "本单位承办的工单", order_action="reply"),
    Queue("to-review", "待审核", action="approve"),
    Queue("awaiting-assist", "协办单位未答复（待催办）", order_action="chase"),
    Queue("to-close", "待办结（需反映人确认或异议期满）", action="close"),
    Queue("to-visit", "待回访", action="visit"),
    Queue("to-resupervise", "回访不满意或未解决（待再督办）", action="resupervise"),
    Queue("overdue", "已超时", watchers=frozenset({Role.ADMIN_OFFICE, Role.OVERSEER, Role.CENTER_HEAD})),
)
# Not on the home page: a list of its own, newest lapse first, page by page (cases.views.lapsed_visits).
LAPSED_VISITS = Queue("lapsed-visits", "逾期未回访", action="visit", lapsed=True)


def queue_cases(user: User, queue: Queue, separated: set[int] | None = None) -> QuerySet[Case] | None:
    """The cases of `queue` for `user`, or None when the queue is not the user's (`separated`: the
    centers whose policy separates duties, when the caller has them)."""
    visible = cases_visible_to(user)
    if queue.watchers:
        if user.role not in queue.watchers:
            return None
        # A red clock's limit has passed, so its case's soonest limit has: the queue walks the index on
        # `next_due_at` from the oldest and asks each case's open clocks (EXISTS), stopping at the page's rows,
        # where the ledger's light filter (IN over every red clock) read 270,000 clocks at a million cases.
        now = timezone.now()
        return visible.filter(next_due_at__lt=now).filter(
            Exists(Clock.objects.filter(clock_red(now), case=OuterRef("pk"))))
    if queue.order_action:
        rule = ORDER_ACTIONS[queue.order_action]
        if not has_role_for(user, rule.need):
            return None
        if rule.need is Need.HANDLE:
            if user.unit_id is None:
                return None
            return visible.filter(holding(WorkOrder.objects.filter(unit_id=user.unit_id, status__in=OPEN_WORK_ORDER)))
        # IN (SELECT …) rather than a join and DISTINCT: the queue's order can then walk the index on status.
        return visible.filter(status=CaseStatus.REPLIED, pk__in=WorkOrder.objects.filter(
            role=rule.role, status__in=OPEN_WORK_ORDER).values("case_id"))
    action = CASE_ACTIONS[queue.action]
    if not has_role_for(user, action.need):
        return None
    assert action.transition is not None
    cases = visible.filter(status__in=TRANSITIONS[action.transition].sources)
    if action.need is Need.REVIEW and user.role == Role.CENTER_HEAD:
        cases = cases.filter(center_id=user.unit_id)
    if queue.action == "resupervise":
        cases = awaiting_resupervision(cases)
    if queue.action == "visit":
        now = timezone.now()
        cases = cases.filter(past_visit_period(now) if queue.lapsed else within_visit_period(now))
    if queue.action in SEPARATED_ACTIONS:
        cases = without_own_handling(user, cases, separated)
    return cases


QUEUE_ORDER = (F("next_due_at").asc(nulls_last=True), "received_at", "id")


def in_queue_order(queue: Queue, cases: QuerySet[Case], limit: int | None = None, holder: int | None = None) -> QuerySet[Case]:
    """A queue's order: the soonest running limit first (`Case.next_due_at`, by the index on status and it);
    the return visits (closed cases: no clock runs) by closing time, the nearest to running out of its period
    first; the lapsed visits the latest lapse first.

    With `limit`, a queue of several statuses takes the first `limit` of each status by its own walk of the
    index and keeps the first `limit` of those: a database cannot walk one index in order for an IN list of
    statuses, and sorted every case of them instead (89,000 at a million cases, 0.4 s)."""
    if queue.lapsed:
        return cases.order_by("-closed_at", "-id")
    if queue.action == "visit":
        return cases.order_by("closed_at", "id")
    if limit is not None and holder is not None and queue.order_action and ORDER_ACTIONS[queue.order_action].need is Need.HANDLE:
        return cases.filter(pk__in=_first_held(cases, holder, limit)).order_by(*QUEUE_ORDER)
    statuses = queue_statuses(queue)
    if limit is None or len(statuses) < 2:
        return cases.order_by(*QUEUE_ORDER)
    heads: list[tuple[Any, ...]] = []
    for status in statuses:
        heads += cases.filter(status=status).order_by(*QUEUE_ORDER).values_list("next_due_at", "received_at", "id")[:limit]
    heads.sort(key=lambda h: (h[0] is None, h[0] or h[1], h[1], h[2]))
    return cases.filter(pk__in=[h[2] for h in heads[:limit]]).order_by(*QUEUE_ORDER)


def _first_held(cases: QuerySet[Case], holder: int, limit: int) -> list[int]:
    """The first `limit` of `cases` in the queue's order among the open orders of unit `holder`: one walk per
    open status of the orders' index on (unit, status, their case's soonest limit), each stopping at `limit`
    cases, merged. Ties on the limit go by case id (the full order takes the time of receipt: the same order
    but for a backdated case)."""
    heads: list[tuple[Any, ...]] = []
    for status in OPEN_WORK_ORDER:
        heads += (WorkOrder.objects.filter(unit_id=holder, status=status, case__in=cases.values("pk"))
                  .order_by(F("next_due_at").asc(nulls_last=True), "case_id").values_list("next_due_at", "case_id")[:2 * limit])
    heads.sort(key=lambda h: (h[0] is None, h[0] or 0, h[1]))
    return list(dict.fromkeys(h[1] for h in heads))[:limit]  # a case may have two open orders of the unit


def queue_statuses(queue: Queue) -> tuple[str, ...]:
    """The statuses a queue of a case action lists (its transition's sources); none for the others."""
    if not queue.action or queue.watchers:
        return ()
    transition = CASE_ACTIONS[queue.action].transition
    return tuple(TRANSITIONS[transition].sources) if transition is not None else ()


def queues_for(user: User) -> list[tuple[Queue, QuerySet[Case]]]:
    separated = centers_separating_duties() if any(has_role_for(user, CASE_ACTIONS[q].need) for q in SEPARATED_ACTIONS) else set()
    return [(queue, cases) for queue in QUEUES if (cases := queue_cases(user, queue, separated)) is not None]


def default_lead_unit(case: Any, route: Route | None = None) -> Unit | None:
    """The lead unit a dispatcher is offered: the catalog's first (the rule's unit, else the department
    that owns the matter, say for a 镇级 matter whose town is unknown), then the text model's best guess;
    never a unit whose order on this case was returned. Once an order came back, a guess is not offered
    either: the dispatcher, who has the return's reason, chooses. (It reads the case's work orders, so it
    lives with the case; dispatch only routes.)"""
    route = route if route is not None else route_case(case)
    returned = set(case.work_orders.filter(status=WorkOrderStatus.RETURNED).values_list("unit_id", flat=True))
    catalog = [route.lead, case.matter.department if case.matter is not None else None]
    for unit in catalog:
        if unit is not None and unit.is_active and unit.pk not in returned:
            return unit
    if returned:
        return None
    return next((s.unit for s in route.suggestions if s.unit.is_active and s.confidence >= PRESELECT_FLOOR), None)


def reported_by_phone(cases: QuerySet[Case], phone: str) -> QuerySet[Case]:
    """The cases among `cases` whose reporter gave `phone` (normalized as registration stores it): the one
    place a phone number finds cases. Never reachable from a URL's query (`q` does not match phones).

    Phones are encrypted with a fresh nonce each (lib/pii.py): the match is on their keyed hash, under the
    current key and any key still being rotated away from. An anonymised case has no hash: nothing finds it."""
    if not phone:
        return cases.none()
    return cases.filter(reporter_phone_hash__in=lookup_hashes(phone, PHONE_PURPOSE))

