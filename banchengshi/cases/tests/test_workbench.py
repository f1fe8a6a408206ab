"""The workbench pages: what each person sees, exports and printouts, and what they may not reach."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Attachment, Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.lib.tests.files import pdf_bytes


def client_for(district: District, name: str) -> Client:
    client = Client()
    sign_in(client, district.users[name])
    return client


@pytest.fixture
def two_departments(district: District, monday: Any) -> tuple[Case, Case]:
    """A 人社局 case about 社保 with an attachment, and a 医保局 case about 医保."""
    rsj_case = case_in(district, S.IN_PROGRESS, description="社保卡补办时照片被退回")
    actions.do_attach_file(
        rsj_case, acting_user=district.users["rsj"], upload=SimpleUploadedFile("离职证明.pdf", pdf_bytes("test"))
    )
    ybj_case = case_in(district, S.ACCEPTED, matter="YBJ-002", description="医保异地备案被退回")
    actions.do_dispatch_case(ybj_case, acting_user=district.users["dispatcher"], lead_unit=district.units["YBJ"])
    return rsj_case, ybj_case


def test_a_department_sees_only_its_own_cases_everywhere(district: District, two_departments: Any) -> None:
    rsj_case, ybj_case = two_departments
    ybj = client_for(district, "ybj")
    home = ybj.get("/").content.decode()
    assert ybj_case.reference in home and rsj_case.reference not in home
    ledger = ybj.get("/ledger/").content.decode()
    assert ybj_case.reference in ledger and rsj_case.reference not in ledger and "共 1 件" in ledger
    assert "共 0 件" in ybj.get("/ledger/", {"q": "社保"}).content.decode()
    assert "共 1 件" in ybj.get("/ledger/", {"q": "医保"}).content.decode()
    rows = list(load_workbook(BytesIO(ybj.get("/ledger/export.xlsx").getvalue())).active.iter_rows(values_only=True))
    flat = " ".join(str(v) for row in rows for v in row if v)
    assert ybj_case.reference in flat and rsj_case.reference not in flat
    # Guessing URLs: the case, its work order, its printout, its attachment, its actions.
    order = rsj_case.work_orders.get()
    attachment = Attachment.objects.get(case=rsj_case)
    for method, url in [
        ("get", f"/cases/{rsj_case.reference}/"),
        ("get", f"/work-orders/{order.pk}/print.pdf"),
        ("get", f"/attachments/{attachment.pk}/"),
        ("post", f"/cases/{rsj_case.reference}/act/pause/"),
        ("post", f"/work-orders/{order.pk}/act/reply/"),
        ("post", f"/cases/{rsj_case.reference}/attachments/"),
    ]:
        assert getattr(ybj, method)(url).status_code == 404, url
    assert Case.objects.get(pk=rsj_case.pk).status == S.IN_PROGRESS
    # The holding department gets the attachment back, byte for byte.
    download = client_for(district, "rsj").get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes("test")
    assert "离职证明.pdf" in download["Content-Disposition"] or "filename*" in download["Content-Disposition"]


def test_ledger_export_has_the_filters_of_the_page(district: District, two_departments: Any) -> None:
    rsj_case, ybj_case = two_departments
    dispatcher = client_for(district, "dispatcher")
    response = dispatcher.get("/ledger/export.xlsx", {"q": "医保", "status": "dispatched"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.getvalue())).active
    text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert ybj_case.reference in text and rsj_case.reference not in text
    assert "138****8000" in text and "13800138000" not in text
    assert "状态：已派单" in text and "关键词：医保" in text
    assert dispatcher.get("/ledger/export.xlsx", {"light": "purple"}).status_code == 422


def test_work_order_pdf_prints_the_ankang_form(district: District, two_departments: Any, tmp_path: Path) -> None:
    rsj_case, _ = two_departments
    order = rsj_case.work_orders.get()
    response = client_for(district, "rsj").get(f"/work-orders/{order.pk}/print.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "order.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ["登记编号", rsj_case.reference, "反映对象", "联系方式", "核实情况", "办理结果", "帮办代办"]:
        assert expected in text
    assert client_for(district, "overseer").get(f"/work-orders/{order.pk}/print.pdf").status_code == 403


def test_bad_actions_answer_4xx_with_a_message_and_change_nothing(district: District, two_departments: Any) -> None:
    rsj_case, _ = two_departments
    rsj = client_for(district, "rsj")
    order = rsj_case.work_orders.get()
    response = rsj.post(f"/work-orders/{order.pk}/act/reply/", {"result": "  "})
    assert response.status_code == 422 and "请填写办理结果" in response.content.decode()
    response = client_for(district, "registrar").post(f"/cases/{rsj_case.reference}/act/resolve/", {"result": "x"})
    assert response.status_code == 409 and "不能变为" in response.content.decode()
    response = client_for(district, "overseer").post(f"/cases/{rsj_case.reference}/act/close/")
    assert response.status_code == 403
    assert Case.objects.get(pk=rsj_case.pk).status == S.IN_PROGRESS
    upload = SimpleUploadedFile("virus.exe", b"MZ")
    response = rsj.post(f"/cases/{rsj_case.reference}/attachments/", {"file": upload})
    assert response.status_code == 422 and "不是允许的文件类型" in response.content.decode()


def test_registration_shows_repeat_reports_and_errors(district: District, monday: Any) -> None:
    registrar = client_for(district, "registrar")
    earlier = case_in(district, S.REGISTERED, reporter_phone="13700001111")
    partial = registrar.post("/cases/new/repeats/", {"reporter_phone": "13700001111"}).content.decode()
    assert "已反映 1 次" in partial and earlier.reference in partial
    assert registrar.post("/cases/new/repeats/", {"reporter_phone": "13700009999"}).content.decode().strip() == ""
    response = registrar.post("/cases/new/", {"reporter_name": "", "reporter_phone": "1", "channel": "phone"})
    assert response.status_code == 422 and "这个字段是必填项" in response.content.decode()
    assert Case.objects.count() == 1
    assert client_for(district, "rsj").get("/cases/new/").status_code == 403
    again = case_in(district, S.REGISTERED, reporter_phone="13700001111")
    page = registrar.get(f"/cases/{again.reference}/").content.decode()
    assert "同一反映人的其他反映（1）" in page and earlier.reference in page


def test_home_queues_are_sorted_by_urgency(district: District, monday: Any) -> None:
    later = case_in(district, S.IN_PROGRESS)  # general: 3 working days from dispatch
    actions.do_contact_reporter(later.work_orders.get(), acting_user=district.users["rsj"], note="已联系")
    monday.shift(60)
    sooner = case_in(district, S.REGISTERED)  # registered later, but simple: due today
    actions.do_accept_case(sooner, acting_user=district.users["registrar"], handling_type="consult", complexity="simple")
    actions.do_dispatch_case(sooner, acting_user=district.users["dispatcher"], lead_unit=district.units["RSJ"])
    page = client_for(district, "rsj").get("/").content.decode()
    queue = page[page.index('data-testid="queue-my-orders"'):]
    assert queue.index(sooner.reference) < queue.index(later.reference)
    assert "剩余" in queue


def test_dispatch_down_offers_only_lower_centers(district: District, monday: Any) -> None:
    case = case_in(district, S.ACCEPTED, matter="RSJ-001", locality=district.units["C-CH"])
    actions.do_dispatch_case(case, acting_user=district.users["dispatcher"])
    order = case.work_orders.get()
    assert order.unit.code == "C-CH"
    town = client_for(district, "town_handler")
    assert town.post(f"/work-orders/{order.pk}/act/receive/").status_code == 302
    page = town.get(f"/cases/{case.reference}/").content.decode()
    assert "向下派单" not in page  # a street center has no lower center
    response = town.post(f"/work-orders/{order.pk}/act/dispatch-down/", {"unit": "C-BQ"})
    assert response.status_code == 422 and "不是" in response.content.decode()
    rsj_case = case_in(district, S.IN_PROGRESS)
    page = client_for(district, "rsj").get(f"/cases/{rsj_case.reference}/").content.decode()
    assert "向下派单" in page and "示范区城河街道社区事务受理服务中心" in page


def test_every_ledger_filter_narrows_the_page_the_api_and_the_export(district: District, monday: Any) -> None:
    phone = case_in(district, S.IN_PROGRESS, channel="phone", reasons=["proof_hard_to_find"])
    window = case_in(district, S.ACCEPTED, channel="window", reasons=["other"], reason_other="不知道找谁",
                     matter="YBJ-002")
    dispatcher, api = client_for(district, "dispatcher"), district.api("dispatcher")
    for query, expected in [
        ({"channel": "phone"}, phone),
        ({"reason": "proof_hard_to_find"}, phone),
        ({"reason": "other"}, window),
        ({"matter": "YBJ-002"}, window),
        ({"unit": "RSJ"}, phone),
        ({"status": "accepted", "received_from": "2026-11-23", "received_to": "2026-11-23"}, window),
    ]:
        other = window if expected == phone else phone
        page = dispatcher.get("/ledger/", query).content.decode()
        assert expected.reference in page and other.reference not in page, query
        assert [c["reference"] for c in api.get("/cases", **query).json()["results"]] == [expected.reference], query
        sheet = load_workbook(BytesIO(dispatcher.get("/ledger/export.xlsx", query).getvalue())).active
        text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
        assert expected.reference in text and other.reference not in text, query
    assert "共 0 件" in dispatcher.get("/ledger/", {"received_to": "2026-11-22"}).content.decode()
    response = dispatcher.get("/ledger/", {"reason": "bad", "status": "nope"})
    assert response.status_code == 422 and "取值无效" in response.content.decode()
    assert api.get("/cases", channel="fax").status_code == 422
