"""Every transition that the table does not allow is refused with 409, over HTTP, from every state."""

from __future__ import annotations

from typing import Any

import pytest

from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in, register
from banchengshi.cases.transitions import TRANSITIONS
from banchengshi.conftest import District

# endpoint: (user, the transition it takes, body); review approves in place, from UNDER_REVIEW only.
ENDPOINTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "accept": ("registrar", "accept", {"handling_type": "assist", "complexity": "simple"}),
    "reject": ("registrar", "reject", {"reason": "不属于受理范围"}),
    "resolve-on-site": ("registrar", "resolve_on_site", {"result": "当场办结"}),
    "merge": ("registrar", "merge", {}),
    "dispatch": ("dispatcher", "dispatch", {"lead_unit": "RSJ"}),
    "pause": ("center_handler", "pause", {"reason": "等待补充材料"}),
    "resume": ("center_handler", "resume", {}),
    "review": ("center_head", "approve", {"approve": True}),
    "close": ("center_head", "close", {"reporter_confirmed": True}),
    "visit": ("registrar", "visit", {"rating": 3, "solved": True}),
    "resupervise": ("admin_office", "resupervise", {"reason": "再督办"}),
}


def refused_pairs() -> list[tuple[S, str]]:
    pairs = []
    for status in S:
        for endpoint, (_, transition, _) in ENDPOINTS.items():
            if status not in TRANSITIONS[transition].sources:
                pairs.append((status, endpoint))
    return pairs


@pytest.mark.parametrize("status", list(S))
def test_transitions_outside_the_table_answer_409(district: District, monday: Any, status: S) -> None:
    case = case_in(district, status)
    assert case.status == status
    earlier = register(district, minutes_ago=120)
    endpoints = [e for s, e in refused_pairs() if s == status]
    assert endpoints, f"every state refuses something ({status})"
    for endpoint in endpoints:
        user, _, body = ENDPOINTS[endpoint]
        if endpoint == "merge":
            body = {"into": earlier.reference}
        response = district.api(user).post(f"/cases/{case.reference}/{endpoint}", body)
        assert response.status_code == 409, (status, endpoint, response.content.decode())
        assert response.json()["detail"]
        assert Case.objects.get(pk=case.pk).status == status  # nothing changed


def test_the_matrix_covers_every_state_and_refuses_most_pairs() -> None:
    pairs = refused_pairs()
    assert {s for s, _ in pairs} == set(S)
    assert len(pairs) > 100
    # The case that slipped through a from/to table: "accept" on a case a unit returned or is handling.
    assert (S.IN_PROGRESS, "accept") in pairs and (S.DISPATCHED, "accept") in pairs


def test_work_order_actions_out_of_order_answer_409(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED)
    lead = case.work_orders.get()
    rsj = district.api("rsj")
    for path, body in [("reply", {"result": "x"}), ("contact", {"note": "x"}), ("assist", {"units": ["YBJ"]})]:
        r = rsj.post(f"/work-orders/{lead.pk}/{path}", body)
        assert r.status_code == 409, (path, r.content)
    assert rsj.post(f"/work-orders/{lead.pk}/receive").status_code == 200
    assert rsj.post(f"/work-orders/{lead.pk}/receive").status_code == 409
