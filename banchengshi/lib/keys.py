"""Keys kept outside the database, read by the settings at start.

The personal-information key (PII_KEY) follows the audit key's pattern (config/settings.py, AUDIT_KEY): given
in the environment, or a file made once with owner-only permissions in development. The production profile
never makes one up: a key generated on one web server and lost with its directory would leave every
encrypted name and phone unreadable, so it must be given (and backed up apart from the database).

Imported by config/settings.py before Django is set up: standard library and Django's exception only.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MIN_BYTES = 32
_HEX = re.compile(r"[0-9a-fA-F]+")


def parse_key(raw: str, name: str) -> bytes:
    """A key written as hex (64 digits) or base64 (44 characters); ImproperlyConfigured otherwise."""
    text = raw.strip()
    key: bytes | None = None
    if _HEX.fullmatch(text) and len(text) % 2 == 0:
        key = bytes.fromhex(text)
    else:
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            key = None
    if key is None:
        raise ImproperlyConfigured(f"{name} must be hexadecimal or base64 (python -c 'import secrets; print(secrets.token_hex(32))')")
    if len(key) < MIN_BYTES:
        raise ImproperlyConfigured(f"{name} must be at least {MIN_BYTES} bytes ({MIN_BYTES * 2} hex digits), not {len(key)}")
    return key


def owner_only_file(path: Path, name: str, *, create: bool) -> str:
    """The key written in `path` (made first, 32 random bytes as hex, when `create`); refused unless only
    its owner may read it."""
    if create and not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(MIN_BYTES))
    try:
        if path.stat().st_mode & 0o077:
            raise ImproperlyConfigured(f"{path} holds {name}: make it readable by its owner only (chmod 600)")
        return path.read_text().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name} cannot be read from {path}: {exc}") from exc


def load_key(name: str, *, default_file: Path, production: bool) -> bytes:
    """`name` from the environment, else the file `{name}_FILE`; in development only, else `default_file`,
    generated on first use with mode 0600. Production refuses to start without one given."""
    raw = os.environ.get(name, "").strip()
    if raw:
        return parse_key(raw, name)
    given_file = os.environ.get(f"{name}_FILE", "").strip()
    if given_file:
        return parse_key(owner_only_file(Path(given_file), name, create=False), f"{name}_FILE")
    if production:
        raise ImproperlyConfigured(
            f"The production profile needs {name} (or {name}_FILE): 32 random bytes as hex, kept outside the database "
            "and backed up apart from it (python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return parse_key(owner_only_file(default_file, name, create=True), str(default_file))


def load_previous_keys(name: str) -> list[bytes]:
    """Keys being rotated away from, comma-separated: still read, never written with."""
    raw = os.environ.get(name, "")
    return [parse_key(part, name) for part in raw.split(",") if part.strip()]
