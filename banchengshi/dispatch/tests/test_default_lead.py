"""default_lead_unit: the unit the dispatch form proposes."""

from __future__ import annotations

from typing import Any

from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.dispatch.routing import default_lead_unit


def code(unit: Any) -> str | None:
    return None if unit is None else unit.code


def test_the_catalog_comes_before_the_models_guess(district: District, monday: Any) -> None:
    assert code(default_lead_unit(case_in(district, S.ACCEPTED, matter="RSJ-003"))) == "RSJ"
    town = case_in(district, S.ACCEPTED, matter="RSJ-001", locality=district.units["C-BQ"])
    assert code(default_lead_unit(town)) == "C-BQ"
    unknown_town = case_in(district, S.ACCEPTED, matter="RSJ-001", description="医保卡丢失了，补办时窗口说要先做认证。")
    assert code(default_lead_unit(unknown_town)) == "RSJ"
    no_matter = case_in(district, S.ACCEPTED, matter=None, description="医保卡丢失了，补办不了。")
    assert code(default_lead_unit(no_matter)) == "YBJ"
    assert default_lead_unit(case_in(district, S.ACCEPTED, matter=None, description="一直没有消息。")) is None


def test_a_unit_that_returned_the_order_is_never_proposed(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED, matter="RSJ-003", description="离职证明拿不到，医保卡也丢失了。")
    actions.do_return_work_order(case.work_orders.get(), acting_user=district.users["rsj"], reason="应由医保局办理")
    assert code(default_lead_unit(case)) == "YBJ"
