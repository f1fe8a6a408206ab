"""One rule for the reporter's phone, used by the registration form and the API alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases.models import Case
from banchengshi.conftest import District, case_body
from banchengshi.lib.phone import normalize_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13912345678", "13912345678"),
        (" 139 1234 5678 ", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("021-12345678", "021-12345678"),
        ("02112345678", "02112345678"),
        ("0571-8765432", "0571-8765432"),
        ("0571-87654321-123", "0571-87654321-123"),
        ("010 1234 5678", "01012345678"),
    ],
)
def test_mobiles_and_landlines_with_an_area_code_pass(typed: str, stored: str) -> None:
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1391234567", "手机号码应为1开头的11位数字（现为10位）"),
        ("139123456789", "手机号码应为1开头的11位数字（现为12位）"),
        ("12912345678", "手机号码应为1开头的11位数字"),
        ("12345678", "固定电话须带区号"),
        ("021-123456", "固定电话须带区号"),
        ("abcdefgh", "联系电话格式不正确"),
        ("", "请填写联系电话"),
    ],
)
def test_other_numbers_are_refused_in_chinese(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("（", r"\（").replace("）", r"\）")):
        normalize_phone(typed)


def test_the_api_and_the_form_answer_alike(district: District, monday: Any) -> None:
    r = district.api("registrar").post("/cases", case_body(reporter={"name": "张三", "phone": "1391234567"}))
    assert r.status_code == 422 and "手机号码应为1开头的11位数字" in r.json()["detail"]
    client = Client()
    sign_in(client, district.users["registrar"])
    page = client.post("/cases/new/", {"reporter_phone": "1391234567"}).content.decode()
    assert "手机号码应为1开头的11位数字" in page
    r = district.api("registrar").post("/cases", case_body(reporter={"name": "张三", "phone": "139 1234 5678"}))
    assert r.status_code == 201 and Case.objects.get().reporter_phone == "13912345678"


def test_the_api_names_every_problem_at_once(district: District, monday: Any) -> None:
    body = case_body(reporter={"name": "某公司", "phone": "123456789", "kind": "enterprise"}, reasons=["other"])
    detail = district.api("registrar").post("/cases", body).json()["detail"]
    for fragment in ("联系电话格式不正确", "企业名称", "请说明具体原因"):
        assert fragment in detail
