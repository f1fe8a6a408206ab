"""The citizen's pages on a phone (390×844) in Chromium: a report with a photo and an SMS code, the
receipt, following the case, an objection, the confirmation and an unsatisfied rating that reaches the
政务服务办's re-supervision queue, while the staff work the case in their own browsers (issue 8, must-show
1); and axe-core's WCAG 2.1 A/AA rules on every public page, in standard and large-text mode, with no
request leaving the server (must-show 3).

Screenshots go to var/screenshots/citizen-*.png. Fixtures come from cases' browser tests; time stands on
a Monday (the `monday` fixture) so the promised dates and the objection window do not depend on today.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import expect

from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.cases.tests.test_browser_flow import Desk
from banchengshi.cases.tests.test_browser_holes import desk_for, session_cookie_without_expiry, submit  # noqa: F401 (autouse)
from banchengshi.conftest import District
from banchengshi.lib.tests.axe import assert_accessible, require_axe
from banchengshi.lib.tests.chromium import screenshot
from banchengshi.public.tests.helpers import code_in, sms_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
REPORTER_PHONE = "13912345678"
CENTER = "示范区行政服务中心"  # FWZX, where the staff of the conftest work


# Elements that reach past the screen's edge (a phone has no room to scroll sideways).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.visually-hidden, .visually-hidden-focusable, .btn-check')) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const name = `${el.tagName.toLowerCase()}.${el.className}`;
    if (box.right > width + 1 || box.left < -1) out.push(`${name} ${Math.round(box.left)}..${Math.round(box.right)}px`);
  }
  // Text wider than its box (a long number in large type) spills over without moving the box.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest('.visually-hidden, .visually-hidden-focusable')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width && box.right > width + 1) out.push(`“${node.textContent.trim().slice(0, 20)}” ends at ${Math.round(box.right)}px`);
  }
  if (document.documentElement.scrollWidth > width + 1) out.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  return out.slice(0, 8);
}"""


def assert_fits(page: Any, where: str) -> None:
    outside = page.evaluate(OVERFLOWING)
    assert outside == [], f"{where}: runs off a {PHONE['width']}px screen: {outside}"


class Citizen:
    """The reporter's phone: its own browser context (cookies: session, display mode), every request
    it makes recorded."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(
            viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2,
            user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/120.0 Mobile Safari/537.36",
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.base = base
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")

    def shot(self, name: str) -> None:
        assert_fits(self.page, name)
        screenshot(self.page, f"citizen-{name}")

    def large(self) -> bool:
        return self.page.locator("html.large-text").count() == 1

    def set_large(self, on: bool) -> None:
        """Tap the header's 大字模式/标准字号 button until the page is in the mode asked for."""
        if self.large() != on:
            with self.page.expect_response("**/display/"):
                self.page.get_by_role("button", name="标准字号" if self.large() else "大字模式").click()
            expect(self.page.locator("html.large-text")).to_have_count(1 if on else 0)
        assert self.large() == on
        assert self.page.get_by_test_id("display-toggle").get_attribute("aria-pressed") == ("true" if on else "false")

    def foreign_requests(self) -> list[str]:
        """Requests to anywhere but the live server (no CDN, no font service, no analytics)."""
        ours = urlsplit(self.base).netloc
        return [url for url in self.requests if urlsplit(url).scheme != "data" and urlsplit(url).netloc != ours]

    def track(self, reference: str, phone: str = REPORTER_PHONE) -> None:
        self.goto("/track/")
        self.page.get_by_label("反映编号").fill(reference)
        self.page.get_by_label("手机号后四位").fill(phone[-4:])
        submit(self.page, "查询")
        self.page.wait_for_url(f"**/track/{reference}/")

    def status(self) -> str:
        return str(self.page.get_by_test_id("status").inner_text()).strip()


@pytest.fixture
def citizen(browser: Any, server: Any) -> Iterator[Citizen]:
    person = Citizen(browser, server.url)
    yield person
    person.context.close()


def both_modes(person: Citizen, where: str) -> None:
    """axe on the page open, in standard and then large-text mode (and back to standard)."""
    for large in (False, True):
        person.set_large(large)
        mode = f"{where} ({'大字模式' if large else '标准'})"
        assert_accessible(person.page, mode)
        assert_fits(person.page, mode)
    person.set_large(False)


def test_every_public_page_passes_axe_in_both_modes_and_stays_on_the_server(
    citizen: Citizen, server: Any, district: District, monday: Any
) -> None:
    require_axe()
    page = citizen.page

    citizen.goto("/")
    both_modes(citizen, "/")
    citizen.goto("/privacy/")
    both_modes(citizen, "/privacy/")
    citizen.goto("/track/")
    both_modes(citizen, "/track/")

    # The report page refusing an empty form: the error summary, fields marked invalid.
    citizen.goto("/report/")
    submit(page, "提交反映")
    assert page.get_by_test_id("form-errors").is_visible()
    both_modes(citizen, "/report/ (refused)")
    assert page.get_by_test_id("form-errors").is_visible()  # the mode changes in place

    # The receipt, after a real report.
    citizen.goto("/report/")
    fill_report(citizen)
    submit(page, "提交反映")
    page.wait_for_url("**/report/done/")
    both_modes(citizen, "/report/done/")

    # Progress in the states where the reporter has something to do: approved (confirm or object) and
    # closed (rate).
    for status in (S.APPROVED, S.CLOSED):
        case = case_in(district, status, reporter_phone=REPORTER_PHONE)
        citizen.track(case.reference)
        assert page.get_by_test_id("confirm" if status == S.APPROVED else "rate").is_visible()
        both_modes(citizen, f"/track/<ref>/ ({status})")

    assert citizen.requests, "no request was recorded"
    assert citizen.foreign_requests() == []


class Staff:
    """Each member of staff at their own desk: a browser context of their own, signed in once."""

    def __init__(self, browser: Any, server: Any) -> None:
        self.browser, self.server = browser, server
        self.desks: dict[str, Desk] = {}

    def __getitem__(self, username: str) -> Desk:
        if username not in self.desks:
            self.desks[username] = desk_for(self.browser, self.server)
            self.desks[username].login(username)
        else:
            self.desks[username].page.goto(f"{self.server.url}/")
        return self.desks[username]

    def reply(self, reference: str, result: str) -> None:
        """人社局 takes the order (when it waits to be taken) and replies."""
        desk = self["rsj"]
        desk.open_from_queue("my-orders", reference)
        take = desk.page.get_by_role("button", name="接单", exact=True)
        if take.count():
            desk.click("接单")
        desk.page.get_by_label("办理结果（答复）").fill(result)
        desk.click("提交答复")
        assert desk.status() == "待审核"

    def approve(self, reference: str) -> None:
        desk = self["center_head"]
        desk.open_from_queue("to-review", reference)
        desk.click("审核通过")
        assert desk.status() == "审核通过待办结"


def test_a_report_from_a_phone_to_an_unsatisfied_rating_and_re_supervision(
    citizen: Citizen, browser: Any, server: Any, district: District, monday: Any
) -> None:
    page = citizen.page
    staff = Staff(browser, server)

    # The report: a photo that carries where it was taken, the code from the SMS.
    citizen.goto("/")
    citizen.shot("report")
    page.get_by_label("姓名").fill("周建国")
    citizen.set_large(True)
    assert page.get_by_label("姓名").input_value() == "周建国"  # large text does not cost what was typed
    citizen.shot("report-large")
    citizen.goto("/")
    assert citizen.large()  # and it is remembered
    citizen.set_large(False)
    fill_report(citizen, photo=jpeg_with_gps())
    submit(page, "提交反映")
    page.wait_for_url("**/report/done/")
    reference = str(page.get_by_test_id("reference").inner_text()).strip()
    assert re.fullmatch(r"BC\d{12}", reference), reference
    assert "请记下这个编号" in page.get_by_test_id("receipt").inner_text()
    citizen.shot("receipt")
    citizen.set_large(True)
    assert page.get_by_test_id("reference").inner_text().strip() == reference  # the receipt survives the toggle
    assert on_one_line(page.get_by_test_id("reference")), "the reference breaks over two lines in large text"
    citizen.shot("receipt-large")
    citizen.set_large(False)
    assert reference in sms_to(REPORTER_PHONE)[-1]

    case = Case.objects.get(reference=reference)
    assert case.status == S.REGISTERED and case.center.code == "FWZX" and case.matter is not None and case.matter.code == "RSJ-003"
    assert case.reporter_phone == REPORTER_PHONE and case.notice_version
    photo = case.attachments.get()
    assert photo.uploaded_by is None and photo.content_type == "image/jpeg"
    with photo.file.open("rb") as stored:
        assert not has_gps(stored.read()), "the stored photo still says where it was taken"

    # Staff accept, dispatch (the catalog sends it to 人社局), reply and approve, each by clicking.
    registrar = staff["registrar"]
    registrar.open_from_queue("to-accept", reference)
    registrar.page.get_by_label("帮办代办").check()
    registrar.page.get_by_label("一般", exact=True).check()
    registrar.click("受理")
    assert registrar.status() == "已受理待派单"
    dispatcher = staff["dispatcher"]
    dispatcher.open_from_queue("to-dispatch", reference)
    dispatcher.click("派单")
    assert dispatcher.status() == "已派单"
    staff.reply(reference, "已为您重新推送失业登记数据，请再次申领。")
    staff.approve(reference)
    assert "已有答复" in sms_to(REPORTER_PHONE)[-1]

    # The reporter follows the case with the reference and the phone's last four digits, and objects.
    citizen.track(reference)
    assert "已为您重新推送失业登记数据" in page.get_by_test_id("reply").inner_text()
    assert page.get_by_test_id("confirm").is_visible()
    citizen.shot("progress")
    citizen.set_large(True)
    citizen.shot("progress-large")
    citizen.set_large(False)
    page.get_by_label(re.compile("有不同意见")).fill("到现在还是领不到失业金")
    submit(page, "提出异议")
    assert Case.objects.get(reference=reference).status == S.UNDER_REVIEW
    steps = page.get_by_test_id("steps").inner_text()
    assert "您提出了异议：到现在还是领不到失业金" in steps
    assert page.get_by_test_id("confirm").count() == 0

    # The center head returns it to the unit, which replies again; the head approves.
    head = staff["center_head"]
    head.open_from_queue("to-review", reference)
    assert "到现在还是领不到失业金" in head.page.locator("main").inner_text()
    head.page.get_by_label("审核意见").fill("反映人有异议，请再核实")
    head.click("退回重办")
    staff.reply(reference, "经核实失业金已发放到账，请查收。")
    staff.approve(reference)

    # The reporter confirms: the case closes; then rates it 不满意 and says it is not solved.
    page.reload()
    assert "已发放到账" in page.get_by_test_id("reply").inner_text()
    submit(page, "满意，确认办结")
    assert Case.objects.get(reference=reference).status == S.CLOSED
    assert page.get_by_test_id("rate-form").is_visible()
    citizen.shot("progress-closed")
    page.locator("label[for=rating-2]").click()
    assert page.get_by_label("不满意", exact=True).is_checked()
    page.locator("label[for=solved-no]").click()
    page.get_by_label("想说的话（可不填）").fill("钱到了但跑了三趟，太慢")
    submit(page, "提交评价")
    assert page.get_by_test_id("rate-form").count() == 0
    citizen.shot("progress-rated")
    case = Case.objects.get(reference=reference)
    assert case.status == S.VISITED and case.closure_basis == "confirmed"

    # The 政务服务办 finds it in the re-supervision queue of the workbench.
    office = staff["admin_office"]
    assert office.page.locator("[data-testid=queue-to-resupervise]").get_by_role("link", name=reference).count() == 1
    office.open_from_queue("to-resupervise", reference)
    assert office.status() == "已回访"
    office.shot("citizen-resupervision-queue")

    assert citizen.foreign_requests() == []


def fill_report(citizen: Citizen, photo: bytes | None = None) -> None:
    page = citizen.page
    page.get_by_label("姓名").fill("周建国")
    page.get_by_label("手机号码").fill(REPORTER_PHONE)
    page.get_by_test_id("send-code").click()
    page.get_by_test_id("code-status").and_(page.locator("[data-sent]")).wait_for()
    page.get_by_label("短信验证码").fill(code_in(sms_to(REPORTER_PHONE)[-1]))
    page.get_by_label("在哪里没办成").select_option(label=CENTER)
    page.get_by_label("想办的事（输入几个字查找）").fill("失业保险金")
    page.get_by_role("option", name=re.compile("失业保险金申领")).first.click()
    page.locator("label[for=reason-material_mismatch]").click()
    assert page.get_by_label("材料不符合").is_checked()
    page.get_by_label("遇到了什么问题").fill("原单位已倒闭，拿不到解除劳动合同证明，窗口说没有这份证明不能申领失业金。")
    page.get_by_label("希望怎么解决").fill("希望能正常申领失业保险金")
    if photo is not None:
        page.get_by_label(re.compile("照片或材料")).set_input_files(
            files=[{"name": "证明.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
    page.get_by_label("我已阅读并同意《个人信息告知书》").check()


def on_one_line(locator: Any) -> bool:
    return bool(locator.evaluate("el => el.getClientRects().length === 1 && "
                                 "el.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(el).fontSize)"))


def jpeg_with_gps() -> bytes:
    """A small photo as a phone takes it: a JPEG whose EXIF carries the place it was taken."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (31.0, 14.0, 22.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (121.0, 28.0, 11.0),
    })
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo carries no GPS"
    return data


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))



class Terminal(Citizen):
    """The hall's self-service terminal: a 1080×1920 touch screen."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN", has_touch=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.base = base
        self.requests = []
        self.page.on("request", lambda request: self.requests.append(request.url))


def test_the_kiosk_passes_axe_in_both_modes(browser: Any, server: Any, district: District, monday: Any) -> None:
    require_axe()
    terminal = Terminal(browser, server.url)
    try:
        for path in ("/kiosk/", "/track/?kiosk=1"):
            terminal.goto(path)
            for large in (False, True):
                terminal.set_large(large)
                assert_accessible(terminal.page, f"{path} ({'大字模式' if large else '标准'})")
            terminal.set_large(False)
        assert terminal.requests and terminal.foreign_requests() == []
    finally:
        terminal.context.close()
