"""典型案例 for the report files: one case's problem and handling, told without personal data.

The case must be one of the scope's cases received in the period (a report about a unit's quarter tells
a case of that unit and quarter). Its texts are scrubbed before they leave: the reporter's name and the
names of the staff who acted on it are masked (张*), as is every mobile number and any other run of
eleven or more digits (a landline, an ID card number). Staff are named by their unit, never by name.
Photos are the case's image attachments (already re-encoded without metadata by lib/uploads.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.labels import action_label
from banchengshi.cases.models import Attachment, Case
from banchengshi.cases.presenters import event_detail
from banchengshi.lib.errors import InvalidInput
from banchengshi.lib.masking import mask_name, mask_phone, mask_phones_in
from banchengshi.reports.figures import Period, Scope

# The steps of handling a summary tells (not clock housekeeping, reminders or attachments).
PROCESS_ACTIONS = (
    "registered", "accepted", "not_accepted", "resolved_on_site", "dispatched", "work_order_received",
    "reporter_contacted", "note_added", "assistance_requested", "replied", "assisting_replied",
    "review_approved", "review_returned", "closed", "visited", "resupervised", "merged",
    "joint_meeting_convened", "joint_meeting_outcome",
)
PHOTO_TYPES = ("image/jpeg", "image/png")
MAX_PHOTOS = 6
LONG_NUMBER = re.compile(r"(?<!\d)\d{11,}[\dXx]?(?!\d)")
CHOICES_LIMIT = 200


@dataclass(frozen=True)
class Photo:
    name: str
    content: bytes
    content_type: str
    uploaded_on: str


@dataclass(frozen=True)
class TypicalCase:
    reference: str
    title: str  # 事项 (or the business the reporter named), and where it was registered
    problem: str
    demand: str
    process: list[str]
    result: str
    photos: list[Photo] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """问题及办理过程概述, as one text (the xlsx cell, the tests)."""
        parts = [f"【{self.reference}】{self.title}", f"问题：{self.problem}"]
        if self.demand:
            parts.append(f"诉求：{self.demand}")
        parts += ["办理过程：", *self.process]
        if self.result:
            parts.append(f"办理结果：{self.result}")
        return "\n".join(parts)


def cases_of_period(scope: Scope, period: Period) -> QuerySet[Case]:
    lo, hi = period.bounds
    return scope.cases.filter(received_at__gte=lo, received_at__lt=hi)


def typical_choices(scope: Scope, period: Period) -> list[dict[str, str]]:
    """The cases a person may pick as the typical case: the period's, newest first (closed ones first)."""
    cases = cases_of_period(scope, period).select_related("matter", "center").order_by(
        F("closed_at").desc(nulls_last=True), "-received_at")
    return [{"reference": c.reference, "label": f"{c.reference} · {_title(c)} · {c.get_status_display()}"}
            for c in cases[:CHOICES_LIMIT]]


def typical_case(scope: Scope, period: Period, reference: str) -> TypicalCase:
    """The case `reference` told without personal data; refused (422) unless it is one of the scope's
    cases received in the period (the same answer for an unknown case and another unit's)."""
    case = cases_of_period(scope, period).select_related("matter", "center").filter(reference=reference.strip()).first()
    if case is None:
        raise InvalidInput(f"典型案例“{reference.strip()[:24]}”不是{scope.label}在统计期间登记的反映件", field="case")
    scrub = Scrubber.for_case(case)
    return TypicalCase(
        reference=case.reference,
        title=_title(case),
        problem=scrub(case.description),
        demand=scrub(case.demand),
        process=[scrub(line) for line in _process(case)],
        result=scrub(case.result or case.rejection_reason),
        photos=_photos(case, scrub),
    )


def typical_cases(scope: Scope, period: Period, references: list[str]) -> list[TypicalCase]:
    return [typical_case(scope, period, r) for r in dict.fromkeys(r.strip() for r in references if r.strip())]


class Scrubber:
    """A text with the case's people masked: the names it knows, then every long number."""

    def __init__(self, names: list[str]) -> None:
        self.names = sorted({n.strip() for n in names if len(n.strip()) > 1}, key=len, reverse=True)

    @classmethod
    def for_case(cls, case: Case) -> Scrubber:
        actors = User.objects.filter(pk__in=case.events.values("actor_id")).values_list("display_name", flat=True)
        return cls([case.reporter_name, *actors])

    def __call__(self, text: str) -> str:
        for name in self.names:
            text = text.replace(name, mask_name(name))
        text = mask_phones_in(text)
        return LONG_NUMBER.sub(lambda m: mask_phone(m.group(0)), text)


def _title(case: Case) -> str:
    what = case.matter.name if case.matter else (case.business_name or "未选事项")
    return f"{what}（{case.center.name}登记）"


def _process(case: Case) -> list[str]:
    events = case.events.filter(action__in=PROCESS_ACTIONS).order_by("at", "id")
    lines = []
    for e in events:
        detail = event_detail(e.action, e.data) if e.action != "registered" else "登记反映"
        day = timezone.localtime(e.at).strftime("%Y-%m-%d")
        lines.append(f"{day} {action_label(e.action)}" + (f"：{detail}" if detail else ""))
    return lines


def _photos(case: Case, scrub: Scrubber) -> list[Photo]:
    photos = []
    for a in Attachment.objects.filter(case=case, content_type__in=PHOTO_TYPES).order_by("uploaded_at", "id")[:MAX_PHOTOS]:
        try:
            with a.file.open("rb") as f:
                content = f.read()
        except OSError:
            continue  # a file gone from storage: the report goes out without it
        photos.append(Photo(scrub(a.name), content, a.content_type, timezone.localtime(a.uploaded_at).strftime("%Y-%m-%d")))
    return photos
