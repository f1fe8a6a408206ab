"""Papers issued for a case: the record of what was issued (the PDF is rendered from it by banchengshi.papers).

A paper's `data` is a snapshot of what it says, taken at issue, so that a reprint says the same. It never
holds the reporter's name or phone (SM4 ciphertext on the case; a print reads them, masked by role)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.choices import Channel, ClockKind, DocumentKind
from banchengshi.cases.models import Case, CaseDocument


@transaction.atomic
def issue_document(
    case: Case, kind: str, title: str, data: dict[str, Any], actor: User | None, *, number: str = "", actor_label: str = ""
) -> CaseDocument:
    """Record a paper issued for `case`; `data` is what it says (a JSON snapshot without name or phone)."""
    kind = DocumentKind(kind).value
    document = CaseDocument.objects.create(
        case=case, kind=kind, title=title[:200], number=number, issued_at=timezone.now(), issued_by=actor, data=data
    )
    record_event("document_issued", actor=actor, case=case, at=document.issued_at, actor_label=actor_label,
                 document=document.pk, kind=kind, title=document.title, number=number)
    return document


def _minute(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def _subject(case: Case) -> str:
    return " · ".join(dict.fromkeys(filter(None, [case.matter.name if case.matter else "", case.business_name])))


def center_contact(case: Case) -> dict[str, str]:
    center = case.center
    return {
        "organ": center.name,
        "center_phone": settings.PAPERS_CENTER_PHONE,
        "center_hours": f"工作日 {center.opens:%H:%M}—{center.closes:%H:%M}",
    }


def tracking_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("public_track")


def receipt_data(case: Case) -> dict[str, Any]:
    """The 回执: what was received when, the limits the clocks promise, how to follow it, whom to call."""
    limits = [
        {"label": str(ClockKind(c.kind).label), "due": _minute(c.due_at), "working_days": c.working_days}
        for c in sorted(case.clocks.filter(stopped_at__isnull=True, cancelled=False), key=lambda c: (c.due_at, c.pk))
    ]
    return {
        **center_contact(case),
        "received": _minute(case.received_at),
        "channel": str(Channel(case.channel).label) if case.channel in Channel.values else case.channel,
        "window": case.window,
        "subject": _subject(case),
        "limits": limits,
        "tracking_url": tracking_url(),
    }


def issue_registration_papers(case: Case, actor: User | None, *, actor_label: str = "") -> None:
    """At registration: the reporter's 回执 and the case's 登记表 (which prints the case as it stands)."""
    issue_document(case, DocumentKind.RECEIPT, "“办不成事”反映受理回执", receipt_data(case), actor, actor_label=actor_label)
    issue_document(case, DocumentKind.REGISTRATION_FORM, f"{case.center.name}“办不成事”登记表",
                   {"organ": case.center.name}, actor, actor_label=actor_label)


# 不予受理: what the reporter is told besides the reason, unless the clerk writes it.
DEFAULT_BASIS = (
    "根据“办不成事”反映窗口工作机制，“办不成事”是指除企业群众自身原因，以及违反或不符合法律法规、政策规定以外原因"
    "而没有办成的事。因企业群众自身原因，或因违反、不符合法律法规和政策规定而未能办理的事项，不属于“办不成事”受理范围。"
)


def default_basis(case: Case) -> str:
    if case.matter is not None:
        return f"{DEFAULT_BASIS}您反映的“{case.matter.name}”事项，其受理条件和所需材料以该事项办事指南所列设定依据为准。"
    return DEFAULT_BASIS


def default_next_steps(case: Case) -> str:
    steps = []
    if case.matter is not None:
        steps.append(f"“{case.matter.name}”的具体办理要求，可咨询{case.matter.department.name}窗口，或查阅该事项的办事指南。")
    steps.append(f"如对本决定有异议，可自收到本通知之日起持本通知书到{case.center.name}“办不成事”反映窗口提出，"
                 f"或拨打咨询电话{settings.PAPERS_CENTER_PHONE}。")
    steps.append("补齐材料或情况发生变化后，您可以再次申请办理或重新反映。")
    return "\n".join(steps)


def issue_rejection_notice(case: Case, actor: User | None, *, basis: str, next_steps: str) -> CaseDocument:
    data = {
        **center_contact(case),
        "received": _minute(case.received_at),
        "subject": _subject(case),
        "reason": case.rejection_reason,
        "basis": basis or default_basis(case),
        "next_steps": next_steps or default_next_steps(case),
        "tracking_url": tracking_url(),
    }
    return issue_document(case, DocumentKind.REJECTION_NOTICE, "“办不成事”反映不予受理通知书", data, actor)
