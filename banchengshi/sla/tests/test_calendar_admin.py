"""The admin types a year in from the State Council's notice, checked day by day, and publishes it when
complete: only then do deadlines use it and the “尚未录入” warning stop."""

from __future__ import annotations

import re
from typing import Any

import time_machine
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Clock
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.sla.models import CalendarYear

BANNER_2027 = "2027年的法定节假日和调休安排尚未录入"


def admin_office(district: District) -> Client:
    client = Client()
    sign_in(client, district.users["admin_office"])
    return client


def year_form(year: int, days: list[tuple[str, str, str]]) -> dict[str, Any]:
    form: dict[str, Any] = {"year": year, "source": "国务院办公厅通知", "days-TOTAL_FORMS": len(days),
                            "days-INITIAL_FORMS": 0, "days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    for i, (day, kind, name) in enumerate(days):
        form.update({f"days-{i}-date": day, f"days-{i}-kind": kind, f"days-{i}-name": name})
    return form


def test_a_monday_is_refused_as_a_make_up_workday(district: District) -> None:
    response = admin_office(district).post("/admin/sla/calendaryear/add/", year_form(2027, [
        ("2027-01-01", "holiday", "元旦"), ("2027-02-01", "workday", "春节调休上班"),
    ]))
    assert response.status_code == 200  # the form again, with the error
    assert "2027-02-01 是星期一，本来就上班；调休上班日须是星期六或星期日" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_weekend_holidays_duplicates_and_other_years_are_refused(district: District) -> None:
    html = admin_office(district).post("/admin/sla/calendaryear/add/", year_form(2027, [
        ("2027-01-01", "holiday", "元旦"), ("2027-01-02", "holiday", "元旦"),
        ("2027-02-08", "holiday", "春节"), ("2027-02-08", "workday", ""),
        ("2028-01-03", "holiday", ""),
    ])).content.decode()
    assert "2027-01-02 是星期六，本来就休息，无需录入为节假日" in html
    assert "2027-02-08 已在第3行录入，同一日期只能录入一次" in html
    assert "2028-01-03 不属于2027年" in html
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_three_unpublished_dates_keep_the_warning_until_published(district: District) -> None:
    with time_machine.travel("2026-12-30T10:00:00+08:00", tick=True):
        case = case_in(district, S.DISPATCHED)
        clock = Clock.objects.get(case=case, kind="resolution")
        assert clock.due_at.isoformat() == "2027-01-04T09:00:00+00:00" and clock.calendar_fallback
        client = admin_office(district)
        saved = client.post("/admin/sla/calendaryear/add/", year_form(2027, [
            ("2027-01-01", "holiday", "元旦"), ("2027-01-04", "holiday", "元旦（示例）"),
            ("2027-02-06", "workday", "春节调休上班"),
        ]), follow=True)
        assert "尚未发布" in saved.content.decode()
        assert CalendarYear.objects.get(year=2027).published is False

        # Three dates typed in are not a calendar: the warning stays everywhere, and no clock moved.
        assert BANNER_2027 in client.get("/admin/").content.decode()
        assert BANNER_2027 in client.get("/").content.decode()
        assert district.api("dispatcher").get("/calendar/2027").json()["loaded"] is False
        clock.refresh_from_db()
        assert clock.due_at.isoformat() == "2027-01-04T09:00:00+00:00" and clock.calendar_fallback

        # Publishing asks first, then publishes and moves the open clocks.
        action = {"action": "publish", "_selected_action": ["2027"]}
        asked = client.post("/admin/sla/calendaryear/", action)
        assert asked.status_code == 200 and "确认发布" in asked.content.decode()
        assert "2027年1月4日" in asked.content.decode()
        assert CalendarYear.objects.get(year=2027).published is False
        done = client.post("/admin/sla/calendaryear/", {**action, "confirm": "yes"}, follow=True)
        assert re.search(r"2027年日历已发布，已按新日历重算 \d+ 个未完成的时限，其中 1 个时限有变化", done.content.decode())

        assert CalendarYear.objects.get(year=2027).published is True
        assert BANNER_2027 not in client.get("/admin/").content.decode()
        clock.refresh_from_db()
        assert clock.due_at.isoformat() == "2027-01-06T09:00:00+00:00"  # 1 and 4 January are holidays now
        assert clock.calendar_fallback is False
        assert Event.objects.filter(action="calendar_published", data__year=2027).exists()
        assert Event.objects.get(case=case, action="clock_recomputed").data["reason"] == "2027年日历发布"


def test_seeded_years_are_published(district: District) -> None:
    assert not CalendarYear.objects.filter(published=False).exists()
    assert CalendarYear.objects.filter(published=True).count() == 2026 - 2004 + 1
