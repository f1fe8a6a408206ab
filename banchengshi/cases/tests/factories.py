"""Cases in any state, built through the actions (never by writing rows)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from banchengshi.cases import actions
from banchengshi.cases.choices import OPEN_WORK_ORDER
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.dispatch.models import Matter
from banchengshi.supervision import actions as supervision_actions

PATH = [S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.REPLIED, S.UNDER_REVIEW, S.APPROVED, S.CLOSED, S.VISITED, S.RESUPERVISED]


def register(district: Any, *, matter: str | None = "RSJ-003", center: str = "FWZX", minutes_ago: int = 0, **extra: Any) -> Case:
    registrar = district.users["registrar" if center == "FWZX" else "town_registrar"]
    return actions.do_register_case(
        acting_user=registrar,
        channel=extra.pop("channel", "window"),
        reporter_name=extra.pop("reporter_name", "张三"),
        reporter_phone=extra.pop("reporter_phone", "13800138000"),
        center=district.units[center],
        matter=Matter.objects.get(code=matter) if matter else None,
        description=extra.pop("description", "申领失业保险金时网上一直提示未办理失业登记。"),
        received_at=timezone.now() - timedelta(minutes=minutes_ago),
        **extra,
    )


def case_in(district: Any, status: str, **register_extra: Any) -> Case:
    u = district.users
    if status == S.MERGED:
        earlier = register(district, minutes_ago=60)
        case = register(district, **register_extra)
        actions.do_merge_case(case, acting_user=u["registrar"], into=earlier)
        return Case.objects.get(pk=case.pk)
    case = register(district, **register_extra)
    if status == S.RESOLVED_ON_SITE:
        actions.do_resolve_on_site(case, acting_user=u["registrar"], result="当场办结")
    elif status == S.NOT_ACCEPTED:
        actions.do_reject_case(case, acting_user=u["registrar"], reason="不属于受理范围")
    elif status != S.REGISTERED:
        _walk(district, case, status)
    return Case.objects.get(pk=case.pk)


def _walk(district: Any, case: Case, status: str) -> None:
    u = district.users
    actions.do_accept_case(case, acting_user=u["registrar"], handling_type="assist", complexity="general")
    if status == S.ACCEPTED:
        return
    actions.do_dispatch_case(case, acting_user=u["dispatcher"], lead_unit=district.units["RSJ"])
    if status == S.DISPATCHED:
        return
    lead = case.work_orders.get(unit__code="RSJ")
    actions.do_receive_work_order(lead, acting_user=u["rsj"])
    if status == S.IN_PROGRESS:
        return
    if status == S.PAUSED:
        actions.do_pause_case(case, acting_user=u["rsj"], reason="等待补充材料")
        return
    if status == S.REPLIED:
        actions.do_request_assistance(lead, acting_user=u["rsj"], units=[district.units["YBJ"]])
    actions.do_reply_work_order(lead, acting_user=u["rsj"], result="已办结")
    if status in (S.REPLIED, S.UNDER_REVIEW):
        return
    actions.do_review_case(case, acting_user=u["center_head"], approve=True)
    if status == S.APPROVED:
        return
    actions.do_close_case(case, acting_user=u["center_head"], reporter_confirmed=True)
    if status == S.CLOSED:
        return
    actions.do_visit_case(case, acting_user=u["dispatcher"], rating=1, solved=False)
    if status == S.VISITED:
        return
    supervision_actions.do_resupervise_case(case, acting_user=u["admin_office"], reason="回访不满意")


def assert_next_due_kept() -> None:
    """Every case's stored soonest limit (`Case.next_due_at`, which orders the queues) is what its running
    clocks say, and each of its open work orders holds the same (a unit's queue walks that copy): cases/clocks.py
    keeps both through every start, stop, pause, resume and move, and a new order starts with its case's."""
    from banchengshi.cases.models import Clock

    for case in Case.objects.all():
        soonest = Clock.objects.filter(case=case, stopped_at__isnull=True).order_by("due_at").values_list("due_at", flat=True).first()
        assert case.next_due_at == soonest, (case.reference, case.status, case.next_due_at, soonest)
        for order in case.work_orders.filter(status__in=OPEN_WORK_ORDER):
            assert order.next_due_at == soonest, (case.reference, order.pk, order.unit_id, order.next_due_at, soonest)
