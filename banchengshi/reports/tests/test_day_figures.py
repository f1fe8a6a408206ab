"""The whole district's figures are added up from day summaries: they follow every change of a case — by
an action, by a bulk update that no Python code sees — and the passing of time (a clock running past its
limit), always equal to the figures counted directly."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case, Clock, Visit
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import MONDAY_10AM, District
from banchengshi.reports.figures import Figures, Period, Scope, compute, public_scope
from banchengshi.reports.models import DayFigures, StaleDay

pytestmark = pytest.mark.django_db
PERIOD = Period(date(2026, 11, 1), date(2026, 11, 30))


def counted(now: datetime) -> Figures:
    """The same figures counted over the cases directly (a scope with a condition is never summarised)."""
    scope = Scope(Case.objects.filter(pk__gt=0))
    assert not scope.whole and public_scope().whole
    return compute(scope, PERIOD, now)


def stale_in_period() -> bool:
    return StaleDay.objects.filter(day__gte=PERIOD.start, day__lte=PERIOD.end).exists()


def same(a: Figures, b: Figures) -> None:
    assert a.as_api() | {"at": None} == b.as_api() | {"at": None}


def test_summaries_follow_actions_bulk_updates_and_time(district: District) -> None:
    with time_machine.travel(MONDAY_10AM, tick=False):
        closed = case_in(district, CaseStatus.CLOSED)
        running = case_in(district, CaseStatus.IN_PROGRESS)
        now = MONDAY_10AM
        first = compute(public_scope(), PERIOD, now)
        same(first, counted(now))
        assert first.registered == 2 and first.closed == 1
        assert DayFigures.objects.filter(day=MONDAY_10AM.date()).exists()
        assert not stale_in_period()

        # An action: the summary is marked stale by the database and redone.
        case_in(district, CaseStatus.NOT_ACCEPTED)
        assert StaleDay.objects.filter(day=MONDAY_10AM.date()).exists()
        second = compute(public_scope(), PERIOD, now)
        same(second, counted(now))
        assert (second.registered, second.not_accepted) == (3, 1)

    # A bulk update (no save(), no signal): still seen.
    Case.objects.filter(pk=closed.pk).update(closed_at=None, status=CaseStatus.RESUPERVISED, resupervision_count=1)
    third = compute(public_scope(), PERIOD, now)
    same(third, counted(now))
    assert (third.closed, third.resupervised_cases) == (0, 1)

    # Time alone: the running case's resolution clock passes its limit; nothing was written meanwhile.
    clock = Clock.objects.get(case=running, kind="resolution")
    later = clock.due_at + timedelta(minutes=1)
    before = {o.kind: o.late for o in third.on_time}["resolution"]
    assert not stale_in_period()
    fourth = compute(public_scope(), PERIOD, later)
    same(fourth, counted(later))
    assert {o.kind: o.late for o in fourth.on_time}["resolution"] == before + 1
    assert {b.key: b.count for b in fourth.open_by_light}["red"] >= 1

    # Asked for an earlier moment than the summary's: redone for that moment.
    same(compute(public_scope(), PERIOD, now), counted(now))


def test_a_deleted_visit_or_a_moved_case_leaves_its_day(district: District) -> None:
    with time_machine.travel(MONDAY_10AM, tick=False):
        case = case_in(district, CaseStatus.VISITED)
        f = compute(public_scope(), PERIOD, MONDAY_10AM)
        assert (f.rated, f.visited) == (1, 1)
        Visit.objects.filter(case=case).delete()
        f = compute(public_scope(), PERIOD, MONDAY_10AM)
        same(f, counted(MONDAY_10AM))
        assert (f.rated, f.visited) == (0, 0)
        # Received on another day (a corrected date): gone from the old day, counted on the new one.
        Case.objects.filter(pk=case.pk).update(received_at=MONDAY_10AM - timedelta(days=40))
        f = compute(public_scope(), PERIOD, MONDAY_10AM)
        same(f, counted(MONDAY_10AM))
        assert f.registered == 0
        assert compute(public_scope(), Period(date(2026, 10, 1), date(2026, 10, 31)), MONDAY_10AM).registered == 1
