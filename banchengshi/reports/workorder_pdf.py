"""The printed 工单 a handling unit receives: the Ankang “群众反映‘办不成事’问题工单”, as an A4 PDF.

It carries the reporter's full phone number: the unit has to call them. Only hand it to staff of the
unit holding the order, or of the center and offices above it (`access_case` decides, not this module).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from banchengshi.cases.choices import ClockKind, HandlingType, ReporterKind, WorkOrderRole, WorkOrderStatus
from banchengshi.cases.models import Case, Clock, WorkOrder
from banchengshi.papers.render import NoFetching as _NoFetching
from banchengshi.papers.render import paper_html, render_paper

# On the one layout of every paper (papers/paper.html): the center's red header, page numbers, footer.
TEMPLATE = "reports/work_order.html"
CHECKED, UNCHECKED = "☑", "☐"
__all__ = ["_NoFetching", "work_order_context", "work_order_html", "work_order_pdf"]


def _day(moment: datetime | None) -> str:
    if moment is None:
        return "　　年　　月　　日"
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def _minute(moment: datetime | None) -> str:
    return "" if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def resolution_clock(case: Case) -> Clock | None:
    """The running resolution clock, else the latest one (a finished case still shows its limit)."""
    clocks = sorted((c for c in case.clocks.all() if c.kind == ClockKind.RESOLUTION), key=lambda c: (c.started_at, c.pk))
    running = [c for c in clocks if c.stopped_at is None]
    return (running or clocks)[-1] if clocks else None


def _due(clock: Clock | None) -> str:
    if clock is None:
        return ""
    return _("{due} 前（{days} 个工作日）").format(due=_minute(clock.due_at), days=clock.working_days)


def work_order_context(order: WorkOrder) -> dict[str, Any]:
    case = order.case
    reporter = case.reporter_name
    if case.reporter_kind == ReporterKind.ENTERPRISE and case.reporter_organization:
        reporter = f"{case.reporter_organization}（{case.reporter_name}）"
    clock = resolution_clock(case)
    return {
        "title": "群众反映“办不成事”问题工单",
        "organ": case.center.name,
        "reference": case.reference,
        "case": case,
        "order": order,
        "reporter": reporter,
        "received_at": _minute(case.received_at),
        "unit": order.unit.name,
        "role": str(WorkOrderRole(order.role).label),
        "due": _due(clock),
        "subject": " · ".join(dict.fromkeys(filter(None, [case.matter.name if case.matter else "", case.business_name]))),
        "verifications": [text for text in (case.verification, order.verification) if text],
        "opinion": order.opinion,
        "signed_by": case.center.name,
        "signed_on": _day(order.created_at),
        "handling_types": [
            (str(label), CHECKED if value == case.handling_type else UNCHECKED)
            for value, label in HandlingType.choices
        ],
        "result": order.result or case.result,
        # An order its unit no longer holds must not pass for a live one on paper.
        "void": _void_reason(order),
    }


def _void_reason(order: WorkOrder) -> str:
    if order.status == WorkOrderStatus.RETURNED:
        return f"本工单已由{order.unit.name}退回（{order.return_reason}），不再作为办理依据"
    if order.status == WorkOrderStatus.TRANSFERRED:
        return f"本工单已由{order.unit.name}向下派单，以下级中心工单为准"
    if order.status == WorkOrderStatus.WITHDRAWN:
        return "本协办工单已撤回，不再作为办理依据"
    return ""


def work_order_html(order: WorkOrder) -> str:
    return paper_html(TEMPLATE, work_order_context(order))


def work_order_pdf(order: WorkOrder) -> bytes:
    """One A4 page (more if the texts are long). Needs Pango and the Noto CJK fonts (fonts-noto-cjk)."""
    return render_paper(TEMPLATE, work_order_context(order))
