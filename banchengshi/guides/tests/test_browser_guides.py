"""办事指南 in Chromium. A clerk types the reporter's story on the registration page, picks the proposed
guide, ticks what the reporter has and prints the 一次性告知单 (its PDF read back with pdftotext lists
exactly the missing materials); the public guide pages pass axe in both display modes; the department's
editor saves a version that waits for review. No CSP violation on the way. With SCREENSHOTS=1: the pages
and a pdftoppm image of the notice in var/screenshots/."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from banchengshi.cases.models import Case, CaseDocument
from banchengshi.cases.tests.test_browser_csp import Watch
from banchengshi.conftest import District
from banchengshi.guides.models import Guide, VersionStatus
from banchengshi.guides.selectors import content_of
from banchengshi.lib.tests.axe import require_axe
from banchengshi.lib.tests.chromium import screenshot
from banchengshi.papers.tests.test_foundation import flat, pdf_text
from banchengshi.public.tests.test_citizen_browser import Citizen, both_modes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STORY = "我在公司干了三年，上个月公司说经营困难把我辞退了，我想领失业金，不知道要准备什么材料。"


@pytest.fixture
def citizen(browser: Any, server: Any) -> Iterator[Citizen]:
    person = Citizen(browser, server.url)
    yield person
    person.context.close()


def _pdf_image(pdf: bytes, tmp_path: Path, name: str) -> None:
    """The notice's first page as a PNG for people to look at (SCREENSHOTS=1, as the page screenshots)."""
    if os.environ.get("SCREENSHOTS", "") in ("", "0"):
        return
    assert shutil.which("pdftoppm"), "pdftoppm not found: apt-get install poppler-utils"
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(source), str(shots / name)], check=True)


def test_a_clerk_prints_the_one_time_notice_of_exactly_the_missing_materials(
    browser: Any, server: Any, district: District, tmp_path: Path
) -> None:
    watch = Watch(browser, server.url, viewport={"width": 1366, "height": 900})
    page = watch.page
    watch.login("registrar")
    watch.open("/cases/new/")
    page.get_by_label("反映渠道").select_option(label="窗口现场")
    page.get_by_label("反映人姓名").fill("孙丽")
    page.get_by_label("联系电话").fill("13712345678")
    page.get_by_label("流程复杂、材料过多", exact=True).check()
    page.get_by_label("遇到的问题").fill(STORY)
    page.get_by_test_id("find-guides").click()
    proposals = page.get_by_test_id("guide-proposals")
    expect(proposals).to_contain_text("失业保险金申领")
    watch.settle()
    page.get_by_label("失业保险金申领", exact=True).check()
    watch.check("guide proposals on the registration page")
    screenshot(page, "guide-register-proposals")
    page.get_by_role("button", name="提交登记").click()
    page.wait_for_url("**/guides/RSJ-003/")
    watch.settle()
    watch.check("checklist")

    guide = Guide.objects.select_related("published").get(matter__code="RSJ-003")
    materials = content_of(guide.published).materials  # type: ignore[arg-type]
    has = [materials[0].name]  # the reporter brought the ID card
    skipped = [m.name for m in materials if not m.required][-1:]  # no arbitration: the employer issued the letter
    missing = [m for m in materials if m.name not in has and m.name not in skipped]
    page.get_by_label(has[0], exact=True).check()
    page.get_by_label(f"{skipped[0]}：不适用").check()
    screenshot(page, "guide-checklist")
    page.get_by_test_id("issue-notice").click()
    page.wait_for_url("**/guides/RSJ-003/?issued=*")
    expect(page.get_by_test_id("given-documents")).to_contain_text("一次性告知单")
    watch.check("notice issued")

    href = page.get_by_test_id("print-document").first.get_attribute("href")
    assert href is not None
    response = page.request.get(server.url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    text = flat(pdf_text(pdf, tmp_path))
    for m in missing:
        assert flat(m.name) in text, m.name
    for name in (*has, *skipped):
        assert flat(name) not in text, name
    assert f"尚需补齐以下{len(missing)}项材料" in text
    _pdf_image(pdf, tmp_path, "guide-one-time-notice")

    case = Case.objects.get(reporter_phone_hash__isnull=False, description=STORY)
    document = CaseDocument.objects.get(case=case, kind="one_time_notice")
    assert [m["name"] for m in document.data["missing"]] == [m.name for m in missing]
    watch.open(f"/cases/{case.reference}/")
    expect(page.get_by_test_id("documents")).to_contain_text("一次性告知单")
    page.get_by_test_id("find-guides").click()  # the case page proposes guides too (htmx)
    expect(page.get_by_test_id("guide-proposals").get_by_test_id("pick-guide").first).to_be_visible()
    watch.check("case page proposals")
    for path in ("/guides/", "/guides/RSJ-003/", "/public/guides/", "/public/guides/?q=失业金", "/public/guides/RSJ-003/"):
        watch.open(path)
    watch.context.close()


def test_the_public_guide_pages_pass_axe_and_find_a_guide_by_the_reporter_s_words(
    citizen: Citizen, district: District
) -> None:
    require_axe()
    page = citizen.page
    citizen.goto("/public/guides/")
    expect(page.get_by_role("link", name="办事指南", exact=True)).to_have_attribute("aria-current", "page")
    both_modes(citizen, "办事指南")
    page.get_by_label("您要办什么事？").fill("公司把我辞退了，想领失业金")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url("**/public/guides/?q=*")
    first = page.get_by_test_id("public-guides").get_by_role("link").first
    expect(first).to_have_text("失业保险金申领办事指南")
    citizen.shot("guides")
    first.click()
    page.wait_for_url("**/public/guides/RSJ-003/")
    expect(page.get_by_test_id("guide-materials")).to_contain_text("离职证明")
    both_modes(citizen, "失业保险金申领办事指南")
    citizen.shot("guide")
    citizen.set_large(True)
    citizen.shot("guide-large")
    citizen.set_large(False)
    assert citizen.foreign_requests() == []


def test_the_department_edits_and_the_admin_office_publishes(browser: Any, server: Any, district: District) -> None:
    staff = Watch(browser, server.url, viewport={"width": 1366, "height": 900})
    page = staff.page
    staff.login("rsj")
    staff.open("/guides/RSJ-003/")
    page.get_by_test_id("edit-guide").click()
    page.wait_for_url("**/guides/RSJ-003/edit/")
    staff.check("guide editor")
    page.get_by_label("承诺时限").fill("材料齐全的当场受理，3个工作日内办结")
    page.get_by_label("修改说明（写明改了什么、为什么）").fill("承诺时限由5个工作日压缩为3个工作日")
    screenshot(page, "guide-editor")
    page.get_by_test_id("save-guide").click()
    page.wait_for_url("**/guides/RSJ-003/")
    expect(page.get_by_test_id("guide-history")).to_contain_text("待审核")
    staff.context.close()

    office = Watch(browser, server.url, viewport={"width": 1366, "height": 900})
    office.login("admin_office")
    office.open("/guides/")
    expect(office.page.get_by_test_id("pending-guides")).to_contain_text("失业保险金申领办事指南")
    office.page.get_by_test_id("pending-guides").get_by_role("link").first.click()
    office.page.wait_for_url("**/guides/RSJ-003/")
    screenshot(office.page, "guide-review")
    office.page.get_by_test_id("publish-guide").click()
    office.page.wait_for_url("**/guides/RSJ-003/")
    expect(office.page.get_by_test_id("guide-history")).to_contain_text("已发布")
    office.check("guide published")
    screenshot(office.page, "guide-history")
    office.context.close()
    latest = Guide.objects.get(matter__code="RSJ-003").versions.order_by("-number").first()
    assert latest is not None and latest.status == VersionStatus.PUBLISHED and latest.time_limit.startswith("材料齐全的当场受理，3个")
