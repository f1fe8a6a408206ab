"""Every figure of reports.figures (and of GET /api/v1/stats) equals a count written differently: plain
Python over the raw rows of 20,000 generated cases over two years. Each figure's ledger filter finds
exactly the cases it counts."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from banchengshi.cases.choices import FORMER_HOLDER, CaseStatus, ClockKind, Reason, WorkOrderRole
from banchengshi.cases.models import Case, Clock, Visit, WorkOrder
from banchengshi.cases.selectors import CaseFilters, filter_cases
from banchengshi.conftest import District
from banchengshi.demo.generate import generate_cases
from banchengshi.reports.figures import Figures, Period, compute, public_scope, scope_for
from banchengshi.reports.tests.report_files import docx_text, sheet_values
from banchengshi.sla.deadlines import SHANGHAI, light
from banchengshi.sla.services import load_calendar

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI)
FIRST = datetime(2024, 12, 1, 0, 0, tzinfo=SHANGHAI)
COUNT = int(__import__("os").environ.get("FIGURES_CASES", "20000"))


@pytest.fixture
def generated(db: Any, district: District) -> None:
    with time_machine.travel(NOW, tick=False):
        assert generate_cases(COUNT, start=FIRST, end=NOW - timedelta(hours=1), seed=11) == COUNT


@pytest.fixture
def fewer(db: Any, district: District) -> None:
    """Enough cases for every figure to be non-zero: the links' test runs ~170 ledger queries."""
    with time_machine.travel(NOW, tick=False):
        generate_cases(3000, start=FIRST, end=NOW - timedelta(hours=1), seed=12)


class Raw:
    """The rows, read once, and the figures counted over them in Python."""

    def __init__(self, cases: Any) -> None:
        ids = set(cases.values_list("pk", flat=True))
        self.cases = {
            row[0]: row
            for row in Case.objects.filter(pk__in=ids).values_list(
                "pk", "received_at", "status", "accepted_at", "replied_at", "closed_at", "channel",
                "matter__code", "center__code", "reasons", "resupervision_count")
        }
        self.clocks = list(Clock.objects.filter(case_id__in=ids).values_list(
            "case_id", "kind", "stopped_at", "due_at", "warn_at", "paused_at", "cancelled"))
        self.visits = list(Visit.objects.filter(case_id__in=ids).values_list("case_id", "rating", "visited_at", "pk"))
        self.orders = list(WorkOrder.objects.filter(case_id__in=ids).values_list("case_id", "unit__code", "role", "status"))

    def period(self, start: date, end: date) -> dict[int, tuple[Any, ...]]:
        return {pk: row for pk, row in self.cases.items() if start <= row[1].astimezone(SHANGHAI).date() <= end}


def closed(row: tuple[Any, ...]) -> bool:
    return row[5] is not None or row[2] == CaseStatus.RESOLVED_ON_SITE


def expected(raw: Raw, start: date, end: date) -> dict[str, Any]:
    rows = raw.period(start, end)
    e: dict[str, Any] = {
        "registered": len(rows),
        "accepted": sum(1 for r in rows.values() if r[3] is not None),
        "not_accepted": sum(1 for r in rows.values() if r[2] == CaseStatus.NOT_ACCEPTED),
        "resolved_on_site": sum(1 for r in rows.values() if r[3] is None and r[4] is not None),
        "closed": sum(1 for r in rows.values() if closed(r)),
        "resupervisions": sum(r[10] for r in rows.values()),
        "resupervised_cases": sum(1 for r in rows.values() if r[10] > 0),
    }
    latest: dict[int, tuple[Any, ...]] = {}
    for v in raw.visits:
        if v[0] in rows and (v[0] not in latest or (v[2], v[3]) > (latest[v[0]][2], latest[v[0]][3])):
            latest[v[0]] = v
    e["ratings"] = {str(n): sum(1 for v in latest.values() if v[1] == n) for n in range(1, 6)}
    e["visited"] = sum(1 for pk in latest if closed(rows[pk]))
    # On time per kind: each case once, late when any of its clocks of the kind missed.
    verdicts: dict[tuple[str, int], set[str]] = {}
    for case_id, kind, stopped, due, _warn, paused, cancelled in raw.clocks:
        if case_id not in rows or cancelled:
            continue
        if stopped is not None:
            verdict = "late" if stopped > due else "on_time"
        elif paused is not None:
            verdict = "late" if due < paused else "open"
        else:
            verdict = "late" if due < NOW else "open"
        verdicts.setdefault((kind, case_id), set()).add(verdict)
    e["on_time"] = {}
    for kind in ClockKind:
        mine = [v for (k, _c), v in verdicts.items() if k == kind]
        e["on_time"][kind.value] = (sum(1 for v in mine if "on_time" in v and "late" not in v),
                                    sum(1 for v in mine if "late" in v))
    # Handling days: walk the calendar day by day.
    calendar = load_calendar()
    days = []
    for r in rows.values():
        if not closed(r):
            continue
        d, out = r[1].astimezone(SHANGHAI).date(), (r[5] or r[4]).astimezone(SHANGHAI).date()
        n = 0
        while d < out:
            d += timedelta(days=1)
            n += calendar.is_working_day(d)
        days.append(n)
    days.sort()
    e["handling_days_avg"] = sum(days) / len(days) if days else None
    e["handling_days_p90"] = days[math.ceil(0.9 * len(days)) - 1] if days else None
    e["by_channel"] = Counter(r[6] for r in rows.values())
    e["by_matter"] = Counter(r[7] for r in rows.values() if r[7] is not None)
    e["no_matter"] = sum(1 for r in rows.values() if r[7] is None)
    e["by_center"] = Counter(r[8] for r in rows.values())
    e["by_reason"] = Counter(code for r in rows.values() for code in set(r[9]))
    e["by_month"] = Counter(r[1].astimezone(SHANGHAI).strftime("%Y-%m") for r in rows.values())
    leads: dict[str, set[int]] = {}
    for case_id, unit, role, status in raw.orders:
        if case_id in rows and role == WorkOrderRole.LEAD and status not in FORMER_HOLDER:
            leads.setdefault(unit, set()).add(case_id)
    e["by_lead_unit"] = {u: len(c) for u, c in leads.items()}
    order = {"green": 0, "yellow": 1, "red": 2}
    worst: dict[int, str] = {}
    for case_id, _kind, stopped, due, warn, paused, _cancelled in raw.clocks:
        if case_id in rows and stopped is None:
            colour = light(paused or NOW, due, warn)
            if case_id not in worst or order[colour] > order[worst[case_id]]:
                worst[case_id] = colour
    e["open_by_light"] = Counter(worst.values())
    return e


def assert_figures_match(f: Figures, e: dict[str, Any]) -> None:
    for name in ("registered", "accepted", "not_accepted", "resolved_on_site", "closed", "resupervisions",
                 "resupervised_cases", "visited", "ratings", "handling_days_p90"):
        assert getattr(f, name) == e[name], name
    assert f.handling_days_avg == pytest.approx(e["handling_days_avg"])
    assert {o.kind: (o.on_time, o.late) for o in f.on_time} == e["on_time"]
    assert {b.key: b.count for b in f.by_channel} == dict(e["by_channel"])
    assert {b.key: b.count for b in f.by_matter if b.key} == dict(e["by_matter"])
    assert sum(b.count for b in f.by_matter if not b.key) == e["no_matter"]
    assert {b.key: b.count for b in f.by_center} == dict(e["by_center"])
    assert {b.key: b.count for b in f.by_reason} == {k: v for k, v in e["by_reason"].items() if k in Reason.values}
    assert {b.key: b.count for b in f.by_month} == dict(e["by_month"])
    assert {b.key: b.count for b in f.by_lead_unit} == e["by_lead_unit"]
    assert {b.key: b.count for b in f.open_by_light if b.count} == dict(e["open_by_light"])
    rated = sum(e["ratings"].values())
    assert f.satisfied_share == pytest.approx((e["ratings"]["4"] + e["ratings"]["5"]) / rated)
    late = e["on_time"]["resolution"][1]
    assert f.on_time_rate == pytest.approx(e["on_time"]["resolution"][0] / (e["on_time"]["resolution"][0] + late))


@time_machine.travel(NOW, tick=False)
def test_every_figure_equals_an_independent_count(generated: None, district: District) -> None:
    raw = Raw(Case.objects.all())
    statuses = {r[2] for r in raw.cases.values()}
    assert {CaseStatus.VISITED, CaseStatus.PAUSED, CaseStatus.MERGED, CaseStatus.RESUPERVISED} <= statuses
    for start, end in [(FIRST.date(), NOW.date()), (date(2026, 7, 1), date(2026, 9, 30)), (date(2025, 2, 1), date(2025, 2, 28))]:
        f = compute(public_scope(), Period(start, end), NOW)
        e = expected(raw, start, end)
        assert f.registered > 0 and f.on_time_rate is not None and 0 < f.on_time_rate < 1
        assert_figures_match(f, e)

    # The API says the same, for the admin office (who sees everything) and for a town center.
    start, end = date(2025, 10, 1), date(2026, 9, 30)
    answer = district.api("admin_office").get("/stats", **{"from": start.isoformat(), "to": end.isoformat()})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    e = expected(raw, start, end)
    for name in ("registered", "accepted", "not_accepted", "resolved_on_site", "closed", "ratings"):
        assert body[name] == e[name], name
    resolution = e["on_time"]["resolution"]
    assert body["on_time_rate"] == round(resolution[0] / sum(resolution), 4)
    assert body["satisfied_share"] == round((e["ratings"]["4"] + e["ratings"]["5"]) / sum(e["ratings"].values()), 4)

    town = district.users["town_head"]
    town_raw = Raw(scope_for(town).cases)
    assert 0 < len(town_raw.cases) < len(raw.cases)
    answer = district.api("town_head").get("/stats", **{"from": start.isoformat(), "to": end.isoformat()})
    assert answer.status_code == 200
    e = expected(town_raw, start, end)
    assert {k: answer.json()[k] for k in ("registered", "closed", "ratings")} == {k: e[k] for k in ("registered", "closed", "ratings")}
    assert_figures_match(compute(scope_for(town), Period(start, end), NOW), e)

    # The quarterly 统计报表 of a center (its cases and its towns') says the same as the raw rows.
    center = Raw(scope_for(district.users["admin_office"], "FWZX").cases)
    e = expected(center, date(2026, 7, 1), date(2026, 9, 30))
    sheet = district.api("admin_office").get("/reports/quarterly", unit="FWZX", year=2026, quarter=3, format="xlsx")
    assert sheet.status_code == 200
    values = sheet_values(sheet.content)[0]
    assert e["registered"] > 1000 and values["“办不成事”登记数量"] == e["registered"]
    assert (values["“受理”"], values["“不予受理”"]) == (e["accepted"], e["not_accepted"])
    assert values["现场办结（未受理，当场解决）"] == e["resolved_on_site"]
    word = district.api("admin_office").get("/reports/quarterly", unit="FWZX", year=2026, quarter=3, format="docx")
    assert ["“办不成事”登记数量", f"{e['registered']} 件"] in docx_text(word.content)[2]

    # The public page's last four quarters: the whole district's raw rows.
    html = Client().get("/public/disclosure/").content.decode()
    for year, number, first, last in [(2025, 4, date(2025, 10, 1), date(2025, 12, 31)), (2026, 3, date(2026, 7, 1), date(2026, 9, 30))]:
        e = expected(raw, first, last)
        shown = re.search(rf'data-quarter="{year}Q{number}"(.*?)</section>', html, re.S)
        assert shown is not None, (year, number)
        for key in ("registered", "accepted", "closed"):
            assert f'data-figure="{key}">{e[key]}<' in shown.group(1), (year, number, key)
        rated = sum(e["ratings"].values())
        share = (e["ratings"]["4"] + e["ratings"]["5"]) / rated
        assert f'data-figure="satisfied_share">{share * 100:.1f}%<' in shown.group(1)


@time_machine.travel(NOW, tick=False)
def test_each_figure_links_to_exactly_its_cases(fewer: None, district: District) -> None:
    """The ledger's filters (the dashboard's links) find as many cases as each figure counts."""
    user = district.users["admin_office"]
    f = compute(scope_for(user), Period(date(2026, 4, 1), date(2026, 9, 30)), NOW)

    def ledger_count(extra: dict[str, str]) -> int:
        from banchengshi.cases.selectors import cases_visible_to

        return filter_cases(cases_visible_to(user), CaseFilters.model_validate(f.ledger_params(extra))).count()

    assert ledger_count({}) == f.registered
    for key in ("accepted", "resolved_on_site", "closed", "visited", "resupervised"):
        assert ledger_count({"reached": key}) == {"accepted": f.accepted, "resolved_on_site": f.resolved_on_site,
                                                  "closed": f.closed, "visited": f.visited,
                                                  "resupervised": f.resupervised_cases}[key], key
    for rating, n in f.ratings.items():
        assert ledger_count({"rating": rating}) == n
    for o in f.on_time:
        assert ledger_count(o.on_time_params) == o.on_time, o.kind
        assert ledger_count(o.late_params) == o.late, o.kind
    for buckets in (f.by_channel, f.by_matter, f.by_reason, f.by_center, f.by_lead_unit, f.by_month, f.open_by_light):
        for b in buckets:
            assert ledger_count(b.params) == b.count, b


def test_handling_days_count_working_days_after_the_day_of_receipt(db: Any) -> None:
    from banchengshi.reports.figures import working_days_between

    calendar = load_calendar()
    # 2025-09-30 (Tue) to 2025-10-09 (Thu): the National Day holiday (Oct 1-8) in between, Oct 9 a working day.
    assert working_days_between(calendar, date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert working_days_between(calendar, date(2025, 9, 30), date(2025, 9, 30)) == 0
    # 2025-09-28 (Sun) was a 调休 working day: Friday 26th to Monday 29th counts the Sunday too.
    assert working_days_between(calendar, date(2025, 9, 26), date(2025, 9, 29)) == 2
