"""The overdue list of the center head (its center and the centers below) and of the admin office
(everything), linked from their home page."""

from __future__ import annotations

from datetime import datetime

import time_machine
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in, register
from banchengshi.conftest import District
from banchengshi.sla.deadlines import SHANGHAI


def home_of(district: District, name: str) -> str:
    client = Client()
    sign_in(client, district.users[name])
    return client.get("/").content.decode()


def overdue_section(page: str) -> str:
    start = page.index('data-testid="queue-overdue"')
    return page[start : page.index("</section>", start)]


def test_center_heads_and_the_admin_office_see_the_overdue_cases_of_their_scope(district: District) -> None:
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        district_case = case_in(district, S.DISPATCHED)  # registered at the district center, held by 人社局
        town_case = register(district, center="C-CH")  # registered at a town center below it
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI), tick=False):
        fresh = register(district, center="C-CH", minutes_ago=30)  # within its limits
        pages = {name: home_of(district, name) for name in ("center_head", "town_head", "admin_office", "rsj", "dispatcher")}

    head = overdue_section(pages["center_head"])
    assert district_case.reference in head and town_case.reference in head
    town = overdue_section(pages["town_head"])
    assert town_case.reference in town and district_case.reference not in town and fresh.reference not in town
    office = overdue_section(pages["admin_office"])
    assert district_case.reference in office and town_case.reference in office
    for name in ("center_head", "town_head", "admin_office"):
        assert 'data-testid="overdue-link"' in pages[name] and 'href="#queue-overdue"' in pages[name]
        assert 'href="/ledger/?light=red"' in pages[name]
    # Handlers and dispatchers work from their own queues; the overdue watch list is not theirs.
    for name in ("rsj", "dispatcher"):
        assert 'data-testid="queue-overdue"' not in pages[name] and 'data-testid="overdue-link"' not in pages[name]
