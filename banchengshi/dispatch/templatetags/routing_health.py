"""{% routing_warning %}: the banner that tells the admin office and the dispatchers when suggestions do not
come from a working routing model (none trained, damaged, or its training failed)."""

from __future__ import annotations

from typing import Any

from django import template

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.dispatch.routing import model_warning

register = template.Library()


@register.inclusion_tag("dispatch/_routing_warning.html", takes_context=True)
def routing_warning(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_role_for(user, Need.DISPATCH):
        return {"warning": None}
    return {"warning": model_warning()}
