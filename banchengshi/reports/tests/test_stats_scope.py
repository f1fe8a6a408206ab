"""A unit's user sees no figure, chart or drill-down of cases outside its scope; bad input is a Chinese
4xx on the API and on the dashboard, and the dashboard keeps what was typed."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import MONDAY_10AM, District
from banchengshi.reports.figures import Period, compute, public_scope, scope_for

pytestmark = pytest.mark.django_db

TODAY = MONDAY_10AM.date().isoformat()
PERIOD = {"from": "2026-10-01", "to": TODAY}


@pytest.fixture
def cases(district: District) -> dict[str, Any]:
    """Cases at the district's center (FWZX, dispatched to RSJ) and at a town center (C-CH)."""
    with time_machine.travel(MONDAY_10AM, tick=False):
        return {
            "district": [case_in(district, CaseStatus.CLOSED, channel="phone"), case_in(district, CaseStatus.IN_PROGRESS),
                         case_in(district, CaseStatus.NOT_ACCEPTED)],
            "town": [case_in(district, CaseStatus.REGISTERED, center="C-CH", channel="kiosk")],
        }


def login(district: District, name: str) -> Client:
    return sign_in(Client(), district.users[name])


@time_machine.travel(MONDAY_10AM, tick=False)
def test_a_town_center_counts_only_its_own_cases(district: District, cases: dict[str, Any]) -> None:
    town = district.api("town_head").get("/stats", **PERIOD)
    assert town.status_code == 200
    assert town.json()["registered"] == 1 and town.json()["closed"] == 0
    assert town.json()["at"].endswith("+08:00") and town.json()["from"] == "2026-10-01"
    assert [b["key"] for b in town.json()["by_center"]] == ["C-CH"]
    assert {b["key"] for b in town.json()["by_channel"]} == {"kiosk"}
    everything = district.api("admin_office").get("/stats", **PERIOD).json()
    assert everything["registered"] == 4 and everything["closed"] == 1 and everything["not_accepted"] == 1
    # The department sees the cases it holds a work order for: the two dispatched to RSJ.
    assert district.api("rsj").get("/stats", **PERIOD).json()["registered"] == 2
    # The admin office may narrow to any unit; the district center's scope holds its town's cases too.
    assert district.api("admin_office").get("/stats", unit="C-CH", **PERIOD).json()["registered"] == 1
    assert district.api("admin_office").get("/stats", unit="FWZX", **PERIOD).json()["registered"] == 4


@time_machine.travel(MONDAY_10AM, tick=False)
def test_a_unit_outside_the_scope_is_refused(district: District, cases: dict[str, Any]) -> None:
    refused = district.api("town_head").get("/stats", unit="FWZX", **PERIOD)
    assert refused.status_code == 403 and "无权查看" in refused.json()["detail"]
    assert district.api("rsj").get("/stats", unit="YBJ", **PERIOD).status_code == 403
    unknown = district.api("town_head").get("/stats", unit="NOPE", **PERIOD)
    assert unknown.status_code == 404 and "未找到单位" in unknown.json()["detail"]
    # Roles that read no cases read no figures.
    assert district.api("system_admin").get("/stats", **PERIOD).status_code == 403


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"from": "2026-13-01", "to": TODAY}, "请求内容有误"),
        ({"from": "昨天", "to": TODAY}, "请求内容有误"),
        ({"to": TODAY}, "请求内容有误"),
        ({"from": "2026-11-23", "to": "2026-11-01"}, "结束日期不能早于开始日期"),
        ({"from": "1900-01-01", "to": TODAY}, "请求内容有误"),
        ({"from": "2000-01-01", "to": "2100-12-31"}, "不能超过十年"),
    ],
)
def test_bad_dates_are_a_chinese_4xx(district: District, query: dict[str, str], words: str) -> None:
    answer = district.api("admin_office").get("/stats", **query)
    assert answer.status_code == 422
    assert words in answer.json()["detail"]


@time_machine.travel(MONDAY_10AM, tick=False)
def test_the_dashboard_of_a_town_shows_nothing_of_the_district(district: District, cases: dict[str, Any]) -> None:
    page = login(district, "town_head").get("/dashboard/", PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert [i["label"] for i in data["by_center"]["items"]] == [district.units["C-CH"].name]
    assert sum(i["count"] for i in data["by_channel"]["items"]) == 1
    assert district.units["FWZX"].name not in html.split("</nav>", 1)[1]  # not in the unit list, nor a chart
    for reference in [c.reference for c in cases["district"]]:
        assert reference not in html
    # Every link from the dashboard goes to the ledger, and the ledger there shows only the town's case.
    client = login(district, "town_head")
    links = set(re.findall(r'href="(/ledger/\?[^"]+)"', html))
    assert len(links) > 10
    for link in links:
        ledger = client.get(link.replace("&amp;", "&"))
        assert ledger.status_code == 200, link
        for case in cases["district"]:
            assert case.reference not in ledger.content.decode(), link
    # A link crafted for the district center's scope shows the town's cases only, nothing more.
    crafted = client.get("/ledger/", {"scope": "FWZX", "received_from": "2026-10-01", "received_to": TODAY})
    assert cases["town"][0].reference in crafted.content.decode()
    assert all(c.reference not in crafted.content.decode() for c in cases["district"])
    # Asking the dashboard for a unit outside the scope is refused, in Chinese, with the form as typed.
    refused = client.get("/dashboard/", {**PERIOD, "unit": "FWZX"})
    assert refused.status_code == 403 and "无权查看" in refused.content.decode()
    assert 'data-chart' not in refused.content.decode()


@time_machine.travel(MONDAY_10AM, tick=False)
def test_the_dashboard_keeps_what_was_typed(district: District) -> None:
    client = login(district, "dispatcher")
    page = client.get("/dashboard/", {"from": "2026-02-30", "to": "2026-11-01"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "开始日期" in html and 'value="2026-02-30"' in html and 'value="2026-11-01"' in html
    backwards = client.get("/dashboard/", {"from": "2026-11-20", "to": "2026-11-01"})
    assert backwards.status_code == 422 and "结束日期不能早于开始日期" in backwards.content.decode()
    assert 'value="2026-11-20"' in backwards.content.decode()
    # The default period is this quarter so far; the presets name quarters in Chinese.
    default = client.get("/dashboard/")
    assert default.status_code == 200
    assert 'value="2026-10-01"' in default.content.decode() and "2026年第3季度" in default.content.decode()
    # The nav links the dashboard for case readers only.
    assert 'href="/dashboard/"' in default.content.decode()
    assert 'href="/dashboard/"' not in login(district, "system_admin").get("/admin/").content.decode()
    assert login(district, "system_admin").get("/dashboard/").status_code == 403


@time_machine.travel(MONDAY_10AM, tick=False)
def test_the_public_scope_counts_the_whole_district(district: District, cases: dict[str, Any]) -> None:
    whole = compute(public_scope(), Period(date(2026, 10, 1), MONDAY_10AM.date()), MONDAY_10AM)
    town = compute(scope_for(district.users["town_head"]), Period(date(2026, 10, 1), MONDAY_10AM.date()), MONDAY_10AM)
    assert (whole.registered, town.registered) == (4, 1)
    assert whole.closed == 1 and whole.handling_days_p90 == 0 and whole.handling_days_avg == 0


@time_machine.travel(MONDAY_10AM, tick=False)
def test_the_ledger_keeps_and_names_the_dashboard_filters(district: District, cases: dict[str, Any]) -> None:
    client = login(district, "admin_office")
    page = client.get("/ledger/", {"reached": "closed", "scope": "FWZX", "clock": "resolution", "timing": "on_time"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "办理情况：已办结" in html and "统计范围：示范区行政服务中心" in html and "是否按时：按时" in html
    assert '<input type="hidden" name="reached" value="closed">' in html  # a new search keeps them
    assert cases["district"][0].reference in html and cases["district"][1].reference not in html
    export = client.get("/ledger/export.xlsx", {"reached": "closed", "rating": "5"})
    assert export.status_code == 200
    refused = client.get("/ledger/", {"rating": "9", "timing": "soon"})
    assert refused.status_code == 422 and "alert-danger" in refused.content.decode()


@pytest.mark.parametrize(("name", "typical"), [("admin_office", True), ("center_head", False), ("rsj", False)])
def test_the_dashboard_leads_to_the_other_pages_of_the_numbers(district: District, name: str, typical: bool) -> None:
    """From 数据看板 a new user reaches 堵点分析, 年度考核 and the public 信息公开, and 典型案例 when they
    may publish cases; each link opens."""
    client = login(district, name)
    links = re.search(r'data-testid="dashboard-links">(.*?)</nav>', client.get("/dashboard/").content.decode(), re.S)
    assert links is not None
    hrefs = dict((label, href) for href, label in re.findall(r'href="([^"]+)">([^<]+)</a>', links.group(1)))
    expected = {"堵点分析": "/bottlenecks/", "年度考核": "/reports/assessment/", "信息公开": "/public/disclosure/"}
    if typical:
        expected["典型案例"] = "/typical-cases/"
    assert hrefs == expected
    for href in hrefs.values():
        assert client.get(href).status_code == 200, href
