"""The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY: no inline script or style, no eval) breaks
nothing the pages need: each role's main pages, a case with its actions, htmx fragments, the public
report page in both display modes, the kiosk, the tracking page, the admin and the API docs are opened
in Chromium, and the browser reports no violation (a `securitypolicyviolation` listener installed
before any page script, and Chromium's own console messages)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from banchengshi.accounts.tests.otp import pass_second_factor_in_browser
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import STAFF_PASSWORD, District

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LISTEN = """window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});"""

PAGES = {
    "registrar": ["/", "/cases/new/", "/reminders/"],
    "dispatcher": ["/", "/ledger/"],
    "rsj": ["/"],
    "center_head": ["/", "/meetings/"],
    "admin_office": ["/", "/integrations/", "/ledger/", "/meetings/new/"],
    "overseer": ["/", "/meetings/"],
    "zwb_auditor": ["/audit-log/"],
    "system_admin": ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/", "/api/v1/docs"],
}


class Watch:
    """One browser context whose pages report every CSP violation."""

    def __init__(self, browser: Any, base: str, **context: Any) -> None:
        self.context = browser.new_context(locale="zh-CN", **context)
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.base = base
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None)

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        self.settle()
        self.check(path)

    def settle(self) -> None:
        """Every resource of the page loaded and no htmx request in flight (htmx marks the element that
        sent one with .htmx-request): what the page fetches by itself has been fetched and checked.
        Cheaper than Playwright's "networkidle", which waits half a second after the last request."""
        self.page.wait_for_load_state("load")
        expect(self.page.locator(".htmx-request")).to_have_count(0)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__csp || []")
        assert violations == [] and self.console == [], f"{where}: {violations} {self.console}"

    def login(self, username: str) -> None:
        self.page.goto(f"{self.base}/login/")
        self.page.get_by_label("账号").fill(username)
        self.page.get_by_label("密码").fill(STAFF_PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        pass_second_factor_in_browser(self.page, username)  # the code page is checked for the CSP too
        self.page.wait_for_url(lambda url: "/login/" not in url)  # the workbench, or the admin for admin roles
        self.settle()
        self.check(f"{username} signed in")


def test_no_page_violates_the_csp(browser: Any, server: Any, district: District) -> None:
    case = case_in(district, CaseStatus.IN_PROGRESS)
    earlier = case_in(district, CaseStatus.CLOSED, reporter_phone="13912345678")

    public = Watch(browser, server.url)
    for path in ["/", "/login/", "/privacy/", "/track/", "/kiosk/?center=C-CH"]:
        public.open(path)
    public.open("/")
    public.page.get_by_test_id("display-toggle").click()  # 大字模式 in place (public.js)
    expect(public.page.locator("html.large-text")).to_have_count(1)
    public.page.locator("#matter-search").fill("失业")  # htmx swaps in the matching matters
    public.page.locator("[data-matter-code]").first.wait_for()
    public.check("public report page, large text, matter search")

    for username, paths in PAGES.items():
        staff = Watch(browser, server.url)
        staff.login(username)
        for path in paths:
            staff.open(path)
        if username == "registrar":
            staff.open("/cases/new/")
            staff.page.get_by_label("联系电话").fill("13912345678")  # htmx: earlier reports of the phone
            staff.page.locator("[data-testid=repeat-reports]").get_by_text(earlier.reference).wait_for()
            staff.check("register, repeat reports")
        if username == "rsj":
            staff.open(f"/cases/{case.reference}/")
        if username == "system_admin":
            staff.page.locator("#swagger-ui .opblock").first.wait_for()  # Swagger UI drew the operations
            staff.check("API docs")
        staff.context.close()
