"""The one rule for a reporter's phone number: a mainland mobile, or a landline with its area code."""

from __future__ import annotations

import re

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 0 + a 2- or 3-digit area code, a 7- or 8-digit number, and an optional extension (-, 转 or #).
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:(?:-|转|#)\d{1,6})?$")
RULE = "手机号码为1开头的11位数字；固定电话须带区号，如 021-12345678、0571-8765432，分机号接在“-”后"


def normalize_phone(value: str) -> str:
    """The phone as stored: a mobile as its 11 digits, a landline as typed without spaces.
    Raises ValueError with the Chinese message for the reporter's clerk."""
    phone = re.sub(r"\s+", "", value or "")
    if not phone:
        raise ValueError("请填写联系电话")
    digits = phone.replace("-", "")
    if digits.startswith("1") and not (digits.isdigit() and len(digits) in (7, 8)):  # 7 or 8: a landline's number
        if MOBILE.match(digits):
            return digits
        typed = f"（现为{len(digits)}位）" if digits.isdigit() else ""
        raise ValueError(f"联系电话格式不正确：手机号码应为1开头的11位数字{typed}")
    if LANDLINE.match(phone):
        return phone
    raise ValueError(f"联系电话格式不正确：{RULE}")
