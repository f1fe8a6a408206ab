"""The Songjiang quarterly 统计报表 as xlsx and docx, through the API and the page: each figure equals a
count of the raw Case rows, the typical case goes out masked with its photo, a unit's user gets only its
scope, bad input is a Chinese 4xx, and each download is audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import MONDAY_10AM, District
from banchengshi.demo.generate import generate_cases
from banchengshi.reports.exports import DOCX, XLSX
from banchengshi.reports.tests.report_files import (
    ELEVEN_DIGITS,
    FWZX_CENTERS,
    PHONE,
    PNG_MAGIC,
    REPORTER,
    attach_photo,
    docx_text,
    inline_images,
    of_center,
    of_department,
    raw_counts,
    received_between,
    sheet_values,
)
from banchengshi.sla.deadlines import SHANGHAI

pytestmark = pytest.mark.django_db

Q4 = {"year": 2026, "quarter": 4}
STAFF_NAME = "李建国"  # the handler at RSJ who acted on the typical case


@pytest.fixture
def quarter(district: District) -> dict[str, Case]:
    """Generated cases in the fourth quarter of 2026 and the third (outside it), a case closed through the
    actions whose texts carry the reporter's name and phone, with a photo, and one at a town center."""
    with time_machine.travel(MONDAY_10AM, tick=False):
        generate_cases(90, start=datetime(2026, 10, 1, tzinfo=SHANGHAI), end=MONDAY_10AM - timedelta(hours=1), seed=11,
                       prefix="QTR")
        generate_cases(30, start=datetime(2026, 7, 1, tzinfo=SHANGHAI), end=datetime(2026, 9, 30, 20, tzinfo=SHANGHAI),
                       seed=12, prefix="OLD")
        district.users["rsj"].display_name = STAFF_NAME
        district.users["rsj"].save(update_fields=["display_name"])
        typical = case_in(district, S.CLOSED, reporter_name=REPORTER, reporter_phone=PHONE,
                          description=f"{REPORTER}反映：申领失业保险金时系统一直提示未办理失业登记，人社局{STAFF_NAME}"
                                      f"说要等待，请回电{PHONE}，身份证号310101199001011234。")
        attach_photo(typical, district.users["registrar"])
        town = case_in(district, S.REGISTERED, center="C-CH")
    return {"typical": typical, "town": town, "old": Case.objects.filter(reference__startswith="OLD").first()}


def raw_q4(scope: Any) -> dict[str, Any]:
    return raw_counts(scope(received_between(datetime(2026, 10, 1).date(), datetime(2026, 12, 31).date())))


def matters_of(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """The 涉及事项 block of the sheet: the rows between its title and the next one."""
    start = next(i for i, r in enumerate(rows) if r[0] == "涉及事项（件数）")
    end = next(i for i, r in enumerate(rows) if r[0] == "承办部门（件数）")
    return {r[0]: r[1] for r in rows[start + 1:end] if r[0] not in ("无", None)}


@time_machine.travel(MONDAY_10AM, tick=False)
def test_the_xlsx_figures_equal_the_raw_counts_and_the_typical_case_is_masked(district: District,
                                                                               quarter: dict[str, Case]) -> None:
    typical = quarter["typical"]
    answer = district.api("center_head").get("/reports/quarterly", unit="FWZX", format="xlsx", case=typical.reference, **Q4)
    assert answer.status_code == 200 and answer["Content-Type"] == XLSX
    name = quote("示范区行政服务中心2026年第4季度办不成事统计报表.xlsx", safe="")
    assert answer["Content-Disposition"] == f"attachment; filename=\"quarterly-FWZX-2026Q4.xlsx\"; filename*=UTF-8''{name}"
    values, rows = sheet_values(answer.content)
    raw = raw_q4(lambda cases: of_center(cases, FWZX_CENTERS))
    assert raw["registered"] > 50  # the period holds the generated cases, and not the third quarter's
    assert values["“办不成事”登记数量"] == raw["registered"]
    assert values["“受理”"] == raw["accepted"] and values["“不予受理”"] == raw["not_accepted"]
    assert values["现场办结（未受理，当场解决）"] == raw["resolved_on_site"]
    assert matters_of(rows) == dict(raw["matters"])
    assert values["单位名称（盖章）"] == "示范区行政服务中心"
    summary = values["问题及办理过程概述"]
    assert typical.reference in summary and "王*" in summary and "139****5678" in summary
    assert REPORTER not in summary and not ELEVEN_DIGITS.search(summary)
    assert STAFF_NAME not in summary and "人社局李**说要等待" in summary and "1990010" not in summary
    assert "办结" in summary and "现场照片.png" in values["办理照片"]
    event = Event.objects.get(action="exported")
    assert (event.data["what"], event.data["rows"], event.data["typical_cases"]) == ("quarterly_report", raw["registered"],
                                                                                     [typical.reference])
    assert "季度：2026年第4季度" in event.data["filters"] and "已脱敏" in event.data["filters"]


@time_machine.travel(MONDAY_10AM, tick=False)
def test_the_docx_holds_the_form_its_figures_and_the_photo(district: District, quarter: dict[str, Case]) -> None:
    typical = quarter["typical"]
    answer = district.api("center_head").get("/reports/quarterly", unit="FWZX", format="docx", case=typical.reference, **Q4)
    assert answer.status_code == 200 and answer["Content-Type"] == DOCX
    assert answer["Content-Disposition"].endswith(quote("示范区行政服务中心2026年第4季度办不成事统计报表.docx", safe=""))
    document, text, cells = docx_text(answer.content)
    raw = raw_q4(lambda cases: of_center(cases, FWZX_CENTERS))
    assert ["“办不成事”登记数量", f"{raw['registered']} 件"] in cells
    assert ["“受理”", f"（ {raw['accepted']} ）件"] in cells and ["“不予受理”", f"（ {raw['not_accepted']} ）件"] in cells
    scope_cell = next(c[1] for c in cells if c[0] == "涉及业务范围")
    for matter, count in raw["matters"].items():
        assert f"{matter} {count} 件" in scope_cell
    assert "第（四）季度“办不成事”统计报表" in text and "单位名称（盖章）：示范区行政服务中心" in text
    assert "问题及办理过程概述" in text and typical.reference in text and "王**反映" in text
    assert REPORTER not in text and PHONE not in text and not ELEVEN_DIGITS.search(text + str(cells))
    images = inline_images(document)
    assert len(images) == 1 and images[0].startswith(PNG_MAGIC)
    assert Event.objects.get(action="exported").data["title"] == "季度统计报表（Word）"


@time_machine.travel(MONDAY_10AM, tick=False)
def test_the_page_offers_the_quarter_s_cases_and_downloads_both_files(district: District, quarter: dict[str, Case]) -> None:
    client = sign_in(Client(), district.users["center_head"])
    page = client.get("/reports/quarterly/", {"unit": "FWZX", **Q4})
    body = page.content.decode()
    assert page.status_code == 200 and "统计报表" in body and 'href="/reports/quarterly/"' in body
    assert f'value="{quarter["typical"].reference}"' in body and quarter["old"].reference not in body
    raw = raw_q4(lambda cases: of_center(cases, FWZX_CENTERS))
    sheet = client.get("/reports/quarterly/", {"unit": "FWZX", "format": "xlsx", **Q4})
    assert sheet.status_code == 200 and sheet["Content-Type"] == XLSX
    assert sheet_values(sheet.content)[0]["“办不成事”登记数量"] == raw["registered"]
    paper = client.get("/reports/quarterly/", {"unit": "FWZX", "format": "docx", "case": quarter["typical"].reference, **Q4})
    assert paper.status_code == 200 and paper["Content-Type"] == DOCX
    document, _text, cells = docx_text(paper.content)
    assert ["“不予受理”", f"（ {raw['not_accepted']} ）件"] in cells and len(document.inline_shapes) == 1
    assert Event.objects.filter(action="exported", actor=district.users["center_head"]).count() == 2
    # The htmx refresh of the typical-case list answers the list alone.
    options = client.get("/reports/quarterly/", {"unit": "C-CH", **Q4}, HTTP_HX_REQUEST="true").content.decode()
    assert options.startswith("<datalist") and quarter["town"].reference in options
    assert quarter["typical"].reference not in options


@time_machine.travel(MONDAY_10AM, tick=False)
def test_a_unit_s_user_gets_only_its_scope(district: District, quarter: dict[str, Case]) -> None:
    refused = district.api("rsj").get("/reports/quarterly", unit="FWZX", **Q4)
    assert refused.status_code == 403 and "无权" in refused.json()["detail"]
    own = district.api("rsj").get("/reports/quarterly", unit="RSJ", **Q4)
    assert own.status_code == 200
    raw = raw_q4(lambda cases: of_department(cases, "RSJ"))
    assert 0 < raw["registered"] < raw_q4(lambda cases: of_center(cases, FWZX_CENTERS))["registered"]
    assert sheet_values(own.content)[0]["“办不成事”登记数量"] == raw["registered"]
    town = district.api("town_head")
    assert town.get("/reports/quarterly", unit="FWZX", **Q4).status_code == 403
    assert town.get("/reports/quarterly", unit="RSJ", **Q4).status_code == 403
    town_file = town.get("/reports/quarterly", unit="C-CH", format="docx", **Q4)
    raw_town = raw_q4(lambda cases: of_center(cases, ["C-CH"]))
    assert ["“办不成事”登记数量", f"{raw_town['registered']} 件"] in docx_text(town_file.content)[2]
    # A town center's user may not take another unit's case as its typical case.
    other = town.get("/reports/quarterly", unit="C-CH", case=quarter["typical"].reference, **Q4)
    assert other.status_code == 422 and "不是" in other.json()["detail"]
    # The page refuses the same, in Chinese, keeping the form.
    page = sign_in(Client(), district.users["rsj"]).get("/reports/quarterly/", {"unit": "FWZX", "format": "xlsx", **Q4})
    assert page.status_code == 403 and "无权查看“示范区行政服务中心”的统计数据" in page.content.decode()


@time_machine.travel(MONDAY_10AM, tick=False)
def test_bad_inputs_are_refused_in_chinese(district: District, quarter: dict[str, Case]) -> None:
    api = district.api("center_head")
    cases = [
        ({"unit": "FWZX", "year": 2026, "quarter": 5}, 422, "不能大于 4"),
        ({"unit": "FWZX", "year": "abc", "quarter": 1}, 422, "应为整数"),
        ({"unit": "FWZX", "year": 2026, "quarter": 1, "format": "pdf"}, 422, "取值无效"),
        ({"unit": "NOPE", "year": 2026, "quarter": 4}, 404, "未找到单位"),
        ({"unit": "FWZX", "year": 2026, "quarter": 4, "case": quarter["old"].reference}, 422, "不是示范区行政服务中心在统计期间登记的反映件"),
        ({"unit": "FWZX", "year": 2026, "quarter": 4, "case": "NO-SUCH-CASE"}, 422, "不是"),
        ({"year": 2026, "quarter": 4}, 422, "必填"),
        ({"unit": "", "year": 2026, "quarter": 4, "format": "docx"}, 422, "不能为空"),  # was a 500 (found by the fuzz test)
    ]
    for query, status, words in cases:
        answer = api.get("/reports/quarterly", **query)
        assert (answer.status_code, words in answer.json()["detail"]) == (status, True), (query, answer.json())
    client = sign_in(Client(), district.users["center_head"])
    page = client.get("/reports/quarterly/", {"unit": "FWZX", "year": "2026", "quarter": "5", "format": "xlsx"})
    body = page.content.decode()
    assert page.status_code == 422 and "季度：不能大于 4" in body and '<option value="5" selected>' in body
    typed = client.get("/reports/quarterly/", {"unit": "FWZX", "year": "abc", "quarter": "4", "format": "docx"})
    assert typed.status_code == 422 and "年份：应为整数" in typed.content.decode() and 'value="abc"' in typed.content.decode()
    assert not Event.objects.filter(action="exported").exists()
    no_unit = client.get("/reports/quarterly/", {"unit": "", "year": "2026", "quarter": "4", "format": "docx"})
    assert no_unit.status_code == 200 and no_unit["Content-Type"] == DOCX  # the page's unit: the user's own
