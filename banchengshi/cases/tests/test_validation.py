"""Bad input gets a 4xx with a Chinese message, and nothing stored is lost."""

from __future__ import annotations

from typing import Any

from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District, case_body


def test_registration_errors_are_chinese_and_store_nothing(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    cases = [
        (case_body(channel="fax"), "反映渠道取值无效"),
        (case_body(center="RSJ"), "不是政务服务中心"),
        (case_body(center="NOPE"), "未找到登记中心"),
        (case_body(matter="XX-999"), "未找到事项"),
        (case_body(reasons=["bad"]), "办不成原因取值无效"),
        (case_body(reasons=["other"]), "请说明具体原因"),
        (case_body(reporter={"name": "张三", "phone": "abcdefgh"}), "联系电话格式不正确"),
        (case_body(reporter={"name": "某公司", "phone": "13800138000", "kind": "enterprise"}), "企业名称"),
        (case_body(description=""), "description"),
        (case_body(received_at="2099-01-01T00:00:00+08:00"), "不能晚于当前时间"),
        (case_body(received_at="昨天"), "时间格式不正确"),
        ({"channel": "phone"}, "必填"),
    ]
    for body, fragment in cases:
        r = registrar.post("/cases", body)
        assert r.status_code == 422, (body, r.content)
        assert fragment in r.json()["detail"], r.json()
    assert Case.objects.count() == 0


def test_non_json_body_is_422(district: District) -> None:
    registrar = district.api("registrar")
    r = registrar.client.post(
        "/api/v1/cases", "not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {registrar.token}"
    )
    assert r.status_code == 400 and r.json()["detail"] == "请求体不是有效的 JSON 对象"


def test_action_errors_keep_the_case_as_it_was(district: District, monday: Any) -> None:
    case = case_in(district, S.REGISTERED)
    registrar = district.api("registrar")
    r = registrar.post(f"/cases/{case.reference}/accept", {"handling_type": "urgent", "complexity": "simple"})
    assert r.status_code == 422 and "取值无效" in r.json()["detail"]
    r = registrar.post(f"/cases/{case.reference}/reject", {"reason": "   "})
    assert r.status_code == 422 and "不予受理原因" in r.json()["detail"]
    r = district.api("dispatcher").post(f"/cases/{case.reference}/visit", {"rating": 9, "solved": True})
    assert r.status_code == 422 and "不能大于 5" in r.json()["detail"]
    accepted = case_in(district, S.ACCEPTED)
    r = district.api("dispatcher").post(f"/cases/{accepted.reference}/dispatch", {"lead_unit": "JWJW"})
    assert r.status_code == 422 and "不能承办工单" in r.json()["detail"]
    r = district.api("dispatcher").post(f"/cases/{accepted.reference}/dispatch", {"assisting_units": ["YBJ"]})
    assert r.status_code == 422
    assert Case.objects.get(pk=case.pk).status == S.REGISTERED
    assert Case.objects.get(pk=accepted.pk).status == S.ACCEPTED
    assert not accepted.work_orders.exists()


def test_list_filters_validate(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    assert registrar.get("/cases", light="purple").status_code == 422
    assert registrar.get("/cases", page_size=1000).status_code == 422
    assert registrar.get("/cases", received_from="yesterday").status_code == 422
    case_in(district, S.ACCEPTED)
    assert registrar.get("/cases", received_from="2026-11-23", received_to="2026-11-23").json()["count"] == 1
    assert registrar.get("/cases", received_to="2026-11-22").json()["count"] == 0
    assert registrar.get("/cases", light="green").json()["count"] == 1
    assert registrar.get("/cases", light="red").json()["count"] == 0


def test_inputs_found_by_fuzzing_are_422_not_500(district: District, monday: Any) -> None:
    """schemathesis against the OpenAPI schema found these; each was a 500."""
    dispatcher, zwb = district.api("dispatcher"), district.api("admin_office")
    assert dispatcher.get("/cases", page=31467145644156158738432).status_code == 422
    assert dispatcher.get("/cases", received_from="0001-01-01", light="yellow").status_code == 422
    assert zwb.get("/meetings", page=8899888966069046403181576192).status_code == 422
    r = district.api("registrar").post("/cases", case_body(received_at="0001-01-01T00:00:00"))
    assert r.status_code == 422 and "2000 年至 2100 年" in r.json()["detail"]
    r = dispatcher.get("/calendar/due", start="0001-01-01T00:00:00", working_days=1, center="FWZX")
    assert r.status_code == 422
    assert dispatcher.get("/calendar/1999").status_code == 422
    assert Case.objects.count() == 0
