"""Middlewares behind AuthenticationMiddleware: session limits, the second factor, a password that must change."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from banchengshi.accounts import second_factor, sessions
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType

TOUCH_EVERY = 30  # seconds: the last-seen time is written at most this often (one session write)


class SessionLimitsMiddleware:
    """Signs out a session idle longer than its role allows (15 min for the 三员, 30 min for the other
    staff) or older than SESSION_MAX_HOURS; the page asked for sends to the sign-in with the reason."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            session = request.session
            why = sessions.expiry(session, user, now)
            if why:
                record_event(EventType.SESSION_EXPIRED, actor=user, reason=why)
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # signed out: the API answers 401 itself
                messages.warning(request, sessions.IDLE_MESSAGE if why == "idle" else sessions.ABSOLUTE_MESSAGE)
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))
            if sessions.STARTED not in session:  # a session from before these limits
                session[sessions.STARTED] = now
            if now - float(session.get(sessions.LAST_SEEN, 0)) > TOUCH_EVERY:
                session[sessions.LAST_SEEN] = now
        return self.get_response(request)


SECOND_FACTOR_NEEDED = "请先完成动态口令验证。"


class SecondFactorRequiredMiddleware:
    """An account that needs a second factor and has given only its password reaches nothing but the
    code page, the enrolment page (and its QR code) and sign-out: every other page, the admin site and
    the API docs redirect to the code page; htmx fragments and JSON get 403. The API proper is unchanged:
    it authenticates by token (machine credentials) and never by the session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not second_factor.pending(request):
            return self.get_response(request)
        if request.path.startswith("/api/") and request.headers.get("Authorization"):
            # A bearer token is the API's own credential; a half-signed-in session is none (the docs too).
            request.user = AnonymousUser()
            return self.get_response(request)
        if self._open(request):
            return self.get_response(request)
        accept = request.headers.get("Accept", "")
        if request.headers.get("HX-Request") or "json" in accept or (request.path.startswith("/api/") and "html" not in accept):
            response: HttpResponse = JsonResponse({"detail": SECOND_FACTOR_NEEDED}, status=403,
                                                  json_dumps_params={"ensure_ascii": False})
            response["HX-Redirect"] = reverse("second_factor")
            return response
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse("second_factor") + (f"?{query}" if query else ""))

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        steps = (reverse("second_factor"), reverse("second_factor_enrol"), reverse("second_factor_qr"),
                 reverse("logout"), reverse("login"))
        return request.path in steps or request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class PasswordChangeRequiredMiddleware:
    """A generated password (first sign-in), one an administrator set, or one older than
    PASSWORD_MAX_AGE_DAYS: every page leads to the change page until it is changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # The second factor first (SecondFactorRequiredMiddleware): then the password.
        if user.is_authenticated and getattr(user, "password_change_required", False) and not second_factor.pending(request):
            change = reverse("password_change")
            allowed = (change, reverse("logout"), reverse("login"))
            if request.path not in allowed and not request.path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/api/")):
                return HttpResponseRedirect(change)
        return self.get_response(request)
