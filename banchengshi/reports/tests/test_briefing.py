"""The 工作简报 (docx): its key figures equal counts of the raw rows, its charts are PNG images drawn with
Chinese glyphs, the typical cases go out masked with their photos, a unit's user gets only its scope, bad
input is a Chinese 4xx, and each download is audited."""

from __future__ import annotations

import warnings
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client
from PIL import Image

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import MONDAY_10AM, District
from banchengshi.demo.generate import generate_cases
from banchengshi.reports.exports import DOCX
from banchengshi.reports.tests import report_files as rf
from banchengshi.sla.deadlines import SHANGHAI

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2026-09-01", "to": "2026-11-23"}
CHART_PIXELS = (704, 352)  # charts.SIZE_INCHES at charts.DPI


@pytest.fixture
def period(district: District) -> dict[str, Case]:
    with time_machine.travel(MONDAY_10AM, tick=False):
        generate_cases(120, start=datetime(2026, 8, 1, tzinfo=SHANGHAI), end=MONDAY_10AM - timedelta(hours=1), seed=21,
                       prefix="BRF")
        typical = case_in(district, S.CLOSED, reporter_name=rf.REPORTER, reporter_phone=rf.PHONE, channel="phone",
                          description=f"{rf.REPORTER}反映医保报销材料被退回三次，电话{rf.PHONE}。")
        rf.attach_photo(typical, district.users["registrar"], "窗口照片.png")
        second = case_in(district, S.NOT_ACCEPTED, reporter_name="赵六", description="赵六反映的事项不属于受理范围。")
        town = case_in(district, S.REGISTERED, center="C-CH")
    return {"typical": typical, "second": second, "town": town}


def raw_figures(scope: Any) -> dict[str, Any]:
    cases = scope(rf.received_between(date(2026, 9, 1), date(2026, 11, 23)))
    ids = list(cases.values_list("pk", flat=True))
    figures = rf.raw_counts(cases)
    figures["on_time_rate"] = rf.raw_on_time_rate(ids, MONDAY_10AM)
    figures["satisfied_share"], figures["rated"] = rf.raw_satisfied_share(ids)
    figures["days_avg"], figures["days_p90"] = rf.raw_handling_days(ids)
    return figures


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def key_figures(content: bytes) -> dict[str, str]:
    return {row[0]: row[1] for row in rf.docx_text(content)[2]}


@time_machine.travel(MONDAY_10AM, tick=False)
def test_the_briefing_s_figures_charts_and_masked_cases(district: District, period: dict[str, Case]) -> None:
    references = [period["typical"].reference, period["second"].reference]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answer = district.api("center_head").get("/reports/briefing", unit="FWZX", case=references, **PERIOD)
    assert answer.status_code == 200 and answer["Content-Type"] == DOCX
    assert "filename*=UTF-8''" in answer["Content-Disposition"]
    assert not [w for w in caught if "missing from font" in str(w.message)]  # the Chinese labels have glyphs
    raw = raw_figures(lambda cases: rf.of_center(cases, rf.FWZX_CENTERS))
    assert raw["registered"] > 60 and raw["closed"] > 5 and raw["rated"] > 3 and raw["resupervisions"] > 0
    shown = key_figures(answer.content)
    for label, key in (("登记数量", "registered"), ("受理", "accepted"), ("不予受理", "not_accepted"),
                       ("现场办结", "resolved_on_site"), ("办结", "closed")):
        assert shown[label] == f"{raw[key]} 件", label
    assert shown["按时办结率"].startswith(percent(raw["on_time_rate"]) + "（")
    assert shown["满意率（满意+非常满意）"] == f"{percent(raw['satisfied_share'])}（已评价 {raw['rated']} 件）"
    assert shown["再督办"].startswith(f"{raw['resupervisions']} 次")
    assert shown["平均办理用时"] == f"{raw['days_avg']:.1f} 个工作日"
    assert shown["90% 办结件用时不超过"] == f"{raw['days_p90']} 个工作日"
    document, text, cells = rf.docx_text(answer.content)
    images = rf.inline_images(document)
    assert len(images) == 4 and all(i.startswith(rf.PNG_MAGIC) for i in images)  # three charts, one photo
    assert [Image.open(BytesIO(i)).size for i in images[:3]] == [CHART_PIXELS] * 3
    assert "“办不成事”反映窗口工作简报" in text and "分月登记情况" in text and "办不成原因" in text
    assert "案例一" in text and "案例二" in text and "王**反映医保报销" in text and "赵*反映" in text
    assert "照片1：窗口照片.png" in text
    assert rf.REPORTER not in text and "赵六" not in text and not rf.ELEVEN_DIGITS.search(text + str(cells))
    event = Event.objects.get(action="exported")
    assert (event.data["what"], event.data["rows"], event.data["typical_cases"]) == ("briefing", raw["registered"], references)


@time_machine.travel(MONDAY_10AM, tick=False)
def test_the_briefing_page_downloads_and_keeps_what_was_typed(district: District, period: dict[str, Case]) -> None:
    client = sign_in(Client(), district.users["admin_office"])
    page = client.get("/reports/briefing/", {**PERIOD, "unit": "FWZX"})
    assert page.status_code == 200 and period["typical"].reference in page.content.decode()
    # As many typical-case fields as the briefing takes, and the legend says so.
    assert page.content.decode().count('name="case"') == 5 and "最多 5 件" in page.content.decode()
    paper = client.get("/reports/briefing/", {**PERIOD, "case": period["typical"].reference, "format": "docx"})
    assert paper.status_code == 200 and paper["Content-Type"] == DOCX
    everything = raw_figures(lambda cases: cases)
    assert key_figures(paper.content)["登记数量"] == f"{everything['registered']} 件"
    assert len(rf.docx_text(paper.content)[0].inline_shapes) == 4
    backwards = client.get("/reports/briefing/", {"from": "2026-11-23", "to": "2026-09-01", "format": "docx"})
    body = backwards.content.decode()
    assert backwards.status_code == 422 and "结束日期不能早于开始日期" in body and 'value="2026-09-01"' in body
    garbled = client.get("/reports/briefing/", {"from": "2026-13-45", "to": "2026-11-23", "format": "docx",
                                                "case": "乱写的编号"})
    body = garbled.content.decode()
    assert garbled.status_code == 422 and "开始日期：日期格式不正确" in body and 'value="乱写的编号"' in body
    assert Event.objects.filter(action="exported").count() == 1


@time_machine.travel(MONDAY_10AM, tick=False)
def test_a_unit_s_user_gets_a_briefing_of_its_scope_only(district: District, period: dict[str, Case]) -> None:
    rsj = district.api("rsj")
    refused = rsj.get("/reports/briefing", unit="FWZX", **PERIOD)
    assert refused.status_code == 403 and "无权" in refused.json()["detail"]
    own = rsj.get("/reports/briefing", **PERIOD)
    raw = raw_figures(lambda cases: rf.of_department(cases, "RSJ"))
    assert own.status_code == 200 and key_figures(own.content)["登记数量"] == f"{raw['registered']} 件"
    # No unit chosen: the briefing is titled and named by the user's unit, not by the form's "全部可见范围".
    rsj_name = district.units["RSJ"].name
    text = rf.docx_text(own.content)[1]
    assert f"\n{rsj_name}　2026年09月01日至" in text and f"，{rsj_name}“办不成事”反映窗口共登记" in text
    assert quote(f"{rsj_name}办不成事工作简报20260901-20261123.docx") in own["Content-Disposition"]
    assert "全部可见范围" not in text
    town = district.api("town_head").get("/reports/briefing", unit="C-CH", **PERIOD)
    raw_town = raw_figures(lambda cases: rf.of_center(cases, ["C-CH"]))
    assert key_figures(town.content)["办结"] == f"{raw_town['closed']} 件"
    assert key_figures(town.content)["登记数量"] == f"{raw_town['registered']} 件"
    # The district center's case is not the town's to tell.
    other = district.api("town_head").get("/reports/briefing", unit="C-CH", case=period["typical"].reference, **PERIOD)
    assert other.status_code == 422 and "不是" in other.json()["detail"]


@time_machine.travel(MONDAY_10AM, tick=False)
def test_bad_briefing_inputs_are_refused_in_chinese(district: District, period: dict[str, Case]) -> None:
    api = district.api("center_head")
    cases = [
        ({"from": "abc", "to": "2026-11-23"}, 422, "日期格式不正确"),
        ({"from": "2026-11-23", "to": "2026-09-01"}, 422, "结束日期不能早于开始日期"),
        ({**PERIOD, "unit": "NOPE"}, 404, "未找到单位"),
        ({**PERIOD, "case": ["A1", "A2", "A3", "A4", "A5", "A6"]}, 422, "最多 5 项"),
        ({"from": "2026-11-01", "to": "2026-11-22", "case": period["typical"].reference}, 422, "不是"),
        ({"to": "2026-11-23"}, 422, "必填"),
    ]
    for query, status, words in cases:
        answer = api.get("/reports/briefing", **query)
        assert (answer.status_code, words in answer.json()["detail"]) == (status, True), (query, answer.json())
    assert not Event.objects.filter(action="exported").exists()
