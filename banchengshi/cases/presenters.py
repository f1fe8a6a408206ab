"""Cases as the API and the pages show them, with personal data masked where it is not needed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.cases import personal
from banchengshi.cases.choices import (
    CaseStatus,
    ClockKind,
    Complexity,
    HandlingType,
    WorkOrderRole,
    WorkOrderStatus,
)
from banchengshi.cases.clocks import clock_light
from banchengshi.cases.duplicates import links_of
from banchengshi.cases.models import Attachment, Case, CaseDocument, Clock, WorkOrder
from banchengshi.cases.personal import Reporter
from banchengshi.cases.selectors import cases_visible_to
from banchengshi.lib import uploads
from banchengshi.lib.masking import mask_phones_in
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


def latest_return(case: Case) -> WorkOrder | None:
    """The order returned last, when nothing has been dispatched since: the case is back with whoever
    dispatched it. Reads the prefetched orders (lists mark returns without a query per row)."""
    orders = list(case.work_orders.all())
    newest = max(orders, key=lambda o: o.pk, default=None)
    return newest if newest is not None and newest.status == WorkOrderStatus.RETURNED else None


def case_summary(case: Case, now: datetime, clocks: list[Clock] | None = None, *, reporter: Reporter | None = None
                 ) -> dict[str, Any]:
    """A case as a list shows it; `reporter` as the reader may see them (`cases.personal`), masked when not given."""
    clocks = list(case.clocks.all()) if clocks is None else clocks
    reporter = reporter or personal.masked(case)
    return {
        "reference": case.reference,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "channel": case.channel,
        "center": _unit(case.center),
        "matter": None if case.matter is None else {"code": case.matter.code, "name": case.matter.name},
        "business_name": case.business_name,
        "reporter": {
            "name": reporter.name,
            "phone": reporter.phone,
            "kind": case.reporter_kind,
            "organization": case.reporter_organization,
        },
        "received_at": _local(case.received_at),
        "light": case_light(clocks, now),
        "awaiting_manual_dispatch": case.awaiting_manual_dispatch,
    }


def attachment_out(attachment: Any) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "uploaded_by": str(attachment.uploaded_by) if attachment.uploaded_by else "反映人",
        "uploaded_at": _local(attachment.uploaded_at),
    }


def attachment_download(attachment: Attachment) -> FileResponse:
    """The file, always as a download (Content-Disposition: attachment), with the content type our check
    found (lib/uploads.py) and nosniff: a browser never renders it as a page on our origin. An older row's
    type came from the uploading browser and is not trusted: it is sent as bytes."""
    trusted = attachment.content_type if attachment.content_type in uploads.CONTENT_TYPES.values() else ""
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                            content_type=trusted or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def similar_cases(case: Case, user: User) -> list[dict[str, Any]]:
    """The case's possible repeats (cases.duplicates) that `user` may see, either way, best first."""
    return [{"reference": (link.other if link.case_id == case.pk else link.case).reference, "kind": link.kind,
             "score": link.score} for link in links_of(case, cases_visible_to(user))]


def document_url(document: CaseDocument) -> str:
    """The PDF of a paper issued for a case (served by banchengshi.papers, which cases never imports)."""
    return reverse("case_document", args=[document.case.reference, document.pk])


def document_out(document: CaseDocument) -> dict[str, Any]:
    return {
        "kind": document.kind,
        "title": document.title,
        "url": document_url(document),
        "number": document.number,
        "issued_at": _local(document.issued_at),
    }


def case_detail(case: Case, user: User, reporter: Reporter, now: datetime | None = None) -> dict[str, Any]:
    """The case in full as `user` may read it; `reporter` from `personal.viewed` (which records the look).
    For a reader who may not see phones, any phone number in the texts and the timeline is masked too."""
    now = now or timezone.now()
    clocks = list(case.clocks.all())
    detail = case_summary(case, now, clocks, reporter=reporter)
    shown = (lambda value: value) if personal.sees_contact(user) else mask_phones_in
    years = sorted({c.due_at.year for c in clocks if c.calendar_fallback and c.stopped_at is None})
    detail.update(
        handling_type=case.handling_type,
        complexity=case.complexity,
        locality=_unit(case.locality),
        window=case.window,
        reasons=case.reasons,
        reason_other=case.reason_other,
        category=case.category,
        description=shown(case.description),
        demand=shown(case.demand),
        verification=shown(case.verification),
        result=shown(case.result),
        rejection_reason=shown(case.rejection_reason),
        merged_into=case.merged_into.reference if case.merged_into_id and case.merged_into else None,
        similar=similar_cases(case, user),
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
                "cancelled": c.cancelled,
                "ended_by": c.ended_by,
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
        attachments=[attachment_out(a) for a in case.attachments.select_related("uploaded_by")],
        documents=[document_out(d) for d in case.documents.all()],
        timeline=[
            {
                "at": _local(e.at),
                "actor": e.actor_label,
                "action": e.action,
                "status_before": e.status_before,
                "status_after": e.status_after,
                "detail": shown(event_detail(e.action, e.data)),
                "data": shown(e.data),
            }
            for e in case.events.all()
        ],
        warnings=[missing_year_warning(y) for y in years],
    )
    return detail


def describe_business_time(seconds: int, seconds_per_day: int) -> str:
    days, rest = divmod(abs(seconds), seconds_per_day)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days}个工作日")
    if hours:
        parts.append(f"{hours}小时")
    if not days and not hours:
        parts.append(f"{minutes}分钟")
    return "".join(parts)


def time_left(clock: Clock, now: datetime, calendar: Any, hours: Any) -> str:
    """What is left before the limit, in working days and hours (or how far past it)."""
    from banchengshi.sla.deadlines import business_seconds_between

    if clock.cancelled:
        return f"已撤销（{clock.get_ended_by_display()}）"
    if clock.stopped_at is not None:
        return "已完成" + ("（超时）" if clock.stopped_at > clock.due_at else "")
    moment = clock.paused_at or now
    prefix = "暂停中，" if clock.paused_at else ""
    if moment > clock.due_at:
        late = business_seconds_between(clock.due_at, moment, calendar, hours)
        return f"{prefix}已超时{describe_business_time(late, hours.seconds_per_day) if late else '（非工作时间）'}"
    left = business_seconds_between(moment, clock.due_at, calendar, hours)
    return f"{prefix}剩余{describe_business_time(left, hours.seconds_per_day)}"


def _clock_label(kind: str) -> str:
    return str(ClockKind(kind).label) if kind in ClockKind.values else kind


def _moment(value: Any) -> str:
    """A stored ISO time as the page shows it (local, to the minute)."""
    try:
        return timezone.localtime(datetime.fromisoformat(str(value))).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


# What each kind of event adds to its name on the timeline, from the data the action recorded.
EVENT_DETAILS: dict[str, Any] = {
    "accepted": lambda d: f"{_label(HandlingType, d.get('handling_type'))}，{_label(Complexity, d.get('complexity'))}",
    "auto_dispatched": lambda d: f"派至{d.get('unit', '')}（置信度 {d.get('confidence', '')}，阈值 {d.get('threshold', '')}；"
                                 f"依据：{'、'.join(d.get('words') or []) or '—'}）",
    "dispatched": lambda d: "；".join(filter(None, [
        f"主办：{d.get('lead')}", f"协办：{'、'.join(d['assisting'])}" if d.get("assisting") else "", d.get("rule", "")])),
    "received_at_backdated": lambda d: f"登记时间填为 {str(d.get('given', ''))[:16].replace('T', ' ')}，"
                                       f"实际录入于 {str(d.get('actual', ''))[:16].replace('T', ' ')}",
    "work_order_created": lambda d: f"{d.get('unit')}（{_label(WorkOrderRole, d.get('role'))}）",
    "work_order_received": lambda d: "：".join(filter(None, [d.get("unit"), d.get("note")])),
    "work_order_returned": lambda d: f"{d.get('unit')}退回{('至' + d['to_unit']) if d.get('to_unit') else '，待重新派单'}：{d.get('reason')}",
    "dispatched_down": lambda d: f"{d.get('from_unit')} → {d.get('unit')}",
    "assistance_requested": lambda d: f"请{'、'.join(d.get('units', []))}协办" + (f"：{d['note']}" if d.get("note") else ""),
    "work_order_chased": lambda d: f"{d.get('unit')}" + (f"：{d['note']}" if d.get("note") else ""),
    "work_order_withdrawn": lambda d: f"{d.get('unit')}：{d.get('reason')}",
    "replied": lambda d: f"{d.get('unit')}：{d.get('result')}",
    "assisting_replied": lambda d: f"{d.get('unit')}：{d.get('result')}",
    "note_added": lambda d: "；".join(filter(None, [
        d.get("note"), f"核实情况：{d['verification']}" if d.get("verification") else "",
        f"处理意见：{d['opinion']}" if d.get("opinion") else ""])),
    "closed": lambda d: d.get("basis", ""),
    "visited": lambda d: "，".join(filter(None, [
        d.get("rating_label"), "问题已解决" if d.get("solved") else "问题未解决", d.get("note")])),
    "resupervised": lambda d: f"{d.get('unit')}，整改{d.get('days', '')}个工作日：{d.get('reason')}",
    "clock_recomputed": lambda d: f"{_clock_label(d.get('clock', ''))}时限由 {_moment(d.get('due_before'))} 调整为 "
                                  f"{_moment(d.get('due_after'))}（{d.get('reason')}）",
    "clock_overdue": lambda d: f"{d.get('label')}时限已于 {_moment(d.get('due_at'))} 到期",
    "queued_for_manual_dispatch": lambda d: d.get("rule", ""),
    "merged": lambda d: f"并入 {d.get('into')}",
    "duplicate_merged": lambda d: f"{d.get('duplicate')} 并入本件",
    "duplicate_dismissed": lambda d: f"与 {d.get('other')} 不是重复",
}
GENERIC_KEYS = ("note", "reason", "result", "title", "decisions", "unit")


def event_detail(action: str, data: dict[str, Any]) -> str:
    """The words after an event's name on the timeline ("退回工单：人社局退回，待重新派单：不属于本单位")."""
    describe = EVENT_DETAILS.get(action)
    if describe is not None:
        return str(describe(data))
    return next((str(data[k]) for k in GENERIC_KEYS if data.get(k)), "")


def _label(choices: Any, value: Any) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")
