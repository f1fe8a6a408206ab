"""The 统计报表 page in Chromium: reached from the staff nav, its typical-case list follows the unit and
quarter chosen (htmx), its buttons download the files, and no page violates the CSP."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import expect

from banchengshi.cases.tests.test_browser_csp import Watch
from banchengshi.conftest import District
from banchengshi.demo.generate import generate_cases
from banchengshi.lib.tests.chromium import screenshot
from banchengshi.reports.tests import report_files as rf
from banchengshi.sla.deadlines import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_report_pages_download_the_files_of_the_chosen_quarter(browser: Any, server: Any, district: District) -> None:
    generate_cases(120, start=datetime(2026, 7, 1, tzinfo=SHANGHAI), end=datetime(2026, 9, 30, 20, tzinfo=SHANGHAI), seed=9)
    raw = rf.raw_counts(rf.of_center(rf.received_between(datetime(2026, 7, 1).date(), datetime(2026, 9, 30).date()), rf.FWZX_CENTERS))
    town = rf.of_center(rf.received_between(datetime(2026, 7, 1).date(), datetime(2026, 9, 30).date()), ["C-CH"])
    watch = Watch(browser, server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = watch.page
    watch.login("admin_office")
    expect(page.get_by_role("button", name="退出")).to_be_visible()  # one more nav item still fits
    page.get_by_role("link", name="统计报表").click()
    page.wait_for_url("**/reports/quarterly/")
    watch.settle()
    watch.check("quarterly report page")

    page.get_by_label("年份").fill("2026")
    page.get_by_label("年份").dispatch_event("change")
    page.get_by_label("季度").select_option("3")
    page.get_by_label("单位", exact=True).select_option("C-CH")
    watch.settle()
    options = page.locator("#typical-cases option")
    expect(options).to_have_count(town.count())
    assert {o.get_attribute("value") for o in options.all()} == set(town.values_list("reference", flat=True))
    page.get_by_label("单位", exact=True).select_option("FWZX")
    watch.settle()
    expect(options).to_have_count(min(raw["registered"], 200))
    screenshot(page, "quarterly-report")

    with page.expect_download() as sheet:
        page.get_by_role("button", name="下载 Excel").click()
    assert sheet.value.suggested_filename == "示范区行政服务中心2026年第3季度办不成事统计报表.xlsx"
    values, _rows = rf.sheet_values(Path(sheet.value.path()).read_bytes())
    assert values["“办不成事”登记数量"] == raw["registered"] and values["“受理”"] == raw["accepted"]
    with page.expect_download() as paper:
        page.get_by_role("button", name="下载 Word").click()
    cells = [[c.text for c in row.cells] for row in Document(paper.value.path()).tables[0].rows]
    assert ["“不予受理”", f"（ {raw['not_accepted']} ）件"] in cells
    watch.check("after the downloads")

    page.get_by_role("link", name="工作简报").click()
    page.wait_for_url("**/reports/briefing/")
    page.get_by_label("登记日期起").fill("2026-07-01")
    page.get_by_label("登记日期止").fill("2026-09-30")
    with page.expect_download() as briefing:
        page.get_by_role("button", name="下载 Word").click()
    assert briefing.value.suggested_filename.endswith("工作简报20260701-20260930.docx")
    assert len(Document(briefing.value.path()).inline_shapes) == 3  # the charts; no typical case chosen
    watch.check("briefing page")
