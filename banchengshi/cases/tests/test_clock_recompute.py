"""Issue 14: a calendar or policy change recomputes only the open clocks, in bulk (a bounded number of
queries per batch, not per clock), in a job when they are many, with its progress kept and shown."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.integrity import verify_chain
from banchengshi.audit.models import Event
from banchengshi.cases import clocks as clock_module
from banchengshi.cases.actions.calendar import do_set_calendar_year, do_update_policy
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Clock, ClockRecompute, RecomputeStatus
from banchengshi.cases.tests.factories import assert_next_due_kept, case_in
from banchengshi.conftest import District
from banchengshi.sla.calendar import WorkCalendar, from_chinese_calendar
from banchengshi.sla.deadlines import SHANGHAI
from banchengshi.sla.models import Policy


@pytest.fixture(autouse=True)
def next_due_kept(db: None) -> Iterator[None]:
    """After each test: the queues' stored order (`Case.next_due_at`) agrees with the clocks."""
    yield
    assert_next_due_kept()


HOLIDAYS_2027 = [date(2027, 1, 1), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10), date(2027, 2, 11), date(2027, 2, 12)]


def walked(calendar: WorkCalendar, day: date, n: int) -> date:
    for _ in range(n):
        day += timedelta(days=1)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
    return day


def test_the_working_day_index_agrees_with_walking_day_by_day() -> None:
    years = from_chinese_calendar()
    calendar = WorkCalendar(frozenset(d for h, _w in years.values() for d in h),
                            frozenset(d for _h, w in years.values() for d in w), frozenset(years))
    rng = random.Random(14)
    for _ in range(20_000):
        day = date(1999, 6, 1) + timedelta(days=rng.randrange(0, 38_000))  # before, in and after the index's span
        n = rng.randrange(0, 80)
        assert calendar.working_days_after(day, n) == walked(calendar, day, n), (day, n)
    # The 2026 National Day: 1–7 October off, Saturday 10 October a 调休 workday.
    assert calendar.working_days_after(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.working_days_after(date(2026, 10, 9), 1) == date(2026, 10, 10)


@pytest.fixture
def open_cases(district: District) -> list[Any]:
    with time_machine.travel(datetime(2027, 2, 4, 10, 0, tzinfo=SHANGHAI), tick=True):
        return [case_in(district, S.DISPATCHED) for _ in range(6)]


def test_a_calendar_change_moves_every_open_clock_in_a_bounded_number_of_queries(
    district: District, open_cases: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock_module, "RECOMPUTE_BATCH", 4)  # six cases' clocks: several batches
    running = Clock.objects.filter(stopped_at__isnull=True).count()
    assert running >= 6
    with time_machine.travel(datetime(2027, 2, 4, 11, 0, tzinfo=SHANGHAI), tick=True), \
            CaptureQueriesContext(connection) as queries:
        _, run = do_set_calendar_year(2027, holidays=HOLIDAYS_2027, workdays=[date(2027, 2, 6)],
                                      acting_user=district.users["admin_office"])
    assert run.status == RecomputeStatus.DONE and run.total == running and run.done == running
    assert run.moved >= 6  # every resolution clock of the six cases crosses the Spring Festival
    batches = -(-running // 4) + 1  # the last one finds no row
    # Per batch about twelve (savepoints, the calendar's stamp, the units, the default policy, the rows, one
    # UPDATE, the chain's head, one INSERT of the events, the progress); never one per clock.
    assert len(queries) <= 25 + 14 * batches, len(queries)
    for case in open_cases:
        clock = Clock.objects.get(case=case, kind="resolution")
        assert clock.due_at.isoformat() == "2027-02-15T09:00:00+00:00"
        moved = Event.objects.get(case=case, action="clock_recomputed", data__clock="resolution")
        assert moved.data["reason"] == "2027年日历调整" and moved.actor == district.users["admin_office"]
    assert verify_chain().intact


def test_many_open_clocks_are_moved_by_a_job_whose_progress_the_admin_office_sees(
    district: District, open_cases: list[Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CLOCK_RECOMPUTE_INLINE_MAX = 3  # fewer than the open clocks: the change hands them to the job
    policy = Policy.objects.get(is_default=True)
    with time_machine.travel(datetime(2027, 2, 4, 11, 0, tzinfo=SHANGHAI), tick=True):
        with django_capture_on_commit_callbacks(execute=False) as waiting:
            _, run = do_update_policy(policy, acting_user=district.users["admin_office"], general_days=5)
        assert run.status == RecomputeStatus.QUEUED and run.moved == 0
        clock = Clock.objects.get(case=open_cases[0], kind="resolution")
        assert clock.working_days == 3  # not moved yet: the request answered at once

        client = Client()
        sign_in(client, district.users["admin_office"])
        page = client.get("/admin/cases/clockrecompute/").content.decode()
        assert "时限规则" in page and "排队中" in page and f"0/{run.total}（0%）" in page

        for callback in waiting:
            callback()  # the commit: the job runs (at once in tests)
    run.refresh_from_db()
    assert run.status == RecomputeStatus.DONE and run.done == run.total and run.moved >= 6
    clock.refresh_from_db()
    assert clock.working_days == 5
    page = client.get("/admin/cases/clockrecompute/").content.decode()
    assert "已完成" in page and f"{run.total}/{run.total}（100%）" in page


def test_a_failed_recomputation_says_so_and_a_retry_finishes_it(
    district: District, open_cases: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from banchengshi.cases.actions.calendar import run_clock_recompute

    run = ClockRecompute.objects.create(reason="测试", scope={}, total=Clock.objects.filter(stopped_at__isnull=True).count(),
                                        created_at=datetime(2027, 2, 4, 3, 0, tzinfo=SHANGHAI))
    original = clock_module.center_rules
    monkeypatch.setattr(clock_module, "center_rules", lambda: (_ for _ in ()).throw(RuntimeError("数据库连接中断")))
    with pytest.raises(RuntimeError):
        run_clock_recompute(run)
    run.refresh_from_db()
    assert run.status == RecomputeStatus.FAILED and "数据库连接中断" in run.error
    monkeypatch.setattr(clock_module, "center_rules", original)
    assert run_clock_recompute(run).status == RecomputeStatus.DONE


def test_a_calendar_change_reads_only_the_clocks_whose_span_can_hold_a_changed_day(
    district: District, open_cases: list[Any]
) -> None:
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=True):
        earlier = case_in(district, S.DISPATCHED)  # its limits end in November 2026, long before the holidays
    before = {c.pk: c.due_at for c in Clock.objects.filter(case=earlier)}
    with time_machine.travel(datetime(2027, 2, 4, 11, 0, tzinfo=SHANGHAI), tick=True):
        _, run = do_set_calendar_year(2027, holidays=HOLIDAYS_2027, workdays=[], acting_user=district.users["admin_office"])
        in_span = Clock.objects.filter(stopped_at__isnull=True).exclude(case=earlier).count()
        assert run.total == in_span and run.scope == {"from": "2026-12-31", "to": "2027-02-14"}
        # Taking one holiday out again reads only the clocks around it.
        _, again = do_set_calendar_year(2027, holidays=HOLIDAYS_2027[:-1], workdays=[], acting_user=district.users["admin_office"])
        assert again.scope == {"from": "2027-02-11", "to": "2027-02-14"}
        _, same = do_set_calendar_year(2027, holidays=HOLIDAYS_2027[:-1], workdays=[], acting_user=district.users["admin_office"])
        assert same.total == 0 and same.moved == 0  # nothing changed, nothing read
    assert {c.pk: c.due_at for c in Clock.objects.filter(case=earlier)} == before
    assert not Event.objects.filter(case=earlier, action="clock_recomputed").exists()
