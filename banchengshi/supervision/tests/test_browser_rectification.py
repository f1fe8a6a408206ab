"""反馈整改 in Chromium: the admin office opens an item from a pre-filled link, the unit's handler reports
progress, uploads evidence and closes it; no page violates the CSP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from banchengshi.cases.tests.test_browser_csp import Watch
from banchengshi.conftest import District
from banchengshi.lib.tests.chromium import screenshot
from banchengshi.supervision.models import Rectification
from banchengshi.supervision.tests.test_rectifications import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_admin_office_opens_and_the_unit_closes_a_rectification(browser: Any, server: Any, district: District) -> None:
    office = Watch(browser, server.url, viewport={"width": 1366, "height": 900})
    office.login("admin_office")
    query = urlencode({"unit": "RSJ", "subject": "失业保险金申领材料反复退回", "dimension": "matter", "key": "RSJ-003"})
    office.open(f"/rectifications/new/?{query}")
    page = office.page
    expect(page.get_by_label("整改事项（堵点）")).to_have_value("失业保险金申领材料反复退回")
    expect(page.get_by_label("整改单位")).to_have_value("RSJ")
    page.get_by_label("整改要求").fill("梳理申领材料清单，在大厅和网上一次告知")
    page.get_by_role("button", name="发起整改").click()
    expect(page.get_by_test_id("rectification-status")).to_have_text("整改中")
    office.check("opened")
    item = Rectification.objects.get()
    assert item.days == 20 and item.opened_by == district.users["admin_office"]
    expect(page.get_by_test_id("close-form")).to_have_count(0)  # the admin office does not close it
    office.context.close()

    unit = Watch(browser, server.url, viewport={"width": 1366, "height": 900})
    unit.login("rsj")
    page = unit.page
    page.get_by_role("link", name="整改", exact=True).click()
    expect(page.get_by_test_id("rectification-row")).to_have_count(1)
    unit.check("list")
    page.get_by_role("link", name="失业保险金申领材料反复退回").click()
    expect(page.get_by_test_id("shrink")).to_contain_text("堵点是否缩小")
    expect(page.get_by_test_id("shrink")).to_contain_text("失业保险金申领（RSJ-003）")  # the matter by its name
    # Each form in turn: fill it, send it, and see what the page now shows.
    steps = [
        ("进展情况", "已梳理出 6 项申领材料，正在制作告知单", "报告进展", "progress", "已梳理出 6 项申领材料"),
        ("佐证材料文件", {"name": "告知单.png", "mimeType": "image/png", "buffer": png()}, "上传", "evidence", "告知单.png"),
        ("整改完成情况（未上传佐证材料时必填）", "告知单已在大厅张贴并在网上公布", "完成整改", "closing-note",
         "告知单已在大厅张贴并在网上公布"),
    ]
    for label, value, button, shown, text in steps:
        field = page.get_by_label(label)
        field.set_input_files(value) if isinstance(value, dict) else field.fill(value)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_test_id(shown)).to_contain_text(text)
        unit.check(button)
    expect(page.get_by_test_id("rectification-status")).to_have_text("已完成整改")
    unit.check("closed")
    screenshot(page, "rectification-closed")
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_by == district.users["rsj"] and item.evidence.count() == 1

    # The annual assessment table counts it for the unit's own row (the only row a department sees).
    page.get_by_role("link", name="整改", exact=True).click()
    page.get_by_role("link", name="年度考核表").click()
    row = page.locator("[data-testid=assessment-table] tbody tr")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text("示范区人力资源和社会保障局")
    unit.check("assessment")
    screenshot(page, "assessment")
