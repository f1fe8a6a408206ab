"""A handler sees the red reminder's count in the navigation bar, opens the reminders by clicking it,
marks the reminder read and follows it to the case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine

from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.reminders import remind_light_changes
from banchengshi.cases.tests.factories import case_in
from banchengshi.cases.tests.test_browser_flow import Desk
from banchengshi.conftest import District
from banchengshi.sla.deadlines import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_count_leads_to_the_reminder_and_marking_it_read_clears_it(browser: Any, server: Any, district: District) -> None:
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        case = case_in(district, CaseStatus.DISPATCHED)
    # The job runs when first contact is overdue; the reminder is delivered after its commit. The browser
    # then runs in real time (the session cookie's expiry is the real clock's).
    with time_machine.travel(datetime(2026, 11, 24, 17, 30, tzinfo=SHANGHAI), tick=False):
        assert remind_light_changes() == 1

    desk = Desk(browser, server.url)
    page = desk.page
    desk.login("rsj")
    bell = page.get_by_test_id("reminders-link")
    assert bell.get_by_test_id("unread-count").inner_text() == "1"
    assert bell.get_attribute("aria-label") == "提醒，1 条未读"
    bell.click()
    page.wait_for_url("**/reminders/")
    reminder = page.get_by_test_id("reminder")
    assert f"红灯：{case.reference} 首次联系时限已超时" in reminder.inner_text()
    desk.shot("reminders")
    reminder.get_by_role("button", name="标为已读").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("unread-count").count() == 0
    assert "已读于" in page.get_by_test_id("reminder").inner_text()
    page.get_by_role("link", name=f"查看反映件 {case.reference}").click()
    page.wait_for_url(f"**/cases/{case.reference}/")
