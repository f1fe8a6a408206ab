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

from banchengshi.cases.choices import DocumentKind
from banchengshi.cases.models import CaseDocument
from banchengshi.cases.personal import Reporter

# The kinds whose paper names the reporter: printing one of them is a view of personal data.
NAMES_REPORTER = frozenset({DocumentKind.REGISTRATION_FORM, DocumentKind.REJECTION_NOTICE})


def chinese_date(moment: datetime | date | None) -> str:
    """2026年3月2日, the date of a 落款; blanks to fill by hand when there is none."""
    if moment is None:
        return "　　年　　月　　日"
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_minute(value: datetime | str | None) -> str:
    """2026年3月2日 09:30 from a datetime or its ISO text in a snapshot."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


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
