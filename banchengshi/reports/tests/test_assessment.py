"""年度考核表: each unit's row equals counts written differently (plain Python over the raw rows), the xlsx
read back holds the same figures, the export is audited, and a unit's staff see only their scope's rows."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from banchengshi.accounts.access import subtree_ids
from banchengshi.accounts.models import Unit
from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.conftest import District
from banchengshi.demo.generate import generate_cases
from banchengshi.reports.tests.test_figures import NOW, Raw, expected
from banchengshi.sla.deadlines import SHANGHAI
from banchengshi.supervision import actions
from banchengshi.supervision.models import Rectification

YEAR = 2025


def at(*args: int) -> Any:
    return time_machine.travel(datetime(*args, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def year_of_work(db: Any, district: District) -> None:
    with at(2026, 11, 30, 15):
        generate_cases(1200, start=datetime(2024, 12, 1, tzinfo=SHANGHAI), end=NOW - timedelta(hours=1), seed=31)
    zwb, rsj = district.users["admin_office"], district.users["rsj"]

    def opened(unit: str, when: tuple[int, ...], days: int = 5) -> Rectification:
        with at(*when):
            return actions.do_open_rectification(acting_user=zwb, unit=district.units[unit], subject=f"堵点{when}",
                                                 requirement="整改", days=days)

    on_time, late, overdue, cancelled = (opened("RSJ", (2025, 3, 3, 10)), opened("RSJ", (2025, 6, 2, 10)),
                                         opened("RSJ", (2025, 12, 1, 10)), opened("RSJ", (2025, 9, 1, 10)))
    opened("RSJ", (2024, 12, 2, 10))  # another year
    opened("C-CH", (2025, 5, 6, 10))  # running, not yet due at NOW? it is: 5 working days
    with at(2025, 3, 5, 10):
        actions.do_close_rectification(on_time, acting_user=rsj, note="已整改")
    with at(2025, 7, 1, 10):
        actions.do_close_rectification(late, acting_user=rsj, note="已整改")
    with at(2025, 9, 2, 10):
        actions.do_cancel_rectification(cancelled, acting_user=zwb, reason="误发")
    assert overdue.status == "open"


def unit_case_ids(unit: Unit) -> set[int]:
    """The unit's cases, counted without cases_of_unit: registered at it (a center, or a center below it) or
    held by one of its work orders."""
    ids = subtree_ids(unit) if unit.kind == "service_center" else {unit.pk}
    held = set(WorkOrder.objects.filter(unit_id__in=ids).values_list("case_id", flat=True))
    if unit.kind == "service_center":
        held |= set(Case.objects.filter(center_id__in=ids).values_list("pk", flat=True))
    return held


def rectifications_raw(unit: Unit) -> tuple[int, int, int, int]:
    mine = [r for r in Rectification.objects.filter(unit=unit)
            if r.started_at.astimezone(SHANGHAI).year == YEAR and r.status != "cancelled"]
    return (len(mine),
            sum(1 for r in mine if r.status == "closed" and r.closed_at <= r.due_at),  # type: ignore[operator]
            sum(1 for r in mine if r.status == "closed" and r.closed_at > r.due_at),  # type: ignore[operator]
            sum(1 for r in mine if r.status in ("open", "reported") and r.due_at < NOW))


def percent(part: int, whole: int) -> str:
    return "—" if not whole else f"{part / whole * 100:.1f}%"


def read_back(content: bytes) -> dict[str, list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet.cell(1, 1).value.startswith(f"{YEAR}年度")  # type: ignore[union-attr]
    assert sheet.cell(3, 3).value == "受理登记（件）"
    return {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=4, values_only=True)}


def test_the_xlsx_equals_independent_counts_per_unit(year_of_work: None, district: District) -> None:
    with at(2026, 11, 30, 15):
        client = sign_in(Client(), district.users["admin_office"])
        response = client.get("/reports/assessment/export.xlsx", {"year": YEAR})
        assert response.status_code == 200
        named = response["Content-Disposition"]  # in Chinese, as the clerk files it; ASCII beside it
        assert f"filename*=UTF-8''{quote(f'{YEAR}年度办不成事反映窗口工作考核表.xlsx')}" in named
        assert f'filename="assessment-{YEAR}.xlsx"' in named
        table = read_back(response.content)
        units = Unit.objects.filter(kind__in=("service_center", "department"), is_active=True)
        assert set(table) == {u.name for u in units}
        checked_rectifications = 0
        for unit in units:
            e = expected(Raw(Case.objects.filter(pk__in=unit_case_ids(unit))), date(YEAR, 1, 1), date(YEAR, 12, 31))
            row = table[unit.name]
            on_time, late = e["on_time"]["resolution"]
            rated = sum(e["ratings"].values())
            satisfied = e["ratings"]["4"] + e["ratings"]["5"]
            assert row[:10] == [unit.get_kind_display(), e["registered"], e["closed"], on_time, late,
                                percent(on_time, on_time + late), rated, satisfied, percent(satisfied, rated),
                                e["resupervisions"]], unit.code
            assert tuple(row[10:]) == rectifications_raw(unit), unit.code
            checked_rectifications += row[10]
        assert table["示范区人力资源和社会保障局"][10:] == [3, 1, 1, 1]
        assert checked_rectifications == 4
        assert sum(row[1] for row in table.values()) > 0
        event = Event.objects.filter(action="exported", data__what="assessment").get()
        assert event.actor == district.users["admin_office"] and event.data["rows"] == len(table)

        page = client.get("/reports/assessment/", {"year": YEAR})
        assert page.status_code == 200 and f"{YEAR}年度考核表" in page.content.decode()
        refused = client.get("/reports/assessment/", {"year": "二〇二五"})
        assert refused.status_code == 422 and "年份须为" in refused.content.decode()


def test_a_unit_sees_only_its_scope(year_of_work: None, district: District) -> None:
    with at(2026, 11, 30, 15):
        for name, names in (("rsj", {"示范区人力资源和社会保障局"}), ("town_handler", {"示范区城河街道社区事务受理服务中心"})):
            client = Client()
            client.force_login(district.users[name])
            table = read_back(client.get("/reports/assessment/export.xlsx", {"year": YEAR}).content)
            assert set(table) == names, name
            page = client.get("/reports/assessment/", {"year": YEAR}).content.decode()
            assert "示范区医疗保障局" not in page
        head = Client()
        head.force_login(district.users["center_head"])
        table = read_back(head.get("/reports/assessment/export.xlsx", {"year": YEAR}).content)
        assert "示范区行政服务中心" in table and "示范区人力资源和社会保障局" not in table
        assert table["示范区城河街道社区事务受理服务中心"][10] == 1  # the town center's item
        system = sign_in(Client(), district.users["system_admin"])
        refused = system.get("/reports/assessment/", {"year": YEAR})
        assert refused.status_code == 403 and "无权查看年度考核表" in refused.content.decode()
