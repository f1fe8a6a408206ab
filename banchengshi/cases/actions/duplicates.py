"""What a person decides about a possible repeat (cases.duplicates): 不是重复. Merging it is 并单
(registration.do_merge_case)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.actions.base import InvalidInput
from banchengshi.cases.models import CaseLink


@transaction.atomic
def do_dismiss_duplicate(link: CaseLink, *, acting_user: User) -> CaseLink:
    """不是重复: the link stays, marked with who dismissed it and when, and is no longer offered."""
    link = CaseLink.objects.select_for_update().select_related("case", "other").get(pk=link.pk)
    if link.dismissed_at is not None:
        raise InvalidInput(f"{link.case.reference} 与 {link.other.reference} 已判定为不是重复")
    now = timezone.now()
    link.dismissed_by, link.dismissed_at = acting_user, now
    link.save(update_fields=["dismissed_by", "dismissed_at"])
    record_event("duplicate_dismissed", actor=acting_user, case=link.case, at=now, other=link.other.reference,
                 kind=link.kind, score=link.score)
    return link
