"""What a refused form sends back to the page: the values typed into it and the message, next to it.

A view that re-renders after a refusal puts `refused = {"form": key, "data": request.POST, "message": …}`
in the context; a form on the page names itself by the same key, given in parts (`"reply" o.pk` is
`reply:12`), so one page can hold many forms of the same kind.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def _refused(context: Any, key: tuple[Any, ...]) -> dict[str, Any] | None:
    refused = context.get("refused")
    if refused and refused["form"] == ":".join(str(part) for part in key):
        return dict(refused)
    return None


@register.simple_tag(takes_context=True)
def kept(context: Any, *key: Any, field: str, default: Any = "") -> Any:
    """What was typed into `field` when this form was refused; otherwise `default`."""
    refused = _refused(context, key)
    return refused["data"].get(field, "") if refused else default


@register.simple_tag(takes_context=True)
def kept_choice(context: Any, *key: Any, field: str, value: Any, default: bool = False) -> str:
    """` selected` for the options (and ` checked` for the boxes) chosen when this form was refused."""
    refused = _refused(context, key)
    chosen = str(value) in refused["data"].getlist(field) if refused else default
    return " selected" if chosen else ""


@register.simple_tag(takes_context=True)
def kept_open(context: Any, *key: Any) -> str:
    """` open` for the <details> around a refused form, so that what was typed is seen."""
    return " open" if _refused(context, key) else ""


@register.simple_tag(takes_context=True)
def refusal_here(context: Any, *key: Any) -> SafeString | str:
    """The refusal's message, shown next to the form that was refused."""
    refused = _refused(context, key)
    if not refused:
        return ""
    return format_html('<div class="invalid-feedback d-block mb-2" role="alert">{}</div>', refused["message"])
