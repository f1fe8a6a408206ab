from __future__ import annotations

import secrets
import string
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from banchengshi.accounts.choices import Role, UnitKind
from banchengshi.accounts.models import Unit, User
from banchengshi.accounts.permissions import role_group
from banchengshi.audit.events import record_event

# Which kinds of unit each role belongs to.
ROLE_UNITS: dict[str, frozenset[str]] = {
    Role.REGISTRAR: frozenset({UnitKind.SERVICE_CENTER}),
    Role.DISPATCHER: frozenset({UnitKind.SERVICE_CENTER}),
    Role.CENTER_HEAD: frozenset({UnitKind.SERVICE_CENTER}),
    Role.HANDLER: frozenset({UnitKind.DEPARTMENT, UnitKind.SERVICE_CENTER}),
    Role.ADMIN_OFFICE: frozenset({UnitKind.ADMIN_OFFICE}),
    Role.OVERSEER: frozenset({UnitKind.OVERSIGHT}),
    Role.SYSTEM_ADMIN: frozenset(UnitKind.values),
    Role.SECURITY_ADMIN: frozenset(UnitKind.values),
    Role.AUDIT_ADMIN: frozenset(UnitKind.values),
}


class StaffError(ValueError):
    pass


def generate_password(username: str = "") -> str:
    """16 characters of the four kinds, so it passes the policy (and is changed at first sign-in); never
    one that happens to contain the account name (a random ybj in 16 characters is rare, not impossible)."""
    kinds = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "-_.!@#%+=")
    alphabet = "".join(kinds)
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(16))
        if all(any(c in kind for c in password) for kind in kinds) and (
            not username or username.lower() not in password.lower()
        ):
            return password


@transaction.atomic
def do_create_staff(
    username: str, *, unit: Unit, role: str, password: str | None = None, display_name: str = "",
    acting_user: User | None = None, must_change: bool | None = None,
) -> tuple[User, str]:
    """A staff account. A generated password (no `password`) is shown once and must be changed at the
    first sign-in, unless `must_change` says otherwise (a developer's demo, DEMO_ACCOUNTS_EXEMPT)."""
    if role not in Role.values:
        raise StaffError(f"未知角色 {role!r}，可选：{', '.join(Role.values)}")
    if unit.kind not in ROLE_UNITS[role]:
        raise StaffError(f"{Role(role).label}不能设在{unit.get_kind_display()}“{unit.name}”")
    if User.objects.filter(username=username).exists():
        raise StaffError(f"账号 {username} 已存在")
    generated = not password
    password = password or generate_password(username)
    user = User(username=username, unit=unit, role=role, display_name=display_name or username)
    try:
        with translation.override(settings.LANGUAGE_CODE):  # a command runs without a request's language
            validate_password(password, user)
    except ValidationError as exc:
        raise StaffError("；".join(exc.messages)) from exc
    user.set_password(password)
    user.must_change_password = generated if must_change is None else must_change
    # The admin site is for the admin office and the three administrators (三员).
    user.is_staff = role in {Role.ADMIN_OFFICE, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
    user.save()
    group = role_group(role)
    if group is not None:
        user.groups.add(group)
    record_event("staff_created", actor=acting_user, username=username, unit=unit.code, role=role)
    return user, password


ADMIN_SITE_ROLES = frozenset({Role.ADMIN_OFFICE, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def role_snapshot(user: User) -> dict[str, object]:
    """What an account's powers are: its role, the staff and superuser flags, its groups and single
    permissions (the audit log's before and after of a role change)."""
    if user.pk is None:
        return {"role": user.role, "is_staff": user.is_staff, "is_superuser": user.is_superuser, "groups": [], "permissions": []}
    return {
        "role": user.role,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
    }


@transaction.atomic
def do_change_role(user: User, role: str, *, acting_user: User | None) -> User:
    """Give `user` its one role: the role's group only, no single permissions, the staff flag the role
    implies; recorded with the powers before and after. (Who may: `accounts.access.may_manage`.)"""
    if role and role not in Role.values:
        raise StaffError(f"未知角色 {role!r}")
    if role and user.unit is not None and user.unit.kind not in ROLE_UNITS[role]:
        raise StaffError(f"{Role(role).label}不能设在{user.unit.get_kind_display()}“{user.unit.name}”")
    before = role_snapshot(user)
    user.role = role
    user.is_staff = role in ADMIN_SITE_ROLES
    user.save(update_fields=["role", "is_staff"])
    group = role_group(role) if role else None
    user.groups.set([group] if group is not None else [])
    user.user_permissions.clear()
    record_event("role_changed", actor=acting_user, username=user.username, powers_before=before,
                 powers_after=role_snapshot(user))
    return user


def record_refused(acting_user: User | None, change: str, reason: str, *, target: User | None = None, **attempt: Any) -> None:
    """An administrator's refused attempt, for the audit log (`privilege_change_refused`)."""
    record_event(
        "privilege_change_refused", actor=acting_user, change=change, reason=reason,
        target=target.username if target is not None else "", **attempt,
    )
