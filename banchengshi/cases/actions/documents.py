"""Papers issued for a case: the record of what was issued (the PDF is rendered from it by banchengshi.papers)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.choices import DocumentKind
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
