"""Holes a new user fell into (issue 7), each walked into by real clicks in Chromium.

Every test here failed on the code before its fix. The fixtures and the login helper are those of
test_browser_flow.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.choices import WorkOrderStatus
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.cases.tests.factories import case_in
from banchengshi.cases.tests.test_browser_flow import Desk
from banchengshi.conftest import District
from banchengshi.dispatch.models import Matter
from banchengshi.dispatch.routing import PRESELECT_FLOOR, route_case
from banchengshi.supervision.actions import do_create_meeting
from banchengshi.supervision.models import FollowUpTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def session_cookie_without_expiry(settings: Any) -> None:
    """The server's clock is moved to a fixed Monday; a session cookie that expires two weeks after it
    would already be stale in the browser's real time some day. Without an expiry it never is."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True


def desk_for(browser: Any, server: Any) -> Desk:
    desk = Desk(browser, server.url)
    desk.page.set_default_timeout(10_000)
    return desk


def submit(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def hint_of(page: Any, field: Any) -> str:
    """The text that the field names as its description (the limit and, as one types, the count)."""
    described_by = field.get_attribute("aria-describedby")
    assert described_by, "the field names no hint"
    return str(page.locator(f"#{described_by}").inner_text())


def meeting_for(district: District, held_at: Any) -> Any:
    case = case_in(district, S.RESUPERVISED)
    return do_create_meeting(
        acting_user=district.users["admin_office"], title="失业金证明材料专题联席会议", criteria=["other"], held_at=held_at,
        place="三楼会议室", cases=[case], attendee_units=[district.units["RSJ"]], attendee_names="",
    )


# 1. No form loses what was typed.

def test_meeting_outcome_error_keeps_what_was_typed(browser: Any, server: Any, district: District, monday: Any) -> None:
    meeting = meeting_for(district, timezone.now() - timedelta(hours=1))
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("admin_office")
    page.goto(f"{server.url}/meetings/{meeting.pk}/")
    minutes = "会议听取了人社局关于失业登记数据推送情况的汇报。\n与会单位逐件研究了反映件。"
    decisions = "企业已注销的，以注销证明替代解除劳动合同证明。"
    assert "最多" in hint_of(page, page.get_by_label("议定事项"))
    page.get_by_label("会议纪要").fill(minutes)
    page.get_by_label("议定事项").fill(decisions)
    page.get_by_label("责任单位 1").select_option(label="示范区人力资源和社会保障局")
    page.get_by_label("任务内容 1").fill("修订失业金申领一次性告知单")
    submit(page, "保存会议结果")  # the date is missing

    outcome = page.locator("[data-testid=outcome-form]")
    assert "完成期限" in outcome.locator(".invalid-feedback, .alert-danger").first.inner_text()
    assert page.get_by_label("会议纪要").input_value() == minutes
    assert page.get_by_label("议定事项").input_value() == decisions
    assert page.get_by_label("责任单位 1").input_value() == "RSJ"
    assert page.get_by_label("任务内容 1").input_value() == "修订失业金申领一次性告知单"
    assert not FollowUpTask.objects.exists()

    page.get_by_label("完成期限 1").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    submit(page, "保存会议结果")
    assert "注销证明" in page.locator("[data-testid=decisions]").inner_text()
    assert FollowUpTask.objects.get().description == "修订失业金申领一次性告知单"


def test_a_long_reply_is_limited_before_typing_and_kept_when_refused(
    browser: Any, server: Any, district: District, monday: Any
) -> None:
    case = case_in(district, S.IN_PROGRESS)
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("rsj")
    page.goto(f"{server.url}/cases/{case.reference}/")
    reply = page.get_by_label("办理结果（答复）")
    assert reply.get_attribute("maxlength") == "4000"
    assert "最多4000字" in hint_of(page, reply)
    reply.fill("答" * 4001)
    assert len(reply.input_value()) == 4000  # the browser stops at the limit
    assert "4000" in hint_of(page, reply)

    # A browser that ignores maxlength (or a page older than the limit) sends too much: refused, kept.
    text = "经核实，" + "已指导申领。" * 700
    reply.evaluate("el => el.removeAttribute('maxlength')")
    reply.fill(text)
    submit(page, "提交答复")
    assert page.get_by_label("办理结果（答复）").input_value() == text
    form = page.locator(f"[data-testid=my-order-{case.work_orders.get().pk}]")
    assert "办理结果不能超过4000字" in form.locator(".invalid-feedback").inner_text()
    assert Case.objects.get(pk=case.pk).status == S.IN_PROGRESS


# 2. Registration shows every error at once, and a mobile number has 11 digits.

def test_registration_shows_all_errors_at_once_and_refuses_a_ten_digit_mobile(
    browser: Any, server: Any, district: District, monday: Any
) -> None:
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("registrar")
    page.goto(f"{server.url}/cases/new/")
    page.get_by_label("反映人姓名").fill("周建国")
    page.get_by_label("联系电话").fill("1391234567")
    page.get_by_label("企业", exact=True).check()
    page.get_by_label("其他原因", exact=True).check()
    submit(page, "提交登记")  # the problem is not described either

    errors = " ".join(page.locator(".invalid-feedback").all_inner_texts())
    for expected in ("联系电话格式不正确", "企业名称", "其他原因", "必填"):
        assert expected in errors, errors
    assert page.get_by_label("反映人姓名").input_value() == "周建国"
    assert page.get_by_label("联系电话").input_value() == "1391234567"
    assert not Case.objects.exists()

    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("企业名称").fill("示范区明达贸易有限公司")
    page.get_by_label("其他原因说明").fill("不知道该找哪个部门")
    page.get_by_label("遇到的问题").fill("办理营业执照变更时窗口说要先去另一个部门盖章。")
    submit(page, "提交登记")
    assert desk.status() == "已登记"
    assert Case.objects.get().reporter_phone == "13912345678"


# 3. The matter is found by typing, not by 81 arrow presses.

def test_the_matter_is_found_by_typing_on_the_form_and_the_ledger(
    browser: Any, server: Any, district: District, monday: Any
) -> None:
    assert Matter.objects.filter(is_active=True).count() > 80
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("registrar")
    page.goto(f"{server.url}/cases/new/")
    matter = page.get_by_label("事项（可不选）")
    page.get_by_label("查找事项").click()
    page.keyboard.type("失业金")  # a keyword of RSJ-003
    assert matter.locator("option").count() <= 3
    page.keyboard.press("Enter")  # takes the first match and does not submit the form
    assert page.url.endswith("/cases/new/")
    assert matter.locator("option:checked").inner_text().startswith("失业保险金申领")
    page.get_by_label("查找事项").fill("YBJ-001")  # by code
    page.get_by_label("查找事项").press("Enter")
    assert matter.locator("option:checked").inner_text().startswith("医保卡挂失补办")
    page.get_by_label("查找事项").fill("")  # all of them again
    assert matter.locator("option").count() == Matter.objects.filter(is_active=True).count() + 1

    # On a touch screen: tap, type, and the only match is taken.
    touch = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, locale="zh-CN")
    touch.context.add_cookies(page.context.cookies())
    touch.goto(f"{server.url}/cases/new/")
    touch.get_by_label("查找事项").tap()
    touch.get_by_label("查找事项").fill("身份证")
    assert touch.get_by_label("事项（可不选）").locator("option:checked").inner_text().startswith("居民身份证申领与补换")

    page.goto(f"{server.url}/ledger/")
    page.get_by_label("查找事项").fill("RSJ-003")
    page.get_by_label("查找事项").press("Enter")
    submit(page, "查询")
    assert "matter=RSJ-003" in page.url


# 4. The outcome of a meeting is recorded once the meeting has taken place.

def test_the_outcome_form_waits_until_the_meeting_is_held(browser: Any, server: Any, district: District, monday: Any) -> None:
    held_at = timezone.now() + timedelta(days=2)
    meeting = meeting_for(district, held_at)
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("admin_office")
    page.goto(f"{server.url}/meetings/{meeting.pk}/")
    assert page.get_by_role("button", name="保存会议结果").count() == 0
    assert "召开后方可录入会议结果" in page.locator("main").inner_text()

    monday.move_to(held_at + timedelta(hours=1))
    desk.login("admin_office")  # two days later: the idle session has ended
    page.goto(f"{server.url}/meetings/{meeting.pk}/")
    page.get_by_label("议定事项").fill("由区人社局牵头整改。")
    submit(page, "保存会议结果")
    assert "由区人社局牵头整改" in page.locator("[data-testid=decisions]").inner_text()


# 5. Asking for assistance and dispatching down need a chosen unit and a confirmation.

def test_assistance_and_dispatch_down_need_a_chosen_unit_and_a_confirmation(
    browser: Any, server: Any, district: District, monday: Any
) -> None:
    case = case_in(district, S.IN_PROGRESS)
    lead = case.work_orders.get()
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("rsj")
    page.goto(f"{server.url}/cases/{case.reference}/")
    assist = page.get_by_label("发起协办")
    assert assist.input_value() == ""
    assert assist.locator("option:checked").inner_text() == "请选择单位"
    page.get_by_role("button", name="发起", exact=True).click()  # nothing chosen: the browser asks for a unit
    assert assist.evaluate("el => el.validity.valueMissing")
    assert case.work_orders.count() == 1

    dialogs: list[str] = []

    def answer(accept: bool) -> Any:
        def handle(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    assist.select_option(label="示范区医疗保障局")
    page.once("dialog", answer(False))
    page.get_by_role("button", name="发起", exact=True).click()
    assert "示范区医疗保障局" in dialogs[-1]
    assert case.work_orders.count() == 1
    page.once("dialog", answer(True))
    with page.expect_navigation():
        page.get_by_role("button", name="发起", exact=True).click()
    assert case.work_orders.filter(unit__code="YBJ").exists()

    down = page.get_by_label("向下派单")
    assert down.input_value() == ""
    town = district.units["C-CH"].name
    down.select_option(label=town)
    page.once("dialog", answer(True))
    with page.expect_navigation():
        page.get_by_role("button", name="下派", exact=True).click()
    assert town in dialogs[-1]
    assert WorkOrder.objects.get(pk=lead.pk).status == WorkOrderStatus.TRANSFERRED
    assert case.work_orders.filter(unit__code="C-CH", parent=lead).exists()


# 6. Dispatch proposes the catalog's unit, never one that has just returned the order; lists mark returns.

def test_dispatch_proposes_the_catalog_unit_over_the_models_guess(
    browser: Any, server: Any, district: District, monday: Any
) -> None:
    # A 镇级 matter of 人社局 whose town is unknown; the text reads like a 医保 matter.
    case = case_in(district, S.ACCEPTED, matter="RSJ-001", description="医保卡丢失了，补办时窗口说要先做认证。")
    assert route_case(case).lead is None and route_case(case).suggestions[0].unit.code == "YBJ"
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("dispatcher")
    page.goto(f"{server.url}/cases/{case.reference}/")
    assert page.get_by_label("主办单位").input_value() == "RSJ"


def test_redispatch_never_proposes_the_unit_that_returned_it_and_lists_mark_returns(
    browser: Any, server: Any, district: District, monday: Any
) -> None:
    case = case_in(district, S.DISPATCHED)
    reason = "不属于本单位职责，应由医保部门办理"
    actions.do_return_work_order(case.work_orders.get(), acting_user=district.users["rsj"], reason=reason)
    rsj = district.units["RSJ"].name
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("dispatcher")

    row = page.locator("[data-testid=queue-to-dispatch] tr", has_text=case.reference)
    badge = row.get_by_text("退回", exact=True)
    assert rsj in str(badge.get_attribute("title")) and reason in str(badge.get_attribute("title"))
    assert reason in row.inner_text()

    desk.open_from_queue("to-dispatch", case.reference)
    lead = page.get_by_label("主办单位")
    assert lead.input_value() != "RSJ"
    assert "已退回" in lead.locator("option[value=RSJ]").inner_text()

    page.get_by_role("link", name="台账").click()
    ledger_row = page.locator("[data-testid=ledger-table] tr", has_text=case.reference)
    assert rsj in str(ledger_row.get_by_text("退回", exact=True).get_attribute("title"))


# 7. Automatic dispatch that placed nothing says so.

def test_automatic_dispatch_that_places_nothing_warns(browser: Any, server: Any, district: District, monday: Any) -> None:
    case = case_in(district, S.ACCEPTED, matter=None, description="窗口让我回去等通知，一直没有消息。")
    assert all(s.confidence < PRESELECT_FLOOR for s in route_case(case).suggestions)  # too weak to offer
    desk = desk_for(browser, server)
    page = desk.page
    desk.login("dispatcher")
    page.goto(f"{server.url}/cases/{case.reference}/")
    assert page.get_by_label("主办单位").input_value() == ""
    submit(page, "派单")
    assert page.get_by_role("alert").filter(has_text="未能自动派单，已转人工派单队列").count() == 1
    assert page.locator(".alert-success").count() == 0
    assert Case.objects.get(pk=case.pk).awaiting_manual_dispatch
