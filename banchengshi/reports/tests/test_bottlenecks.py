"""堵点分析: every count (this quarter, the previous one, the change) equals a count written differently —
plain ORM reads of the raw rows, grouped in Python — over generated cases spanning two quarters; each
count's ledger link finds exactly its cases; a unit's user sees only its scope; repeat reporters are found
by the phone's hash and shown masked."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases.choices import FORMER_HOLDER, UNSATISFIED_RATINGS, CaseStatus, WorkOrderRole
from banchengshi.cases.models import Case, Clock, Visit, WorkOrder
from banchengshi.cases.selectors import CaseFilters, cases_visible_to, filter_cases
from banchengshi.cases.tests.factories import case_in, register
from banchengshi.conftest import District
from banchengshi.demo.generate import generate_cases
from banchengshi.reports import bottlenecks
from banchengshi.reports.bottlenecks import FAILURES, Quarter, analyse
from banchengshi.reports.figures import scope_for
from banchengshi.sla.deadlines import SHANGHAI

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI)
Q3 = Quarter(2026, 3)


@pytest.fixture
def generated(district: District) -> None:
    """Cases from April to the end of October: the second and third quarters in full, and some after."""
    with time_machine.travel(NOW, tick=False):
        generate_cases(1600, start=datetime(2026, 4, 1, tzinfo=SHANGHAI), end=datetime(2026, 10, 31, tzinfo=SHANGHAI), seed=21)


def expected(quarter: Quarter, case_ids: set[int] | None = None) -> Counter[tuple[str, str, str]]:
    """(dimension, key, failure) → cases, counted from the rows with plain filters and Python."""
    lo, hi = quarter.period.bounds
    cases = Case.objects.filter(received_at__gte=lo, received_at__lt=hi)
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    rows = {pk: (status, matter, center, reasons, resupervised) for pk, status, matter, center, reasons, resupervised
            in cases.values_list("pk", "status", "matter__code", "center__code", "reasons", "resupervision_count")}
    late = set()
    for case_id, stopped, due, paused, cancelled in Clock.objects.filter(case_id__in=rows).values_list(
            "case_id", "stopped_at", "due_at", "paused_at", "cancelled"):
        if cancelled:
            continue
        if (stopped is not None and stopped > due) or (stopped is None and paused is None and due < NOW) or (
                stopped is None and paused is not None and due < paused):
            late.add(case_id)
    latest: dict[int, tuple[Any, int, int]] = {}
    for case_id, at, pk, rating in Visit.objects.filter(case_id__in=rows).values_list("case_id", "visited_at", "pk", "rating"):
        if case_id not in latest or (at, pk) > latest[case_id][:2]:
            latest[case_id] = (at, pk, rating)
    leads: dict[int, set[str]] = {}
    for case_id, unit, role, status in WorkOrder.objects.filter(case_id__in=rows).values_list("case_id", "unit__code", "role", "status"):
        if role == WorkOrderRole.LEAD and status not in FORMER_HOLDER:
            leads.setdefault(case_id, set()).add(unit)
    failed = {
        "not_accepted": {pk for pk, r in rows.items() if r[0] == CaseStatus.NOT_ACCEPTED},
        "late": late,
        "unsatisfied": {pk for pk, v in latest.items() if v[2] in UNSATISFIED_RATINGS},
        "resupervised": {pk for pk, r in rows.items() if r[4] > 0},
    }
    counts: Counter[tuple[str, str, str]] = Counter()
    for failure, ids in failed.items():
        for pk in ids:
            status, matter, center, reasons, _ = rows[pk]
            counts["matter", matter or "", failure] += 1
            counts["center", center, failure] += 1
            for reason in set(reasons):
                counts["reason", reason, failure] += 1
            for unit in leads.get(pk, ()):
                counts["lead_unit", unit, failure] += 1
    counts.update({("total", "", f): len(ids) for f, ids in failed.items()})
    return counts


def ledger_count(user: Any, url: str) -> int:
    params = dict(parse_qsl(urlsplit(url).query))
    with time_machine.travel(NOW, tick=False):
        return filter_cases(cases_visible_to(user), CaseFilters.model_validate(params)).count()


def test_every_count_and_change_equals_the_raw_rows(district: District, generated: None, monkeypatch: Any) -> None:
    monkeypatch.setattr(bottlenecks, "TOP", 10_000)  # every row, not the first ten
    analysis = analyse(scope_for(district.users["admin_office"]), Q3, NOW, clusters=False)
    now, before = expected(Q3), expected(Q3.previous)
    assert sum(now.values()) > 200 and sum(before.values()) > 200  # both quarters have failures of every kind
    assert all(now["total", "", f.key] > 0 and before["total", "", f.key] > 0 for f in FAILURES)
    for total in analysis.totals:
        assert (total.count, total.previous) == (now["total", "", total.failure.key], before["total", "", total.failure.key])
        assert total.change == total.count - total.previous
    found = {(dim, r.key, r.failure.key): r for dim, rows in analysis.rows.items() for r in rows}
    assert {k for k, v in now.items() if v and k[0] != "total"} == set(found)  # the rows of this quarter, no other
    for key, row in found.items():
        assert (row.count, row.previous) == (now[key], before[key]), key
        assert row.change == now[key] - before[key]
        assert row.change_share == (None if not before[key] else (now[key] - before[key]) / before[key])
    # Ranked: most failures first.
    for rows in analysis.rows.values():
        assert [r.count for r in rows] == sorted((r.count for r in rows), reverse=True)


def test_the_first_rows_are_the_largest_and_their_links_find_their_cases(district: District, generated: None) -> None:
    admin = district.users["admin_office"]
    analysis = analyse(scope_for(admin), Q3, NOW, clusters=False)
    now = expected(Q3)
    before = expected(Q3.previous)
    for dim, rows in analysis.rows.items():
        assert 0 < len(rows) <= bottlenecks.TOP
        largest = sorted((v for k, v in now.items() if k[0] == dim and v), reverse=True)[: len(rows)]
        assert [r.count for r in rows] == largest
        top = rows[0]
        assert ledger_count(admin, top.url) == top.count
        assert ledger_count(admin, top.previous_url) == before[dim, top.key, top.failure.key]
    for total in analysis.totals:
        assert ledger_count(admin, total.url) == total.count
        assert ledger_count(admin, total.previous_url) == total.previous


def test_a_department_sees_only_its_cases_and_no_other_unit(district: District, generated: None) -> None:
    rsj = district.users["rsj"]
    mine = set(WorkOrder.objects.filter(unit__code="RSJ").values_list("case_id", flat=True))
    analysis = analyse(scope_for(rsj), Q3, NOW, clusters=False)
    now = expected(Q3, mine)
    assert [t.count for t in analysis.totals] == [now["total", "", f.key] for f in FAILURES]
    assert sum(t.count for t in analysis.totals) < sum(expected(Q3)["total", "", f.key] for f in FAILURES)
    for dim, rows in analysis.rows.items():
        for row in rows:
            assert row.count == now[dim, row.key, row.failure.key]
            assert "scope" not in row.url or "scope=RSJ" in row.url
            assert ledger_count(rsj, row.url) == row.count  # the ledger, under the department's own visibility

    client = sign_in(Client(), rsj)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/bottlenecks/", {"year": 2026, "quarter": 3})
        refused = client.get("/bottlenecks/", {"year": 2026, "quarter": 3, "unit": "C-CH"})
        api_refused = district.api("rsj").get("/bottlenecks", year=2026, quarter=3, unit="C-CH")
    assert page.status_code == 200
    assert refused.status_code == 403 and "您无权查看" in refused.content.decode()
    assert api_refused.status_code == 403
    html = page.content.decode()
    # No case reference from outside the department's scope appears on its page.
    outside = set(Case.objects.exclude(pk__in=mine).values_list("reference", flat=True))
    assert not outside & set(re.findall(r"GEN-?[0-9A-Z-]+", html))
    assert "发起整改" not in html  # the rectification button is the admin office's


def test_the_page_and_the_api_agree_and_default_to_the_last_full_quarter(district: District, generated: None) -> None:
    client = sign_in(Client(), district.users["admin_office"])
    with time_machine.travel(NOW, tick=False):
        page = client.get("/bottlenecks/")
        api = district.api("admin_office").get("/bottlenecks")
        bad = client.get("/bottlenecks/", {"year": 2026, "quarter": 7})
        half = district.api("admin_office").get("/bottlenecks", year=2026)
    assert page.status_code == 200 and api.status_code == 200
    body = api.json()
    assert (body["year"], body["quarter"], body["from"], body["to"]) == (2026, 3, "2026-07-01", "2026-09-30")
    assert body["previous_from"] == "2026-04-01"
    html = page.content.decode()
    assert "2026年第3季度" in html and "环比 2026年第2季度" in html
    for row in body["bottlenecks"]["matter"][:3]:
        assert f'data-row="matter:{row["key"]}:{row["failure"]}"' in html
    top = body["bottlenecks"]["lead_unit"][0]
    assert top["change"] == top["count"] - top["previous"]
    # The admin office gets a 发起整改 link per row, to the rectification page with the row's subject.
    assert html.count('data-testid="rectify"') == sum(len(rows) for rows in body["bottlenecks"].values())
    assert "/rectifications/new/?unit=" in html and "dimension=matter" in html
    # A lead unit's row names the unit itself: the rectification counts all its cases, no dimension.
    lead_link = re.search(r'data-row="lead_unit:[^"]*"[^>]*>.*?href="(/rectifications/new/\?[^"]+)"', html, re.S)
    assert lead_link is not None and "dimension" not in lead_link.group(1)
    with time_machine.travel(NOW, tick=False):
        form = client.get(lead_link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200 and top["label"] in form.content.decode()  # the form opens pre-filled
    assert bad.status_code == 422 and "季度" in bad.content.decode()
    assert sign_in(Client(), district.users["zwb_auditor"]).get("/bottlenecks/").status_code == 403  # no figures role
    assert half.status_code == 422 and "请同时选择年份和季度" in half.json()["detail"]


def test_repeat_reporters_are_found_by_the_phone_and_shown_masked(district: District) -> None:
    with time_machine.travel(datetime(2026, 8, 3, 10, 0, tzinfo=SHANGHAI), tick=True):
        for minutes in (300, 200, 100):
            register(district, reporter_phone="13912345678", reporter_name="李四光", minutes_ago=minutes)
        register(district, reporter_phone="13700001111")
        case_in(district, CaseStatus.NOT_ACCEPTED, reporter_phone="13912345678", reporter_name="李四光")
    client = sign_in(Client(), district.users["admin_office"])
    with time_machine.travel(NOW, tick=False):
        analysis = analyse(scope_for(district.users["admin_office"]), Q3, NOW)
        html = client.get("/bottlenecks/", {"year": 2026, "quarter": 3}).content.decode()
    assert [(r.phone, r.count, r.name) for r in analysis.repeat_reporters] == [("139****5678", 4, "李**")]
    assert len(analysis.repeat_reporters[0].cases) == 4
    assert "139****5678" in html and "13912345678" not in html and "李四光" not in html
    assert "13700001111" not in html and "137****1111" not in html  # one report is no repeat
    # The four cases say the same thing: one text cluster of them.
    assert [c.size for c in analysis.clusters] == [5]
    assert {"失业", "保险金"} <= set(analysis.clusters[0].keywords)


def test_a_quarter_is_its_three_months() -> None:
    assert Q3.period.start.isoformat() == "2026-07-01" and Q3.period.end.isoformat() == "2026-09-30"
    assert Quarter(2026, 1).previous == Quarter(2025, 4)
    assert Quarter(2026, 4).period.end.isoformat() == "2026-12-31"
    assert Quarter.last_full((NOW + timedelta(days=40)).date()) == Quarter(2026, 4)
    assert Quarter.last_full(NOW.date()) == Q3
