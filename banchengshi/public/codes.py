"""One-time SMS codes: the challenge of the public pages (no outside captcha service)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from banchengshi.lib.errors import InvalidInput
from banchengshi.notify.services import queue_sms
from banchengshi.public.models import PhoneCode

VALID_FOR = timedelta(minutes=10)
MAX_FAILURES = 5


def _digest(kind: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def send_code(phone: str) -> None:
    """A new six-digit code by SMS (the earlier ones stop working); `phone` is already normalized."""
    now = timezone.now()
    digest = _digest("phone", phone)
    PhoneCode.objects.filter(phone_digest=digest, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.create(
        phone_digest=digest, code_digest=_digest("code", code), created_at=now, expires_at=now + VALID_FOR
    )
    minutes = int(VALID_FOR.total_seconds() // 60)
    queue_sms(phone, f"您的验证码是{code}，{minutes}分钟内有效。工作人员不会向您索要验证码，请勿告诉他人。")


def use_code(phone: str, code: str) -> None:
    """Accept the phone's latest code once; InvalidInput otherwise. A wrong guess is counted (and five
    spend the code) even though the report is then refused."""
    problem = _spend(phone, (code or "").strip())
    if problem:
        raise InvalidInput(problem, field="phone_code")


@transaction.atomic
def _spend(phone: str, code: str) -> str:
    now = timezone.now()
    latest = (
        PhoneCode.objects.select_for_update()
        .filter(phone_digest=_digest("phone", phone), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if latest is None:
        return "短信验证码已失效或未获取，请点“获取验证码”重新获取"
    if not hmac.compare_digest(latest.code_digest, _digest("code", code)):
        latest.failures += 1
        latest.used_at = now if latest.failures >= MAX_FAILURES else None
        latest.save(update_fields=["failures", "used_at"])
        if latest.used_at is not None:
            return "验证码输错次数过多，请重新获取验证码"
        return "短信验证码不正确，请核对短信中的6位数字"
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    return ""
