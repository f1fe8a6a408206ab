"""经办与审核、回访分离: one dispatcher cannot run the whole loop of a case alone (issue 10)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.models import Case
from banchengshi.conftest import District, case_body
from banchengshi.sla.services import effective_policy


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()


def handled_alone(district: District) -> tuple[Any, str]:
    """The dispatcher registers, accepts, dispatches to its own center, receives, handles and replies."""
    dispatcher = district.api("dispatcher")
    ref = ok(dispatcher.post("/cases", case_body()), 201)["reference"]
    ok(dispatcher.post(f"/cases/{ref}/accept", {"handling_type": "assist", "complexity": "general"}))
    case = ok(dispatcher.post(f"/cases/{ref}/dispatch", {"lead_unit": "FWZX"}))
    order = case["work_orders"][0]["id"]
    ok(dispatcher.post(f"/work-orders/{order}/receive", {}))
    ok(dispatcher.post(f"/work-orders/{order}/note", {"verification": "核实", "opinion": "自办"}))
    case = ok(dispatcher.post(f"/work-orders/{order}/reply", {"result": "已办结。"}))
    assert case["status"] == "under_review"
    return dispatcher, ref


def refusals(ref: str) -> list[dict[str, Any]]:
    return [e.data for e in Event.objects.filter(case__reference=ref, action="duty_separation_refused")]


def test_the_one_dispatcher_loop_is_refused_at_approve_close_and_visit(district: District, monday: Any) -> None:
    case_policy = effective_policy(district.units["FWZX"])
    assert case_policy.separate_duties  # on by default
    dispatcher, ref = handled_alone(district)

    # No review button on the page, and the API refuses, saying why.
    page = Client()
    sign_in(page, district.users["dispatcher"])
    html = page.get(f"/cases/{ref}/").content.decode()
    assert "审核通过" not in html
    refused = dispatcher.post(f"/cases/{ref}/review", {"approve": True})
    assert refused.status_code == 403 and refused.json()["detail"] == "经办人不能审核自己办理的反映件"
    assert dispatcher.post(f"/cases/{ref}/review", {"approve": False, "note": "自己退回"}).status_code == 403
    assert page.post(f"/cases/{ref}/act/review/", {"approve": "1"}).status_code == 403
    assert Case.objects.get(reference=ref).status == "under_review"
    assert ref not in page.get("/").content.decode().split('data-testid="queue-to-review"')[1].split("</section>")[0]

    # Someone else reviews; the handler may still not close, nor make the return visit.
    ok(district.api("center_head").post(f"/cases/{ref}/review", {"approve": True}))
    refused = dispatcher.post(f"/cases/{ref}/close", {"reporter_confirmed": True})
    assert refused.status_code == 403 and "经办人不能办结" in refused.json()["detail"]
    ok(district.api("center_head").post(f"/cases/{ref}/close", {"reporter_confirmed": True}))
    refused = dispatcher.post(f"/cases/{ref}/visit", {"rating": 5, "solved": True})
    assert refused.status_code == 403 and "经办人不能回访" in refused.json()["detail"]
    assert Case.objects.get(reference=ref).status == "closed"
    ok(district.api("registrar").post(f"/cases/{ref}/visit", {"rating": 5, "solved": True}))

    # Every refused attempt is in the audit log, with who tried what.
    attempts = refusals(ref)
    assert [a["attempted"] for a in attempts] == ["approve", "review_return", "approve", "close", "visit"]
    assert all(e.actor == district.users["dispatcher"] for e in Event.objects.filter(action="duty_separation_refused"))


def test_with_the_policy_off_one_actor_may_close_the_loop(district: District, monday: Any) -> None:
    policy = effective_policy(district.units["FWZX"])
    policy.separate_duties = False
    policy.save()
    dispatcher, ref = handled_alone(district)
    ok(dispatcher.post(f"/cases/{ref}/review", {"approve": True}))
    ok(dispatcher.post(f"/cases/{ref}/close", {"reporter_confirmed": True}))
    assert ok(dispatcher.post(f"/cases/{ref}/visit", {"rating": 5, "solved": True}))["status"] == "visited"
    assert refusals(ref) == []


def test_resolved_on_the_spot_is_closed_and_visited_by_others(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    ref = ok(registrar.post("/cases", case_body()), 201)["reference"]
    ok(registrar.post(f"/cases/{ref}/resolve-on-site", {"result": "当场办结"}))
    # The registrar could visit, but not a case it resolved itself; the dispatcher closes and visits.
    ok(district.api("center_head").post(f"/cases/{ref}/close", {"reporter_confirmed": True}))
    refused = registrar.post(f"/cases/{ref}/visit", {"rating": 5, "solved": True})
    assert refused.status_code == 403 and "经办人不能回访" in refused.json()["detail"]
    ok(district.api("dispatcher").post(f"/cases/{ref}/visit", {"rating": 5, "solved": True}))
    assert [a["attempted"] for a in refusals(ref)] == ["visit"]
