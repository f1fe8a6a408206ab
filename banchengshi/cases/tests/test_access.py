"""Who sees what: one path for user-scoped reads, 404 for what a user may not see."""

from __future__ import annotations

from typing import Any

import pytest

from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in, register
from banchengshi.conftest import District, case_body
from banchengshi.lib.tests.files import pdf_bytes
from config.api import api

VALID_BODIES: dict[str, dict[str, Any]] = {
    "accept": {"handling_type": "assist", "complexity": "simple"},
    "reject": {"reason": "不属于受理范围"},
    "resolve-on-site": {"result": "当场办结"},
    "merge": {"into": "BC000000000000"},
    "dispatch": {"lead_unit": "YBJ"},
    "pause": {"reason": "等待材料"},
    "review": {"approve": True},
    "visit": {"rating": 3, "solved": True},
    "resupervise": {"reason": "再督办"},
    "contact": {"note": "已联系"},
    "note": {"note": "记录"},
    "assist": {"units": ["SCJGJ"]},
    "reply": {"result": "已办结"},
    "return": {"reason": "不属于本单位"},
    "dispatch-down": {"unit": "C-CH"},
    "withdraw": {"reason": "协办事项已由主办单位办结"},
    "chase": {"note": "请尽快答复"},
    "unmask": {"reason": "核查投诉线索"},
}


def body_for(path: str) -> dict[str, Any]:
    return VALID_BODIES.get(path.rsplit("/", 1)[-1], {})


def case_routes() -> list[tuple[str, str]]:
    """Every staff route of the API that names a case or a work order, read from the OpenAPI schema (the
    public routes answer the reporter, by reference and phone suffix, not a token: public/tests)."""
    routes = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        if path.startswith("/api/v1/public/"):
            continue
        if "{reference}" in path or "{order_id}" in path or "{attachment_id}" in path:
            routes += [(method, path.removeprefix("/api/v1")) for method in methods]
    return routes


def test_the_route_list_is_complete() -> None:
    paths = {p for _, p in case_routes()}
    assert "/cases/{reference}" in paths and "/work-orders/{order_id}/reply" in paths
    assert "/attachments/{attachment_id}" in paths
    assert len(case_routes()) >= 23


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.UNDER_REVIEW])
def test_another_departments_handler_gets_404_on_every_route(district: District, monday: Any, status: S) -> None:
    case = case_in(district, status, description="社保卡补办时照片被退回，来回跑了三次")
    order = case.work_orders.get(unit__code="RSJ")
    attachment = district.api("rsj").upload(f"/cases/{case.reference}/attachments", "证明.pdf", pdf_bytes()).json()
    ybj = district.api("ybj")
    for method, path in case_routes():
        url = (
            path.replace("{reference}", case.reference)
            .replace("{order_id}", str(order.pk))
            .replace("{attachment_id}", str(attachment["id"]))
        )
        if path.endswith("/attachments"):
            response = ybj.upload(url, "x.pdf", pdf_bytes())
        else:
            response = getattr(ybj, method)(url, body_for(path)) if method != "get" else ybj.get(url)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["detail"]
    listing = ybj.get("/cases").json()
    assert listing["count"] == 0 and listing["results"] == []
    assert ybj.get("/cases", q="社保").json()["count"] == 0
    assert ybj.get("/cases", unit="RSJ").json()["count"] == 0
    assert ybj.get("/cases", light="green").json()["count"] == 0
    assert Case.objects.get(pk=case.pk).status == status
    # The department that holds it sees it, and finds it by a two-character word.
    rsj = district.api("rsj")
    assert rsj.get(f"/cases/{case.reference}").status_code == 200
    assert [c["reference"] for c in rsj.get("/cases", q="社保").json()["results"]] == [case.reference]


def test_department_sees_a_case_only_once_it_holds_a_work_order(district: District, monday: Any) -> None:
    case = case_in(district, S.ACCEPTED)
    rsj = district.api("rsj")
    assert rsj.get(f"/cases/{case.reference}").status_code == 404
    district.api("dispatcher").post(f"/cases/{case.reference}/dispatch", {"lead_unit": "RSJ"})
    assert rsj.get(f"/cases/{case.reference}").status_code == 200


def test_centers_see_their_own_and_the_centers_below(district: District, monday: Any) -> None:
    district_case = register(district)
    town_case = register(district, center="C-CH")
    town = district.api("town_registrar")
    assert town.get(f"/cases/{district_case.reference}").status_code == 404
    assert town.get(f"/cases/{town_case.reference}").status_code == 200
    assert [c["reference"] for c in town.get("/cases").json()["results"]] == [town_case.reference]
    seen = {c["reference"] for c in district.api("registrar").get("/cases").json()["results"]}
    assert seen == {district_case.reference, town_case.reference}
    # Another town center sees neither.
    other = district.api("town_registrar")
    other.user.unit = district.units["C-BQ"]
    other.user.save()
    assert other.get("/cases").json()["count"] == 0


def test_oversight_reads_everything_and_changes_nothing(district: District, monday: Any) -> None:
    case = case_in(district, S.UNDER_REVIEW)
    jiwei = district.api("overseer")
    detail = jiwei.get(f"/cases/{case.reference}").json()
    assert detail["timeline"] and "****" in detail["reporter"]["phone"]
    order = case.work_orders.get(unit__code="RSJ")
    for method, path in case_routes():
        if method == "get" or path.endswith("/unmask"):  # reading in full (with a reason) changes nothing
            continue
        url = path.replace("{reference}", case.reference).replace("{order_id}", str(order.pk))
        response = jiwei.upload(url, "x.pdf", pdf_bytes()) if path.endswith("/attachments") else jiwei.post(url, body_for(path))
        assert response.status_code == 403, url
    for endpoint, body in [("review", {"approve": True}), ("close", {}), ("resupervise", {"reason": "x"})]:
        r = jiwei.post(f"/cases/{case.reference}/{endpoint}", body)
        assert r.status_code == 403 and r.json()["detail"]
    # A body valid in every field, so that the refusal is the role's, not the validation's.
    refused = jiwei.post("/cases", case_body())
    assert refused.status_code == 403 and "无权" in refused.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == S.UNDER_REVIEW


def test_lists_mask_the_phone_and_handlers_see_it_in_detail(district: District, monday: Any) -> None:
    case = case_in(district, S.IN_PROGRESS, reporter_phone="13912345678")
    assert district.api("registrar").get("/cases").json()["results"][0]["reporter"]["phone"] == "139****5678"
    assert district.api("rsj").get(f"/cases/{case.reference}").json()["reporter"]["phone"] == "13912345678"


def test_only_the_registering_centers_head_reviews(district: District, monday: Any) -> None:
    case = case_in(district, S.UNDER_REVIEW)
    town_head = district.api("town_head")
    assert town_head.post(f"/cases/{case.reference}/review", {"approve": True}).status_code == 404
    town_case = case_in(district, S.UNDER_REVIEW, center="C-CH", matter="RSJ-003")
    assert district.api("center_head").post(f"/cases/{town_case.reference}/review", {"approve": True}).status_code == 403
    assert town_head.post(f"/cases/{town_case.reference}/review", {"approve": True}).status_code == 200


def test_requests_without_a_valid_token_are_401(district: District) -> None:
    from django.test import Client

    assert Client().get("/api/v1/cases").status_code == 401
    r = Client().get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer nope")
    assert r.status_code == 401 and r.json()["detail"] == "未登录或令牌无效"
