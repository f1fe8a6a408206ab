"""The dashboard in Chromium: ECharts (served by the app) draws every chart on a canvas with Chinese
labels, the page reports no CSP violation, and a figure leads to the ledger with as many cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from banchengshi.cases.tests.test_browser_csp import Watch
from banchengshi.conftest import District
from banchengshi.demo.generate import generate_cases
from banchengshi.lib.tests.chromium import screenshot
from banchengshi.sla.deadlines import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHARTS = ["by_month", "by_channel", "open_by_light", "by_reason", "by_matter", "by_center", "by_lead_unit", "ratings",
          "on_time"]


def test_the_dashboard_draws_chinese_charts_without_a_csp_violation(browser: Any, server: Any, district: District) -> None:
    generate_cases(600, start=datetime(2026, 1, 5, tzinfo=SHANGHAI), end=datetime(2026, 11, 20, tzinfo=SHANGHAI), seed=5)
    watch = Watch(browser, server.url, viewport={"width": 1366, "height": 900})
    page = watch.page
    watch.login("admin_office")
    page.get_by_role("link", name="数据看板").click()
    page.wait_for_url("**/dashboard/")
    page.get_by_label("登记日期起").fill("2026-01-01")
    page.get_by_label("登记日期止").fill("2026-11-30")
    page.get_by_role("button", name="统计").click()
    page.wait_for_url("**/dashboard/?from=2026-01-01*")
    watch.settle()
    expect(page.locator("[data-drawn=true]")).to_have_count(len(CHARTS))
    watch.check("dashboard")

    assert page.get_by_label("登记日期起").input_value() == "2026-01-01"  # the form keeps what was typed
    assert page.get_by_test_id("figure-registered").inner_text() == "600"
    for key in CHARTS:
        box = page.locator(f"[data-chart={key}]")
        assert box.locator("canvas").count() >= 1, key
        size = box.locator("canvas").first.bounding_box()
        assert size is not None and size["width"] > 200 and size["height"] > 200, key
    # The labels ECharts drew come from the page's data: Chinese names of channels, reasons, ratings, months.
    labels = page.evaluate("""() => {
        const get = (key) => echarts.getInstanceByDom(document.querySelector(`[data-chart=${key}]`)).getOption();
        return {
          channel: get("by_channel").series[0].data.map(d => d.name),
          month: get("by_month").xAxis[0].data,
          ratings: get("ratings").xAxis[0].data,
          reason: get("by_reason").yAxis[0].data,
        };
    }""")
    assert "窗口现场" in labels["channel"] and "2026年3月" in labels["month"]
    assert labels["ratings"] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert "证明材料难找" in labels["reason"]
    screenshot(page, "dashboard")

    # A figure is a link to the ledger, filtered to the cases behind it.
    closed = page.get_by_test_id("figure-closed").inner_text()
    page.locator("[data-figure=closed]").click()
    page.wait_for_url("**/ledger/?*reached=closed*")
    assert page.get_by_test_id("ledger-count").inner_text() == f"共 {closed} 件"
    watch.check("ledger from the dashboard")


def test_bars_with_long_names_lie_down_and_every_bar_is_named(browser: Any, server: Any, district: District) -> None:
    """Few bars with long names (centers, units, reasons): ECharts would skip or cut the names under upright
    bars, so they lie down; every category's name is drawn (interval 0), also under the upright ratings."""
    generate_cases(4, start=datetime(2026, 10, 5, tzinfo=SHANGHAI), end=datetime(2026, 11, 20, tzinfo=SHANGHAI), seed=5)
    watch = Watch(browser, server.url, viewport={"width": 1366, "height": 900})
    page = watch.page
    watch.login("admin_office")
    page.goto(f"{server.url}/dashboard/?from=2026-10-01&to=2026-11-30")
    expect(page.locator("[data-drawn=true]")).to_have_count(len(CHARTS))
    axes = page.evaluate("""() => {
        const get = (key) => echarts.getInstanceByDom(document.querySelector(`[data-chart=${key}]`)).getOption();
        const axis = (key) => { const o = get(key); return [o.xAxis[0].type, o.yAxis[0].type, o.yAxis[0].data || [],
                                                            (o.yAxis[0].axisLabel || {}).interval, (o.xAxis[0].axisLabel || {}).interval]; };
        return {center: axis("by_center"), lead: axis("by_lead_unit"), ratings: axis("ratings"),
                width: get("by_center").series[0].barMaxWidth};
    }""")
    for key in ("center", "lead"):
        x_type, y_type, names, interval, _ = axes[key]
        assert (x_type, y_type, interval) == ("value", "category", 0), (key, axes[key])
        assert 1 <= len(names) <= 5 and all(name.startswith("示范区") for name in names), (key, names)
    assert axes["ratings"][:2] == ["category", "value"] and axes["ratings"][4] == 0
    assert axes["width"] == 40  # one or two bars do not fill the box
    watch.check("dashboard with few long bars")
