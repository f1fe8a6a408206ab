from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import WorkOrder
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.papers.tests.helpers import page_images
from banchengshi.reports.workorder_pdf import _NoFetching, work_order_html, work_order_pdf


def _poppler(tool: str, *args: str) -> str:
    assert shutil.which(tool), f"{tool} not found: apt-get install poppler-utils"
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def _order(district: District) -> WorkOrder:
    case = case_in(
        district, S.IN_PROGRESS, reporter_name="王五", reporter_phone="13700001234",
        reporter_kind="enterprise", reporter_organization="示范科技有限公司",
        business_name="失业保险金申领", demand="希望尽快领到失业金",
    )
    order = case.work_orders.get()
    actions.do_add_note(order, acting_user=district.users["rsj"], verification="经核实，系统未同步失业登记信息。",
                        opinion="由人社局协调数据同步后通知申领。")
    actions.do_reply_work_order(order, acting_user=district.users["rsj"], result="已同步数据，申请人已成功申领。")
    return WorkOrder.objects.select_related("case__center", "case__matter", "unit").get(pk=order.pk)


def test_work_order_pdf_is_the_ankang_form(district: District, monday: Any, tmp_path: Path) -> None:
    order = _order(district)
    pdf = tmp_path / "order.pdf"
    pdf.write_bytes(work_order_pdf(order))
    page_images(pdf.read_bytes(), "papers-work_order")

    text = _poppler("pdftotext", "-layout", str(pdf), "-")
    flat = re.sub(r"\s+", "", text)
    assert "群众反映“办不成事”问题工单" in flat
    for label in ("反映对象", "联系方式", "登记时间", "登记编号", "反映问题", "核实情况及处理意见", "办理结果", "承办单位"):
        assert label in flat, label
    assert order.case.reference in text
    assert "王五" in text and "示范科技有限公司" in text
    assert "13700001234" in text  # the handling unit calls the reporter: the printed order is not masked
    assert "经核实，系统未同步失业登记信息。" in flat
    assert "已同步数据，申请人已成功申领。" in flat
    assert re.search(rf"承办单位\s+{district.units['RSJ'].name}（主办）", text)
    day = timezone.localdate(order.created_at)
    assert f"{order.case.center.name}{day.year}年{day.month}月{day.day}日" in flat
    assert "咨询引导☐帮办代办☑协调督办☐" in flat  # factories accept as 帮办代办

    assert re.search(r"^Pages:\s+1$", _poppler("pdfinfo", str(pdf)), re.M)
    assert re.search(r"NotoSansCJK|Noto-Sans-CJK|NotoSerifCJK|Noto-Serif-CJK", _poppler("pdffonts", str(pdf)))
    for line in _poppler("pdffonts", str(pdf)).splitlines()[2:]:
        assert " yes " in line, f"font not embedded: {line}"


def test_work_order_html_escapes_and_uses_no_external_resource(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED, description='<img src="http://example.invalid/x.png">无法办理')
    html = work_order_html(case.work_orders.get())
    assert "&lt;img" in html
    assert "http" not in html.replace('http://example.invalid/x.png', "")
    assert "咨询引导 <span class=\"box\">☐</span>" in html


def test_work_order_without_handling_type_checks_no_box(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED)
    case.handling_type = ""  # a rendering check only: no action clears it
    order = case.work_orders.get()
    order.case = case
    assert "☑" not in work_order_html(order)


@pytest.mark.parametrize("url", ["http://example.invalid/a.png", "file:///etc/passwd", "data:text/css,p{}"])
def test_work_order_pdf_fetches_nothing(url: str) -> None:
    with pytest.raises(ValueError):
        _NoFetching().fetch(url)


def test_a_returned_order_prints_as_void(district: District, monday: Any, tmp_path: Path) -> None:
    case = case_in(district, S.DISPATCHED)
    order = case.work_orders.get()
    actions.do_return_work_order(order, acting_user=district.users["rsj"], reason="不属于本单位职责")
    order.refresh_from_db()
    pdf = tmp_path / "returned.pdf"
    pdf.write_bytes(work_order_pdf(order))
    flat = re.sub(r"\s+", "", _poppler("pdftotext", "-layout", str(pdf), "-"))
    assert "作废" in flat and "退回（不属于本单位职责）" in flat
    live = tmp_path / "live.pdf"
    live.write_bytes(work_order_pdf(case_in(district, S.DISPATCHED).work_orders.get()))
    assert "作废" not in re.sub(r"\s+", "", _poppler("pdftotext", "-layout", str(live), "-"))
