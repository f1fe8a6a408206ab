"""A NUL character anywhere in a request is refused with a Chinese 400, on SQLite and PostgreSQL alike
(PostgreSQL cannot hold U+0000 in text: it used to surface as a 500 from deep inside a query)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.conftest import District, case_body
from banchengshi.lib.input_guard import MESSAGE, SURROGATE_MESSAGE

PAGES = ["/?q=%00", "/ledger/?q=a%00b", "/ledger/?status=%00", "/cases/BC%00/", "/track/BC%00/", "/reminders/?x=%00",
         "/audit-log/?actor=%00", "/integrations/?source=%00", "/admin/cases/case/?q=%00"]
API = ["/cases?q=%00", "/cases?status=%00", "/cases/BC%00", "/public/reports/BC%00?phone_last4=1234",
       "/calendar/due?start=%00&working_days=1", "/public/matters?q=%00"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_a_page_with_a_nul_in_its_path_or_filter_answers_400_in_chinese(path: str, district: District, client: Client) -> None:
    sign_in(client, district.users["admin_office"])
    answer = client.get(path)
    assert answer.status_code == 400 and MESSAGE in answer.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", API)
def test_the_api_with_a_nul_in_its_path_or_filter_answers_400_in_chinese(path: str, district: District) -> None:
    answer = district.api("registrar").get(path)
    assert answer.status_code == 400 and answer.json() == {"detail": MESSAGE}


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    case_body(description="窗口说\u0000材料不全"),
    case_body(reporter={"name": "张\u0000三", "phone": "13800138000", "kind": "person"}),
    case_body(reasons=["other\u0000"]),
])
def test_a_json_body_with_a_nul_is_refused_and_nothing_is_stored(body: dict[str, Any], district: District) -> None:
    from banchengshi.cases.models import Case

    before = Case.objects.count()
    answer = district.api("registrar").post("/cases", body)
    assert answer.status_code == 400 and answer.json()["detail"] == MESSAGE
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_a_form_with_a_nul_is_refused_and_a_clean_one_still_works(district: District, client: Client) -> None:
    sign_in(client, district.users["registrar"])
    answer = client.post("/ledger/", {"q": "社保\x00"})
    assert answer.status_code == 400
    # A backslash-u written as text is not a NUL: it passes.
    answer = district.api("registrar").post("/cases", case_body(description=json.loads('"路径 C:\\\\u0000 不是控制字符"')))
    assert answer.status_code == 201, answer.content


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "raw"), [
    ("/cases", json.dumps(case_body(center="\ud800"))),  # was a 500: UnicodeEncodeError looking the center up
    ("/cases", json.dumps(case_body(description="窗口\udfff说"))),
    ("/cases", json.dumps(case_body(reasons=["other", "\udbff"]))),
    ("/cases", json.dumps(case_body(description="x")).replace('"x"', '"\\uD834"')),  # upper-case escape
    ("/dispatch/suggest", b'{"text": "\xed\xa0\x80"}'),  # the raw bytes of one, which json.loads lets through
])
def test_a_json_body_with_half_a_surrogate_pair_is_refused(path: str, raw: str | bytes, district: District) -> None:
    from banchengshi.cases.models import Case

    api = district.api("registrar")
    before = Case.objects.count()
    answer = api.client.post(f"/api/v1{path}", raw, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert answer.status_code == 400 and answer.json()["detail"] == SURROGATE_MESSAGE, answer.content
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_whole_pairs_and_hangul_pass(district: District) -> None:
    """An escaped pair is one character (an emoji), and Hangul's UTF-8 starts with the same byte as a half."""
    body = json.dumps(case_body(description="笑脸 😀 한국어 문의"), ensure_ascii=True)
    assert "\\ud83d\\ude00" in body
    answer = district.api("registrar").client.post(
        "/api/v1/cases", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {district.api('registrar').token}")
    assert answer.status_code == 201, answer.content
    assert answer.json()["description"] == "笑脸 😀 한국어 문의"
