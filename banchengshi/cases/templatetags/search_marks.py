"""The words a search matched, marked in the results (cases/search.py: escaped text, <mark> around)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString

from banchengshi.cases.search import highlight

register = template.Library()
SNIPPET = 40  # characters of a long text shown in a list row, around the first match


@register.filter
def marked(text: str, terms: Sequence[str] | None) -> SafeString:
    """`{{ case.business_name|marked:terms }}`: the whole text, the search's words marked."""
    return highlight(str(text or ""), terms or [])


@register.filter
def snippet(text: str, terms: Sequence[str] | None) -> SafeString:
    """`{{ row.description|snippet:terms }}`: SNIPPET characters around the first match, marked."""
    return highlight(str(text or ""), terms or [], width=SNIPPET)
