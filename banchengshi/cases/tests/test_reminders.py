"""Reminders to a clock's unit when its light turns yellow and red: once per clock and colour, in the
workbench and by e-mail, also when a policy change moves the clock, whoever runs the job how often."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.accounts.services import do_create_staff
from banchengshi.cases import reminders
from banchengshi.cases.actions.calendar import do_update_policy
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.choices import ClockKind
from banchengshi.cases.models import AlertLight, Case, Clock, ClockAlert
from banchengshi.cases.reminders import remind_light_changes
from banchengshi.cases.tasks import remind_light_changes_task
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import STAFF_PASSWORD, District
from banchengshi.notify.models import Message, MessageKind, Notice
from banchengshi.sla.deadlines import SHANGHAI
from banchengshi.sla.services import effective_policy

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
MONDAY_17_30 = datetime(2026, 11, 23, 17, 30, tzinfo=SHANGHAI)  # first contact (due Tue 17:00) is yellow
TUESDAY_17_30 = datetime(2026, 11, 24, 17, 30, tzinfo=SHANGHAI)  # … and red


def dispatched_case(district: District) -> Case:
    with time_machine.travel(MONDAY_10, tick=False):
        return case_in(district, S.DISPATCHED)


def rsj_staff(district: District) -> dict[str, User]:
    """人社局's handlers: one with an e-mail address, one without, one whose account is disabled."""
    rsj = district.users["rsj"]
    User.objects.filter(pk=rsj.pk).update(email="rsj@example.gov.cn")
    second, _ = do_create_staff("rsj2", unit=district.units["RSJ"], role="handler", password=STAFF_PASSWORD)
    gone, _ = do_create_staff("rsj-gone", unit=district.units["RSJ"], role="handler", password=STAFF_PASSWORD)
    User.objects.filter(pk=gone.pk).update(is_active=False, email="gone@example.gov.cn")
    return {"rsj": rsj, "rsj2": second, "gone": gone}


def run_at(at: datetime, capture: Any) -> int:
    """One run of the job at `at`, with what it queued sent after its commits (as a consumer would)."""
    with time_machine.travel(at, tick=False), capture(execute=True):
        return remind_light_changes(timezone.now())


def alerts(case: Case) -> set[tuple[str, str, bool]]:
    return set(ClockAlert.objects.filter(clock__case=case).values_list("clock__kind", "light", "told"))


def notices_by_user(case: Case) -> Counter[tuple[str, str]]:
    return Counter(
        (n.user.username, "红灯" if n.title.startswith("红灯") else "黄灯")
        for n in Notice.objects.filter(subject=case.reference).select_related("user")
    )


def test_yellow_then_red_tell_the_unit_once_each_whoever_runs_the_job(
    district: District, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    case = dispatched_case(district)
    staff = rsj_staff(district)
    contact = Clock.objects.get(case=case, kind=ClockKind.FIRST_CONTACT)
    assert run_at(MONDAY_10, django_capture_on_commit_callbacks) == 0  # green: nothing to tell

    assert run_at(MONDAY_17_30, django_capture_on_commit_callbacks) == 1
    assert alerts(case) == {(ClockKind.FIRST_CONTACT, AlertLight.YELLOW, True)}
    assert notices_by_user(case) == {("rsj", "黄灯"): 1, ("rsj2", "黄灯"): 1}
    notice = Notice.objects.filter(user=staff["rsj"], subject=case.reference).get()
    assert notice.link == f"/cases/{case.reference}/" and "首次联系" in notice.title and notice.read_at is None
    assert "11月24日 17:00" in notice.text and case.reporter_phone not in notice.text
    assert [(m.to, m.subject) for m in mailoutbox] == [(["rsj@example.gov.cn"], f"【办成事】{notice.title}")]

    # Later runs in the same minute and the next, the periodic task (once per period), a second consumer
    # calling the job itself: nothing more.
    assert run_at(MONDAY_17_30, django_capture_on_commit_callbacks) == 0
    with time_machine.travel(MONDAY_17_30, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert remind_light_changes_task.call_local() == 0
        assert remind_light_changes_task.call_local() is None  # this minute's run is taken
    assert run_at(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI), django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 1 and Notice.objects.filter(subject=case.reference).count() == 2

    assert run_at(TUESDAY_17_30, django_capture_on_commit_callbacks) == 1
    assert alerts(case) == {
        (ClockKind.FIRST_CONTACT, AlertLight.YELLOW, True), (ClockKind.FIRST_CONTACT, AlertLight.RED, True)
    }
    for again in (TUESDAY_17_30, datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)):
        assert run_at(again, django_capture_on_commit_callbacks) == 0
    assert notices_by_user(case) == {("rsj", "黄灯"): 1, ("rsj2", "黄灯"): 1, ("rsj", "红灯"): 1, ("rsj2", "红灯"): 1}
    assert [m.subject for m in mailoutbox][1].startswith("【办成事】红灯") and len(mailoutbox) == 2
    assert not Notice.objects.filter(user=staff["gone"]).exists()
    assert not Notice.objects.filter(user__unit__code="YBJ").exists()
    red = ClockAlert.objects.get(clock=contact, light=AlertLight.RED)
    assert red.recipients == 2 and red.due_at == contact.due_at


def test_a_consumer_that_read_before_the_other_committed_tells_nothing(
    district: District, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race itself, made deterministic: the second consumer's read missed the first one's alert (its
    transaction had not committed), so it tries to insert the same row; the constraint refuses it and
    nothing is queued, in a batch or one by one."""
    case = dispatched_case(district)
    assert run_at(TUESDAY_17_30, django_capture_on_commit_callbacks) == 1
    # First seen red: the red reminder only; yellow is recorded as passed, never told later.
    assert alerts(case) == {(ClockKind.FIRST_CONTACT, AlertLight.YELLOW, False), (ClockKind.FIRST_CONTACT, AlertLight.RED, True)}
    assert notices_by_user(case) == {("rsj", "红灯"): 1}
    before = Message.objects.count()

    def stale_read(clocks: list[Clock], now: datetime) -> list[ClockAlert]:
        return [ClockAlert(clock=c, light=light, at=now, due_at=c.due_at) for c in clocks for light in AlertLight]

    monkeypatch.setattr(reminders, "_new_alerts", stale_read)
    contact = Clock.objects.select_related("case", "case__center", "work_order__unit").get(
        case=case, kind=ClockKind.FIRST_CONTACT
    )
    with time_machine.travel(TUESDAY_17_30, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert reminders._alert([contact], timezone.now()) == 0
    assert Message.objects.count() == before
    assert ClockAlert.objects.filter(clock=contact).count() == 2


# serialized_rollback: the district comes back after the flush, for the tests after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_consumers_at_once_tell_each_colour_once(mailoutbox: list[Any]) -> None:
    """Two job consumers run at the same moment on their own connections. On PostgreSQL only: SQLite's
    in-memory test database reaches threads through a shared cache that answers "table is locked" at once
    instead of waiting for the writer (a file database in WAL mode waits, IMMEDIATE transactions in turn).
    The race's outcome on both databases is the test above."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite cannot hold two writers waiting on each other")
    district = _district()
    with time_machine.travel(MONDAY_10, tick=False):
        case = case_in(district, S.DISPATCHED)
    User.objects.filter(pk=district.users["rsj"].pk).update(email="rsj@example.gov.cn")
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def consumer() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(remind_light_changes(TUESDAY_17_30))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    with time_machine.travel(TUESDAY_17_30, tick=False):
        threads = [threading.Thread(target=consumer) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert sorted(results) == [0, 1]  # the clock was first seen red: one red notice, the yellow passed
    assert alerts(case) == {(ClockKind.FIRST_CONTACT, AlertLight.YELLOW, False), (ClockKind.FIRST_CONTACT, AlertLight.RED, True)}
    assert notices_by_user(case) == {("rsj", "红灯"): 1}
    assert Message.objects.filter(subject=case.reference, kind=MessageKind.EMAIL).count() == 1
    assert len(mailoutbox) == 1


def _district() -> District:
    from banchengshi.accounts.models import Unit
    from banchengshi.conftest import STAFF

    units = {u.code: u for u in Unit.objects.all()}
    users = {u.username: u for u in User.objects.filter(username__in=STAFF).select_related("unit")}
    return District(units, users)


def test_a_policy_change_that_turns_a_clock_yellow_tells_at_once(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    case = dispatched_case(district)
    with time_machine.travel(datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI), tick=False):
        assert run_at(timezone.now(), django_capture_on_commit_callbacks) == 0  # all green at 11:00
        policy = effective_policy(case.center)
        with django_capture_on_commit_callbacks(execute=True):
            # Warn 48 h before the limit: first contact (due Tue 17:00) is yellow from its start.
            _, run = do_update_policy(policy, acting_user=district.users["admin_office"], warn_hours=48)
        assert run.moved >= 1
    # Told without the periodic job: the change's own after-commit run did it.
    assert (ClockKind.FIRST_CONTACT, AlertLight.YELLOW, True) in alerts(case)
    assert notices_by_user(case)[("rsj", "黄灯")] == 1
    # Moving it back to green and yellow again does not tell the same colour twice.
    with time_machine.travel(datetime(2026, 11, 23, 11, 5, tzinfo=SHANGHAI), tick=False):
        for warn_hours in (24, 48):  # green again, then yellow again, each change committed and run
            with django_capture_on_commit_callbacks(execute=True):
                do_update_policy(policy, acting_user=district.users["admin_office"], warn_hours=warn_hours)
    assert notices_by_user(case)[("rsj", "黄灯")] == 1


def test_whole_case_clocks_tell_the_center_and_the_lead_unit_and_paused_clocks_wait(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    case = dispatched_case(district)
    with time_machine.travel(MONDAY_10, tick=False):
        paused = case_in(district, S.PAUSED)
    wednesday_evening = datetime(2026, 11, 25, 17, 30, tzinfo=SHANGHAI)
    run_at(wednesday_evening, django_capture_on_commit_callbacks)
    resolution = Clock.objects.get(case=case, kind=ClockKind.RESOLUTION)
    assert ClockAlert.objects.filter(clock=resolution, light=AlertLight.YELLOW, told=True).exists()
    told = {n.user.username for n in Notice.objects.filter(subject=case.reference, title__contains="办结")}
    # The registration center's handlers and head, and the lead unit's handlers (a department has no head).
    assert told == {"center_handler", "center_head", "rsj"}
    assert not Notice.objects.filter(user__username__in=["registrar", "dispatcher", "admin_office"]).exists()
    # A paused clock's light is frozen: nobody is told while it waits for the reporter.
    assert not ClockAlert.objects.filter(clock__case=paused).exists()


def test_the_scan_does_not_grow_with_the_clocks(district: District, django_capture_on_commit_callbacks: Any) -> None:
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        dispatched_case(district)

    def counted() -> int:
        with CaptureQueriesContext(connection) as captured:
            run_at(MONDAY_17_30, django_capture_on_commit_callbacks)
        return len([q for q in captured if not any(t in q["sql"] for t in ("notify_", "SAVEPOINT"))])

    few = counted()
    for _ in range(5):
        dispatched_case(district)
    assert counted() == few  # reading clocks, alerts, orders and staff: per batch, not per clock
    assert ClockAlert.objects.filter(light=AlertLight.YELLOW).count() == 8
