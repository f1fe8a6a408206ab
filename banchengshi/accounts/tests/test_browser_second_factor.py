"""Oversight's first sign-in in Chromium: the password, then the enrolment page (QR code and secret), a code
computed from the secret the page shows, and the workbench; no CSP violation on the way."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django_otp.oath import TOTP

from banchengshi.cases.tests.test_browser_flow import SHOTS, Desk, browser, server  # noqa: F401 (fixtures)
from banchengshi.conftest import STAFF_PASSWORD, District

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_overseer_enrols_through_the_page(browser: Any, server: Any, district: District) -> None:  # noqa: F811
    desk = Desk(browser, server.url)
    page = desk.page
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(f"{server.url}/login/")
    page.get_by_label("账号").fill("overseer")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/account/second-factor/enrol/**")
    assert page.get_by_role("heading", name="绑定动态口令").is_visible()
    qr = page.get_by_test_id("otp-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the SVG the app served was drawn
    desk.shot("otp-enrol")
    # Straight to the audit log: still the enrolment.
    page.goto(f"{server.url}/audit-log/")
    assert "/account/second-factor/" in page.url
    page.goto(f"{server.url}/account/second-factor/enrol/")
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    page.get_by_label("动态口令").fill(f"{TOTP(base64.b32decode(secret)).token():06d}")
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_url(f"{server.url}/")
    assert page.get_by_text("动态口令已绑定").is_visible()
    page.goto(f"{server.url}/audit-log/")
    assert page.url.endswith("/audit-log/")
    assert violations == []
