from typing import Any

from django.http import HttpRequest

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.choices import Role

CALENDAR_WATCHERS = frozenset({Role.ADMIN_OFFICE, Role.SYSTEM_ADMIN, Role.DISPATCHER, Role.CENTER_HEAD})


def workbench(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    reads_cases = has_role_for(user, Need.VIEW)
    return {
        "perms_nav": {"register": has_role_for(user, Need.REGISTER), "ledger": reads_cases, "meetings": reads_cases,
                      "rectifications": reads_cases,
                      "dashboard": has_role_for(user, Need.STATISTICS),
                      "integrations": has_role_for(user, Need.INTEGRATIONS),
                      "audit_log": has_role_for(user, Need.AUDIT_LOG),
                      "phone_search": has_role_for(user, Need.SEARCH_PHONE),
                      "guides": reads_cases or has_role_for(user, Need.GUIDE_EDIT) or has_role_for(user, Need.GUIDE_REVIEW)},
        "show_calendar_warnings": getattr(user, "role", "") in CALENDAR_WATCHERS,
    }
