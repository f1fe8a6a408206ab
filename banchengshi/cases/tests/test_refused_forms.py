"""A refused form on the case page comes back with what was typed in it and the message next to it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District


def login(district: District, name: str) -> Client:
    client = Client()
    sign_in(client, district.users[name])
    return client


def test_a_refused_case_action_keeps_its_text_and_opens_its_form(district: District, monday: Any) -> None:
    case = case_in(district, S.REGISTERED)
    reason = "依据《某某条例》第十二条，" + "不属于受理范围。" * 600
    response = login(district, "registrar").post(f"/cases/{case.reference}/act/reject/", {"reason": reason})
    page = response.content.decode()
    assert response.status_code == 422
    assert f">{reason}</textarea>" in page
    assert '<details class="mb-2" open><summary>不予受理</summary>' in page
    assert page.count("不予受理原因不能超过4000字") == 2  # at the top and next to the form
    assert '<details class="mb-2"><summary>现场办结</summary>' in page  # the other forms stay as they were


def test_a_refused_work_order_action_keeps_only_its_own_form(district: District, monday: Any) -> None:
    case = case_in(district, S.IN_PROGRESS)
    order = case.work_orders.get()
    rsj = login(district, "rsj")
    response = rsj.post(f"/work-orders/{order.pk}/act/assist/", {"units": ["RSJ"], "note": ""})
    page = response.content.decode()
    assert response.status_code == 422 and "已在办理该反映件" in page
    assert '<option value="RSJ" selected>' not in page  # 人社局 is not offered to itself
    response = rsj.post(f"/work-orders/{order.pk}/act/contact/", {"note": "  "})
    page = response.content.decode()
    assert response.status_code == 422
    assert '<div class="invalid-feedback d-block mb-2" role="alert">请填写联系情况</div>' in page
