"""The statutory calendar over the API and the admin: 2027 is not loaded, and nobody is left guessing."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Clock
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.sla.models import CalendarYear, Policy

# The State Council's 2027 arrangement is not in chinese-calendar; this is a test fixture, not the real notice.
HOLIDAYS_2027 = ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"]
WORKDAYS_2027 = ["2027-02-06", "2027-02-20"]


def test_seeded_years_and_the_2026_national_day(district: District) -> None:
    assert set(CalendarYear.objects.values_list("year", flat=True)) == set(range(2004, 2027))
    body = district.api("registrar").get("/calendar/2026").json()
    assert body["loaded"] and body["warning"] is None
    assert "2026-10-08" not in body["holidays"] and "2026-10-07" in body["holidays"]
    assert "2026-10-10" in body["workdays"]


def test_2027_shows_the_warning_in_the_api(district: District) -> None:
    registrar = district.api("registrar")
    body = registrar.get("/calendar/2027").json()
    assert body["loaded"] is False and "2027" in body["warning"] and "周一至周五" in body["warning"]
    due = registrar.get("/calendar/due", start="2027-02-10T10:00:00+08:00", working_days=2, center="FWZX")
    assert due.status_code == 200
    assert due.json()["due_at"] == "2027-02-12T17:00:00+08:00"  # Monday-Friday fallback
    assert due.json()["warnings"] and "2027" in due.json()["warnings"][0]
    plain = registrar.get("/calendar/due", start="2026-09-30T10:00:00", working_days=3, center="FWZX").json()
    assert plain == {"due_at": "2026-10-10T17:00:00+08:00", "warn_at": "2026-10-09T17:00:00+08:00", "warnings": []}


def test_a_case_whose_clock_runs_into_2027_carries_the_warning(district: District) -> None:
    with time_machine.travel("2026-12-30T10:00:00+08:00", tick=True):
        case = case_in(district, S.DISPATCHED)
        body = district.api("registrar").get(f"/cases/{case.reference}").json()
    resolution = next(c for c in body["clocks"] if c["kind"] == "resolution")
    assert resolution["calendar_fallback"] is True
    assert resolution["due_at"] == "2027-01-04T17:00:00+08:00"
    assert any("2027" in w for w in body["warnings"])


def test_the_admin_shows_the_missing_year(district: District) -> None:
    client = Client()
    sign_in(client, district.users["admin_office"])
    for url in ["/admin/", "/admin/sla/calendaryear/"]:
        page = client.get(url)
        assert page.status_code == 200
        assert "2027年的法定节假日和调休安排尚未录入" in page.content.decode()


def test_putting_2027_recomputes_open_clocks_and_logs_it(district: District) -> None:
    with time_machine.travel("2027-02-04T10:00:00+08:00", tick=True):
        case = case_in(district, S.DISPATCHED)
        clock = Clock.objects.get(case=case, kind="resolution")
        assert clock.due_at.isoformat() == "2027-02-09T09:00:00+00:00"  # 3 working days, Mon-Fri fallback
        registrar = district.api("registrar")
        assert registrar.put("/calendar/2027", {"holidays": HOLIDAYS_2027}).status_code == 403
        r = district.api("admin_office").put("/calendar/2027", {"holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027})
        assert r.status_code == 200, r.content
        assert r.json()["loaded"] and r.json()["moved_clocks"] >= 1
        clock.refresh_from_db()
        # Thu 4 Feb: Fri 5, Sat 6 (调休), then the holiday to 12 Feb, Mon 15 is the third working day.
        assert clock.due_at.isoformat() == "2027-02-15T09:00:00+00:00"
        assert clock.calendar_fallback is False
        event = Event.objects.get(case=case, action="clock_recomputed")
        assert event.data["reason"] == "2027年日历调整"
        assert registrar.get("/calendar/2027").json()["warning"] is None


def test_bad_calendars_are_refused_and_change_nothing(district: District) -> None:
    zwb = district.api("admin_office")
    for body, fragment in [
        ({"holidays": ["2026-01-01"]}, "不属于 2027 年"),
        ({"holidays": ["2027-01-01"], "workdays": ["2027-01-04"]}, "调休上班日应为周六或周日"),
        ({"holidays": ["2027-02-06"], "workdays": ["2027-02-06"]}, "既是节假日又是调休上班日"),
        ({"holidays": ["2027-13-01"]}, "日期格式不正确"),
    ]:
        r = zwb.put("/calendar/2027", body)
        assert r.status_code == 422 and fragment in r.json()["detail"], r.content
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_changing_a_policy_recomputes_open_clocks(district: District, monday: Any) -> None:
    from banchengshi.cases.actions.calendar import do_update_policy

    case = case_in(district, S.DISPATCHED)
    clock = Clock.objects.get(case=case, kind="resolution")
    assert clock.working_days == 3
    policy = Policy.objects.get(is_default=True)
    _, run = do_update_policy(policy, acting_user=district.users["admin_office"], general_days=2)
    assert run.moved == 1
    clock.refresh_from_db()
    assert clock.working_days == 2 and clock.due_at.isoformat() == "2026-11-25T09:00:00+00:00"
    assert Event.objects.filter(case=case, action="clock_recomputed").exists()


def test_editing_a_policy_in_the_admin_recomputes(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED)
    policy = Policy.objects.get(is_default=True)
    client = Client()
    sign_in(client, district.users["admin_office"])
    form = client.get(f"/admin/sla/policy/{policy.pk}/change/")
    assert form.status_code == 200
    data = {k: ("" if v is None else v) for k, v in Policy.objects.filter(pk=policy.pk).values().get().items()}
    data.update(general_days=5, is_default="on")
    data = {k: v for k, v in data.items() if k not in {"id", "updated_at"} and v is not False}
    r = client.post(f"/admin/sla/policy/{policy.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Clock.objects.get(case=case, kind="resolution").working_days == 5


def test_holiday_names_are_chinese(district: District) -> None:
    from banchengshi.sla.models import CalendarDay

    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).name == "国庆节调休上班"
