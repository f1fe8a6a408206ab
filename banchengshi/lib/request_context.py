"""The request at hand, for records written deep below the view: its id, the caller's address and agent.

The middleware gives every request an id (the caller's `X-Request-Id` when it is a plain token, else a new
one), echoes it in the response, and keeps it in a context variable that `audit.record_event` reads, so
that no action has to pass the request down.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-Id"
_PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str
    user_agent: str


_current: ContextVar[RequestContext | None] = ContextVar("banchengshi_request", default=None)


def current_request() -> RequestContext | None:
    """The request being served by this thread or task, if any (a job or a command has none)."""
    return _current.get()


def client_ip(request: HttpRequest) -> str:
    # The reverse proxy in front sets REMOTE_ADDR (gunicorn behind nginx with proxy_protocol or a
    # trusted X-Real-IP rewrite); a client's own X-Forwarded-For is never believed.
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _PLAIN_ID.fullmatch(offered) else uuid.uuid4().hex
        request.id = request_id  # type: ignore[attr-defined]
        token = _current.set(
            RequestContext(request_id, client_ip(request), str(request.META.get("HTTP_USER_AGENT", ""))[:200])
        )
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
