"""How often one address or one phone may use the public pages and API (settings.PUBLIC_LIMITS,
counted by django-ratelimit in the shared cache). A refusal says, in Chinese, how long to wait."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from banchengshi.lib import limits
from banchengshi.lib.errors import TooManyRequests
from banchengshi.lib.limits import wait_words

MESSAGES = {
    "report_per_phone": "这个手机号今天提交的反映已达上限",
    "report_per_ip": "提交过于频繁",
    "code_per_phone": "这个手机号获取验证码过于频繁",
    "code_per_ip": "获取验证码过于频繁",
    "track_per_ip": "查询过于频繁",
    "guides_per_ip": "查阅办事指南过于频繁",
}


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def usage(request: HttpRequest, name: str, value: str, *, increment: bool) -> dict[str, int | bool]:
    return limits.usage(request, f"public:{name}", value, settings.PUBLIC_LIMITS[name], increment=increment)


def over(request: HttpRequest, name: str, value: str) -> int:
    """Seconds to wait when `value` has used up the limit `name` (0 when it has not); counts nothing."""
    return limits.seconds_over(request, f"public:{name}", value, settings.PUBLIC_LIMITS[name])


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
