"""Cases as the API and the pages show them, with personal data masked where it is not needed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from banchengshi.accounts.choices import CENTER_STAFF
from banchengshi.cases.choices import CaseStatus, ClockKind, WorkOrderStatus
from banchengshi.cases.clocks import clock_light
from banchengshi.cases.models import Case, Clock
from banchengshi.lib.masking import mask_phone
from banchengshi.sla.services import missing_year_warning

LIGHT_ORDER = {"green": 0, "yellow": 1, "red": 2}


def _unit(unit: Any) -> dict[str, str] | None:
    return None if unit is None else {"code": unit.code, "name": unit.name}


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else timezone.localtime(moment)


def case_light(clocks: list[Clock], now: datetime) -> str | None:
    """The worst light among the clocks still running (paused ones frozen); None when none runs."""
    lights = [clock_light(c, now) for c in clocks if c.stopped_at is None]
    return max(lights, key=LIGHT_ORDER.__getitem__) if lights else None


def may_see_contact(user: Any) -> bool:
    return getattr(user, "role", None) in CENTER_STAFF


def case_summary(case: Case, user: Any, now: datetime, clocks: list[Clock] | None = None) -> dict[str, Any]:
    clocks = list(case.clocks.all()) if clocks is None else clocks
    return {
        "reference": case.reference,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "channel": case.channel,
        "center": _unit(case.center),
        "matter": None if case.matter is None else {"code": case.matter.code, "name": case.matter.name},
        "business_name": case.business_name,
        "reporter": {
            "name": case.reporter_name,
            "phone": mask_phone(case.reporter_phone),
            "kind": case.reporter_kind,
            "organization": case.reporter_organization,
        },
        "received_at": _local(case.received_at),
        "light": case_light(clocks, now),
        "awaiting_manual_dispatch": case.awaiting_manual_dispatch,
    }


def case_detail(case: Case, user: Any, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    clocks = list(case.clocks.all())
    detail = case_summary(case, user, now, clocks)
    if may_see_contact(user):
        detail["reporter"]["phone"] = case.reporter_phone
    years = sorted({c.due_at.year for c in clocks if c.calendar_fallback and c.stopped_at is None})
    detail.update(
        handling_type=case.handling_type,
        complexity=case.complexity,
        locality=_unit(case.locality),
        window=case.window,
        reasons=case.reasons,
        reason_other=case.reason_other,
        category=case.category,
        description=case.description,
        demand=case.demand,
        verification=case.verification,
        result=case.result,
        rejection_reason=case.rejection_reason,
        merged_into=case.merged_into.reference if case.merged_into_id and case.merged_into else None,
        resupervision_count=case.resupervision_count,
        review_approved=case.review_approved_at is not None,
        clocks=[
            {
                "kind": c.kind,
                "label": str(ClockKind(c.kind).label),
                "working_days": c.working_days,
                "started_at": _local(c.started_at),
                "due_at": _local(c.due_at),
                "warn_at": _local(c.warn_at),
                "light": clock_light(c, now),
                "paused": c.paused_at is not None,
                "stopped_at": _local(c.stopped_at),
                "calendar_fallback": c.calendar_fallback,
            }
            for c in clocks
        ],
        work_orders=[
            {
                "id": o.pk,
                "unit": _unit(o.unit),
                "role": o.role,
                "status": o.status,
                "status_label": str(WorkOrderStatus(o.status).label),
                "parent_id": o.parent_id,
                "created_at": _local(o.created_at),
                "received_at": _local(o.received_at),
                "contacted_at": _local(o.contacted_at),
                "replied_at": _local(o.replied_at),
                "verification": o.verification,
                "opinion": o.opinion,
                "result": o.result,
                "return_reason": o.return_reason,
            }
            for o in case.work_orders.select_related("unit")
        ],
        timeline=[
            {
                "at": _local(e.at),
                "actor": e.actor_label,
                "action": e.action,
                "status_before": e.status_before,
                "status_after": e.status_after,
                "data": e.data,
            }
            for e in case.events.all()
        ],
        warnings=[missing_year_warning(y) for y in years],
    )
    return detail
