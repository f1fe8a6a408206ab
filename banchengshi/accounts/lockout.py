"""Sign-in lockout on top of django-axes (database handler, settings.AXES_*).

One answer for every lock: an account name, known or not, locked after LOGIN_FAILURE_LIMIT failures,
and an address locked after LOGIN_IP_FAILURE_LIMIT failures whatever the names it tried, get the same
page, the same status (429) and the same message; so the answer never tells whether a name exists. A
locked sign-in is refused before any password is checked, for known and unknown names alike.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import toggleable
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from banchengshi.accounts.access import needs_second_factor
from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType
from banchengshi.lib.request_context import client_ip


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return f"登录失败次数过多，已暂时锁定{lockout_minutes()}分钟，请稍后再试；如需立即解锁，请联系安全管理员。"


def address_failures(ip: str) -> int:
    """Failed sign-ins from one address within the cool-off, over every name it tried."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    found = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(n=Sum("failures_since_start"))
    return int(found["n"] or 0)


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes's check of the account name, then the address's: many names tried from one address lock it."""

    @toggleable
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        super().authenticate(request, username, password, **kwargs)
        assert request is not None  # the parent refuses a sign-in without its request
        if address_failures(client_ip(request)) >= settings.LOGIN_IP_FAILURE_LIMIT:
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.address_locked_out = True  # type: ignore[attr-defined]
            raise AxesBackendPermissionDenied("登录来源地址已被锁定")


class SecondFactorAwareHandler(AxesDatabaseHandler):
    """axes's database handler (settings.AXES_HANDLER), but a correct password alone does not clear the
    failures of an account that needs a second factor: otherwise four wrong codes, sign in again, four
    more... would never lock. Its failures are cleared when the TOTP code passes (`second_factor_passed`)."""

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        request.axes_keep_failures = needs_second_factor(user)
        try:
            super().user_logged_in(sender, request, user, **kwargs)
        finally:
            request.axes_keep_failures = False

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        if getattr(request, "axes_keep_failures", False):
            return 0
        return int(super().reset_user_attempts(request, credentials))


def second_factor_locked(request: HttpRequest, username: str) -> bool:
    """The account (or the address) is locked: no code is even checked."""
    return bool(AxesProxyHandler.is_locked(request, {"username": username})) or (
        address_failures(client_ip(request)) >= settings.LOGIN_IP_FAILURE_LIMIT
    )


def second_factor_failed(request: HttpRequest, username: str) -> bool:
    """A wrong TOTP code counts as a failed sign-in of the account, towards the same lock as wrong
    passwords (axes records it, and at the limit sends user_locked_out: `locked_out` below records
    `otp_locked`). True when this failure locked the account."""
    request.second_factor_failure = True  # type: ignore[attr-defined]
    AxesProxyHandler.user_login_failed(sender=SecondFactorAwareHandler, credentials={"username": username},
                                       request=request)
    return bool(getattr(request, "axes_locked_out", False))


def second_factor_passed(username: str) -> None:
    """The sign-in is complete: the account's failures are cleared, as a password sign-in clears them."""
    from axes.utils import reset

    reset(username=username)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The sign-in page again, with the one lockout message (axes's AXES_LOCKOUT_CALLABLE)."""
    return render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "locked_message": lockout_message(), "next": request.POST.get("next", "")},
        status=429,
    )


def locked_out(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None,
               **kwargs: Any) -> None:
    """axes's user_locked_out, sent at the lock and at each attempt during it: recorded once per lock."""
    by_address = bool(getattr(request, "address_locked_out", False))
    subject = f"ip:{ip_address}" if by_address else f"user:{username or ''}"
    key = "login_locked:" + hashlib.sha256(subject.encode()).hexdigest()
    if not cache.add(key, 1, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds())):
        return
    known = bool(username) and User.objects.filter(username=username).exists()
    by_code = bool(getattr(request, "second_factor_failure", False)) and not by_address
    record_event(
        EventType.OTP_LOCKED if by_code else EventType.LOGIN_LOCKED,
        actor_label="未登录",
        username=username if known and not by_address else "",
        known_account=known,
        scope="address" if by_address else "account",
        minutes=lockout_minutes(),
        until=(timezone.now() + timedelta(minutes=lockout_minutes())).isoformat(),
        outcome="failure",
    )


def unlock(username: str, *, acting_user: User) -> int:
    """Lifts the lockout of an account name (a security administrator's action); the count removed."""
    from axes.utils import reset

    removed = int(reset(username=username))
    cache.delete("login_locked:" + hashlib.sha256(f"user:{username}".encode()).hexdigest())
    record_event(EventType.LOGIN_UNLOCKED, actor=acting_user, username=username, attempts=removed)
    return removed
