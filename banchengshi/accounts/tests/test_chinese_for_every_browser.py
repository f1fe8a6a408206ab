"""A browser set to English still gets Chinese: Django's own forms (the password change), the admin and the
login page speak Simplified Chinese whatever Accept-Language says."""

from __future__ import annotations

import pytest
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.conftest import District


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en-US,en;q=0.9", "fr-FR", "zh-TW"])
def test_an_english_browser_gets_chinese_forms(language: str, district: District) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    login = client.get("/login/").content.decode()
    assert "登录" in login and "Password" not in login
    sign_in(client, district.users["registrar"])
    change = client.get("/account/password/").content.decode()
    assert "旧密码" in change and "新密码" in change
    assert "Old password" not in change and "too similar" not in change and "entirely numeric" not in change
    admin = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(admin, district.users["admin_office"])
    page = admin.get("/admin/").content.decode()
    assert "站点管理" in page or "管理" in page
    assert "Site administration" not in page
