"""How often one address or one phone may use the public pages and API (settings.PUBLIC_LIMITS,
counted by django-ratelimit in the shared cache). A refusal says, in Chinese, how long to wait."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from banchengshi.lib.errors import TooManyRequests

MESSAGES = {
    "report_per_phone": "这个手机号今天提交的反映已达上限",
    "report_per_ip": "提交过于频繁",
    "code_per_phone": "这个手机号获取验证码过于频繁",
    "code_per_ip": "获取验证码过于频繁",
    "track_per_ip": "查询过于频繁",
}


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


def _key(value: str) -> str:
    # Keys hold no personal data in the clear.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:32]


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def usage(request: HttpRequest, name: str, value: str, *, increment: bool) -> dict[str, int | bool]:
    found = get_usage(request, group=f"public:{name}", key=lambda _group, _request: _key(value),
                      rate=settings.PUBLIC_LIMITS[name], increment=increment)
    return found or {"count": 0, "limit": 0, "should_limit": False, "time_left": 0}


def over(request: HttpRequest, name: str, value: str) -> int:
    """Seconds to wait when `value` has used up the limit `name` (0 when it has not); counts nothing."""
    found = usage(request, name, value, increment=False)
    return max(int(found["time_left"]), 1) if int(found["count"]) >= int(found["limit"]) else 0


def refuse_when_over(request: HttpRequest, name: str, value: str) -> None:
    wait = over(request, name, value)
    if wait:
        raise TooManyRequests(f"{MESSAGES[name]}，请{wait_words(wait)}后再试。如有急事请拨打12345。", wait_seconds=wait)


def count(request: HttpRequest, name: str, value: str) -> None:
    usage(request, name, value, increment=True)


def take(request: HttpRequest, name: str, value: str) -> None:
    """Refuse when over the limit, else count this use."""
    refuse_when_over(request, name, value)
    count(request, name, value)
