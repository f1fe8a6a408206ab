from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from banchengshi.accounts.models import ApiToken, User


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token's SHA-256 is looked up, never the token itself."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__unit", "user__unit__parent")
            .filter(digest=ApiToken.digest_of(token), revoked=False, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
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
