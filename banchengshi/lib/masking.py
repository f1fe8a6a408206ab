"""Personal data shown only as far as a reader needs it."""

from __future__ import annotations


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
