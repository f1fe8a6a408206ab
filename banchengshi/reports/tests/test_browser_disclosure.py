"""信息公开 and 堵点分析 in Chromium: the public page passes axe in standard and large-text mode on a phone,
draws its quarters chart with ECharts (served by the app, no CSP violation) and shows the approved typical
case; the bottleneck page draws its tables for the admin office and a count leads to the ledger with as
many cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.tests.factories import case_in
from banchengshi.cases.tests.test_browser_csp import Watch
from banchengshi.conftest import District
from banchengshi.demo.generate import generate_cases
from banchengshi.lib.tests.axe import require_axe
from banchengshi.lib.tests.chromium import screenshot
from banchengshi.public.tests.test_citizen_browser import Citizen, both_modes
from banchengshi.reports.typical_cases import Text, do_approve, do_edit, do_propose
from banchengshi.sla.deadlines import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def citizen(browser: Any, server: Any) -> Iterator[Citizen]:
    person = Citizen(browser, server.url)
    yield person
    person.context.close()


def test_the_disclosure_page_passes_axe_in_both_modes_and_draws_its_chart(
    citizen: Citizen, browser: Any, server: Any, district: District, monday: Any
) -> None:
    require_axe()
    generate_cases(400, start=datetime(2025, 10, 1, tzinfo=SHANGHAI), end=datetime(2026, 10, 31, tzinfo=SHANGHAI), seed=4)
    closed = case_in(district, CaseStatus.CLOSED, reporter_name="钱多多", reporter_phone="13912345678")
    admin = district.users["admin_office"]
    typical = do_propose(admin, closed.reference)
    do_edit(admin, typical, Text("失业登记不用再跑腿", typical.problem, "承办单位当天联系反映人，在网上补办了失业登记。",
                                  "反映人当天领到失业保险金。"))
    do_approve(admin, typical)

    watch = Watch(browser, server.url)
    watch.open("/public/disclosure/")  # no CSP violation: the chart's data is json_script, its code a static file
    watch.context.close()

    page = citizen.page
    citizen.goto("/public/disclosure/")
    expect(page.locator("[data-chart=quarters][data-drawn=true]")).to_have_count(1)
    expect(page.get_by_role("link", name="信息公开")).to_have_attribute("aria-current", "page")
    size = page.locator("[data-chart=quarters] canvas").first.bounding_box()
    assert size is not None and size["width"] > 300 and size["height"] > 300
    option = page.evaluate("""() => {
        const o = echarts.getInstanceByDom(document.querySelector("[data-chart=quarters]")).getOption();
        return {labels: o.xAxis[0].data, series: o.series.map(s => s.name), registered: o.series[0].data};
    }""")
    assert option["labels"] == ["2025年第4季度", "2026年第1季度", "2026年第2季度", "2026年第3季度"]
    assert option["series"] == ["登记", "受理", "办结", "按时办结率", "满意率"]
    table = [int(page.locator(f"[data-quarter='{key}'] [data-figure=registered]").inner_text())
             for key in ("2025Q4", "2026Q1", "2026Q2", "2026Q3")]
    assert option["registered"] == table and sum(table) > 300
    expect(page.get_by_test_id("typical-case")).to_have_count(1)
    expect(page.get_by_test_id("typical-case")).to_contain_text("失业登记不用再跑腿")
    html = page.content()
    assert "钱多多" not in html and "13912345678" not in html and closed.reference not in html

    both_modes(citizen, "信息公开")
    page.locator("[data-chart=quarters]").scroll_into_view_if_needed()
    citizen.shot("disclosure")
    citizen.set_large(True)
    expect(page.locator("[data-chart=quarters][data-large=true]")).to_have_count(1)
    big = page.locator("[data-chart=quarters] canvas").first.bounding_box()
    assert big is not None and big["height"] > size["height"]  # 大字模式: a taller chart, larger type
    citizen.shot("disclosure-large")
    citizen.set_large(False)


def test_the_bottleneck_page_for_the_admin_office(browser: Any, server: Any, district: District, monday: Any) -> None:
    generate_cases(900, start=datetime(2026, 4, 1, tzinfo=SHANGHAI), end=datetime(2026, 10, 31, tzinfo=SHANGHAI), seed=6)
    watch = Watch(browser, server.url, viewport={"width": 1366, "height": 900})
    page = watch.page
    watch.login("admin_office")
    watch.open("/dashboard/")
    page.get_by_role("link", name="堵点分析").click()
    page.wait_for_url("**/bottlenecks/")
    watch.settle()
    watch.check("bottlenecks")
    assert page.get_by_label("年份", exact=True).input_value() == "2026" and page.get_by_label("季度", exact=True).input_value() == "3"
    expect(page.get_by_test_id("bottleneck-scope")).to_contain_text("2026年第3季度")
    screenshot(page, "bottlenecks")  # the third quarter against the second: both have cases
    page.get_by_label("季度", exact=True).select_option("2")
    page.get_by_role("button", name="分析").click()
    page.wait_for_url("**/bottlenecks/?year=2026&quarter=2*")
    expect(page.get_by_test_id("bottleneck-scope")).to_contain_text("2026年第2季度")
    for key in ("matter", "reason", "center", "lead_unit"):
        assert page.get_by_test_id(f"bottlenecks-{key}").locator("[data-count=current]").count() > 0, key
    rectify = page.get_by_test_id("bottlenecks-lead_unit").get_by_test_id("rectify").first
    assert (rectify.get_attribute("href") or "").startswith("/rectifications/new/?unit=")

    first = page.get_by_test_id("bottlenecks-matter").locator("[data-count=current]").first
    count = first.inner_text()
    first.click()
    page.wait_for_url("**/ledger/?*")
    assert page.get_by_test_id("ledger-count").inner_text() == f"共 {count} 件"
    watch.check("ledger from the bottlenecks")
