"""Finding a case for its reporter by reference and the last four digits of the phone. Wrong suffixes
lock the reference for a while; a locked reference, a wrong suffix and an unknown reference all answer
the same "not found"."""

from __future__ import annotations

from django.http import HttpRequest

from banchengshi.cases.models import Case
from banchengshi.public import limits
from banchengshi.public.progress import matches

NOT_FOUND = "没有找到这个编号的反映，或手机号后四位不对。请核对后再试。"


def normalize_reference(raw: str) -> str:
    return "".join((raw or "").split()).upper()[:24]


def find_for_reporter(request: HttpRequest, reference: str, phone_last4: str) -> Case | None:
    limits.take(request, "track_per_ip", limits.client_address(request))
    reference = normalize_reference(reference)
    if limits.over(request, "track_failures_per_reference", reference):
        return None
    case = Case.objects.select_related("center", "center__parent").filter(reference=reference).first()
    if matches(case, phone_last4):
        return case
    limits.count(request, "track_failures_per_reference", reference)
    return None


def channel_of(request: HttpRequest, *, kiosk: bool = False) -> str:
    """Where the report came in: the hall's kiosk, WeChat's browser, a phone (H5) or a computer (PC portal)."""
    if kiosk:
        return "kiosk"
    agent = str(request.META.get("HTTP_USER_AGENT", ""))
    if "MicroMessenger" in agent:
        return "wechat"
    if any(word in agent for word in ("Mobile", "Android", "iPhone", "HarmonyOS")):
        return "mobile"
    return "online"
