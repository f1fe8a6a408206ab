"""XSS in a real browser: the payloads that could run (a script tag, an attribute break with onerror, a
textarea break with onload) are put into every text field (xss_scenario.py), then Chromium opens every
page that shows them with a dialog listener: no alert() fires, no element carries the payload's handler,
and a refused form puts the typed payload back into its textarea as text."""

from __future__ import annotations

from typing import Any

import pytest

from banchengshi.cases.tests.test_browser_csp import Watch
from banchengshi.conftest import District
from banchengshi.reports.tests.xss_scenario import PAYLOADS, fill_everything

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RUNNABLE = [PAYLOADS[0], PAYLOADS[1], PAYLOADS[4]]
PLANTED = "document.querySelectorAll('img[onerror], svg[onload], script:not([src])').length"


class Alerts(Watch):
    """A Watch (no CSP violation either) that also records every dialog (alert, confirm, prompt)."""

    def __init__(self, browser: Any, base: str) -> None:
        super().__init__(browser, base)
        self.dialogs: list[str] = []

        def dismiss(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", dismiss)

    def check(self, where: str) -> None:
        assert self.dialogs == [], f"{where}: a dialog fired: {self.dialogs}"
        assert self.page.evaluate(PLANTED) == 0, f"{where}: an element planted by a payload"
        super().check(where)


def test_no_alert_fires_on_any_page(browser: Any, server: Any, district: District, django_capture_on_commit_callbacks: Any) -> None:
    filled = [fill_everything(district, text, django_capture_on_commit_callbacks) for text in RUNNABLE]

    for name, extra in (("admin_office", ["/ledger/"]), ("rsj", ["/reminders/"]), ("registrar", []), ("zwb_auditor", [])):
        desk = Alerts(browser, server.url)
        desk.login(name)
        if name == "zwb_auditor":
            desk.open("/audit-log/")
            assert "alert(1)" in desk.page.content()  # the payloads are there, as text
            continue
        for path in ["/", *extra]:
            desk.open(path)
        for one in filled:
            for reference in one.references:
                response = desk.page.goto(f"{server.url}/cases/{reference}/")
                assert response is not None
                if response.ok:
                    desk.page.wait_for_load_state("networkidle")
                    desk.check(f"{name}: {reference}")
        desk.context.close()

    reporter = Alerts(browser, server.url)
    for one in filled:
        for reference in (one.public, one.rejected):
            reporter.open("/track/")
            reporter.page.locator("[name=reference]").fill(reference)
            reporter.page.locator("[name=phone_last4]").fill(one.phones.get(reference, "13800138000")[-4:])
            reporter.page.get_by_test_id("track-submit").click()
            reporter.page.wait_for_url(f"**/track/{reference}/")
            reporter.page.wait_for_load_state("networkidle")
            reporter.check(f"progress of {reference}")
            assert one.text in reporter.page.inner_text("body")  # shown as the text it is
    reporter.context.close()

    # A refused registration form puts what was typed back: the textarea break stays inside the textarea.
    clerk = Alerts(browser, server.url)
    clerk.login("registrar")
    clerk.open("/cases/new/")
    clerk.page.locator("[name=reporter_name]").fill(PAYLOADS[1])
    clerk.page.locator("[name=reporter_phone]").fill("12")  # refused: not a phone number
    clerk.page.locator("[name=description]").fill(PAYLOADS[4])
    clerk.page.get_by_role("button", name="提交登记").click()
    clerk.page.wait_for_load_state("networkidle")
    clerk.check("refused registration form")
    assert clerk.page.locator("[name=description]").input_value() == PAYLOADS[4]
    assert clerk.page.locator("[name=reporter_name]").input_value() == PAYLOADS[1]
    clerk.context.close()
