from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from banchengshi.accounts.models import ApiToken, User
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType

AUDIT_EVERY = timedelta(hours=1)  # a token's use reaches the audit log at most once an hour


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token's SHA-256 is looked up, never the token itself.
    A revoked or expired token, or one of an inactive account, is refused (401, in Chinese: see
    config/api.py); the first use in an hour is recorded in the audit log (not every request)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__unit", "user__unit__parent")
            .filter(digest=ApiToken.digest_of(token), revoked=False, user__is_active=True)
            .first()
        )
        if found is None or found.expired:
            return None
        now = timezone.now()
        changes: dict[str, Any] = {}
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
            changes["last_used_at"] = now
        if found.last_audited_at is None or now - found.last_audited_at >= AUDIT_EVERY:
            # Claimed with a conditional update, so two requests at once record one event.
            claimed = ApiToken.objects.filter(pk=found.pk, last_audited_at=found.last_audited_at).update(
                last_audited_at=now, **changes
            )
            if claimed:
                record_event(EventType.API_TOKEN_USED, actor=found.user, token=found.prefix, path=request.path[:200])
                request.user = found.user
                return found.user
        if changes:  # no write on most requests: last used within 5 minutes, audited within the hour
            ApiToken.objects.filter(pk=found.pk).update(**changes)
        request.user = found.user
        return found.user


class AuthedRequest(HttpRequest):
    """A request that passed `TokenAuth`: `auth` is the staff user."""

    auth: User


class StaffRequest(HttpRequest):
    """A workbench request behind `login_required`: `user` is a staff user."""

    user: User


def staff(request: HttpRequest) -> User:
    """The signed-in staff member of an admin or page request (the admin site admits only them)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("未登录")
    return user
