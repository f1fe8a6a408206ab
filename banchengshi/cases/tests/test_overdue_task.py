from __future__ import annotations

import time_machine

from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tasks import note_overdue_clocks
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District


def test_overdue_clocks_are_noted_once(district: District) -> None:
    with time_machine.travel("2026-11-23T10:00:00+08:00", tick=True):
        case = case_in(district, S.DISPATCHED)
        assert note_overdue_clocks() == 0
    with time_machine.travel("2026-11-24T17:30:00+08:00", tick=True):
        assert note_overdue_clocks() == 1  # first contact was due Tue 17:00
        assert note_overdue_clocks() == 0
        body = district.api("dispatcher").get(f"/cases/{case.reference}").json()
        assert district.api("dispatcher").get("/cases", light="red").json()["count"] == 1
    assert Event.objects.filter(case=case, action="clock_overdue").count() == 1
    assert next(c for c in body["clocks"] if c["kind"] == "first_contact")["light"] == "red"
    with time_machine.travel("2026-11-23T11:00:00+08:00", tick=True):
        # The light is computed as of now, not stored: before the limit the same case is not red.
        assert district.api("dispatcher").get("/cases", light="red").json()["count"] == 0
