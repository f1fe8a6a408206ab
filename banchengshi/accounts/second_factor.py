"""The second factor (TOTP, django-otp) of the accounts `access.needs_second_factor` names.

After a correct password such an account is signed in but not verified: `SecondFactorRequiredMiddleware`
lets it reach only these steps (and sign-out) until a code passes. Without a confirmed device it enrols
(a new secret for each sign-in session, shown as a QR code and as text, confirmed by a current code);
with one it enters the current code. A wrong code is recorded (`otp_failed`) and counts as a failed
sign-in of the account towards the axes lock (`lockout.second_factor_failed`); a code is accepted once
(django-otp keeps the last time step used). The security administrator resets a lost device.
"""

from __future__ import annotations

import io
import re
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from banchengshi.accounts import lockout
from banchengshi.accounts.access import Change, may_manage, needs_second_factor
from banchengshi.accounts.models import User
from banchengshi.accounts.services import StaffError, record_refused
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType
from banchengshi.audit.sign_ins import second_factor_passed

ENROLMENT = "bcs_otp_enrolment"  # session key: the unconfirmed device this session is enrolling
DEVICE_NAME = "动态口令"
CODE = re.compile(r"\d{6}")
WRONG = "动态口令不正确，请输入验证器应用中当前显示的6位数字。"
MALFORMED = "请输入验证器应用中显示的6位数字。"
USED = "这个动态口令已经用过，请等下一个口令出现后再输入。"
STALE = "绑定已过期，请重新扫描下方的二维码后再输入动态口令。"


def pending(request: HttpRequest) -> bool:
    """Signed in with a password, owing a TOTP code (request.user.is_verified() is OTPMiddleware's)."""
    user = request.user
    if not needs_second_factor(user):
        return False
    verified = getattr(user, "is_verified", None)
    return not (callable(verified) and verified())


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(request: HttpRequest, user: User) -> TOTPDevice:
    """The unconfirmed device of this session. Each sign-in session gets a new secret and drops the
    account's other unconfirmed ones, so a secret someone else saw (with the password) is never the one
    the owner confirms."""
    pk = request.session.get(ENROLMENT)
    device = TOTPDevice.objects.filter(pk=pk, user=user, confirmed=False).first() if isinstance(pk, int) else None
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        request.session[ENROLMENT] = device.pk
    return device


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> bytes:
    """The otpauth:// URI as an SVG QR code (segno: attributes only, no inline style for the CSP)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2, dark="#000", light="#fff",
                                                  title="绑定动态口令二维码")
    return buffer.getvalue()


@dataclass(frozen=True)
class Outcome:
    passed: bool = False
    error: str = ""
    locked: bool = False  # the account is locked now: the session is to be ended


def _clean(code: str) -> str:
    return re.sub(r"\s", "", code)


def _failed(request: HttpRequest, user: User, *, stage: str, reason: str, message: str) -> Outcome:
    record_event(EventType.OTP_FAILED, actor=user, stage=stage, reason=reason, outcome="failure")
    if lockout.second_factor_failed(request, user.username):
        return Outcome(error=lockout.lockout_message(), locked=True)
    return Outcome(error=message)


def _throttled(device: TOTPDevice) -> str:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return ""
    until = (details or {}).get("locked_until")
    if until is None:
        return "暂时不能验证动态口令，请稍后再试。"
    seconds = max(1, int((until - timezone.now()).total_seconds() + 0.999))
    return f"输入错误后须稍等，请{seconds}秒后再输入动态口令。"


def _passed(request: HttpRequest, user: User, device: TOTPDevice, *, enrolled: bool) -> Outcome:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id for the now complete sign-in
    request.session.pop(ENROLMENT, None)
    lockout.second_factor_passed(user.username)
    second_factor_passed(user, enrolled=enrolled)
    return Outcome(passed=True)


def verify(request: HttpRequest, user: User, code: str) -> Outcome:
    """The code page (动态口令验证): the current code of the account's confirmed device."""
    if lockout.second_factor_locked(request, user.username):
        return Outcome(error=lockout.lockout_message(), locked=True)
    code = _clean(code)
    if not CODE.fullmatch(code):
        return Outcome(error=MALFORMED)  # nothing was checked, nothing is counted
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"))
        if not devices:
            return Outcome(error="尚未绑定动态口令。")
        waits = [_throttled(device) for device in devices]
        if all(waits):
            return Outcome(error=waits[0])
        used = {device.pk: device.last_t for device in devices}
        for device in devices:  # one, unless added by hand: enrolment refuses a second
            if device.verify_token(code):
                return _passed(request, user, device, enrolled=False)
    replayed = any(_used_code(device, code, used[device.pk]) for device in devices)
    return _failed(request, user, stage="verify", reason="replayed" if replayed else "wrong",
                   message=USED if replayed else WRONG)


def _used_code(device: TOTPDevice, code: str, last_t: int) -> bool:
    """Whether `code` is the one this device last accepted (django-otp refused it as a replay, rightly):
    the person is told to wait for the next code rather than that it is wrong."""
    return last_t >= 0 and int(hotp(device.bin_key, last_t, digits=device.digits)) == int(code)


def confirm_enrolment(request: HttpRequest, user: User, code: str) -> Outcome:
    """The enrolment page (绑定动态口令): a current code of the new secret confirms the device."""
    if lockout.second_factor_locked(request, user.username):
        return Outcome(error=lockout.lockout_message(), locked=True)
    code = _clean(code)
    if not CODE.fullmatch(code):
        return Outcome(error=MALFORMED)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment of an account at a time
        if confirmed_device(user) is not None:
            return Outcome(error="该账号已绑定动态口令，请输入动态口令。")
        pk = request.session.get(ENROLMENT)
        device = (TOTPDevice.objects.select_for_update().filter(pk=pk, user=user, confirmed=False).first()
                  if isinstance(pk, int) else None)
        if device is None:
            return Outcome(error=STALE)
        if wait := _throttled(device):
            return Outcome(error=wait)
        if device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            record_event(EventType.OTP_ENROLLED, actor=user, device=device.pk, outcome="success")
            return _passed(request, user, device, enrolled=True)
    return _failed(request, user, stage="enrol", reason="wrong", message=WRONG)


def do_reset_second_factor(target: User, *, acting_user: User | None) -> int:
    """Removes the account's TOTP devices, so its owner enrols again at the next step (a lost phone);
    its sessions verified by the old device are unverified from their next request. `acting_user` is
    the security administrator (within `may_manage`: never its own, never a 三员's); None is
    `manage.py reset_second_factor` on the authority's order. Refusals are recorded and raised."""
    if acting_user is not None and (reason := may_manage(acting_user, target, Change.SECOND_FACTOR)):
        record_refused(acting_user, Change.SECOND_FACTOR.value, reason, target=target)  # kept: no transaction to undo it
        raise StaffError(reason)
    with transaction.atomic():
        removed = len(TOTPDevice.objects.select_for_update().filter(user=target))
        TOTPDevice.objects.filter(user=target).delete()
        record_event(EventType.OTP_RESET, actor=acting_user, actor_label="命令行" if acting_user is None else "",
                     username=target.username, devices=removed, outcome="success")
    return removed
