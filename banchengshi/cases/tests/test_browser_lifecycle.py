"""Holes in the lifecycle (issue 7), each walked into by real clicks in Chromium at 1366×768, as the
role who fell into it, asserting what that person now sees.

Each test failed on main before the lifecycle fixes. Fixtures and helpers are those of
test_browser_flow.py and test_browser_holes.py; time stands on a Monday (the `monday` fixture).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from banchengshi.cases.actions.closing import objection_window_ends
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in, register
from banchengshi.cases.tests.test_browser_flow import Desk
from banchengshi.cases.tests.test_browser_holes import (  # noqa: F401 (an autouse fixture)
    desk_for,
    hint_of,
    session_cookie_without_expiry,
    submit,
)
from banchengshi.conftest import District

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def queue_row(page: Any, queue: str, reference: str) -> Any:
    return page.locator(f"[data-testid=queue-{queue}] tbody tr", has_text=reference)


def cell(row: Any, column: str) -> str:
    """The text of `row` under the header `column` of its table."""
    headers = [h.strip() for h in row.locator("xpath=ancestor::table[1]/thead//th").all_inner_texts()]
    return str(row.locator("td").nth(headers.index(column)).inner_text()).strip()


def timeline_labels(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid=timeline] li strong").all_inner_texts()]


def open_case(desk: Desk, reference: str) -> None:
    desk.page.goto(f"{desk.base}/cases/{reference}/")


def clock_item(page: Any, kind: str) -> Any:
    """The entry of the 时限 card whose name is `kind` (exactly: 再督办 is not 再督办整改)."""
    card = page.locator(".card", has=page.locator(".card-header", has_text=re.compile(r"^\s*时限\s*$")))
    return card.locator("li", has=page.locator("strong", has_text=re.compile(rf"^{kind}$")))


def test_stuck_assisting_order_is_chased_and_withdrawn(browser: Any, server: Any, district: District, monday: Any) -> None:
    # Hole: the lead unit replied but an assisting order sat 待接单 and nobody saw or could end it.
    case = case_in(district, S.REPLIED)
    ybj = district.units["YBJ"].name
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("dispatcher")
    row = queue_row(page, "awaiting-assist", case.reference)
    assert row.count() == 1
    assert cell(row, "承办单位") == district.units["RSJ"].name

    desk.open_from_queue("awaiting-assist", case.reference)
    card = page.locator("[data-testid=outstanding-assisting]")
    assert ybj in card.inner_text()
    assert card.get_by_role("button", name="催办").is_visible()
    assert card.get_by_text("撤回协办").is_visible()
    submit(page, "催办")
    assert "催办" in timeline_labels(page)
    assert ybj in page.locator("[data-testid=timeline] li", has_text="催办").first.inner_text()

    card = page.locator("[data-testid=outstanding-assisting]")
    card.locator("summary", has_text="撤回协办").click()
    withdraw_reason = card.get_by_label("撤回原因")
    card.get_by_role("button", name="确认撤回").click()  # no reason: the browser asks for one
    assert withdraw_reason.evaluate("el => el.validity.valueMissing")
    assert "最多4000字" in hint_of(page, withdraw_reason)
    withdraw_reason.fill("   ")  # blanks pass the browser; the refusal comes back next to the open form
    submit(page, "确认撤回")
    card = page.locator("[data-testid=outstanding-assisting]")
    withdraw_reason = card.get_by_label("撤回原因")
    assert withdraw_reason.is_visible()
    assert "撤回原因" in card.get_by_role("alert").inner_text()
    assert desk.status() == "已答复"
    withdraw_reason.fill("协办事项已由主办单位一并办结")
    desk.shot("hole-1-withdraw-assisting")
    submit(page, "确认撤回")
    assert desk.status() == "待审核"
    assert page.locator("[data-testid=outstanding-assisting]").count() == 0
    desk.logout()

    desk.login("center_head")
    assert queue_row(page, "to-review", case.reference).count() == 1


def test_a_case_resolved_on_the_spot_is_closed_on_confirmation_and_visited(
    browser: Any, server: Any, district: District, monday: Any
) -> None:
    # Hole: a case resolved on the spot (现场办结) reached no one's worklist to be closed and visited.
    case = register(district)
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("registrar")
    desk.open_from_queue("to-accept", case.reference)
    page.locator("summary", has_text="现场办结").click()
    page.get_by_label("现场办理结果").fill("窗口当场补录了失业登记，反映人已现场申领。")
    submit(page, "现场办结")
    assert desk.status() == "现场办结"
    desk.logout()

    desk.login("center_head")
    desk.open_from_queue("to-close", case.reference)
    submit(page, "办结")  # the reporter's confirmation is not ticked
    assert "反映人尚未确认" in page.locator("main").inner_text()
    assert desk.status() == "现场办结"
    desk.shot("hole-2-close-refused-unconfirmed")
    page.get_by_label("反映人已确认办理结果").check()
    submit(page, "办结")
    assert desk.status() == "已办结"
    desk.logout()

    # The registrar resolved it, so the dispatcher makes the return visit (经办与回访分离).
    desk.login("registrar")
    assert queue_row(page, "to-visit", case.reference).count() == 0
    desk.logout()
    desk.login("dispatcher")
    assert queue_row(page, "to-visit", case.reference).count() == 1


def test_closure_after_an_approved_review_waits_for_confirmation_or_the_objection_window(
    browser: Any, server: Any, district: District, monday: Any
) -> None:
    # Hole: an approved reply was closed at once, without the reporter's confirmation or the objection window.
    case = case_in(district, S.APPROVED)
    window_ends = objection_window_ends(case)
    assert window_ends is not None
    until = f"{timezone.localtime(window_ends):%Y-%m-%d %H:%M}"
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("center_head")
    desk.open_from_queue("to-close", case.reference)
    assert until in page.locator("[data-testid=objection-window]").inner_text()

    submit(page, "办结")
    assert "反映人尚未确认" in page.locator("main").inner_text()
    assert f"异议期至 {until} 届满" in page.locator("main").inner_text()
    assert desk.status() == "审核通过待办结"
    desk.shot("hole-3-objection-window-refusal")

    page.get_by_label("反映人已确认办理结果").check()
    submit(page, "办结")
    assert desk.status() == "已办结"
    assert page.locator("[data-testid=timeline] li", has_text="办结：反映人确认办理结果").count() == 1


def test_after_a_return_the_contact_clock_is_void_and_the_return_is_told_once(
    browser: Any, server: Any, district: District, monday: Any
) -> None:
    # Hole: a returned order's 首次联系 clock showed 已完成, and the timeline told the return twice.
    case = case_in(district, S.DISPATCHED)
    rsj = district.units["RSJ"].name
    reason = "不属于本单位职责，应由医保部门办理"
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("rsj")
    desk.open_from_queue("my-orders", case.reference)
    page.locator("summary", has_text="退回").click()
    page.get_by_label("退回原因").fill(reason)
    submit(page, "确认退回")
    desk.logout()

    desk.login("dispatcher")
    desk.open_from_queue("to-dispatch", case.reference)
    contact = clock_item(page, "首次联系")
    assert contact.count() == 1
    assert "已撤销（工单退回）" in contact.inner_text()
    assert "已完成" not in contact.inner_text()
    returns = page.locator("[data-testid=timeline] li", has=page.locator("strong", has_text=re.compile("^退回工单$")))
    assert returns.count() == 1
    assert rsj in returns.inner_text() and reason in returns.inner_text()
    desk.shot("hole-4-contact-clock-void-after-return")


def test_every_open_case_shows_a_clock_on_the_home_lists(browser: Any, server: Any, district: District, monday: Any) -> None:
    # Hole: a freshly registered or accepted case ran no clock, so the 时限 column showed “—”.
    case = register(district)
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("registrar")
    limit = cell(queue_row(page, "to-accept", case.reference), "时限")
    assert re.match(r"^(受理答复|转办)：剩余", limit), limit
    desk.shot("hole-5-registrar-home-clock")

    desk.open_from_queue("to-accept", case.reference)
    page.get_by_label("帮办代办").check()
    page.get_by_label("一般", exact=True).check()
    submit(page, "受理")
    assert desk.status() == "已受理待派单"
    desk.logout()

    desk.login("dispatcher")
    limit = cell(queue_row(page, "to-dispatch", case.reference), "时限")
    assert re.match(r"^(受理答复|转办)：剩余", limit), limit


def test_resupervision_limit_is_chosen_within_the_policy(browser: Any, server: Any, district: District, monday: Any) -> None:
    # Hole: re-supervision gave a fixed limit that could not be chosen, and a refused form lost its reason.
    case = case_in(district, S.VISITED)
    reason = "回访非常不满意，失业金仍未到账，请限期整改并反馈。"
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("admin_office")
    desk.open_from_queue("to-resupervise", case.reference)
    days = page.get_by_label("整改时限（工作日）")
    assert days.input_value() == "5"
    assert days.get_attribute("max") == "10"

    page.get_by_label("再督办（将通报承办单位并给出整改时限）").fill(reason)
    days.fill("11")
    page.get_by_role("button", name="再督办", exact=True).click()
    assert days.evaluate("el => el.validity.rangeOverflow")  # the browser stops it first
    # A browser that ignores max (or a page older than the limit) sends 11: the server refuses, the form keeps it.
    days.evaluate("el => el.removeAttribute('max')")
    submit(page, "再督办")
    assert "整改时限须为 1 至 10 个工作日" in page.locator("main").inner_text()
    assert page.get_by_label("再督办（将通报承办单位并给出整改时限）").input_value() == reason
    assert page.get_by_label("整改时限（工作日）").input_value() == "11"
    assert desk.status() == "已回访"
    assert Case.objects.get(pk=case.pk).resupervision_count == 0

    page.get_by_label("整改时限（工作日）").fill("8")
    submit(page, "再督办")
    assert desk.status() == "再督办"
    rectification = clock_item(page, "再督办整改")
    assert "（8个工作日）" in rectification.inner_text()
    desk.shot("hole-6-rectification-clock-8-days")
