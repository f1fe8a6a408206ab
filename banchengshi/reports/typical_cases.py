"""典型案例: the admin office proposes a closed case, edits the anonymised text, approves or withdraws it.

Each action checks the power (Need.PUBLISH_CASES), changes the row and writes an audit event. A proposal's
first text is made from the case with personal data taken out (`anonymise`): mobile numbers, 18-digit ID
numbers, street addresses, the reporter's name and enterprise name. Approval is refused while the text
still holds a phone or ID number pattern or the reporter's (or the enterprise's) name: a person may type
them back in while editing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import cases_visible_to, reached
from banchengshi.lib.errors import ActionError, ActionForbidden, InvalidInput
from banchengshi.lib.masking import MOBILE
from banchengshi.reports.models import TypicalCase

SOMEONE = "某某"
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# A street address: a place name ending in 路/街/巷/弄/道/村/小区 followed by a number (号, 弄, 室, 栋 …).
ADDRESS = re.compile(r"[\u4e00-\u9fff]{0,12}(?:路|街|巷|弄|大道|村|小区)\d+(?:[-—]\d+)?(?:号|弄|栋|幢|室|楼)(?:\d+(?:号|弄|栋|幢|室|楼))*")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
LIMITS = {"title": 100, "problem": 2000, "handling": 2000, "outcome": 2000}
FIELD_LABELS = {"title": "标题", "problem": "遇到的问题", "handling": "办理过程", "outcome": "办理结果"}


@dataclass(frozen=True)
class Text:
    title: str
    problem: str
    handling: str
    outcome: str


def _names(case: Case) -> list[str]:
    """The names the text must not hold: the reporter's (if longer than one character) and the enterprise's."""
    return [n for n in (case.reporter_name.strip(), case.reporter_organization.strip()) if len(n) >= 2]


def anonymise(text: str, case: Case) -> str:
    """`text` with the case's personal data replaced: names by 某某, numbers and addresses by a note."""
    for name in sorted(_names(case), key=len, reverse=True):
        text = text.replace(name, SOMEONE)
    text = ID_NUMBER.sub("（身份证号已隐去）", text)
    text = MOBILE.sub("（电话已隐去）", text)
    text = LANDLINE.sub("（电话已隐去）", text)
    return ADDRESS.sub("（地址已隐去）", text)


def personal_data_in(text: Text, case: Case) -> str:
    """Why the text may not be published yet, in Chinese, or "" when it holds no personal data we know of."""
    whole = "\n".join((text.title, text.problem, text.handling, text.outcome))
    if MOBILE.search(whole) or LANDLINE.search(whole):
        return "正文仍含有电话号码，请删除后再审核通过"
    if ID_NUMBER.search(whole):
        return "正文仍含有身份证号码，请删除后再审核通过"
    for name in _names(case):
        if name in whole:
            return "正文仍含有反映人姓名或企业名称，请改为“某某”后再审核通过"
    return ""


def _check(user: User) -> None:
    if not has_role_for(user, Need.PUBLISH_CASES):
        raise ActionForbidden("只有政务服务办可以管理典型案例")


def typical_cases_for(user: User) -> QuerySet[TypicalCase]:
    _check(user)
    return TypicalCase.objects.filter(case__in=cases_visible_to(user)).select_related("case", "created_by", "approved_by")


def access_typical_case(user: User, pk: int) -> TypicalCase:
    found = typical_cases_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("未找到该典型案例")
    return found


def draft_text(case: Case) -> Text:
    """The proposal's first text, from the case, anonymised."""
    title = case.matter.name if case.matter is not None else (case.business_name or "办不成的事")
    handling = "\n".join(t for t in (case.verification,) if t.strip()) or "窗口受理后派单至承办单位办理。"
    problem = "\n".join(t for t in (case.description, case.demand) if t.strip())
    return Text(anonymise(f"{title}：群众反映的问题得到解决"[:LIMITS["title"]], case), anonymise(problem, case),
                anonymise(handling, case), anonymise(case.result or "已办结。", case))


def do_propose(user: User, reference: str) -> TypicalCase:
    """A proposal from a closed case the admin office may see (404 otherwise)."""
    _check(user)
    reference = reference.strip()
    if not reference:
        raise InvalidInput("请填写反映件登记编号", field="reference")
    case = cases_visible_to(user).filter(reference=reference).select_related("matter").first()
    if case is None:
        raise InvalidInput(f"未找到登记编号为“{reference[:24]}”的反映件", field="reference")
    if not Case.objects.filter(reached("closed"), pk=case.pk).exists():
        raise ActionError("只有已办结的反映件可以推荐为典型案例", field="reference")
    text = draft_text(case)
    with transaction.atomic():
        typical = TypicalCase.objects.create(case=case, created_by=user, **text.__dict__)
        record_event("typical_case_proposed", actor=user, case=case, typical_case=typical.pk, title=typical.title)
    return typical


def clean_text(raw: dict[str, str]) -> Text:
    values = {k: (raw.get(k) or "").strip() for k in LIMITS}
    for key, limit in LIMITS.items():
        if not values[key]:
            raise InvalidInput(f"请填写{FIELD_LABELS[key]}", field=key)
        if len(values[key]) > limit:
            raise InvalidInput(f"{FIELD_LABELS[key]}不能超过{limit}个字", field=key)
    return Text(**values)


def do_edit(user: User, typical: TypicalCase, text: Text) -> TypicalCase:
    """Save the text; a published case edited goes back to 待审核 (the public sees only approved words)."""
    _check(user)
    with transaction.atomic():
        was_published = typical.published
        for key, value in text.__dict__.items():
            setattr(typical, key, value)
        typical.approved_at, typical.approved_by = None, None
        typical.save()
        record_event("typical_case_edited", actor=user, case=typical.case, typical_case=typical.pk, title=typical.title,
                     unpublished=was_published)
    return typical


def do_approve(user: User, typical: TypicalCase) -> TypicalCase:
    """Publish the text, refused (422, recorded) while it holds personal data."""
    _check(user)
    if reason := personal_data_in(Text(typical.title, typical.problem, typical.handling, typical.outcome), typical.case):
        record_event("typical_case_refused", actor=user, case=typical.case, typical_case=typical.pk, reason=reason,
                     outcome="failure")
        raise InvalidInput(reason, field="problem")
    with transaction.atomic():
        typical.approved_by, typical.approved_at = user, timezone.now()
        typical.withdrawn, typical.withdrawn_at = False, None
        typical.save()
        record_event("typical_case_approved", actor=user, case=typical.case, typical_case=typical.pk, title=typical.title)
    return typical


def do_withdraw(user: User, typical: TypicalCase) -> TypicalCase:
    _check(user)
    if typical.withdrawn:
        raise ActionError("该典型案例已撤回")
    with transaction.atomic():
        typical.withdrawn, typical.withdrawn_at = True, timezone.now()
        typical.save()
        record_event("typical_case_withdrawn", actor=user, case=typical.case, typical_case=typical.pk, title=typical.title)
    return typical


def published() -> QuerySet[TypicalCase]:
    """What the public page shows: approved, not withdrawn, the latest approvals first."""
    return TypicalCase.objects.filter(approved_at__isnull=False, withdrawn=False).order_by("-approved_at", "-id")
