"""A NUL character anywhere in a request is refused with a Chinese 400, on SQLite and PostgreSQL alike
(PostgreSQL cannot hold U+0000 in text: it used to surface as a 500 from deep inside a query)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.conftest import District, case_body
from banchengshi.lib.input_guard import MESSAGE

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
