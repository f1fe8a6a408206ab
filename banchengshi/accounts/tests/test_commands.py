"""The public management commands of API.md."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from banchengshi.accounts.models import ApiToken, Unit, User
from banchengshi.dispatch.loading import DISTRICT_DIR
from banchengshi.dispatch.models import Matter, PastDispatch


def run(*args: Any) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_district_twice_changes_nothing(bare_db: None) -> None:
    first = run("load_district", str(DISTRICT_DIR))
    assert "单位：新增 30" in first and "事项：新增 84" in first and "历史派单：新增 160" in first
    snapshot = (
        list(Unit.objects.values_list("code", "name", "kind", "parent__code").order_by("code")),
        list(Matter.objects.values_list("code", "department__code", "level", "keywords").order_by("code")),
        PastDispatch.objects.count(),
    )
    second = run("load_district", str(DISTRICT_DIR))
    assert "新增 0，更新 0" in second and "历史派单：新增 0" in second
    assert snapshot == (
        list(Unit.objects.values_list("code", "name", "kind", "parent__code").order_by("code")),
        list(Matter.objects.values_list("code", "department__code", "level", "keywords").order_by("code")),
        PastDispatch.objects.count(),
    )
    assert Unit.objects.get(code="C-CH").parent.code == "FWZX"
    assert Matter.objects.get(code="RSJ-001").level == "town"


def test_load_district_reports_bad_files(bare_db: None, tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text("code,name,kind,parent_code\nX,某单位,planet,\n", encoding="utf-8")
    (tmp_path / "matters.csv").write_text("code,name,department_code,level,keywords\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未知单位类型"):
        run("load_district", str(tmp_path))
    assert not Unit.objects.exists()
    with pytest.raises(CommandError, match="目录不存在"):
        run("load_district", str(tmp_path / "nope"))


def test_create_staff_and_issue_token(db: Any) -> None:
    run("load_district", str(DISTRICT_DIR))
    out = run("create_staff", "wang", "--unit", "FWZX", "--role", "registrar")
    password = out.strip().splitlines()[-1].removeprefix("密码：")
    user = User.objects.get(username="wang")
    assert user.role == "registrar" and user.unit.code == "FWZX" and user.check_password(password)
    run("create_staff", "li", "--unit", "RSJ", "--role", "handler", "--password", "Another-pass-2026")
    assert User.objects.get(username="li").check_password("Another-pass-2026")
    with pytest.raises(CommandError, match="不能设在"):
        run("create_staff", "bad", "--unit", "RSJ", "--role", "registrar")
    with pytest.raises(CommandError, match="已存在"):
        run("create_staff", "wang", "--unit", "FWZX", "--role", "registrar")
    with pytest.raises(CommandError, match="未找到单位"):
        run("create_staff", "x", "--unit", "NOPE", "--role", "registrar")

    token = run("issue_token", "wang").strip()
    assert "\n" not in token and token.startswith("bcs_")
    assert ApiToken.objects.get(user=user).digest != token  # only the digest is stored
    response = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["count"] == 0
    with pytest.raises(CommandError):
        run("issue_token", "nobody")


def test_demo_has_every_state_and_writes_the_accounts_file_only_when_it_sets_passwords(
    bare_db: None, settings: Any
) -> None:
    from banchengshi.cases.choices import CaseStatus
    from banchengshi.cases.models import Case
    from banchengshi.demo.tests.test_demo import accounts_in

    path = settings.DEMO_ACCOUNTS_FILE  # a temporary file: tests never write into the project's var/
    out = run("demo")
    written = path.read_text(encoding="utf-8")
    passwords = accounts_in(written)
    assert "dengji" in out and passwords["dengji"] in out
    assert all(User.objects.get(username=u).check_password(p) for u, p in passwords.items())
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert set(User.objects.values_list("role", flat=True)) >= {
        "registrar", "dispatcher", "handler", "center_head", "admin_office", "overseer",
        "system_admin", "security_admin", "audit_admin",
    }
    again = run("demo")
    assert "已存在" in again and str(path) in again and passwords["dengji"] not in again
    assert path.read_text(encoding="utf-8") == written

    path.unlink()
    assert "--reset-passwords" in run("demo") and not path.exists()
    reset = run("demo", "--reset-passwords")
    new = accounts_in(path.read_text(encoding="utf-8"))
    assert new.keys() == passwords.keys() and new["dengji"] != passwords["dengji"] and new["dengji"] in reset
    assert all(User.objects.get(username=u).check_password(p) for u, p in new.items())


def test_a_generated_password_never_contains_the_account_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo once failed when a random password happened to hold `ybj`: the policy refuses those."""
    from banchengshi.accounts import services

    first = iter("Aa1-ybjQQQQQQQQQ")  # the first draw spells the account name; later draws are random
    real_choice = services.secrets.choice
    monkeypatch.setattr(services.secrets, "choice", lambda seq: next(first, None) or real_choice(seq))
    password = services.generate_password("ybj")
    assert "ybj" not in password.lower() and len(password) == 16
