"""Session limits: idle timeout by role (the 三员 sooner), and an absolute limit from sign-in."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from banchengshi.accounts.choices import Role

STARTED = "bcs_session_started"
LAST_SEEN = "bcs_session_last_seen"
THREE_ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
IDLE_MESSAGE = "您已较长时间未操作，为保障账号安全，登录已失效，请重新登录。"
ABSOLUTE_MESSAGE = "本次登录已超过最长时限，为保障账号安全，请重新登录。"


def idle_seconds(user: Any) -> int:
    minutes = settings.SESSION_IDLE_MINUTES_ADMIN if getattr(user, "role", "") in THREE_ADMINS else settings.SESSION_IDLE_MINUTES
    return int(minutes) * 60


def started(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """user_logged_in: the session's clocks start."""
    session = getattr(request, "session", None)
    if session is not None:
        now = time.time()
        session[STARTED] = now
        session[LAST_SEEN] = now


def expiry(session: Any, user: Any, now: float) -> str:
    """Why this session has ended ("idle", "absolute"), or "" while it holds."""
    begun = session.get(STARTED)
    seen = session.get(LAST_SEEN)
    if begun is not None and now - float(begun) > settings.SESSION_MAX_HOURS * 3600:
        return "absolute"
    if seen is not None and now - float(seen) > idle_seconds(user):
        return "idle"
    return ""
