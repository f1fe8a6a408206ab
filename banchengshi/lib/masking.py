"""Personal data shown only as far as a reader needs it."""

from __future__ import annotations

import re
from typing import Any


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    name = name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_email(address: str) -> str:
    """z***@example.com: the domain says where it goes, the name stays hidden."""
    name, at, domain = address.strip().partition("@")
    if not at:
        return mask_phone(address)
    return f"{name[:1]}***@{domain}"


MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_phones_in(value: Any, key: str = "") -> Any:
    """`value` (text, or an event's data: dicts and lists of them) with every mobile number in it masked,
    and any value under a key naming a phone masked whole: what a reader who may not see phones is shown."""
    if isinstance(value, dict):
        return {k: mask_phones_in(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_phones_in(v, key) for v in value]
    if isinstance(value, str):
        if "phone" in key.lower() and value:
            return mask_phone(value)
        return MOBILE.sub(lambda m: mask_phone(m.group(0)), value)
    return value
