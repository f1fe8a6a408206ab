"""How often one key (an address, a phone, a staff member) may do something, counted by django-ratelimit in
the shared cache; a refusal says, in Chinese, how long to wait. The public pages and the staff's phone
look-ups both count here."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from banchengshi.lib.errors import TooManyRequests


def wait_words(seconds: int) -> str:
    seconds = max(seconds, 1)
    hours, rest = divmod(seconds, 3600)
    minutes = -(-rest // 60)
    if minutes == 60:
        hours, minutes = hours + 1, 0
    if hours and minutes:
        return f"{hours}小时{minutes}分钟"
    if hours:
        return f"{hours}小时"
    return f"{minutes}分钟"


def hashed_key(value: str) -> str:
    # Keys hold no personal data in the clear.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:32]


def usage(request: HttpRequest, group: str, value: str, rate: str, *, increment: bool) -> dict[str, int | bool]:
    found = get_usage(request, group=group, key=lambda _group, _request: hashed_key(value), rate=rate,
                      increment=increment)
    return found or {"count": 0, "limit": 0, "should_limit": False, "time_left": 0}


def seconds_over(request: HttpRequest, group: str, value: str, rate: str) -> int:
    """Seconds to wait when `value` has used up `rate` in `group` (0 when it has not); counts nothing."""
    found = usage(request, group, value, rate, increment=False)
    return max(int(found["time_left"]), 1) if int(found["count"]) >= int(found["limit"]) else 0


def refusal(message: str, wait: int) -> TooManyRequests:
    return TooManyRequests(f"{message}，请{wait_words(wait)}后再试。", wait_seconds=wait)
