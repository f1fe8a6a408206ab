"""The citizen's path over /api/v1/public/: report with an SMS code, follow, object, confirm, rate."""

from __future__ import annotations

from typing import Any

from banchengshi.audit.models import Event
from banchengshi.cases.models import Case, Visit
from banchengshi.cases.selectors import QUEUES, queue_cases
from banchengshi.conftest import District
from banchengshi.public import notice
from banchengshi.public.tests.helpers import Citizen, sms_to


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()


def queue(district: District, user: str, key: str) -> list[str]:
    found = queue_cases(district.users[user], next(q for q in QUEUES if q.key == key))
    return [c.reference for c in found] if found is not None else []


def reply_and_approve(district: District, ref: str, result: str, capture: Any) -> None:
    rsj, head = district.api("rsj"), district.api("center_head")
    case = ok(rsj.get(f"/cases/{ref}"))
    lead = next(o["id"] for o in case["work_orders"] if o["role"] == "lead" and o["status"] in ("pending", "received"))
    if next(o["status"] for o in case["work_orders"] if o["id"] == lead) == "pending":
        ok(rsj.post(f"/work-orders/{lead}/receive"))
    ok(rsj.post(f"/work-orders/{lead}/reply", {"result": result}))
    with capture(execute=True):  # the reporter is told by SMS after commit
        ok(head.post(f"/cases/{ref}/review", {"approve": True, "note": ""}))


def test_report_follow_object_confirm_rate(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile MicroMessenger/8.0")
    receipt = citizen.report()
    ref = receipt["reference"]
    assert receipt["channel"] == "wechat"
    assert receipt["promises"][0].startswith("我们将在1个工作日内（11月24日（星期二）17:00前）与您联系")
    assert ref in sms_to(citizen.phone)[-1] and "1个工作日内" in sms_to(citizen.phone)[-1]
    case = Case.objects.get(reference=ref)
    assert case.notice_version == notice.VERSION and case.registered_by is None
    assert ref in queue(district, "registrar", "to-accept")  # straight into the receiving center's queue

    progress = ok(citizen.track(ref))
    assert progress["status"] == "registered" and progress["reporter"] == "李*"
    assert "11月24日" in progress["next_step"] and progress["may"] == []

    registrar, dispatcher, head = district.api("registrar"), district.api("dispatcher"), district.api("center_head")
    ok(registrar.post(f"/cases/{ref}/accept", {"handling_type": "assist", "complexity": "general"}))
    ok(dispatcher.post(f"/cases/{ref}/dispatch", {}))
    reply_and_approve(district, ref, "已为您重新推送失业登记。", django_capture_on_commit_callbacks)
    assert "已有答复" in sms_to(citizen.phone)[-1]

    progress = ok(citizen.track(ref))
    assert progress["reply"] == "已为您重新推送失业登记。"
    assert set(progress["may"]) == {"confirm", "object"} and progress["objection_until"]
    steps = [s["text"] for s in progress["steps"]]
    assert "已转交示范区人力资源和社会保障局办理。" in steps
    assert not any("rsj" in s or "退回" in s for s in steps)  # no staff names, no internal steps

    progress = ok(citizen.post(f"/reports/{ref}/objection", {"phone_last4": citizen.phone[-4:], "reason": "到现在还是领不到"}))
    assert progress["status"] == "under_review" and "您提出了异议：到现在还是领不到" in [s["text"] for s in progress["steps"]]
    event = Event.objects.get(case__reference=ref, action="reporter_objected")
    assert event.actor is None and event.actor_label == "反映人（本人）" and event.data["reason"] == "到现在还是领不到"
    assert ref in queue(district, "center_head", "to-review")

    ok(head.post(f"/cases/{ref}/review", {"approve": False, "note": "反映人有异议，请再核实"}))
    reply_and_approve(district, ref, "已到账，请查收。", django_capture_on_commit_callbacks)
    progress = ok(citizen.post(f"/reports/{ref}/confirm", {"phone_last4": citizen.phone[-4:]}))
    assert progress["status"] == "closed" and progress["may"] == ["rate"]
    assert Case.objects.get(reference=ref).closure_basis == "confirmed"

    progress = ok(citizen.post(f"/reports/{ref}/rating", {"phone_last4": citizen.phone[-4:], "rating": 2, "solved": True, "note": "太慢"}), 201)
    assert progress["status"] == "visited"
    visit = Visit.objects.get(case__reference=ref)
    assert visit.given_by == "reporter" and visit.visited_by is None and visit.rating == 2
    assert ref in queue(district, "admin_office", "to-resupervise")
    again = citizen.post(f"/reports/{ref}/rating", {"phone_last4": citizen.phone[-4:], "rating": 5, "solved": True, "note": ""})
    assert again.status_code == 409 and "评价过" in again.json()["detail"]  # 一事一评


def test_wrong_code_and_bad_fields_answer_in_chinese(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks)
    code = citizen.code()
    wrong = "000000" if code != "000000" else "111111"
    refused = citizen.post("/reports", citizen.report_body(wrong))
    assert refused.status_code == 422 and "验证码不正确" in refused.json()["detail"]
    bad = citizen.post("/reports", citizen.report_body(code, reporter={"name": "某公司", "phone": citizen.phone, "kind": "enterprise", "credit_code": "913100007109337765"}))
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"organization", "credit_code"}, bad.json()
    # The refused form did not spend the code.
    good = citizen.post("/reports", citizen.report_body(code, reporter={"name": "王五", "phone": citizen.phone, "kind": "enterprise", "organization": "某某科技有限公司", "credit_code": "91110000802100433B"}))
    assert good.status_code == 201, good.content.decode()
    assert Case.objects.get(reference=good.json()["reference"]).credit_code == "91110000802100433B"
