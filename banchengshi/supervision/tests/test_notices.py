"""通报: re-supervision notifies the lead unit, which signs for it; others do not see it."""

from __future__ import annotations

from typing import Any

from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.supervision.models import Notice


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_resupervision_notifies_the_lead_unit_once(district: District, monday: Any) -> None:
    case = case_in(district, S.RESUPERVISED)
    notices = Notice.objects.filter(case=case)
    assert notices.count() == 1
    notice = notices.get()
    assert notice.unit.code == "RSJ" and notice.kind == "resupervision" and notice.body == "回访不满意"
    assert Event.objects.filter(case=case, action="notice_issued").count() == 1

    rsj, ybj, overseer, zwb = (district.api(n) for n in ("rsj", "ybj", "overseer", "admin_office"))
    listing = ok(rsj.get("/notices", unread=True))
    assert [n["id"] for n in listing["results"]] == [notice.pk]
    shown = listing["results"][0]
    assert shown["case"] == case.reference and shown["kind_label"] == "再督办通报"
    assert shown["issued_at"].endswith("+08:00") and shown["read_at"] is None

    # Another department neither sees nor signs it.
    assert ok(ybj.get("/notices"))["count"] == 0
    assert ybj.post(f"/notices/{notice.pk}/acknowledge").status_code == 404
    # Oversight and the admin office read everything but sign nothing; oversight issues nothing.
    assert [n["id"] for n in ok(overseer.get("/notices"))["results"]] == [notice.pk]
    assert overseer.post(f"/notices/{notice.pk}/acknowledge").status_code == 403
    assert zwb.post(f"/notices/{notice.pk}/acknowledge").status_code == 403
    r = overseer.post("/notices", {"unit": "RSJ", "title": "工作通报", "body": "内容"})
    assert r.status_code == 403 and "政务服务办" in r.json()["detail"]

    signed = ok(rsj.post(f"/notices/{notice.pk}/acknowledge"))
    assert signed["read_at"].endswith("+08:00") and signed["acknowledged_by"] == "rsj"
    r = rsj.post(f"/notices/{notice.pk}/acknowledge")
    assert r.status_code == 409 and "已于" in r.json()["detail"]
    assert Event.objects.filter(case=case, action="notice_acknowledged").count() == 1
    assert ok(rsj.get("/notices", unread=True))["count"] == 0
    assert ok(rsj.get("/notices", unread=False))["count"] == 1
    assert Notice.objects.count() == 1


def test_admin_office_issues_general_and_case_notices(district: District, monday: Any) -> None:
    case = case_in(district, S.IN_PROGRESS)
    zwb, ybj = district.api("admin_office"), district.api("ybj")
    notice = ok(zwb.post("/notices", {"unit": "YBJ", "title": "关于第四季度运行情况的通报", "body": "按时办结率偏低"}), 201)
    assert notice["kind"] == "general" and notice["case"] is None and notice["issued_by"] == "admin_office"
    assert [n["id"] for n in ok(ybj.get("/notices"))["results"]] == [notice["id"]]
    assert ok(ybj.post(f"/notices/{notice['id']}/acknowledge"))["read_at"]
    assert Event.objects.filter(action="notice_issued", case=None).count() == 1

    overdue = ok(zwb.post("/notices", {"unit": "RSJ", "case": case.reference, "kind": "overdue",
                                       "title": "超时通报", "body": "首次联系超时"}), 201)
    assert overdue["case"] == case.reference
    assert ok(district.api("rsj").get("/notices", case=case.reference))["count"] == 1

    for body, message in [
        ({"unit": "RSJ", "kind": "praise", "title": "t", "body": "b"}, "通报类型取值无效"),
        ({"unit": "RSJ", "kind": "overdue", "title": "t", "body": "b"}, "须关联反映件"),
        ({"unit": "JWJW", "title": "t", "body": "b"}, "不能作为被通报单位"),
        ({"unit": "NOPE", "title": "t", "body": "b"}, "未找到被通报单位"),
        ({"unit": "RSJ", "case": "BC000000000000", "title": "t", "body": "b"}, "未找到反映件"),
    ]:
        r = zwb.post("/notices", body)
        assert r.status_code == 422 and message in r.json()["detail"], r.json()
    assert district.api("dispatcher").post("/notices", {"unit": "RSJ", "title": "t", "body": "b"}).status_code == 403
    assert Notice.objects.count() == 2


def test_notice_list_query_count_does_not_grow(
    district: District, monday: Any, django_assert_max_num_queries: Any
) -> None:
    zwb = district.api("admin_office")
    for i in range(5):
        ok(zwb.post("/notices", {"unit": "RSJ", "title": f"通报{i}", "body": "内容"}), 201)
    rsj = district.api("rsj")
    ok(rsj.post(f"/notices/{Notice.objects.first().pk}/acknowledge"))  # type: ignore[union-attr]
    with django_assert_max_num_queries(3):
        listing = ok(rsj.get("/notices"))
    assert listing["count"] == 5 and listing["results"][0]["title"] == "通报4"
