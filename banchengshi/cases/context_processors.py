from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.choices import Role

CALENDAR_WATCHERS = frozenset({Role.ADMIN_OFFICE, Role.SYSTEM_ADMIN, Role.DISPATCHER, Role.CENTER_HEAD})


def workbench(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "perms_nav": {
            "register": has_role_for(user, Need.REGISTER),
            "ledger": has_role_for(user, Need.VIEW),
            "meetings": has_role_for(user, Need.VIEW) and _has_url("meetings"),
        },
        "show_calendar_warnings": getattr(user, "role", "") in CALENDAR_WATCHERS,
    }


def _has_url(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True
