"""default_lead_unit: the unit the dispatch form proposes."""

from __future__ import annotations

from typing import Any

from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.selectors import default_lead_unit
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District


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
    case = case_in(district, S.ACCEPTED, matter="RSJ-001", locality=district.units["C-BQ"])
    actions.do_dispatch_case(case, acting_user=district.users["dispatcher"])
    town = case.work_orders.get(unit__code="C-BQ")
    actions.do_return_work_order(town, acting_user=district.users["town_handler"], reason="应由区人社局办理")
    assert code(default_lead_unit(case)) == "RSJ"  # the department that owns the matter
    actions.do_dispatch_case(case, acting_user=district.users["dispatcher"], lead_unit=district.units["RSJ"])
    actions.do_return_work_order(case.work_orders.get(unit__code="RSJ"), acting_user=district.users["rsj"], reason="应由街道办理")
    assert default_lead_unit(case) is None  # no guess either: the dispatcher chooses


def test_after_a_return_the_models_guess_is_not_the_default(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED, matter=None, description="医保卡丢失了，补办不了。")
    actions.do_return_work_order(case.work_orders.get(), acting_user=district.users["rsj"], reason="应由医保局办理")
    assert default_lead_unit(case) is None
