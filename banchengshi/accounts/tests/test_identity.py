"""Identity (等保 2.0 身份鉴别): each attack tried, and its refusal asserted. Lockout after 5 failures for
30 minutes, the same answer for unknown names; the per-address limit; the password policy on every path;
history; expiry; sessions idle and absolute limits by role; expired and revoked API tokens."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from banchengshi.accounts.access import needs_second_factor
from banchengshi.accounts.models import ApiToken, LoginAttempt, PasswordHistory, User
from banchengshi.accounts.services import do_create_staff
from banchengshi.accounts.tests.otp import pass_second_factor
from banchengshi.accounts.tests.otp import sign_in as verified_sign_in
from banchengshi.audit.models import Event
from banchengshi.conftest import STAFF_PASSWORD

LOCKED = "登录失败次数过多，已暂时锁定30分钟"
NEW_PASSWORD = "Qing-Shan-Lv-Shui-42"


def sign_in(client: Client, username: str, password: str):
    """The sign-in page, and for an account that needs it the second factor too (through its page)."""
    response = client.post("/login/", {"username": username, "password": password})
    user = User.objects.filter(username=username).first()
    if response.status_code == 302 and user is not None and needs_second_factor(user):
        pass_second_factor(client, user)
    return response


# Lockout


@pytest.mark.django_db
def test_five_failures_lock_the_account_for_30_minutes_even_with_the_right_password(district, clock):
    client = Client(REMOTE_ADDR="10.0.0.1")
    for attempt in range(4):
        r = sign_in(client, "registrar", f"Wrong-password-{attempt}")
        assert r.status_code == 200 and "账号或密码不正确" in r.content.decode()
    fifth = sign_in(client, "registrar", "Wrong-password-5")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    right = sign_in(client, "registrar", STAFF_PASSWORD)
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert "_auth_user_id" not in client.session
    clock.shift(timedelta(minutes=29))
    assert sign_in(Client(REMOTE_ADDR="10.0.0.2"), "registrar", STAFF_PASSWORD).status_code == 429
    clock.shift(timedelta(minutes=2))
    assert sign_in(client, "registrar", STAFF_PASSWORD).status_code == 302
    locked = Event.objects.filter(action="login_locked")
    assert locked.count() == 1 and locked.get().data["username"] == "registrar"


@pytest.mark.django_db
def test_an_unknown_name_gets_the_identical_answer(district, clock):
    answers = {}
    for name in ("registrar", "nobody-here"):
        client = Client(REMOTE_ADDR=f"10.0.1.{len(answers) + 1}")
        seen = [sign_in(client, name, f"Wrong-password-{i}") for i in range(6)]
        answers[name] = [(r.status_code, r.content.decode().replace(name, "NAME")) for r in seen]
    known, unknown = answers["registrar"], answers["nobody-here"]
    assert [s for s, _ in known] == [s for s, _ in unknown] == [200, 200, 200, 200, 429, 429]

    def message(html: str) -> str:
        return html.split('role="alert">', 1)[1].split("</div>", 1)[0]

    assert [message(h) for _, h in known] == [message(h) for _, h in unknown]
    unknown_lock = Event.objects.filter(action="login_locked", data__known_account=False).get()
    assert unknown_lock.data["username"] == ""  # an unknown name may be a password typed in the wrong box


@pytest.mark.django_db
def test_many_names_from_one_address_lock_the_address(district, clock, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 8
    attacker = Client(REMOTE_ADDR="10.6.6.6")
    for i in range(8):  # two failures per name: no account reaches its own limit
        sign_in(attacker, f"guess{i // 2}", "Wrong-password-1")
    r = sign_in(attacker, "center_head", STAFF_PASSWORD)
    assert r.status_code == 429 and LOCKED in r.content.decode()
    assert Event.objects.filter(action="login_locked", data__scope="address").count() == 1
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), "center_head", STAFF_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_security_admin_unlocks_an_account(district, clock):
    security, _ = do_create_staff("anquan", unit=district.units["ZWB"], role="security_admin", password="An-Quan-Guan-Li-2026")
    for i in range(5):
        sign_in(Client(), "registrar", f"Wrong-password-{i}")
    assert sign_in(Client(), "registrar", STAFF_PASSWORD).status_code == 429
    admin = Client()
    verified_sign_in(admin, security)
    listing = admin.get("/admin/accounts/loginattempt/")
    assert listing.status_code == 200 and "登录失败与锁定" in listing.content.decode()
    r = admin.post("/admin/accounts/user/", {"action": "unlock_sign_in", "_selected_action": [district.users["registrar"].pk]})
    assert r.status_code == 302
    assert not LoginAttempt.objects.filter(username="registrar").exists()
    assert Event.objects.filter(action="login_unlocked", actor=security).exists()
    assert sign_in(Client(), "registrar", STAFF_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_system_admin_cannot_unlock(district, clock):
    admin = Client()
    verified_sign_in(admin, district.users["system_admin"])
    r = admin.get("/admin/accounts/user/")
    assert "解除登录锁定" not in r.content.decode()


# Password policy


WEAK = {
    "Short-1a": "至少需要12个字符",
    "alllowercaseletters": "至少3类",
    "Registrar-2026-ok!": "不能包含账号名",
    "admin12345": "过于常见",
    "Admin12345!!": "过于常见",
}


@pytest.mark.django_db
@pytest.mark.parametrize("password", list(WEAK))
def test_create_staff_refuses_weak_passwords(district, password):
    with pytest.raises(CommandError) as refused:
        call_command("create_staff", "registrar2" if "Registrar" not in password else "registrar9",
                     "--unit", "FWZX", "--role", "registrar", "--password", password.replace("Registrar", "registrar9"))
    assert WEAK[password] in str(refused.value)


@pytest.mark.django_db
def test_weak_passwords_are_refused_with_each_reason(district):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    user = User(username="registrar")
    for password, reason in WEAK.items():
        with pytest.raises(ValidationError) as refused, translation.override("zh-hans"):
            validate_password(password, user)
        assert any(reason in m for m in refused.value.messages), (password, refused.value.messages)
    validate_password(STAFF_PASSWORD, user)  # the suite's own password passes


@pytest.mark.django_db
def test_a_generated_password_must_be_changed_at_first_sign_in(district, clock):
    out = StringIO()
    call_command("create_staff", "xinren", "--unit", "FWZX", "--role", "registrar", stdout=out)
    password = out.getvalue().split("密码：")[1].strip()
    assert User.objects.get(username="xinren").must_change_password
    client = Client()
    assert sign_in(client, "xinren", password).status_code == 302
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/account/password/"
    page = client.get("/account/password/").content.decode()
    assert "请先改为只有您本人知道的新密码" in page
    r = client.post("/account/password/", {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert r.status_code == 302
    assert client.get("/").status_code == 200
    assert Event.objects.filter(action="password_changed", actor__username="xinren").exists()


@pytest.mark.django_db
def test_the_change_page_refuses_weak_and_reused_passwords(district):
    client = Client()
    verified_sign_in(client, district.users["registrar"])
    assert "修改密码" in client.get("/").content.decode()  # in the user menu
    for weak in ("admin12345", "abcdefghijklmn", "registrar-Abc-123"):
        r = client.post("/account/password/", {"old_password": STAFF_PASSWORD, "new_password1": weak, "new_password2": weak})
        assert r.status_code == 200 and "is-invalid" in r.content.decode(), weak
    r = client.post("/account/password/", {"old_password": STAFF_PASSWORD, "new_password1": STAFF_PASSWORD,
                                           "new_password2": STAFF_PASSWORD})
    assert "不能使用最近5次用过的密码" in r.content.decode()
    passwords = [f"Zhong-Guo-Meng-{n}x" for n in range(6)]
    old = STAFF_PASSWORD
    for new in passwords:
        verified_sign_in(client, User.objects.get(username="registrar"))
        r = client.post("/account/password/", {"old_password": old, "new_password1": new, "new_password2": new})
        assert r.status_code == 302, r.content.decode()
        old = new
    verified_sign_in(client, User.objects.get(username="registrar"))
    for reused in passwords[1:]:  # the last five
        r = client.post("/account/password/", {"old_password": passwords[-1], "new_password1": reused, "new_password2": reused})
        assert "不能使用最近5次用过的密码" in r.content.decode(), reused
    assert PasswordHistory.objects.filter(user__username="registrar").count() == 5
    r = client.post("/account/password/", {"old_password": passwords[-1], "new_password1": passwords[0], "new_password2": passwords[0]})
    assert r.status_code == 302  # the sixth back is allowed again


@pytest.mark.django_db
def test_the_admin_form_refuses_a_weak_password(district, clock):
    admin = Client()
    verified_sign_in(admin, district.users["system_admin"])
    r = admin.post("/admin/accounts/user/add/", {"username": "weakling", "password1": "admin12345", "password2": "admin12345",
                                                  "usable_password": "true"})
    assert r.status_code == 200 and "过于常见" in r.content.decode()
    assert not User.objects.filter(username="weakling").exists()
    target = district.users["registrar"]
    r = admin.post(f"/admin/accounts/user/{target.pk}/password/", {"password1": "admin12345", "password2": "admin12345",
                                                                   "usable_password": "true"})
    assert r.status_code == 200 and "过于常见" in r.content.decode()
    r = admin.post(f"/admin/accounts/user/{target.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                                                   "usable_password": "true"})
    assert r.status_code == 302
    assert User.objects.get(pk=target.pk).must_change_password  # set by another: changed by its owner


@pytest.mark.django_db
def test_an_expired_password_forces_the_change_page(district, clock, settings):
    user = district.users["rsj"]
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    client = Client()
    assert sign_in(client, "rsj", STAFF_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    clock.shift(timedelta(days=2))
    client = Client()
    sign_in(client, "rsj", STAFF_PASSWORD)
    r = client.get("/reminders/")
    assert r.status_code == 302 and r["Location"] == "/account/password/"
    assert "您的密码已超过有效期" in client.get("/account/password/").content.decode()


# Sessions


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "idle_minutes"), [("system_admin", 15), ("zwb_auditor", 15), ("registrar", 30)])
def test_an_idle_session_ends_by_role(district, clock, name, idle_minutes):
    client = Client()
    sign_in(client, name, STAFF_PASSWORD)
    clock.shift(timedelta(minutes=idle_minutes - 1))
    assert client.get("/account/password/").status_code == 200
    clock.shift(timedelta(minutes=idle_minutes - 1))
    assert client.get("/account/password/").status_code == 200  # activity keeps it alive
    clock.shift(timedelta(minutes=idle_minutes, seconds=1))
    r = client.get("/cases/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    page = client.get(r["Location"]).content.decode()
    assert "登录已失效，请重新登录" in page
    assert Event.objects.filter(action="session_expired", actor__username=name, data__reason="idle").exists()


@pytest.mark.django_db
def test_a_session_ends_after_the_absolute_limit(district, clock):
    client = Client()
    sign_in(client, "registrar", STAFF_PASSWORD)
    steps = 0
    while (r := client.get("/account/password/")).status_code == 200:  # busy all day, every 20 minutes
        clock.shift(timedelta(minutes=20))
        steps += 1
    assert steps == 37 and r["Location"].startswith("/login/")  # 12 h 20 min: past the 12 hours
    assert Event.objects.filter(action="session_expired", data__reason="absolute").exists()


@pytest.mark.django_db
def test_a_password_change_elsewhere_ends_other_sessions(district, clock):
    there, here = Client(), Client()
    sign_in(there, "registrar", STAFF_PASSWORD)
    sign_in(here, "registrar", STAFF_PASSWORD)
    here.post("/account/password/", {"old_password": STAFF_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert here.get("/").status_code == 200
    r = there.get("/account/password/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


# API tokens


def call(token: str):
    return Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db
def test_an_expired_token_is_refused(district, clock):
    token = ApiToken.issue(district.users["registrar"])
    clock.shift(timedelta(days=89))
    assert call(token).status_code == 200
    clock.shift(timedelta(days=2))
    r = call(token)
    assert r.status_code == 401 and r.json()["detail"] == "未登录或令牌无效"


@pytest.mark.django_db
def test_a_revoked_token_stays_refused(district, clock):
    token = ApiToken.issue(district.users["registrar"])
    ApiToken.objects.filter(digest=ApiToken.digest_of(token)).update(revoked=True)
    assert call(token).status_code == 401
    security, _ = do_create_staff("anquan", unit=district.units["ZWB"], role="security_admin", password="An-Quan-Guan-Li-2026")
    admin = Client()
    verified_sign_in(admin, security)
    found = ApiToken.objects.get(digest=ApiToken.digest_of(token))
    admin.post(f"/admin/accounts/apitoken/{found.pk}/change/", {"revoked": ""})
    assert ApiToken.objects.get(pk=found.pk).revoked
    assert call(token).status_code == 401


@pytest.mark.django_db
def test_token_use_is_audited_once_an_hour(district, clock):
    token = ApiToken.issue(district.users["registrar"])
    for _ in range(3):
        assert call(token).status_code == 200
    clock.shift(timedelta(minutes=61))
    assert call(token).status_code == 200
    used = Event.objects.filter(action="api_token_used")
    assert used.count() == 2
    assert json.dumps(list(used.values_list("data", flat=True)), ensure_ascii=False).count(token) == 0
