"""A case as its reporter sees it: the steps in plain words (no staff names, no internal notes, no other
unit's text), the reply, what happens next and what they may do now; and the limits promised on receipt."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from banchengshi.audit.models import Event
from banchengshi.cases.actions.closing import objection_window_ends
from banchengshi.cases.actions.reporter import objection_open
from banchengshi.cases.choices import REPORTER_PAPERS, CaseStatus, ClosureBasis, Rating, WorkOrderRole
from banchengshi.cases.models import Case, CaseDocument, Clock
from banchengshi.cases.selectors import latest_visit
from banchengshi.lib.masking import mask_name
from banchengshi.sla.choices import ClockKind, ResolutionStart
from banchengshi.sla.services import effective_policy

WEEKDAYS = "一二三四五六日"


def when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日（星期{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def within(days: int) -> str:
    return "当天" if days == 0 else f"{days}个工作日内"


def _due(case: Case, kind: str) -> datetime | None:
    clock = case.clocks.filter(kind=kind, stopped_at__isnull=True, cancelled=False).order_by("-started_at").first()
    return clock.due_at if isinstance(clock, Clock) else None


def promises(case: Case) -> list[str]:
    """The limits the receiving center's policy and calendar promise, first the nearest."""
    policy = effective_policy(case.center)
    due = _due(case, ClockKind.ACCEPTANCE_REPLY)
    first = f"我们将在{within(policy.acceptance_days)}"
    first += f"（{when(due)}前）" if due else ""
    first += "与您联系，告诉您是否受理。"
    lines = [first]
    if policy.contact_days is not None:
        lines.append(f"受理后，承办单位在收到工单{within(policy.contact_days)}联系您。")
    start = "受理" if policy.resolution_start == ResolutionStart.ACCEPTED else "承办单位收到工单"
    simple, general, hard = (policy.resolution_days("", level) for level in ("simple", "general", "complex"))
    lines.append(f"从{start}起，简单问题{within(simple)}、一般问题{within(general)}、复杂问题{within(hard)}办结并答复您。")
    if policy.objection_days:
        lines.append(f"收到答复后{within(policy.objection_days)}，您可以确认结果或提出异议。")
    return lines


# The events a reporter sees, in plain words; the rest (notes, internal returns, chasing) stay inside.
def _step(event: Event, case: Case) -> str | None:
    data = event.data or {}
    match event.action:
        case "registered":
            return f"您的反映已登记，编号 {case.reference}。"
        case "accepted":
            return "窗口已受理您的反映。"
        case "not_accepted":
            return f"窗口说明不予受理：{data.get('reason', '')}"
        case "resolved_on_site":
            return "窗口已当场办理并答复您。"
        case "dispatched":
            lead = data.get("lead")
            return f"已转交{lead}办理。" if lead else "已转交承办单位办理。"
        case "work_order_received" if event.work_order is None or event.work_order.role == WorkOrderRole.LEAD:
            return "承办单位已接单，开始办理。"
        case "reporter_contacted":
            return "承办单位已与您联系。"
        case "paused":
            return "办理暂停计时（例如等待补充材料），恢复后继续计算时限。"
        case "resumed":
            return "恢复办理。"
        case "submitted_for_review":
            return "承办单位已提出办理意见，中心正在审核。"
        case "review_returned":
            return "中心审核后要求承办单位重新办理。"
        case "review_approved":
            return "答复已审核通过，请查看办理结果。"
        case "reporter_objected":
            return f"您提出了异议：{data.get('reason', '')}"
        case "closed":
            basis = {str(ClosureBasis.CONFIRMED.label): "您已确认办理结果", str(ClosureBasis.NO_OBJECTION.label): "异议期满，您没有提出异议"}
            said = basis.get(data.get("basis", ""))
            return f"已办结（{said}）。" if said else "已办结。"
        case "reporter_rated":
            return f"您的评价：{Rating(data['rating']).label}，{'问题已解决' if data.get('solved') else '问题未解决'}。"
        case "visited":
            return f"回访记录：{Rating(data['rating']).label}，{'问题已解决' if data.get('solved') else '问题未解决'}。"
        case "resupervised":
            return "政务服务办已再次督办，要求承办单位重新办理。"
        case "merged":
            return "与同一事项的其他反映合并办理，办理结果会告诉您。"
    return None


@dataclass
class Step:
    at: datetime
    text: str


@dataclass
class Progress:
    reference: str
    status: str
    status_label: str
    reporter: str
    received_at: datetime
    steps: list[Step]
    reply: str
    next_step: str
    objection_until: datetime | None
    may: set[str] = field(default_factory=set)
    # The papers issued to the reporter (回执, 不予受理通知书 …): PDFs served by banchengshi.papers to this session.
    documents: list[CaseDocument] = field(default_factory=list)


def _next_step(case: Case) -> str:
    s = case.status
    if s == CaseStatus.REGISTERED:
        due = _due(case, ClockKind.ACCEPTANCE_REPLY)
        return f"窗口将在{when(due)}前受理并与您联系。" if due else "窗口将尽快受理并与您联系。"
    if s == CaseStatus.ACCEPTED:
        return "正在安排承办单位，安排好后开始办理。"
    if s in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.PAUSED, CaseStatus.RESUPERVISED):
        due = _due(case, ClockKind.RECTIFICATION) or _due(case, ClockKind.RESOLUTION)
        return f"承办单位正在办理，将在{when(due)}前答复您。" if due else "承办单位正在办理，办好后答复您。"
    if s in (CaseStatus.REPLIED, CaseStatus.UNDER_REVIEW):
        return "中心正在审核办理意见，审核通过后会短信通知您。"
    if s == CaseStatus.APPROVED:
        ends = objection_window_ends(case)
        until = f"{when(ends)}前" if ends else ""
        return f"请查看办理结果：满意请点“确认办结”；有不同意见请在{until}提出异议。逾期未提出视为无异议，办结。"
    if s == CaseStatus.RESOLVED_ON_SITE:
        return "请查看办理结果，确认后办结。"
    if s == CaseStatus.CLOSED:
        return "已办结。请为这次办理评价（一事一评），您的评价会直接送到政务服务办。"
    if s == CaseStatus.VISITED:
        visit = latest_visit(case)
        if visit is not None and visit.unsatisfied:
            return "您对办理结果不满意或问题没有解决，政务服务办将再次督办。"
        return "感谢您的评价。"
    if s == CaseStatus.NOT_ACCEPTED:
        return "不予受理的原因、依据和后续办理途径见下方《不予受理通知书》；如有疑问，可拨打12345，或补充情况后重新反映。"
    return ""


REPLY_VISIBLE = frozenset({CaseStatus.RESOLVED_ON_SITE, CaseStatus.APPROVED, CaseStatus.CLOSED, CaseStatus.VISITED, CaseStatus.RESUPERVISED})


def reporter_may(case: Case) -> set[str]:
    may = set()
    if case.status in (CaseStatus.APPROVED, CaseStatus.RESOLVED_ON_SITE):
        may.add("confirm")
    if objection_open(case):
        may.add("object")
    if case.status == CaseStatus.CLOSED:
        may.add("rate")
    return may


def progress(case: Case) -> Progress:
    events = Event.objects.filter(case=case).select_related("work_order").order_by("at", "id")
    steps = [Step(e.at, text) for e in events if (text := _step(e, case))]
    return Progress(
        reference=case.reference,
        status=case.status,
        status_label=str(CaseStatus(case.status).label),
        reporter=mask_name(case.reporter_organization or case.reporter_name),
        received_at=case.received_at,
        steps=steps,
        reply=case.result if case.status in REPLY_VISIBLE else "",
        next_step=_next_step(case),
        objection_until=objection_window_ends(case) if case.status == CaseStatus.APPROVED else None,
        may=reporter_may(case),
        documents=list(case.documents.filter(kind__in=REPORTER_PAPERS).order_by("issued_at", "pk")),
    )


def matches(case: Case | None, phone_last4: str) -> bool:
    """The suffix matches the case's phone (in constant time; a missing case compares too)."""
    suffix = (case.reporter_phone if case is not None else "0000000")[-4:]
    return hmac.compare_digest(suffix.encode(), (phone_last4 or "").strip().encode()) and case is not None
