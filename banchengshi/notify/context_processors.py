"""The number of unread reminders in the navigation bar of every staff page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from banchengshi.notify.services import unread_notices


def reminders(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Counted only when a page shows the bar (one indexed count), not for fragments that do not.
    return {"unread_reminders": SimpleLazyObject(lambda: unread_notices(user.pk))}
