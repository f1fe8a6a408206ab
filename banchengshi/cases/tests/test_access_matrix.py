"""One matrix decides who may do what: for every (role, action) pair the API's answer, the page's button
and the role's worklist agree with accounts.access.ROLES_FOR and the scope rules of the DESIGN."""

from __future__ import annotations

from typing import Any

import pytest

from banchengshi.accounts.access import ROLES_FOR, Need
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.selectors import CASE_ACTIONS
from banchengshi.cases.tests.factories import case_in, register
from banchengshi.cases.tests.test_one_rule import queue_section
from banchengshi.cases.tests.test_workbench import client_for
from banchengshi.conftest import District

ROLES = ["registrar", "dispatcher", "center_head", "rsj", "admin_office", "overseer"]

# action: (state the case is in, API path after /cases/{ref}, body, the worklist it waits in, the page form)
ACTIONS: dict[str, tuple[S, str, dict[str, Any], str, str]] = {
    "accept": (S.REGISTERED, "accept", {"handling_type": "assist", "complexity": "general"}, "to-accept", "accept"),
    "reject": (S.REGISTERED, "reject", {"reason": "不属于受理范围"}, "to-accept", "reject"),
    "resolve": (S.REGISTERED, "resolve-on-site", {"result": "当场办结"}, "to-accept", "resolve"),
    "merge": (S.REGISTERED, "merge", {}, "to-accept", "merge"),
    "dispatch": (S.ACCEPTED, "dispatch", {"lead_unit": "RSJ"}, "to-dispatch", "dispatch"),
    "pause": (S.IN_PROGRESS, "pause", {"reason": "等待补充材料"}, "my-orders", "pause"),
    "resume": (S.PAUSED, "resume", {}, "my-orders", "resume"),
    "approve": (S.UNDER_REVIEW, "review", {"approve": True}, "to-review", "review"),
    "review_return": (S.UNDER_REVIEW, "review", {"approve": False, "note": "请补充"}, "to-review", "review"),
    "close": (S.APPROVED, "close", {"reporter_confirmed": True}, "to-close", "close"),
    "visit": (S.CLOSED, "visit", {"rating": 4, "solved": True}, "to-visit", "visit"),
    "resupervise": (S.VISITED, "resupervise", {"reason": "回访不满意"}, "to-resupervise", "resupervise"),
}


def test_the_table_covers_every_case_transition() -> None:
    assert {a for a, rule in CASE_ACTIONS.items() if rule.transition} == set(ACTIONS)


def expected(district: District, role: str, action: str, status: S) -> bool:
    """What the matrix and the scope rules say: the role holds the need; a department sees a case only
    through an order it holds (from dispatch on); handling needs the unit that holds the order (RSJ)."""
    need = CASE_ACTIONS[action].need
    user = district.users[role]
    if user.role not in ROLES_FOR[need]:
        return False
    if role == "rsj" and status in (S.REGISTERED, S.ACCEPTED):
        return False  # not visible at all
    if need is Need.HANDLE:
        return role == "rsj"
    return True


@pytest.mark.parametrize("action", list(ACTIONS))
def test_api_buttons_and_worklists_agree_with_the_matrix(district: District, monday: Any, action: str) -> None:
    status, path, body, queue, form = ACTIONS[action]
    earlier = register(district, minutes_ago=600)
    allowed_somewhere = False
    for role in ROLES:
        case = case_in(district, status)
        want = expected(district, role, action, status)
        allowed_somewhere |= want
        page = client_for(district, role)
        detail = page.get(f"/cases/{case.reference}/")
        button = detail.status_code == 200 and f"/cases/{case.reference}/act/{form}/" in detail.content.decode()
        listed = case.reference in queue_section(page.get("/").content.decode(), queue)
        payload = {"into": earlier.reference} if action == "merge" else body
        answer = district.api(role).post(f"/cases/{case.reference}/{path}", payload)
        assert (answer.status_code == 200) is want, (role, action, answer.status_code, answer.content.decode()[:200])
        if not want:
            assert answer.status_code in (403, 404) and answer.json()["detail"], (role, action)
        assert button is want, (role, action, "button")
        assert listed is want, (role, action, "worklist")
    assert allowed_somewhere, action
