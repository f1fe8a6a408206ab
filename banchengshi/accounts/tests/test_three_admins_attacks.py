"""三员 in the staff admin: each attack of issue 10 refused, and every refusal in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import Client

from banchengshi.accounts.access import Change, may_manage
from banchengshi.accounts.models import User
from banchengshi.accounts.services import do_create_staff
from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.conftest import District


@pytest.fixture
def security(district: District) -> User:
    user, _ = do_create_staff("security", unit=district.units["ZWB"], role="security_admin", password="Secur-pass-2026x")
    return user


def client_of(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def form_of(user: User, **changes: Any) -> dict[str, Any]:
    """The change form as the account stands, with `changes` (True/False for a checkbox)."""
    data: dict[str, Any] = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name, "email": user.email,
        "display_name": user.display_name, "unit": user.unit_id or "", "role": user.role,
    }
    if user.is_active:
        data["is_active"] = "on"
    for name, value in changes.items():
        if value is True:
            data[name] = "on"
        elif value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def change(client: Client, target: User, **changes: Any) -> Any:
    return client.post(f"/admin/accounts/user/{target.pk}/change/", form_of(target, **changes))


def refused(actor: User, change: str) -> list[Event]:
    return list(Event.objects.filter(action="privilege_change_refused", actor=actor, data__change=change))


def test_security_admin_cannot_tick_its_own_superuser_box(district: District, security: User) -> None:
    client = client_of(security)
    page = client.get(f"/admin/accounts/user/{security.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page and 'name="groups"' not in page
    response = change(client, security, is_superuser=True)
    assert response.status_code == 403
    security.refresh_from_db()
    assert not security.is_superuser
    [event] = refused(security, "superuser")
    assert event.data["target"] == "security" and event.data["value_after"] is True
    # Nor anyone else's, nor the staff flag or a group by hand.
    registrar = district.users["registrar"]
    assert change(client, registrar, is_superuser=True).status_code == 403
    assert change(client, registrar, is_staff=True).status_code == 403
    assert change(client, registrar, groups=["1"]).status_code == 403
    registrar.refresh_from_db()
    assert not registrar.is_superuser and not registrar.is_staff
    assert len(refused(security, "superuser")) == 2 and refused(security, "staff") and refused(security, "permissions")


def test_security_admin_gives_roles_but_not_to_itself_or_its_peers(district: District, security: User) -> None:
    client = client_of(security)
    assert change(client, security, role="dispatcher").status_code == 403
    assert change(client, district.users["system_admin"], role="dispatcher").status_code == 403
    assert change(client, district.users["zwb_auditor"], role="overseer").status_code == 403
    assert change(client, district.users["registrar"], role="audit_admin").status_code == 403
    security.refresh_from_db()
    assert security.role == "security_admin"
    assert User.objects.get(username="system_admin").role == "system_admin"
    assert User.objects.get(username="registrar").role == "registrar"
    assert [e.data["target"] for e in refused(security, "role")] == ["security", "system_admin", "zwb_auditor", "registrar"]
    assert "不能变更自己的角色" in refused(security, "role")[0].data["reason"]

    # A role it may give: recorded with the powers before and after; the role's group comes with it.
    registrar = district.users["registrar"]
    assert change(client, registrar, role="dispatcher").status_code == 302
    registrar.refresh_from_db()
    assert registrar.role == "dispatcher" and not registrar.is_superuser
    [event] = Event.objects.filter(action="role_changed", data__username="registrar")
    assert event.actor == security
    assert event.data["powers_before"]["role"] == "registrar" and event.data["powers_after"]["role"] == "dispatcher"
    # And not a change of name, which is the system administrator's.
    assert change(client, registrar, display_name="改名").status_code == 403


def test_system_admin_cannot_reset_the_audit_admins_password_or_make_itself_a_dispatcher(district: District) -> None:
    sysadmin, auditor = district.users["system_admin"], district.users["zwb_auditor"]
    client = client_of(sysadmin)
    digest = auditor.password
    assert client.get(f"/admin/accounts/user/{auditor.pk}/password/").status_code == 403
    response = client.post(f"/admin/accounts/user/{auditor.pk}/password/",
                           {"password1": "Taken-over-2026x", "password2": "Taken-over-2026x", "usable_password": "true"})
    assert response.status_code == 403
    auditor.refresh_from_db()
    assert auditor.password == digest
    [event] = refused(sysadmin, "password")
    assert event.data["target"] == "zwb_auditor"
    # Nor deactivate it or rename it.
    assert change(client, auditor, is_active=False).status_code == 403
    assert change(client, auditor, email="x@example.com").status_code == 403
    assert User.objects.get(pk=auditor.pk).is_active

    assert change(client, sysadmin, role="dispatcher").status_code == 403
    assert change(client, district.users["registrar"], role="dispatcher").status_code == 403
    assert change(client, sysadmin, is_superuser=True).status_code == 403
    sysadmin.refresh_from_db()
    assert sysadmin.role == "system_admin" and not sysadmin.is_superuser
    assert len(refused(sysadmin, "role")) == 2 and refused(sysadmin, "superuser")


def test_system_admin_keeps_ordinary_accounts(district: District) -> None:
    sysadmin, registrar = district.users["system_admin"], district.users["registrar"]
    client = client_of(sysadmin)
    response = client.post(f"/admin/accounts/user/{registrar.pk}/password/",
                           {"password1": "New-password-2026x", "password2": "New-password-2026x", "usable_password": "true"})
    assert response.status_code == 302
    registrar.refresh_from_db()
    assert registrar.check_password("New-password-2026x")
    assert Event.objects.filter(action="password_reset", actor=sysadmin, data__username="registrar").exists()
    assert change(client, registrar, display_name="登记员甲", is_active=False).status_code == 302
    registrar.refresh_from_db()
    assert registrar.display_name == "登记员甲" and not registrar.is_active and registrar.role == "registrar"
    [event] = Event.objects.filter(action="staff_updated", data__username="registrar")
    assert event.data["fields"]["is_active"] == {"before": True, "after": False}
    # A new account has no role until the security administrator gives it one.
    response = client.post("/admin/accounts/user/add/", {"username": "newcomer", "usable_password": "true",
                                                         "password1": "Entirely-other-77x", "password2": "Entirely-other-77x"})
    assert response.status_code == 302, response.content.decode()[:2000]
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.role == "" and not newcomer.is_staff and not newcomer.is_superuser
    assert Event.objects.filter(action="staff_created", actor=sysadmin, data__username="newcomer").exists()
    # Asking for a role on creation is refused.
    response = client.post("/admin/accounts/user/add/", {"username": "sneaky", "usable_password": "true", "role": "dispatcher",
                                                         "password1": "Sneaky-pass-2026x", "password2": "Sneaky-pass-2026x"})
    assert response.status_code == 403 and not User.objects.filter(username="sneaky").exists()


def test_audit_admin_changes_nothing(district: District, security: User) -> None:
    auditor = district.users["zwb_auditor"]
    client = client_of(auditor)
    registrar = district.users["registrar"]
    assert client.get("/admin/accounts/user/").status_code == 403
    assert change(client, registrar, role="dispatcher").status_code == 403
    assert change(client, auditor, role="overseer").status_code == 403
    assert change(client, auditor, is_superuser=True).status_code == 403
    assert client.post(f"/admin/accounts/user/{registrar.pk}/password/",
                       {"password1": "Audit-takes-2026x", "password2": "Audit-takes-2026x"}).status_code == 403
    assert client.post("/admin/accounts/user/add/", {"username": "x", "password1": "Xx-pass-2026x",
                                                      "password2": "Xx-pass-2026x"}).status_code == 403
    assert User.objects.get(pk=registrar.pk).role == "registrar" and not User.objects.filter(username="x").exists()
    changes = [e.data["change"] for e in Event.objects.filter(action="privilege_change_refused", actor=auditor)]
    assert changes == ["role", "role", "superuser", "password", "create"]
    # Its one page: the audit log.
    assert client.get("/admin/audit/event/").status_code == 200


def test_may_manage_rules(district: District, security: User) -> None:
    sysadmin, auditor, registrar = district.users["system_admin"], district.users["zwb_auditor"], district.users["registrar"]
    assert may_manage(sysadmin, registrar, Change.PASSWORD) == ""
    assert may_manage(sysadmin, auditor, Change.PASSWORD) != ""
    assert may_manage(sysadmin, security, Change.ACTIVE) != ""
    assert may_manage(sysadmin, registrar, Change.ROLE, "dispatcher") != ""
    assert may_manage(security, registrar, Change.ROLE, "dispatcher") == ""
    assert may_manage(security, registrar, Change.ROLE, "system_admin") != ""
    assert may_manage(security, registrar, Change.PASSWORD) != ""
    assert may_manage(security, security, Change.ROLE, "dispatcher") == "不能变更自己的角色"
    for actor in (sysadmin, security, auditor):
        assert may_manage(actor, actor, Change.SUPERUSER) != ""
        assert may_manage(actor, registrar, Change.PERMISSIONS) != ""
    assert all(may_manage(auditor, registrar, c) for c in Change)
    assert may_manage(None, registrar, Change.DETAILS) == "请先登录"


def test_a_superuser_in_production_is_warned_of(district: District, settings: Any) -> None:
    settings.DEBUG = False
    assert "accounts.W001" not in {m.id for m in run_checks()}
    User.objects.create_superuser("root", password="Root-pass-2026x")
    assert "accounts.W001" in {m.id for m in run_checks()}
    settings.DEBUG = True
    assert "accounts.W001" not in {m.id for m in run_checks()}
