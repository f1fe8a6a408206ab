"""The TOTP second factor (等保 2.0 双因素身份鉴别) of the 三员, oversight and whoever may unmask: each
attack tried, and its refusal asserted. Password only reaches nothing; wrong codes are refused, recorded
and lock the account like wrong passwords; a code is accepted once; enrolment end to end; the security
administrator's reset, and its refusals."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from banchengshi.accounts.access import SECOND_FACTOR_ROLES, needs_second_factor
from banchengshi.accounts.choices import Role
from banchengshi.accounts.models import ApiToken, User
from banchengshi.accounts.services import do_create_staff
from banchengshi.accounts.tests.otp import PAGE, code_of, new_device, sign_in
from banchengshi.audit.models import Event
from banchengshi.conftest import STAFF_PASSWORD

ENROL = "/account/second-factor/enrol/"
LOCKED = "登录失败次数过多，已暂时锁定30分钟"


@pytest.fixture
def security(district):
    user, _ = do_create_staff("anquan", unit=district.units["ZWB"], role=Role.SECURITY_ADMIN, password=STAFF_PASSWORD,
                              must_change=False)
    return user


def password_only(username: str, address: str = "10.1.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/login/", {"username": username, "password": STAFF_PASSWORD})
    assert response.status_code == 302
    return client


def enrolled(user: User) -> TOTPDevice:
    return new_device(user)


def actions(user: User | None = None, **data) -> list[str]:
    events = Event.objects.order_by("seq")
    if user is not None:
        events = events.filter(actor=user)
    return [e.action for e in events if all(e.data.get(k) == v for k, v in data.items())]


def test_the_roles_that_need_it(district):
    assert {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.OVERSEER, Role.ADMIN_OFFICE} <= SECOND_FACTOR_ROLES
    needing = {name for name, user in district.users.items() if needs_second_factor(user)}
    assert needing == {"admin_office", "overseer", "system_admin", "zwb_auditor"}
    assert needs_second_factor(User.objects.create_superuser("root", password=STAFF_PASSWORD))


@pytest.mark.django_db
def test_the_code_comes_before_a_password_that_must_change(district, clock):
    user = district.users["overseer"]
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    device = enrolled(user)
    client = password_only("overseer")
    assert client.get("/")["Location"].startswith(PAGE)
    assert client.get(PAGE).status_code == 200  # not sent on to the password page while the code is owed
    assert client.post(PAGE, {"code": code_of(device)}).status_code == 302
    assert client.get("/")["Location"] == "/account/password/"


# Password only


@pytest.mark.parametrize("name", ["overseer", "zwb_auditor", "system_admin", "admin_office"])
@pytest.mark.django_db
def test_a_password_alone_reaches_no_page_admin_or_audit_log(district, name):
    enrolled(district.users[name])
    client = password_only(name)
    for path in ["/", "/audit-log/", "/admin/", "/admin/accounts/user/", "/ledger/", "/reminders/",
                 "/account/password/", "/api/v1/docs"]:
        response = client.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml")
        assert response.status_code == 302, path
        assert response["Location"].startswith(PAGE), (path, response["Location"])
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 403 and schema.json() == {"detail": "请先完成动态口令验证。"}
    fragment = client.get("/ledger/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 403 and "请先完成动态口令验证" in fragment.json()["detail"]
    assert fragment["HX-Redirect"] == PAGE
    export = client.get("/audit-log/export.xlsx")
    assert export.status_code == 302 and export["Location"].startswith(PAGE)
    assert not Event.objects.filter(action="audit_log_exported").exists()
    # The API docs with a made-up token do not ride on the half-signed-in session either.
    with override_settings(API_DOCS_PUBLIC=False):
        assert client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer nothing").status_code == 401
    # No "login succeeded" yet: the password is recorded as pending.
    user = district.users[name]
    assert "logged_in" not in actions(user)
    assert actions(user)[-1:] == ["password_accepted"]
    page = client.get(PAGE)
    assert page.status_code == 200 and "动态口令验证" in page.content.decode()


@pytest.mark.django_db
def test_sign_out_stays_reachable(district):
    enrolled(district.users["overseer"])
    client = password_only("overseer")
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_other_roles_sign_in_with_the_password_alone(district):
    client = password_only("registrar")
    assert client.get("/").status_code == 200
    assert actions(district.users["registrar"])[-1:] == ["logged_in"]


@pytest.mark.django_db
def test_the_right_code_completes_the_sign_in_and_goes_where_asked(district, clock):
    user = district.users["overseer"]
    device = enrolled(user)
    client = password_only("overseer")
    asked = client.get("/audit-log/")
    assert asked["Location"] == f"{PAGE}?next=%2Faudit-log%2F"
    session_before = client.session.session_key
    response = client.post(PAGE, {"code": code_of(device), "next": "/audit-log/"})
    assert response.status_code == 302 and response["Location"] == "/audit-log/"
    assert client.session.session_key != session_before  # a new session id for the complete sign-in
    assert client.get("/audit-log/").status_code == 200
    login = Event.objects.filter(actor=user, action="logged_in").get()
    assert login.data["factor"] == "totp" and login.data["outcome"] == "success"
    # Elsewhere than our own site, never.
    client2 = password_only("overseer", "10.1.0.2")
    clock.shift(timedelta(seconds=31))
    evil = client2.post(PAGE, {"code": code_of(device), "next": "https://evil.example/"})
    assert evil.status_code == 302 and evil["Location"] == "/"


# Wrong codes, replays, lockout


@pytest.mark.django_db
def test_a_wrong_code_is_refused_in_chinese_and_recorded(district, clock):
    user = district.users["zwb_auditor"]
    device = enrolled(user)
    client = password_only("zwb_auditor")
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    response = client.post(PAGE, {"code": wrong})
    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()
    assert client.get("/audit-log/").status_code == 302
    failed = Event.objects.filter(actor=user, action="otp_failed").get()
    assert failed.data["stage"] == "verify" and failed.data["outcome"] == "failure"
    assert wrong not in str(failed.data)
    # Not digits: said so, nothing checked, nothing counted; never a 500.
    for junk in ["abcdef", "12345", "1" * 400, "１２３４５６"]:
        r = client.post(PAGE, {"code": junk})
        assert r.status_code == 400 and "6位数字" in r.content.decode()
    assert Event.objects.filter(actor=user, action="otp_failed").count() == 1


@pytest.mark.django_db
def test_the_same_code_is_not_accepted_twice(district, clock):
    user = district.users["system_admin"]
    device = enrolled(user)
    code = code_of(device)
    first = password_only("system_admin")
    assert first.post(PAGE, {"code": code}).status_code == 302
    thief = password_only("system_admin", "10.9.9.9")  # saw the code over the shoulder, has the password
    response = thief.post(PAGE, {"code": code})
    assert response.status_code == 400 and "已经用过" in response.content.decode()
    assert thief.get("/admin/").status_code == 302
    assert Event.objects.filter(actor=user, action="otp_failed").get().data["reason"] == "replayed"


@pytest.mark.django_db
def test_five_wrong_codes_lock_the_account_like_five_wrong_passwords(district, clock):
    user = district.users["overseer"]
    device = enrolled(user)
    client = password_only("overseer")
    for _ in range(5):
        clock.shift(timedelta(seconds=20))  # past django-otp's back-off (1, 2, 4, 8 s)
        wrong = f"{(int(code_of(device)) + 7) % 1_000_000:06d}"
        response = client.post(PAGE, {"code": wrong})
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session  # the session has ended
    assert Event.objects.filter(actor=user, action="otp_failed").count() == 5
    assert Event.objects.filter(action="otp_locked", data__username="overseer").count() == 1
    # The right password is refused now, and the right code could not be tried.
    clock.shift(timedelta(seconds=31))
    again = Client(REMOTE_ADDR="10.1.0.3").post("/login/", {"username": "overseer", "password": STAFF_PASSWORD})
    assert again.status_code == 429 and LOCKED in again.content.decode()
    clock.shift(timedelta(minutes=31))
    back = password_only("overseer", "10.1.0.4")
    assert back.post(PAGE, {"code": code_of(device)}).status_code == 302


@pytest.mark.django_db
def test_signing_in_again_does_not_reset_the_count_of_wrong_codes(district, clock):
    device = enrolled(district.users["overseer"])
    for round_ in range(3):  # 2 + 2 + 1 wrong codes over three sign-ins with the right password
        client = password_only("overseer", f"10.2.0.{round_}")
        for _ in range(2 if round_ < 2 else 1):
            clock.shift(timedelta(seconds=20))
            response = client.post(PAGE, {"code": f"{(int(code_of(device)) + 3) % 1_000_000:06d}"})
    assert response.status_code == 429 and LOCKED in response.content.decode()


@pytest.mark.django_db
def test_the_right_code_after_a_few_wrong_ones_clears_the_count(district, clock):
    device = enrolled(district.users["overseer"])
    client = password_only("overseer")
    for _ in range(4):
        clock.shift(timedelta(seconds=20))
        client.post(PAGE, {"code": f"{(int(code_of(device)) + 3) % 1_000_000:06d}"})
    clock.shift(timedelta(seconds=20))
    assert client.post(PAGE, {"code": code_of(device)}).status_code == 302
    from banchengshi.accounts.models import LoginAttempt

    assert not LoginAttempt.objects.filter(username="overseer").exists()


@pytest.mark.django_db
def test_a_code_straight_after_a_wrong_one_waits(district, clock):
    device = enrolled(district.users["overseer"])
    client = password_only("overseer")
    client.post(PAGE, {"code": f"{(int(code_of(device)) + 3) % 1_000_000:06d}"})
    response = client.post(PAGE, {"code": code_of(device)})
    assert response.status_code == 400 and "秒后再输入" in response.content.decode()
    assert client.get("/").status_code == 302


# Enrolment


def secret_on(page: str) -> str:
    found = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page)
    assert found, page
    return found.group(1).replace(" ", "")


@pytest.mark.django_db
def test_enrolment_end_to_end(district, clock):
    user = district.users["admin_office"]
    client = password_only("admin_office")
    assert client.get("/")["Location"].startswith(PAGE)
    assert client.get(PAGE)["Location"].startswith(ENROL)
    page = client.get(ENROL)
    assert page.status_code == 200 and "绑定动态口令" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    qr = client.get("/account/second-factor/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert b"<script" not in qr.content and b"style=" not in qr.content
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    from base64 import b32decode

    assert b32decode(secret_on(page.content.decode())) == device.bin_key
    assert "otpauth://totp/" in device.config_url and "secret=" + secret_on(page.content.decode()) in device.config_url
    # The same page again in this session: the same secret (an app may already have it).
    assert secret_on(client.get(ENROL).content.decode()) == secret_on(page.content.decode())
    wrong = client.post(ENROL, {"code": f"{(int(code_of(device)) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 400 and "动态口令不正确" in wrong.content.decode()
    assert secret_on(wrong.content.decode()) == secret_on(page.content.decode())
    clock.shift(timedelta(seconds=20))
    done = client.post(ENROL, {"code": code_of(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert [a for a in actions(user) if a.startswith(("otp", "logged", "password_acc"))] == [
        "password_accepted", "otp_failed", "otp_enrolled", "logged_in"]
    # Enrolled: the enrolment page and its QR code are gone, for this session and the next.
    assert client.get("/account/second-factor/qr.svg").status_code == 404
    later = password_only("admin_office", "10.3.0.1")
    assert later.get(ENROL)["Location"].startswith(PAGE)
    assert later.get("/account/second-factor/qr.svg").status_code == 404


@pytest.mark.django_db
def test_a_secret_seen_with_a_stolen_password_is_not_the_one_the_owner_confirms(district, clock):
    thief = password_only("admin_office", "10.6.6.6")
    seen = secret_on(thief.get(ENROL).content.decode())
    owner = password_only("admin_office", "10.3.0.2")
    mine = secret_on(owner.get(ENROL).content.decode())
    assert mine != seen
    device = TOTPDevice.objects.get(user=district.users["admin_office"])
    assert owner.post(ENROL, {"code": code_of(device)}).status_code == 302
    stale = thief.post(ENROL, {"code": "123456"})
    assert stale.status_code == 302 and stale["Location"].startswith(PAGE)  # enrolled: only the code page now


@pytest.mark.django_db
def test_a_user_with_a_device_cannot_enrol_another_with_the_password_alone(district, clock):
    user = district.users["overseer"]
    enrolled(user)
    client = password_only("overseer")
    assert client.get(ENROL)["Location"].startswith(PAGE)
    assert client.post(ENROL, {"code": "123456"})["Location"].startswith(PAGE)
    assert TOTPDevice.objects.filter(user=user).count() == 1


# Reset by the security administrator


@pytest.mark.django_db
def test_the_security_admin_resets_a_lost_device_and_the_owner_enrols_again(district, security, clock):
    overseer = district.users["overseer"]
    enrolled(overseer)
    verified = sign_in(Client(), overseer)
    assert verified.get("/audit-log/").status_code == 200
    admin = sign_in(Client(), security)
    response = admin.post("/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [overseer.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=overseer).exists()
    reset = Event.objects.filter(action="otp_reset").get()
    assert reset.actor == security and reset.data["username"] == "overseer"
    # The session the lost phone verified is no longer verified; the owner enrols a new device.
    assert verified.get("/audit-log/")["Location"].startswith(PAGE)
    assert verified.get(PAGE)["Location"].startswith(ENROL)


@pytest.mark.django_db
def test_a_self_reset_and_a_reset_by_others_are_refused_and_recorded(district, security, clock):
    enrolled(security)
    admin = sign_in(Client(), security)
    admin.post("/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [security.pk]})
    assert TOTPDevice.objects.filter(user=security).exists()
    refused = Event.objects.filter(action="privilege_change_refused", data__change="second_factor").get()
    assert refused.actor == security and "自己" in refused.data["reason"]
    # A 三员's device is not the security administrator's to reset (the command line is, on order).
    enrolled(district.users["system_admin"])
    admin.post("/admin/accounts/user/", {"action": "reset_second_factor",
                                         "_selected_action": [district.users["system_admin"].pk]})
    assert TOTPDevice.objects.filter(user=district.users["system_admin"]).exists()
    # The system administrator keeps accounts, not security policy: the action is not even offered.
    overseer = district.users["overseer"]
    enrolled(overseer)
    sysadmin = sign_in(Client(), district.users["system_admin"])
    sysadmin.post("/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [overseer.pk]})
    assert TOTPDevice.objects.filter(user=overseer).count() == 1
    assert "重置动态口令" not in sysadmin.get("/admin/accounts/user/").content.decode()


@pytest.mark.django_db
def test_the_command_resets_a_three_admins_device_and_is_recorded(district, clock):
    enrolled(district.users["system_admin"])
    out = StringIO()
    call_command("reset_second_factor", "system_admin", stdout=out)
    assert "已重置" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=district.users["system_admin"]).exists()
    assert Event.objects.filter(action="otp_reset", data__username="system_admin").get().actor_label == "命令行"


# API tokens are machine credentials: unchanged


@pytest.mark.django_db
def test_api_tokens_need_no_second_factor(district):
    token = ApiToken.issue(district.users["overseer"])
    response = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
