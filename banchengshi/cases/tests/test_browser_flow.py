"""Five roles take one case from a phone registration to re-supervision and closure, only by clicking.

Drives Debian's Chromium through Playwright against the live server; screenshots of each main page go
to var/screenshots/ (named in the README).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from banchengshi.accounts.tests.otp import pass_second_factor_in_browser
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import STAFF_PASSWORD, District
from banchengshi.lib.tests.chromium import SharedChromium, screenshot

# serialized_rollback restores the rows the data migrations seeded (calendar, policies) after each flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def server() -> Iterator[Any]:
    """A live server per test (pytest-django's lives for the session). The browser depends on it, so
    the browser closes its keep-alive connections first and the request threads release their
    database connections. localhost is in ALLOWED_HOSTS."""
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer("localhost")
    yield live
    # Let the request threads whose keep-alive sockets the browser just closed finish (and close their
    # database connections) before the server and the test database go away.
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=5)
    live.stop()


@pytest.fixture
def browser(server: Any) -> Iterator[Any]:
    """The process's one Chromium (banchengshi/lib/tests/chromium.py), each test in browser contexts of
    its own, closed when it ends (before the server stops, so the request threads let go of their
    connections)."""
    chromium = SharedChromium.acquire()
    try:
        yield chromium
    finally:
        SharedChromium.release()


class Desk:
    """One browser page, used by one person at a time."""

    def __init__(self, browser: Any, base: str) -> None:
        self.page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        self.base = base

    def login(self, username: str) -> None:
        self.page.goto(f"{self.base}/login/")
        self.page.get_by_label("账号").fill(username)
        self.page.get_by_label("密码").fill(STAFF_PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        pass_second_factor_in_browser(self.page, username)  # the 三员, oversight, the admin office
        self.page.wait_for_url(f"{self.base}/")

    def unfold_nav(self) -> None:
        """Below 1200 px the nav folds behind its 菜单 button: open it, as a person on a tablet would."""
        toggler = self.page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            self.page.locator("#nav.show").wait_for()

    def logout(self) -> None:
        self.unfold_nav()
        self.page.get_by_role("button", name="退出").click()
        self.page.wait_for_url("**/login/")

    def shot(self, name: str) -> None:
        screenshot(self.page, name)

    def open_from_queue(self, queue: str, reference: str) -> None:
        self.page.locator(f"[data-testid=queue-{queue}]").get_by_role("link", name=reference).click()
        self.page.wait_for_url(f"**/cases/{reference}/")

    def status(self) -> str:
        return str(self.page.locator("[data-testid=case-status]").inner_text())

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state()

    def approve_and_close(self, reference: str) -> None:
        """中心负责人 approves the reply and closes the case, the reporter having confirmed it."""
        self.open_from_queue("to-review", reference)
        self.click("审核通过")
        self.page.get_by_label("反映人已确认办理结果").check()
        self.click("办结")
        assert self.status() == "已办结"


def test_phone_report_to_resupervision_and_closure(browser: Any, server: Any, district: District) -> None:
    earlier = case_in(district, CaseStatus.CLOSED, reporter_phone="13912345678")
    desk = Desk(browser, server.url)
    page = desk.page
    desk.page.goto(f"{server.url}/login/")
    desk.shot("01-login")

    # 登记人员 registers a phone call and accepts it.
    desk.login("registrar")
    page.get_by_role("link", name="登记反映").first.click()
    page.get_by_label("反映渠道").select_option(label="电话")
    page.get_by_label("反映人姓名").fill("周建国")
    sent: list[tuple[str, str]] = []
    page.on("request", lambda request: sent.append((request.method, request.url)))
    page.get_by_label("联系电话").fill("13912345678")
    repeats = page.locator("[data-testid=repeat-reports]")
    repeats.wait_for()  # htmx shows the earlier report of the same phone while the clerk types
    assert earlier.reference in repeats.inner_text()
    # The phone went in a POST body (with the CSRF header), never in a URL or the access log.
    assert ("POST", f"{server.url}/cases/new/repeats/") in sent and not [u for _, u in sent if "13912345678" in u]
    page.get_by_label("办理业务名称").fill("失业保险金申领")
    page.get_by_label("事项（可不选）").select_option(label="失业保险金申领（示范区人力资源和社会保障局·区级）")
    page.get_by_label("材料不符合", exact=True).check()
    page.get_by_label("遇到的问题").fill("原单位已倒闭，拿不到解除劳动合同证明，窗口说没有这份证明不能申领失业金。")
    page.get_by_label("诉求").fill("希望能正常申领失业保险金")
    desk.shot("02-register-form")
    page.get_by_role("button", name="提交登记").click()
    page.wait_for_url("**/cases/BC*/")
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert desk.status() == "已登记"
    page.get_by_label("帮办代办").check()
    page.get_by_label("一般", exact=True).check()
    desk.click("受理")
    assert desk.status() == "已受理待派单"
    desk.shot("03-case-accepted")
    desk.logout()

    # 派单员 dispatches it from the queue; the catalog sends it to 人社局.
    desk.login("dispatcher")
    desk.shot("04-dispatcher-home")
    desk.open_from_queue("to-dispatch", reference)
    desk.click("派单")
    assert desk.status() == "已派单"
    desk.logout()

    # 人社局处置专员 receives, contacts the reporter and replies.
    desk.login("rsj")
    desk.shot("05-handler-home")
    desk.open_from_queue("my-orders", reference)
    desk.click("接单")
    assert desk.status() == "办理中"
    page.get_by_label("联系反映人").fill("已电话联系周先生，了解到原单位已注销。")
    desk.click("记录联系")
    page.get_by_label("办理结果（答复）").fill("经核实原单位已注销，凭注销证明可替代解除劳动合同证明，已指导申领。")
    desk.shot("06-handler-case")
    desk.click("提交答复")
    assert desk.status() == "待审核"
    desk.logout()

    # 中心负责人 approves the reply and closes the case.
    desk.login("center_head")
    desk.approve_and_close(reference)
    desk.logout()

    # 回访: the reporter is 不满意 — the money has not arrived.
    desk.login("registrar")
    desk.open_from_queue("to-visit", reference)
    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("未解决").check()
    page.get_by_label("回访记录").fill("反映人表示失业金仍未到账")
    desk.click("保存回访")
    assert desk.status() == "已回访"
    desk.logout()

    # 政务服务办 re-supervises.
    desk.login("admin_office")
    desk.shot("07-admin-office-home")
    desk.open_from_queue("to-resupervise", reference)
    page.get_by_label("再督办（将通报承办单位并给出整改时限）").fill("回访不满意，请限期督促发放并反馈。")
    desk.click("再督办")
    assert desk.status() == "再督办"
    desk.shot("08-resupervised")
    desk.logout()

    # The department handles it again; the center head closes it.
    desk.login("rsj")
    desk.open_from_queue("my-orders", reference)
    desk.click("接单")
    page.get_by_label("办理结果（答复）").fill("已督促经办机构发放，反映人确认到账。")
    desk.click("提交答复")
    desk.logout()
    desk.login("center_head")
    desk.approve_and_close(reference)
    desk.shot("09-closed-after-resupervision")
    page.get_by_role("link", name="台账").click()
    page.get_by_label("关键词").fill("失业金")
    page.get_by_role("button", name="查询").click()
    assert reference in page.locator("[data-testid=ledger-table]").inner_text()
    desk.shot("10-ledger")

    case = Case.objects.get(reference=reference)
    assert case.status == "closed" and case.resupervision_count == 1
    actions = list(case.events.values_list("action", flat=True))
    for expected in ["registered", "accepted", "dispatched", "work_order_received", "reporter_contacted", "replied",
                     "review_approved", "closed", "visited", "resupervised"]:
        assert expected in actions


def test_joint_meeting_and_notice_on_a_tablet(browser: Any, server: Any, district: District) -> None:
    case = case_in(district, CaseStatus.RESUPERVISED)
    desk = Desk(browser, server.url)
    page = desk.page
    page.set_viewport_size({"width": 1024, "height": 768})  # a tablet in landscape

    desk.login("admin_office")
    page.goto(f"{server.url}/cases/{case.reference}/")
    page.get_by_role("link", name="召开联席会议").click()
    page.get_by_label("会议名称").fill("失业金证明材料专题联席会议")
    page.get_by_label("涉及群众多、影响面大、社会关注度高、容易诱发负面新闻的").check()
    page.get_by_label("参会单位").select_option(label="示范区人力资源和社会保障局")
    page.get_by_label("参会人员").fill("人社局失业保险科负责人")
    desk.shot("11-meeting-new")
    page.get_by_role("button", name="创建会议").click()
    page.wait_for_url("**/meetings/*/")
    page.get_by_label("议定事项").fill("原单位已注销的，以注销证明替代解除劳动合同证明。")
    page.get_by_label("责任单位 1").select_option(label="示范区人力资源和社会保障局")
    page.get_by_label("任务内容 1").fill("修订失业金申领一次性告知单")
    page.get_by_label("完成期限 1").fill("2099-12-31")
    page.get_by_role("button", name="保存会议结果").click()
    page.wait_for_load_state()
    assert "注销证明" in page.locator("[data-testid=decisions]").inner_text()
    desk.shot("12-meeting")
    desk.logout()

    page.set_viewport_size({"width": 768, "height": 1024})  # portrait
    desk.login("rsj")
    assert case.reference in page.locator("[data-testid=notices]").inner_text()
    desk.shot("13-handler-home-tablet")
    page.get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=notices]").count() == 0
    desk.unfold_nav()
    page.locator("#nav").get_by_role("link", name="联席会议").click()
    page.get_by_role("link", name="失业金证明材料专题联席会议").click()
    page.get_by_label("完成情况").fill("已修订并在窗口公示")
    page.get_by_role("button", name="报告完成").click()
    page.wait_for_load_state()
    assert "已完成" in page.content()
