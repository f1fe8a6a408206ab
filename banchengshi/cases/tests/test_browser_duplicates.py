"""The registration page shows a possible duplicate as the clerk types the problem; after registering, the
case page offers 并单 on it, and one click (confirmed) merges the repeat into the earlier case."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import register
from banchengshi.cases.tests.test_browser_flow import Desk, browser, server
from banchengshi.conftest import District

__all__ = ["browser", "server"]  # the live server and Chromium fixtures of the flow test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_possible_duplicate_shows_while_typing_and_merges(browser: Any, server: Any, district: District) -> None:
    earlier = register(district, matter="RSJ-002", reporter_phone="13600136000", minutes_ago=60,
                       description="社保卡在银行激活的时候名字显示成问号，银行让我去找社保中心处理")
    desk = Desk(browser, server.url)
    page = desk.page
    desk.login("registrar")
    page.get_by_role("link", name="登记反映").first.click()
    page.get_by_label("反映渠道").select_option(label="电话")
    page.get_by_label("反映人姓名").fill("钱多多")
    page.get_by_label("联系电话").fill("13700137000")
    page.get_by_label("办理业务名称").fill("社保卡激活")
    page.get_by_label("材料不符合", exact=True).check()
    page.get_by_label("遇到的问题").press_sequentially("我名字里有个生僻字，新领的社保卡激活时银行系统显示问号，银行说要社保那边改")
    similar = page.locator("[data-testid=similar-reports]")
    expect(similar).to_contain_text(earlier.reference)
    expect(similar).to_contain_text("不同反映人")
    desk.shot("register-possible-duplicate")
    page.get_by_role("button", name="提交登记").click()
    page.wait_for_url("**/cases/BC*/")
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    links = page.locator("[data-testid=possible-duplicates]")
    expect(links).to_contain_text(earlier.reference)
    page.once("dialog", lambda dialog: dialog.accept())
    links.get_by_role("button", name="并单").click()
    page.wait_for_url(f"**/cases/{earlier.reference}/")
    assert Case.objects.get(reference=reference).status == CaseStatus.MERGED
