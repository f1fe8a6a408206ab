"""Who sees a reporter's name and phone, and the record of every look (issue 10, PIPL).

Roles that call the reporter (Need.CONTACT_DETAILS, center staff) see the name and phone in full on a case
they may see, and each such view is audited (`personal_data_viewed`). Lists show the phone masked to all.
Roles that need personal data only now and then (Need.UNMASK: the admin office, oversight) see 张* and
138****5678 everywhere, and may unmask one case with a stated reason (`unmask`). Everyone else never sees
either. Phones find cases only through `look_up_by_phone`: a POST body, rate limited per staff member and
audited (`phone_searched`, with the phone masked and the number of cases found).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import ActionForbidden, cases_visible_to, reported_by_phone
from banchengshi.lib import limits
from banchengshi.lib.errors import InvalidInput
from banchengshi.lib.masking import mask_name, mask_phone
from banchengshi.lib.phone import normalize_phone

UNMASK_REASON_MIN = 4
FIELDS = ["name", "phone"]
Via = Literal["page", "api", "print"]


@dataclass(frozen=True)
class Reporter:
    """A reporter as one reader is shown them; `full` when nothing is masked."""

    name: str
    phone: str
    full: bool


def sees_contact(user: User) -> bool:
    return has_role_for(user, Need.CONTACT_DETAILS)


def masked(case: Case) -> Reporter:
    return Reporter(mask_name(case.reporter_name), mask_phone(case.reporter_phone), full=False)


def in_full(case: Case) -> Reporter:
    return Reporter(case.reporter_name, case.reporter_phone, full=True)


def listed(user: User, case: Case) -> Reporter:
    """A row of a list, a search result or an export: the name for those who call reporters, the phone
    masked for all (a list is no place to read phone numbers off; the case page is, and it is audited)."""
    name = case.reporter_name if sees_contact(user) else mask_name(case.reporter_name)
    return Reporter(name, mask_phone(case.reporter_phone), full=False)


def viewed(user: User, case: Case, *, via: Via) -> Reporter:
    """The reporter on a case page, in the API's case detail or on a print: in full for the roles that call
    reporters, and that view is recorded; masked for everyone else."""
    if not sees_contact(user):
        return masked(case)
    record_event("personal_data_viewed", actor=user, case=case, fields=FIELDS, via=via)
    return in_full(case)


def do_unmask(user: User, case: Case, *, reason: str) -> Reporter:
    """The reporter in full, once, for a role that may unmask (others: refused and audited) and says why
    (at least four characters). The reason is audited with the look; the full data is not kept anywhere
    (not in the session). The case is one the user may see (`access_case`: 404 before this)."""
    if not has_role_for(user, Need.UNMASK):
        record_event("unmask_refused", actor=user, case=case, reason="角色无权", outcome="failure")
        raise ActionForbidden("您的角色无权查看完整个人信息")
    reason = reason.strip()
    if len(reason) < UNMASK_REASON_MIN:
        raise InvalidInput(f"请填写查看完整信息的理由（至少{UNMASK_REASON_MIN}个字）", field="reason")
    if len(reason) > 500:
        raise InvalidInput("理由不能超过500个字", field="reason")
    record_event("unmask", actor=user, case=case, reason=reason, fields=FIELDS, outcome="success")
    return in_full(case)


# How each way of finding cases by phone is allowed, limited and named in the audit log.
LOOK_UPS: dict[str, tuple[Need, str]] = {
    "phone_search": (Need.SEARCH_PHONE, "按电话查询过于频繁"),
    "repeat_check": (Need.REGISTER, "重复反映查询过于频繁"),
}


def look_up_by_phone(request: HttpRequest, user: User, raw_phone: str, *, kind: str, via: str) -> QuerySet[Case]:
    """The cases the user may see that were reported from `raw_phone`. Refused (403) for a role without the
    look-up's need, refused (429) past the user's limit, refused (422) for what is not a phone number; every
    attempt is counted against the limit first and recorded, the phone only ever masked."""
    need, too_often = LOOK_UPS[kind]
    shown = mask_phone(raw_phone.strip()[:20])
    if not has_role_for(user, need):
        record_event("phone_search_refused", actor=user, via=via, phone=shown, reason="角色无权", outcome="failure")
        raise ActionForbidden("您的角色无权按电话查询反映件")
    group, rate = f"staff:{kind}", settings.STAFF_LIMITS[kind]
    wait = limits.seconds_over(request, group, str(user.pk), rate)
    if wait:
        record_event("phone_search_refused", actor=user, via=via, phone=shown, reason="超过查询次数限制", outcome="failure")
        raise limits.refusal(too_often, wait)
    limits.usage(request, group, str(user.pk), rate, increment=True)
    try:
        phone = normalize_phone(raw_phone)
    except ValueError as exc:
        record_event("phone_search_refused", actor=user, via=via, phone=shown, reason="电话号码格式不正确", outcome="failure")
        raise InvalidInput(str(exc), field="phone") from exc
    cases = reported_by_phone(cases_visible_to(user), phone)
    record_event("phone_searched", actor=user, via=via, phone=mask_phone(phone), found=cases.count(), outcome="success")
    return cases
