"""Lists that stay flat as history grows: `GET /cases` pages on by a cursor (keyset) beside its page numbers,
the ledger's 下一页 goes on from the last case shown, and counts stop at 1000 ("1000 件以上", count_capped)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import time_machine
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases import search, views
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import register
from banchengshi.conftest import District
from banchengshi.lib.pagination import BadCursor, Cursor
from banchengshi.reports import views as report_views
from banchengshi.sla.deadlines import SHANGHAI


def five_cases(district: District) -> list[Case]:
    """Newest first; two received at the very same moment (the id breaks the tie)."""
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        cases = [register(district, minutes_ago=m) for m in (50, 40, 30, 30, 10)]
    return sorted(cases, key=lambda c: (c.received_at, c.pk), reverse=True)


def test_the_api_pages_on_by_cursor_as_by_page(district: District) -> None:
    newest_first = [c.reference for c in five_cases(district)]
    api = district.api("dispatcher")
    by_page = [
        c["reference"] for p in (1, 2, 3) for c in api.get("/cases", page=p, page_size=2).json()["results"]
    ]
    assert by_page == newest_first
    walked, cursor, answers = [], None, 0
    while True:
        answer = api.get("/cases", page_size=2, **({"cursor": cursor} if cursor else {})).json()
        answers += 1
        walked += [c["reference"] for c in answer["results"]]
        assert (answer["count"], answer["count_capped"]) == (5, False)
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert walked == newest_first and answers == 3
    # The page-numbered answer gives the cursor of the page after it, too.
    second = api.get("/cases", page=2, page_size=2).json()
    assert [
        c["reference"] for c in api.get("/cases", page_size=2, cursor=second["next_cursor"]).json()["results"]
    ] == newest_first[4:]
    # Filters hold along the cursor, and visibility: a department sees only its own.
    assert (
        api.get("/cases", page_size=2, cursor=second["next_cursor"], status="accepted").json()["results"]
        == []
    )


def test_a_cursor_the_api_did_not_write_is_refused_in_chinese(district: District) -> None:
    five_cases(district)
    api = district.api("dispatcher")
    for bad in ("x", "bm90IGEgY3Vyc29y", Cursor(datetime(2026, 11, 23, 10, 0), 3).encode(), "a" * 121):
        answer = api.get("/cases", cursor=bad)
        assert answer.status_code == 422, bad
        assert "cursor" in answer.json()["detail"]
    # Ranked by relevance (few matches): no keyset order to go on from.
    ranked = api.get(
        "/cases", q="失业", cursor=Cursor(datetime(2026, 11, 23, 2, 0, tzinfo=SHANGHAI), 1).encode()
    )
    assert ranked.status_code == 422 and "相关度" in ranked.json()["detail"]
    assert api.get("/cases", q="失业").json()["next_cursor"] is None


def test_cursors_round_trip_and_refuse_damage() -> None:
    at = datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=SHANGHAI)
    assert Cursor.decode(Cursor(at, 42).encode()) == Cursor(at, 42)
    for damaged in ("", "!!!", Cursor(at, 42).encode()[:-3], "MjAyNi0xMS0yM3w0Mg"):
        try:
            Cursor.decode(damaged)
        except BadCursor:
            continue
        raise AssertionError(damaged)


def test_counts_stop_at_the_limit_and_say_so(district: District, monkeypatch: Any) -> None:
    five_cases(district)
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    answer = district.api("dispatcher").get("/cases", page_size=2).json()
    assert (answer["count"], answer["count_capped"], len(answer["results"])) == (3, True, 2)
    client = Client()
    sign_in(client, district.users["dispatcher"])
    assert "3 件以上" in client.get("/ledger/").content.decode()
    monkeypatch.setattr(search, "COUNT_LIMIT", 5)
    assert "共 5 件" in client.get("/ledger/").content.decode()  # at the limit: exact


def test_the_ledger_pages_on_from_the_last_case_shown(district: District, monkeypatch: Any) -> None:
    newest_first = [c.reference for c in five_cases(district)]
    monkeypatch.setattr(report_views, "LEDGER_ROWS", 2)
    client = Client()
    sign_in(client, district.users["dispatcher"])
    seen: list[str] = []
    page = client.get("/ledger/", {"status": "registered"}).content.decode()
    while True:
        seen += [ref for ref in newest_first if f">{ref}</a>" in page]
        assert "共 5 件" in page
        if 'data-testid="ledger-next"' not in page:
            break
        href = page.split('" data-testid="ledger-next"')[0].rsplit('href="', 1)[1].replace("&amp;", "&")
        assert "status=registered" in href  # the filters go along
        page = client.get("/ledger/" + href).content.decode()
        assert 'data-testid="ledger-first"' in page
    assert seen == newest_first
    bad = client.get("/ledger/", {"cursor": "garbage"})
    assert bad.status_code == 422 and "翻页参数无效" in bad.content.decode()


def test_the_home_page_lists_the_first_cases_of_each_queue_and_opens_one_in_full(
    district: District, monkeypatch: Any
) -> None:
    cases = five_cases(district)  # newest first; all wait for acceptance
    monkeypatch.setattr(views, "HOME_ROWS", 2)
    client = Client()
    sign_in(client, district.users["registrar"])
    home = client.get("/").content.decode()
    start = home.index('data-testid="queue-to-accept"')
    section = home[start : home.index("</section>", start)]
    assert sum(c.reference in section for c in cases) == 2
    assert 'data-testid="queue-count">5<' in section and "列出前 2 件" in section
    assert 'href="?queue=to-accept"' in section
    alone = client.get("/", {"queue": "to-accept"}).content.decode()
    assert all(c.reference in alone for c in cases) and 'data-testid="queue-to-dispatch"' not in alone
    assert "返回全部待办" in alone
    # A queue that is not the user's is no filter: the home page as usual.
    assert 'data-testid="queue-to-accept"' in client.get("/", {"queue": "overdue"}).content.decode()
    # The badge counts no further than an opened queue lists: "4 件以上" when the queue shows 4 of 5.
    monkeypatch.setattr(views, "QUEUE_ROWS", 4)
    home = client.get("/").content.decode()
    start = home.index('data-testid="queue-to-accept"')
    assert 'data-testid="queue-count">4 件以上<' in home[start : home.index("</section>", start)]
    alone = client.get("/", {"queue": "to-accept"}).content.decode()
    assert sum(c.reference in alone for c in cases) == 4 and 'data-testid="queue-count">4 件以上<' in alone
