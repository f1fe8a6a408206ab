"""The hall's terminal at 1080×1920, by touch alone: a whole report tapped in (keypads, surname picker,
matter button, reason, agree), the receipt; then two idle minutes empty the form again.

Screenshots kiosk-report.png and kiosk-receipt.png go to var/screenshots/."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from banchengshi.cases.models import Case
from banchengshi.conftest import District
from banchengshi.lib.tests.chromium import screenshot
from banchengshi.public.tests.helpers import code_in, sms_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = "13912345678"
KIOSK = {"viewport": {"width": 1080, "height": 1920}, "has_touch": True, "locale": "zh-CN"}
# What a person may touch: each at least 64px high (the visually hidden skip link aside).
TARGETS_TOO_SMALL = """() => [...document.querySelectorAll('button, a, label.btn, summary, input:not([type=hidden]):not(.btn-check), textarea')]
  .filter(el => el.offsetParent !== null && !el.classList.contains('visually-hidden-focusable'))
  .filter(el => el.getBoundingClientRect().height < 64)
  .map(el => el.outerHTML.slice(0, 80))"""


def tap_digits(page: Any, target: str, digits: str | list[str]) -> None:
    pad = page.locator(f"[data-keypad-for={target}]")
    for digit in digits:
        pad.locator(f"[data-key='{digit}']").tap()


def wait_for_sms(phone: str) -> str:
    for _ in range(50):
        if sms_to(phone):
            return sms_to(phone)[-1]
        time.sleep(0.1)
    raise AssertionError("no SMS was sent")


def test_kiosk_report_by_touch_then_idle_reset(browser: Any, server: Any, district: District) -> None:
    context = browser.new_context(**KIOSK)
    page = context.new_page()
    page.clock.install()  # time flows as usual until the test moves it
    page.goto(f"{server.url}/kiosk/?center=C-CH")
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    assert page.locator("#where-C-CH").is_checked()  # the hall's own center

    page.locator("[data-testid=surnames] label", has_text="王").first.tap()
    page.locator("[data-testid=titles] label", has_text="先生").tap()
    assert page.locator("#id_reporter_name").input_value() == "王先生"
    tap_digits(page, "id_phone", "139123456789")  # one digit too many: the keypad stops at 11
    page.locator("[data-keypad-for=id_phone] [data-key=back]").tap()
    tap_digits(page, "id_phone", "8")
    assert page.locator("#id_phone").input_value() == PHONE
    page.get_by_test_id("send-code").tap()
    page.locator("[data-testid=code-status][data-sent]").wait_for()
    tap_digits(page, "id_phone_code", code_in(wait_for_sms(PHONE)))

    page.locator("[data-testid=matters] summary", has_text="人力资源和社会保障局").tap()
    page.locator("label[for=matter-RSJ-003]").tap()
    assert page.get_by_test_id("matter-chosen").inner_text() == "已选择：失业保险金申领"
    page.locator("label[for=reason-material_mismatch]").tap()
    page.get_by_test_id("notice-toggle").tap()
    assert page.get_by_test_id("privacy-notice").is_visible()
    page.locator("label[for=id_agree]").tap()
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    screenshot(page, "kiosk-report")
    page.get_by_test_id("submit").tap()

    page.wait_for_url("**/kiosk/done/")
    reference = page.get_by_test_id("reference").inner_text()
    screenshot(page, "kiosk-receipt")
    case = Case.objects.select_related("center").get(reference=reference)
    assert (case.channel, case.center.code, case.reporter_name) == ("kiosk", "C-CH", "王先生")
    assert case.description == "在自助终端反映：办理“失业保险金申领”时未能办成，原因：材料不符合。"
    assert page.evaluate(TARGETS_TOO_SMALL) == []

    # Following it at the terminal: the reference and the phone's last four digits by keypad.
    page.get_by_test_id("receipt").get_by_role("link", name="查询进度").tap()
    page.wait_for_url("**/track/?kiosk=1")
    tap_digits(page, "id_reference", ["BC", *reference[2:]])
    tap_digits(page, "id_phone_last4", PHONE[-4:])
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    page.get_by_test_id("track-submit").tap()
    page.wait_for_url(f"**/track/{reference}/?kiosk=1")
    assert page.get_by_test_id("progress-reference").inner_text() == reference
    # Left there, the page goes back to a fresh kiosk form, which forgets this visitor's receipt.
    page.clock.fast_forward("02:01")
    page.wait_for_url(f"{server.url}/kiosk/")
    page.goto(f"{server.url}/kiosk/done/")
    page.wait_for_url(f"{server.url}/kiosk/")
    assert page.locator("#where-C-CH").is_checked()  # still the hall's own center
    context.close()

    # The next visitor starts, then walks away: two idle minutes later the form is empty again.
    context = browser.new_context(**KIOSK)
    page = context.new_page()
    page.clock.install()
    page.goto(f"{server.url}/kiosk/")
    page.locator("[data-testid=surnames] label", has_text="李").first.tap()
    page.locator("[data-testid=titles] label", has_text="女士").tap()
    tap_digits(page, "id_phone", "1380013")
    page.locator("[data-testid=matters] summary", has_text="医疗保障局").tap()
    page.locator("label[for=matter-YBJ-002]").tap()
    page.locator("label[for=reason-complex_process]").tap()
    page.locator("label[for=id_agree]").tap()
    assert page.locator("#id_reporter_name").input_value() == "李女士"
    page.clock.run_for("01:00")  # a minute is not idle enough
    assert page.locator("#id_phone").input_value() == "1380013"
    page.clock.fast_forward("01:01")
    page.wait_for_load_state()
    expect(page.locator("#id_phone")).to_have_value("")
    assert page.locator("#id_reporter_name").input_value() == ""
    assert page.locator("#id_phone").input_value() == ""
    assert page.locator("input[name=surname]:checked").count() == 0
    assert page.locator("input[name=matter]:checked").count() == 0
    assert page.get_by_test_id("matter-chosen").inner_text() == ""
    assert page.locator("input[name=reasons]:checked").count() == 0
    assert not page.locator("#id_agree").is_checked()
    context.close()
