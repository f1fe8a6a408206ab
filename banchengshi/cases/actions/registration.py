"""Registration at the window, by phone or online, and what the window decides next."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit, User
from banchengshi.audit.events import record_event, sealed_together
from banchengshi.cases.actions.base import InvalidInput, lock_case, move, optional_text, require_text
from banchengshi.cases.actions.documents import issue_registration_papers, issue_rejection_notice
from banchengshi.cases.choices import (
    CaseStatus,
    Category,
    Channel,
    Complexity,
    HandlingType,
    Portal,
    Reason,
    ReporterKind,
)
from banchengshi.cases.clocks import on_event
from banchengshi.cases.duplicates import link_after_commit
from banchengshi.cases.models import Case, ReferenceCounter
from banchengshi.cases.outbound import tell_subscribers
from banchengshi.dispatch.models import Matter
from banchengshi.lib.credit_code import normalize_credit_code
from banchengshi.lib.phone import normalize_phone
from banchengshi.sla.choices import ClockEvent


def next_reference(at: datetime) -> str:
    day = timezone.localdate(at)
    ReferenceCounter.objects.bulk_create([ReferenceCounter(day=day)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"BC{day:%Y%m%d}{counter.last:04d}"


def _check_choice(value: str, choices: Any, label: str, *, blank: bool = False) -> str:
    if blank and not value:
        return ""
    if value not in choices.values:
        options = "、".join(f"{v}（{lbl}）" for v, lbl in choices.choices)
        raise InvalidInput(f"{label}取值无效：{value!r}，可选 {options}")
    return value


def registration_problems(
    *,
    reporter_phone: str | None = None,
    reporter_kind: str | None = None,
    reporter_organization: str = "",
    credit_code: str = "",
    center: Unit | None = None,
    locality: Unit | None = None,
    reasons: list[str] | None = None,
    reason_other: str = "",
    received_at: datetime | None = None,
) -> dict[str, str]:
    """Every rule a registration breaks, by field, checked all at once: the form shows them together,
    the action refuses with all of them. A value not given (None) is not checked."""
    problems: dict[str, str] = {}
    if received_at is not None:
        if timezone.is_naive(received_at):
            received_at = timezone.make_aware(received_at)
        now = timezone.now()
        if received_at > now + timedelta(minutes=settings.RECEIVED_AT_SKEW_MINUTES):
            problems["received_at"] = "登记时间不能晚于当前时间"
        elif received_at < now - timedelta(days=settings.RECEIVED_AT_MAX_PAST_DAYS):
            days = settings.RECEIVED_AT_MAX_PAST_DAYS
            problems["received_at"] = f"登记时间不能早于{days}天前（超过补录期限）；更早的反映请按当前时间登记，并在问题描述中写明反映日期"
    if center is not None and center.kind != UnitKind.SERVICE_CENTER:
        problems["center"] = f"“{center.name}”不是政务服务中心，不能作为登记中心"
    if locality is not None and locality.kind != UnitKind.SERVICE_CENTER:
        problems["locality"] = f"“{locality.name}”不是镇（街道）政务服务中心"
    unknown = [r for r in reasons or [] if r not in Reason.values]
    if unknown:
        options = "、".join(f"{v}（{lbl}）" for v, lbl in Reason.choices)
        problems["reasons"] = f"办不成原因取值无效：{unknown[0]!r}，可选 {options}"
    if Reason.OTHER in (reasons or []) and not reason_other.strip():
        problems["reason_other"] = "勾选“其他原因”时请说明具体原因"
    if reporter_phone is not None:
        try:
            normalize_phone(reporter_phone)
        except ValueError as exc:
            problems["reporter_phone"] = str(exc)
    if reporter_kind == ReporterKind.ENTERPRISE and not reporter_organization.strip():
        problems["reporter_organization"] = "企业反映请填写企业名称"
    if credit_code.strip():
        try:
            normalize_credit_code(credit_code)
        except ValueError as exc:
            problems["credit_code"] = str(exc)
    return problems


@transaction.atomic
@sealed_together()  # its events sealed at the end: the audit chain's lock is held for the last write only
def do_register_case(
    *,
    acting_user: User | None,
    channel: str,
    reporter_name: str,
    reporter_phone: str,
    center: Unit,
    description: str,
    reporter_kind: str = ReporterKind.PERSON,
    reporter_organization: str = "",
    credit_code: str = "",
    window: str = "",
    portal: str = "",
    notice_version: str = "",
    locality: Unit | None = None,
    matter: Matter | None = None,
    business_name: str = "",
    reasons: list[str] | None = None,
    reason_other: str = "",
    category: str = "",
    demand: str = "",
    received_at: datetime | None = None,
    origin: str = "",
    origin_ref: str = "",
    actor_label: str = "",
) -> Case:
    """Register a report. Without `acting_user` the report came in by itself: the reporter's own (the
    public pages) or an upstream platform's (`origin`), which `actor_label` names on the timeline."""
    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    reasons = list(dict.fromkeys(reasons or []))
    problems = registration_problems(
        reporter_phone=reporter_phone, reporter_kind=reporter_kind, reporter_organization=reporter_organization,
        credit_code=credit_code, center=center, locality=locality, reasons=reasons, reason_other=reason_other, received_at=received_at,
    )
    if problems:
        raise InvalidInput("；".join(problems.values()))
    phone = normalize_phone(reporter_phone)
    case = Case.objects.create(
        reference=next_reference(received_at),
        channel=_check_choice(channel, Channel, "反映渠道"),
        reporter_name=require_text(reporter_name, "反映人姓名", limit=64),
        reporter_phone=phone,
        reporter_kind=_check_choice(reporter_kind, ReporterKind, "反映人类型"),
        reporter_organization=reporter_organization.strip(),
        credit_code=normalize_credit_code(credit_code) if credit_code.strip() else "",
        center=center,
        window=window.strip(),
        portal=_check_choice(portal, Portal, "网上办事平台", blank=True),
        notice_version=notice_version,
        locality=locality,
        matter=matter,
        business_name=business_name.strip(),
        reasons=reasons,
        reason_other=reason_other.strip(),
        category=_check_choice(category, Category, "问题类型", blank=True),
        description=require_text(description, "遇到的问题"),
        demand=demand.strip(),
        received_at=received_at,
        registered_by=acting_user,
        origin=origin,
        origin_ref=origin_ref,
    )
    record_event("registered", actor=acting_user, actor_label=actor_label or ("反映人（网上自助）" if acting_user is None else ""),
                 case=case, after=case.status, at=now, channel=case.channel)
    if received_at < now - timedelta(minutes=settings.RECEIVED_AT_AUDIT_MINUTES):
        # Backdating moves every clock's start: who did it, and by how much, is for the audit admin to see.
        record_event("received_at_backdated", actor=acting_user, case=case, at=now,
                     given=timezone.localtime(received_at).isoformat(), actual=timezone.localtime(now).isoformat(),
                     minutes_earlier=int((now - received_at).total_seconds() // 60))
    tell_subscribers(case, "registered", now, {})
    on_event(case, ClockEvent.REGISTERED, received_at)
    link_after_commit(case)
    issue_registration_papers(case, acting_user, actor_label=actor_label or ("反映人（网上自助）" if acting_user is None else ""))
    return case


@transaction.atomic
def do_resolve_on_site(case: Case, *, acting_user: User, result: str) -> Case:
    case = lock_case(case, "resolve_on_site")
    now = timezone.now()
    case.result = require_text(result, "现场办理结果")
    case.replied_at = now
    move(case, "resolve_on_site", actor=acting_user, action="resolved_on_site", at=now,
         fields=("result", "replied_at"), result=case.result)
    on_event(case, ClockEvent.RESOLVED_ON_SITE, now)
    return case


@transaction.atomic
def do_reject_case(case: Case, *, acting_user: User, reason: str, basis: str = "", next_steps: str = "") -> Case:
    """不予受理: the reason is what the reporter is told; the 不予受理通知书 adds the legal or policy basis and
    where to turn next (defaults from the matter and the window's rules when left empty)."""
    case = lock_case(case, "reject")
    now = timezone.now()
    case.rejection_reason = require_text(reason, "不予受理原因")
    basis = optional_text(basis, "不予受理依据")
    next_steps = optional_text(next_steps, "后续办理途径")
    move(case, "reject", actor=acting_user, action="not_accepted", at=now,
         fields=("rejection_reason",), reason=case.rejection_reason)
    on_event(case, ClockEvent.NOT_ACCEPTED, now)
    issue_rejection_notice(case, acting_user, basis=basis, next_steps=next_steps)
    return case


@transaction.atomic
def do_accept_case(case: Case, *, acting_user: User, handling_type: str, complexity: str, verification: str = "") -> Case:
    case = lock_case(case, "accept")
    now = timezone.now()
    case.handling_type = _check_choice(handling_type, HandlingType, "办理方式")
    case.complexity = _check_choice(complexity, Complexity, "难易程度")
    case.accepted_at = now
    case.verification = optional_text(verification, "核实情况及处理意见") or case.verification
    move(case, "accept", actor=acting_user, action="accepted", at=now,
         fields=("handling_type", "complexity", "accepted_at", "verification"),
         handling_type=case.handling_type, complexity=case.complexity)
    on_event(case, ClockEvent.ACCEPTED, now)
    return case


@transaction.atomic
def do_merge_case(case: Case, *, acting_user: User, into: Case) -> Case:
    """并单: a duplicate report joins the earlier case; the earlier one carries on."""
    if into.pk == case.pk:
        raise InvalidInput("不能并入自身")
    if into.status == CaseStatus.MERGED:
        raise InvalidInput(f"{into.reference} 已并入其他反映件，请并入 {into.merged_into.reference if into.merged_into else '主件'}")
    if into.received_at > case.received_at:
        raise InvalidInput("只能并入更早登记的反映件")
    case = lock_case(case, "merge")
    now = timezone.now()
    case.merged_into = into
    move(case, "merge", actor=acting_user, action="merged", at=now, fields=("merged_into",), into=into.reference)
    on_event(case, ClockEvent.MERGED, now)
    record_event("duplicate_merged", actor=acting_user, case=into, at=now, duplicate=case.reference)
    return case
