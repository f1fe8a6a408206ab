"""A return visit is due for a period (the policy's `visit_days` working days after the day of closing),
not forever: the 待回访 queue holds the cases within it, and those whose period ran out go to a list of
their own, 逾期未回访, page by page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases import actions, views
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import LAPSED_VISITS, QUEUES, queue_cases
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.sla.calendar import WorkCalendar
from banchengshi.sla.deadlines import SHANGHAI, period_start
from banchengshi.sla.models import Policy

TO_VISIT = next(q for q in QUEUES if q.key == "to-visit")


def at(day: date, hour: int = 10) -> Any:
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI), tick=False)


def closed_on(district: District, day: date, hour: int = 10) -> Case:
    with at(day, hour):
        return case_in(district, S.CLOSED)


def section(page: str, key: str) -> str:
    start = page.index(f'data-testid="queue-{key}"')
    return page[start : page.index("</section>", start)]


def test_a_period_counts_working_days_back_across_holidays() -> None:
    plain = WorkCalendar()
    # Closed on Monday 2 November: 10 working days later is Monday 16 November, the period's last day.
    assert period_start(date(2026, 11, 16), 10, plain) == date(2026, 11, 2)
    assert plain.working_days_after(date(2026, 11, 1), 10) == date(
        2026, 11, 13
    )  # closed on Sunday: due a day sooner
    assert period_start(date(2026, 11, 17), 10, plain) == date(2026, 11, 3)
    # A week of holidays stretches the period over them (closed before the holiday: still due after it).
    golden = WorkCalendar(holidays=frozenset(date(2026, 10, d) for d in range(1, 8)))
    assert period_start(date(2026, 10, 9), 2, golden) == date(2026, 9, 30)
    assert period_start(date(2026, 10, 9), 2, plain) == date(2026, 10, 7)
    with pytest.raises(ValueError, match="at least one"):
        period_start(date(2026, 11, 16), 0, plain)


def test_the_queue_keeps_the_visits_of_the_period_and_the_rest_go_to_their_own_list(
    district: District,
) -> None:
    dispatcher = district.users["dispatcher"]
    early = closed_on(district, date(2026, 11, 2))  # its period ends on Monday 16 November
    late = closed_on(district, date(2026, 11, 10))
    assert (
        Policy.objects.filter(visit_days=10).count() == Policy.objects.count()
    )  # the default (no seed names one)

    with at(date(2026, 11, 16)):
        queue = set(queue_cases(dispatcher, TO_VISIT) or [])
        assert queue == {early, late}
        assert list(queue_cases(dispatcher, LAPSED_VISITS) or []) == []
    with at(date(2026, 11, 17)):
        assert set(queue_cases(dispatcher, TO_VISIT) or []) == {late}
        assert list(queue_cases(dispatcher, LAPSED_VISITS) or []) == [early]
        client = Client()
        sign_in(client, dispatcher)
        home = client.get("/").content.decode()
        visits = section(home, "to-visit")
        assert late.reference in visits and early.reference not in visits
        assert "11月24日前回访" in visits  # closed on 10 November: its period's last day
        assert 'href="/lapsed-visits/"' in visits
        lapsed = client.get("/lapsed-visits/")
        assert lapsed.status_code == 200
        text = lapsed.content.decode()
        assert "逾期未回访" in text and early.reference in text and late.reference not in text
        assert "共 1 件" in text and "2026-11-16前" in text

    # The period is the policy's, not a constant: a longer one brings the case back into the queue.
    Policy.objects.update(visit_days=15)
    with at(date(2026, 11, 17)):
        assert set(queue_cases(dispatcher, TO_VISIT) or []) == {early, late}
        assert list(queue_cases(dispatcher, LAPSED_VISITS) or []) == []
    Policy.objects.update(visit_days=10)

    # A lapsed visit can still be made; the case then leaves the list.
    with at(date(2026, 11, 18)):
        actions.do_visit_case(early, acting_user=dispatcher, rating=5, solved=True)
        assert list(queue_cases(dispatcher, LAPSED_VISITS) or []) == []


def test_the_lapsed_list_pages_by_keyset_and_refuses_who_does_not_visit(
    district: District, monkeypatch: Any
) -> None:
    first = closed_on(district, date(2026, 10, 12))
    second = closed_on(district, date(2026, 10, 13))
    third = closed_on(district, date(2026, 10, 13), hour=11)
    monkeypatch.setattr(views, "LAPSED_ROWS", 2)
    client = Client()
    sign_in(client, district.users["dispatcher"])
    with at(date(2026, 11, 17)):
        page = client.get("/lapsed-visits/").content.decode()
        assert page.index(third.reference) < page.index(second.reference) and first.reference not in page
        token = page.split('href="?cursor=')[1].split('"')[0]
        following = client.get(f"/lapsed-visits/?cursor={token}").content.decode()
        assert (
            first.reference in following
            and second.reference not in following
            and third.reference not in following
        )
        assert 'data-testid="lapsed-next"' not in following and "第一页" in following
        bad = client.get("/lapsed-visits/?cursor=not-a-cursor")
        assert bad.status_code == 422 and "翻页参数无效" in bad.content.decode()
        handler = Client()
        sign_in(handler, district.users["rsj"])
        assert handler.get("/lapsed-visits/").status_code == 403
