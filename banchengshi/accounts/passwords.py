"""Password validators of the policy (settings.AUTH_PASSWORD_VALIDATORS), with Chinese messages.

Django's own validators (length, similarity, numeric) speak Chinese through Django's zh-hans catalogue;
these add three of four kinds of character, the account's name, a longer list of common passwords and
the history of the last passwords.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator as DjangoCommonPasswordValidator
from django.core.exceptions import ValidationError

LOCAL_LIST = Path(__file__).resolve().parent / "data" / "common-passwords-local.txt"


def character_classes(password: str) -> int:
    kinds = (
        any(c.isascii() and c.isupper() for c in password),
        any(c.isascii() and c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() or not c.isascii() for c in password),
    )
    return sum(kinds)


class MinimumLengthValidator:
    """At least `min_length` characters (Django's own, whose message its Chinese catalogue lacks)."""

    def __init__(self, min_length: int = 12) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，至少需要{self.min_length}个字符。", code="password_too_short")

    def get_help_text(self) -> str:
        return f"密码至少需要{self.min_length}个字符。"


class CharacterClassesValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类。", code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类。"


class UsernameValidator:
    """The account's name may not appear in its password, in any case."""

    def validate(self, password: str, user: Any = None) -> None:
        username = str(getattr(user, "username", "") or "")
        if len(username) >= 3 and username.lower() in password.lower():
            raise ValidationError("密码不能包含账号名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "密码不能包含账号名。"


@cache
def _common_passwords() -> frozenset[str]:
    words = set(DjangoCommonPasswordValidator().passwords)
    lines = LOCAL_LIST.read_text(encoding="utf-8").splitlines()
    words |= {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}
    return frozenset(words)


class CommonPasswordValidator:
    """Django's list of 20,000 common passwords and a local list (admin12345 and the like); a common
    password with digits or symbols added at its end (admin12345!!) is refused as well."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower().strip()
        stem = lowered.rstrip("0123456789!@#$%^&*.?_-")
        common = _common_passwords()
        if lowered in common or (len(stem) >= 5 and stem in common):
            raise ValidationError("密码过于常见，容易被猜中，请换一个。", code="password_too_common")

    def get_help_text(self) -> str:
        return "密码不能是常见密码。"


class HistoryValidator:
    """Not one of the user's last `history` passwords (their hashes are kept in PasswordHistory)."""

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user: Any = None) -> None:
        if not self.history or user is None or getattr(user, "pk", None) is None:
            return
        from banchengshi.accounts.models import PasswordHistory

        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.history])
        if user.password and user.has_usable_password():
            hashes.append(user.password)  # the current one, also when it predates the history
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(f"不能使用最近{self.history}次用过的密码。", code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        """Called by Django when a user with a new password is saved: its hash joins the history."""
        if user is None or getattr(user, "pk", None) is None or not user.has_usable_password():
            return
        from banchengshi.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        keep = max(self.history, 1)
        old = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self) -> str:
        return f"不能使用最近{self.history}次用过的密码。"
