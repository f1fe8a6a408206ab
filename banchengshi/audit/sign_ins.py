"""Sign-ins, sign-outs and failed sign-ins, recorded into the audit chain with the request's address,
agent and id (from `lib.request_context`). A password is never recorded.

The name typed at a failed sign-in is kept only when it is an account's name: people type their
password into the name field, and that must not end up in a log others read. An unknown name is
recorded only as unknown.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType
from banchengshi.lib.request_context import current_request


def _agent() -> str:
    request = current_request()
    return request.user_agent if request else ""


def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A password accepted. For an account that needs a second factor the sign-in is not done yet: it
    is recorded as pending, and `logged_in` is recorded when the TOTP code passes (accounts.second_factor)."""
    if getattr(user, "requires_second_factor", False):
        record_event(EventType.PASSWORD_ACCEPTED, actor=user, user_agent=_agent(), outcome="pending")
        return
    record_event(EventType.LOGGED_IN, actor=user, user_agent=_agent(), outcome="success")


def second_factor_passed(user: Any, *, enrolled: bool) -> None:
    """The sign-in of an account with a second factor is complete."""
    record_event(EventType.LOGGED_IN, actor=user, user_agent=_agent(), outcome="success", factor="totp",
                 enrolled=enrolled)


def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:  # signing out without a session
        return
    record_event(EventType.LOGGED_OUT, actor=user, user_agent=_agent(), outcome="success")


def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    user_model = get_user_model()
    typed = str(credentials.get(user_model.USERNAME_FIELD) or "")
    known = bool(typed) and user_model._default_manager.filter(**{user_model.USERNAME_FIELD: typed}).exists()
    record_event(
        EventType.LOGIN_FAILED,
        actor_label="未登录",
        username=typed if known else "",
        known_account=known,
        user_agent=_agent(),
        outcome="failure",
    )
