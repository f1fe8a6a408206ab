"""What each paper of a case says: the context of `papers/<kind>.html` for one CaseDocument.

A paper prints from its snapshot (`CaseDocument.data`), so a reprint says what the first print said. The
reporter's name and phone are never in the snapshot: they come from the case at print time, in full or
masked as the reader may see them (`cases.personal`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from banchengshi.audit.labels import action_label
from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus, Channel, DocumentKind, Reason, ReporterKind
from banchengshi.cases.models import Case, CaseDocument
from banchengshi.cases.personal import Reporter
from banchengshi.cases.presenters import event_detail
from banchengshi.lib.masking import mask_phones_in

# The kinds whose paper names the reporter: printing one of them is a view of personal data.
NAMES_REPORTER = frozenset({DocumentKind.REGISTRATION_FORM, DocumentKind.REJECTION_NOTICE, DocumentKind.ONE_TIME_NOTICE})


def chinese_date(moment: datetime | date | None) -> str:
    """2026年3月2日, the date of a 落款; blanks to fill by hand when there is none."""
    if moment is None:
        return "　　年　　月　　日"
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_minute(value: datetime | str | None) -> str:
    """2026年3月2日9时30分 from a datetime or its ISO text in a snapshot."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def template_for(kind: str) -> str:
    return f"papers/{kind}.html"


ContextBuilder = Callable[[CaseDocument, "Reporter | None"], dict[str, Any]]
# Kinds with more to say than their snapshot: registered by the module that builds them (see below).
EXTRA_CONTEXT: dict[str, ContextBuilder] = {}


def document_context(document: CaseDocument, reporter: Reporter | None) -> dict[str, Any]:
    case = document.case
    data = dict(document.data)
    organ = str(data.get("organ") or case.center.name)
    context: dict[str, Any] = {
        **data,
        "data": data,
        "document": document,
        "kind": document.kind,
        "title": document.title,
        "number": document.number,
        "organ": organ,
        "reference": case.reference,
        "signed_by": str(data.get("signed_by") or organ),
        "signed_on": chinese_date(document.issued_at),
        "issued_at": chinese_minute(document.issued_at),
        "reporter": reporter,
    }
    extra = EXTRA_CONTEXT.get(document.kind)
    if extra is not None:
        context.update(extra(document, reporter))
    return context


CHECKED, UNCHECKED = "☑", "☐"
# The Songjiang 登记表 lists three reasons and 其他原因; the other reasons of the case's vocabulary print as 其他.
SONGJIANG_REASONS = (Reason.PROOF_HARD_TO_FIND, Reason.RULE_MISMATCH, Reason.MATERIAL_MISMATCH)
# The steps the 办理过程 part of the 登记表 lists (what a clerk would write there by hand).
PROCESS_ACTIONS = frozenset({
    "accepted", "not_accepted", "resolved_on_site", "dispatched", "work_order_received", "reporter_contacted",
    "work_order_returned", "dispatched_down", "assistance_requested", "paused", "resumed", "replied",
    "review_approved", "review_returned", "closed", "visited", "resupervised",
})
FINISHED = frozenset({CaseStatus.CLOSED, CaseStatus.VISITED, CaseStatus.MERGED, CaseStatus.NOT_ACCEPTED,
                      CaseStatus.RESOLVED_ON_SITE})
HANDLING_ACTIONS = frozenset({"work_order_received", "reporter_contacted", "note_added", "replied", "assisting_replied"})


def _box(on: bool) -> str:
    return CHECKED if on else UNCHECKED


def registration_form_context(document: CaseDocument, reporter: Reporter | None) -> dict[str, Any]:
    """The Songjiang 登记表 as the case stands now: the reporter's part from the registration, the clerk's part
    (受理与否, 是否反馈, 办理过程与结果) from what happened since. Phones in the texts are masked for a reader
    who may not see the reporter's phone."""
    case = Case.objects.select_related("matter", "registered_by", "center").get(pk=document.case_id)
    shown: Callable[[str], str] = (lambda text: text) if reporter is not None and reporter.full else mask_phones_in
    events = list(Event.objects.filter(case=case).order_by("at", "seq"))
    decided = next((e.at for e in events if e.action == "not_accepted"), case.accepted_at)
    rejected = case.status == CaseStatus.NOT_ACCEPTED
    others = [str(Reason(r).label) for r in case.reasons if r in Reason.values and r not in SONGJIANG_REASONS and r != Reason.OTHER]
    if case.reason_other:
        others.append(case.reason_other)
    orders = list(case.work_orders.select_related("unit").order_by("created_at", "pk"))
    handlers = list(dict.fromkeys(e.actor_label for e in events if e.action in HANDLING_ACTIONS and e.actor_label))
    closed = case.closed_at or (case.replied_at if case.status == CaseStatus.RESOLVED_ON_SITE else None)
    fed_back = case.replied_at is not None or rejected or case.status in (CaseStatus.RESOLVED_ON_SITE, CaseStatus.CLOSED, CaseStatus.VISITED)
    return {
        "title": f"{case.center.name}“办不成事”登记表",
        "organization": case.reporter_organization if case.reporter_kind == ReporterKind.ENTERPRISE else "",
        "received_on": chinese_date(case.received_at),
        "window": case.window or (str(Channel(case.channel).label) if case.channel in Channel.values else ""),
        "business": case.business_name or (case.matter.name if case.matter else ""),
        "reason_boxes": [(str(r.label), _box(r in case.reasons)) for r in SONGJIANG_REASONS],
        "other_box": _box(bool(others) or Reason.OTHER in case.reasons),
        "other_text": "；".join(others) or "　" * 12,
        "description": shown(case.description),
        "demand": shown(case.demand),
        "registrar": str(case.registered_by) if case.registered_by else "反映人（网上自助）",
        "handlers": "、".join(handlers),
        "accepted_box": _box(case.accepted_at is not None),
        "rejected_box": _box(rejected),
        "decision_reason": shown(case.rejection_reason if rejected else case.verification),
        "decided_on": chinese_date(decided) if decided else "",
        "closed_on": chinese_date(closed) if closed else "",
        "departments": "、".join(dict.fromkeys(o.unit.name for o in orders)),
        "fed_back_yes": _box(fed_back),
        # 否 only once the case is finished without the reporter told; while it runs the box is left for later.
        "fed_back_no": _box(not fed_back and case.status in FINISHED),
        "process": [
            f"{chinese_minute(e.at)} {action_label(e.action)}" + (f"：{shown(detail)}" if (detail := event_detail(e.action, e.data)) else "")
            for e in events if e.action in PROCESS_ACTIONS
        ][:14],
        "result": shown(case.result),
    }


EXTRA_CONTEXT[DocumentKind.REGISTRATION_FORM] = registration_form_context
