"""One case through every state over the HTTP API, and the short paths."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from banchengshi.audit.models import Event
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.cases.tests.factories import assert_next_due_kept
from banchengshi.conftest import District, case_body
from banchengshi.lib.tests.files import pdf_bytes


@pytest.fixture(autouse=True)
def next_due_kept(db: None) -> Iterator[None]:
    """After each test: the queues' stored order (`Case.next_due_at`) agrees with the clocks."""
    yield
    assert_next_due_kept()



def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()


def order_of(case: dict[str, Any], unit: str, status: str | None = None) -> int:
    matches = [o for o in case["work_orders"] if o["unit"]["code"] == unit and (status is None or o["status"] == status)]
    assert matches, case["work_orders"]
    return matches[-1]["id"]


def test_one_case_through_every_state(district: District, monday: Any) -> None:
    registrar, dispatcher, head = district.api("registrar"), district.api("dispatcher"), district.api("center_head")
    rsj, ybj, zwb = district.api("rsj"), district.api("ybj"), district.api("admin_office")
    seen = []

    case = ok(registrar.post("/cases", case_body()), 201)
    ref = case["reference"]
    seen.append(case["status"])
    assert case["status"] == "registered" and ref.startswith("BC20261123")
    assert case["received_at"].endswith("+08:00")

    assert {c["kind"] for c in case["clocks"]} == {"acceptance_reply", "forward"}  # every open case has a clock
    case = ok(registrar.post(f"/cases/{ref}/accept", {"handling_type": "assist", "complexity": "general"}))
    seen.append(case["status"])
    assert next(c for c in case["clocks"] if c["kind"] == "acceptance_reply")["stopped_at"] is not None
    # 崇明 counts the resolution limit from 接单, when the order reaches the unit: not yet.
    assert "resolution" not in {c["kind"] for c in case["clocks"]}

    case = ok(dispatcher.post(f"/cases/{ref}/dispatch", {}))  # 区级 matter RSJ-003 -> RSJ automatically
    seen.append(case["status"])
    resolution = next(c for c in case["clocks"] if c["kind"] == "resolution")
    assert resolution["due_at"] == "2026-11-26T17:00:00+08:00"  # 崇明: general = 3 working days
    assert resolution["light"] == "green"
    lead = order_of(case, "RSJ")
    assert case["work_orders"][0]["role"] == "lead"
    contact = next(c for c in case["clocks"] if c["kind"] == "first_contact")
    assert contact["due_at"] == "2026-11-24T17:00:00+08:00"  # contact within 1 working day

    case = ok(rsj.post(f"/work-orders/{lead}/receive", {}))
    seen.append(case["status"])
    case = ok(rsj.post(f"/work-orders/{lead}/contact", {"note": "已电话联系反映人，了解具体情况"}))
    assert next(c for c in case["clocks"] if c["kind"] == "first_contact")["stopped_at"] is not None

    case = ok(rsj.post(f"/cases/{ref}/pause", {"reason": "等待反映人补充离职证明"}))
    seen.append(case["status"])
    assert all(c["paused"] for c in case["clocks"] if c["stopped_at"] is None)
    monday.shift(timedelta(hours=2))
    case = ok(rsj.post(f"/cases/{ref}/resume"))
    assert case["status"] == "in_progress"
    resumed = next(c for c in case["clocks"] if c["kind"] == "resolution")
    assert resumed["due_at"] > resolution["due_at"]  # paused time does not count

    case = ok(rsj.post(f"/work-orders/{lead}/note", {"verification": "系统中失业登记未同步", "opinion": "协调街道重新推送"}))
    case = ok(rsj.post(f"/work-orders/{lead}/assist", {"units": ["YBJ"], "note": "请医保局协助核对参保状态"}))
    assisting = order_of(case, "YBJ")
    ok(ybj.post(f"/work-orders/{assisting}/receive"))

    case = ok(rsj.post(f"/work-orders/{lead}/reply", {"result": "已重新推送失业登记，反映人已成功申领。"}))
    seen.append(case["status"])
    assert case["status"] == "replied"  # the assisting unit is still working
    case = ok(ybj.post(f"/work-orders/{assisting}/reply", {"result": "参保状态正常。"}))
    seen.append(case["status"])
    assert case["status"] == "under_review"

    case = ok(head.post(f"/cases/{ref}/review", {"approve": False, "note": "请补充告知反映人到账时间"}))
    assert case["status"] == "in_progress"
    assert order_of(case, "RSJ", "received") == lead
    case = ok(rsj.post(f"/work-orders/{lead}/reply", {"result": "已告知反映人，失业金将于下月10日前到账。"}))
    assert case["status"] == "under_review"
    case = ok(head.post(f"/cases/{ref}/review", {"approve": True, "note": "同意"}))
    assert case["review_approved"] is True
    seen.append(case["status"])
    case = ok(head.post(f"/cases/{ref}/close", {"reporter_confirmed": True}))
    seen.append(case["status"])

    case = ok(dispatcher.post(f"/cases/{ref}/visit", {"rating": 2, "solved": False, "note": "钱还没到账"}))
    seen.append(case["status"])
    case = ok(zwb.post(f"/cases/{ref}/resupervise", {"reason": "回访不满意，限期整改"}))
    seen.append(case["status"])
    rectification = next(c for c in case["clocks"] if c["kind"] == "rectification")
    assert rectification["stopped_at"] is None and rectification["working_days"] == 5
    again = order_of(case, "RSJ", "pending")
    case = ok(rsj.post(f"/work-orders/{again}/receive"))
    assert case["status"] == "in_progress"
    ok(rsj.post(f"/work-orders/{again}/reply", {"result": "已督促发放，反映人确认到账。"}))
    ok(head.post(f"/cases/{ref}/review", {"approve": True}))
    ok(head.post(f"/cases/{ref}/close", {"reporter_confirmed": True}))
    case = ok(dispatcher.post(f"/cases/{ref}/visit", {"rating": 5, "solved": True}))
    assert case["status"] == "visited"

    assert seen == [
        "registered", "accepted", "dispatched", "in_progress", "paused", "replied", "under_review",
        "approved", "closed", "visited", "resupervised",
    ]
    actions = [e["action"] for e in case["timeline"]]
    for expected in ["registered", "accepted", "dispatched", "work_order_received", "reporter_contacted", "paused",
                     "resumed", "assistance_requested", "replied", "submitted_for_review", "review_returned",
                     "review_approved", "closed", "visited", "resupervised", "notice_issued"]:
        assert expected in actions
    changes = [e for e in case["timeline"] if e["status_after"]]
    assert all(e["actor"] and e["at"].endswith("+08:00") for e in changes)
    assert Event.objects.filter(case__reference=ref, action="visited").count() == 2


def test_not_accepted_and_resolved_on_site(district: District, monday: Any) -> None:
    registrar, head, dispatcher = district.api("registrar"), district.api("center_head"), district.api("dispatcher")
    ref = ok(registrar.post("/cases", case_body()), 201)["reference"]
    case = ok(registrar.post(f"/cases/{ref}/reject", {"reason": "该诉求超出法定受理期限，已告知反映人可通过诉讼途径解决"}))
    assert case["status"] == "not_accepted"
    assert case["rejection_reason"].startswith("该诉求超出")
    assert all(c["stopped_at"] for c in case["clocks"])

    ref = ok(registrar.post("/cases", case_body(matter=None, category="how")), 201)["reference"]
    case = ok(registrar.post(f"/cases/{ref}/resolve-on-site", {"result": "现场指导填写申请表，当场办结"}))
    assert case["status"] == "resolved_on_site"
    # It waits in the head's queue: closed on the reporter's word (at the counter), not silently.
    assert ref in [c["reference"] for c in ok(head.get("/cases", status="resolved_on_site"))["results"]]
    refused = head.post(f"/cases/{ref}/close")
    assert refused.status_code == 409 and "反映人尚未确认" in refused.json()["detail"]
    case = ok(head.post(f"/cases/{ref}/close", {"reporter_confirmed": True}))
    assert case["status"] == "closed"
    assert Case.objects.get(reference=ref).closure_basis == "confirmed"
    case = ok(dispatcher.post(f"/cases/{ref}/visit", {"rating": 5, "solved": True}))
    assert case["status"] == "visited"


def test_return_and_redispatch_and_dispatch_down(district: District, monday: Any) -> None:
    registrar, dispatcher = district.api("registrar"), district.api("dispatcher")
    rsj, town = district.api("rsj"), district.api("town_handler")
    ref = ok(registrar.post("/cases", case_body(matter="YBJ-002")), 201)["reference"]
    ok(registrar.post(f"/cases/{ref}/accept", {"handling_type": "coordinate", "complexity": "complex"}))
    case = ok(dispatcher.post(f"/cases/{ref}/dispatch", {}))
    ybj_order = order_of(case, "YBJ")
    case = ok(district.api("ybj").post(f"/work-orders/{ybj_order}/return", {"reason": "该问题属于人社部门职责"}))
    assert case["status"] == "accepted" and case["awaiting_manual_dispatch"] is True
    case = ok(dispatcher.post(f"/cases/{ref}/dispatch", {"lead_unit": "RSJ", "assisting_units": ["YBJ"]}))
    assert case["status"] == "dispatched" and not case["awaiting_manual_dispatch"]
    lead = order_of(case, "RSJ")
    ok(rsj.post(f"/work-orders/{lead}/receive"))
    case = ok(rsj.post(f"/work-orders/{lead}/dispatch-down", {"unit": "C-CH"}))
    town_order = order_of(case, "C-CH")
    assert next(o for o in case["work_orders"] if o["id"] == lead)["status"] == "transferred"
    ok(town.post(f"/work-orders/{town_order}/receive"))
    case = ok(town.post(f"/work-orders/{town_order}/reply", {"result": "街道已上门办理"}))
    assert case["status"] == "replied"  # the YBJ assisting order is still open

    # A returned order that was dispatched down goes back up to the department.
    ref2 = ok(registrar.post("/cases", case_body()), 201)["reference"]
    ok(registrar.post(f"/cases/{ref2}/accept", {"handling_type": "assist", "complexity": "simple"}))
    lead2 = order_of(ok(dispatcher.post(f"/cases/{ref2}/dispatch", {})), "RSJ")
    ok(rsj.post(f"/work-orders/{lead2}/receive"))
    down = order_of(ok(rsj.post(f"/work-orders/{lead2}/dispatch-down", {"unit": "C-CH"})), "C-CH")
    case = ok(town.post(f"/work-orders/{down}/return", {"reason": "不属于本街道"}))
    assert next(o for o in case["work_orders"] if o["id"] == lead2)["status"] == "received"
    assert case["status"] == "in_progress"


def test_town_matter_goes_to_the_reporters_town_and_unknown_waits(district: District, monday: Any) -> None:
    registrar, dispatcher = district.api("registrar"), district.api("dispatcher")
    ref = ok(registrar.post("/cases", case_body(matter="RSJ-001", locality="C-CH")), 201)["reference"]
    ok(registrar.post(f"/cases/{ref}/accept", {"handling_type": "assist", "complexity": "simple"}))
    case = ok(dispatcher.post(f"/cases/{ref}/dispatch", {}))
    assert [o["unit"]["code"] for o in case["work_orders"]] == ["C-CH"]

    # Nothing in the catalog, nor in what the routing model learnt, names this: it waits for a dispatcher.
    unknown = case_body(matter=None, business_name="", description="小区门口共享单车乱停放没人管", demand="希望有人管一管")
    ref = ok(registrar.post("/cases", unknown), 201)["reference"]
    ok(registrar.post(f"/cases/{ref}/accept", {"handling_type": "consult", "complexity": "simple"}))
    case = ok(dispatcher.post(f"/cases/{ref}/dispatch", {}))
    assert case["status"] == "accepted" and case["awaiting_manual_dispatch"] and case["work_orders"] == []
    queued = ok(dispatcher.get("/cases", status="accepted"))
    assert ref in [c["reference"] for c in queued["results"]]


def test_merge_duplicate_into_earlier_case(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    first = ok(registrar.post("/cases", case_body()), 201)["reference"]
    monday.shift(timedelta(minutes=30))
    second = ok(registrar.post("/cases", case_body(description="又来反映失业金的事")), 201)["reference"]
    r = registrar.post(f"/cases/{first}/merge", {"into": second})
    assert r.status_code == 422 and "更早" in r.json()["detail"]
    case = ok(registrar.post(f"/cases/{second}/merge", {"into": first}))
    assert case["status"] == "merged" and case["merged_into"] == first
    assert "duplicate_merged" in [e["action"] for e in ok(registrar.get(f"/cases/{first}"))["timeline"]]


def test_closing_waits_for_confirmation_or_the_objection_window(district: District, monday: Any) -> None:
    from banchengshi.sla.models import Policy

    Policy.objects.filter(is_default=True).update(objection_days=2)
    registrar, dispatcher, head, rsj = (district.api(n) for n in ("registrar", "dispatcher", "center_head", "rsj"))
    ref = ok(registrar.post("/cases", case_body()), 201)["reference"]
    ok(registrar.post(f"/cases/{ref}/accept", {"handling_type": "assist", "complexity": "simple"}))
    lead = order_of(ok(dispatcher.post(f"/cases/{ref}/dispatch", {})), "RSJ")
    ok(rsj.post(f"/work-orders/{lead}/receive"))
    ok(rsj.post(f"/work-orders/{lead}/reply", {"result": "已办结"}))
    r = head.post(f"/cases/{ref}/close")
    assert r.status_code == 409 and "审核" in r.json()["detail"]
    ok(head.post(f"/cases/{ref}/review", {"approve": True}))
    r = head.post(f"/cases/{ref}/close")
    assert r.status_code == 409 and "异议期" in r.json()["detail"]
    monday.move_to("2026-11-25T17:30:00+08:00")  # two working days after the reply have passed
    assert ok(head.post(f"/cases/{ref}/close"))["status"] == "closed"
    closed = Case.objects.get(reference=ref)
    assert closed.reporter_confirmed is False and closed.closure_basis == "no_objection"
    assert Event.objects.get(case=closed, action="closed").data["basis"] == "异议期满无异议"


def test_satisfied_and_solved_cases_are_not_resupervised(district: District, monday: Any) -> None:
    registrar, head, dispatcher = district.api("registrar"), district.api("center_head"), district.api("dispatcher")
    ref = ok(registrar.post("/cases", case_body()), 201)["reference"]
    ok(registrar.post(f"/cases/{ref}/resolve-on-site", {"result": "当场办结"}))
    ok(head.post(f"/cases/{ref}/close", {"reporter_confirmed": True}))
    ok(dispatcher.post(f"/cases/{ref}/visit", {"rating": 4, "solved": True}))
    r = district.api("admin_office").post(f"/cases/{ref}/resupervise", {"reason": "抽查"})
    assert r.status_code == 409 and "无需再督办" in r.json()["detail"]
    assert WorkOrder.objects.filter(case__reference=ref).count() == 0


def test_attachments_over_the_api(district: District, monday: Any) -> None:
    registrar, rsj = district.api("registrar"), district.api("rsj")
    ref = ok(registrar.post("/cases", case_body()), 201)["reference"]
    response = registrar.upload(f"/cases/{ref}/attachments", "解除劳动合同证明.pdf", pdf_bytes("proof"))
    stored = ok(response, 201)
    assert stored["name"] == "解除劳动合同证明.pdf" and stored["size"] == len(pdf_bytes("proof"))
    assert ok(registrar.get(f"/cases/{ref}"))["attachments"][0]["id"] == stored["id"]
    download = registrar.get(f"/attachments/{stored['id']}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes("proof")
    assert rsj.get(f"/attachments/{stored['id']}").status_code == 404  # RSJ holds no order yet
    bad = registrar.upload(f"/cases/{ref}/attachments", "run.exe", b"MZ")
    assert bad.status_code == 422 and "不是允许的文件类型" in bad.json()["detail"]
    missing = registrar.client.post(f"/api/v1/cases/{ref}/attachments", {}, HTTP_AUTHORIZATION=f"Bearer {registrar.token}")
    assert missing.status_code == 422


def test_contacting_the_reporter_while_paused_keeps_the_other_clocks_paused(district: District, monday: Any) -> None:
    registrar, dispatcher, rsj = district.api("registrar"), district.api("dispatcher"), district.api("rsj")
    ref = ok(registrar.post("/cases", case_body()), 201)["reference"]
    ok(registrar.post(f"/cases/{ref}/accept", {"handling_type": "assist", "complexity": "general"}))
    lead = order_of(ok(dispatcher.post(f"/cases/{ref}/dispatch", {})), "RSJ")
    ok(rsj.post(f"/work-orders/{lead}/receive"))
    ok(rsj.post(f"/cases/{ref}/pause", {"reason": "等待补充材料"}))
    monday.shift(timedelta(hours=1))
    case = ok(rsj.post(f"/work-orders/{lead}/contact", {"note": "已电话提醒补充材料"}))
    clocks = {c["kind"]: c for c in case["clocks"]}
    assert case["status"] == "paused"
    assert clocks["first_contact"]["stopped_at"] is not None and not clocks["first_contact"]["paused"]
    # Due Tue 17:00, plus the hour it was paused: 10:00 on Wednesday.
    assert clocks["first_contact"]["due_at"].startswith("2026-11-25T10:00")
    assert clocks["resolution"]["paused"] and clocks["resolution"]["stopped_at"] is None
