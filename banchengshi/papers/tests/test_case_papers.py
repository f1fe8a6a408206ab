"""The papers of a case, read back from their PDFs: 回执, 登记表, 不予受理通知书; who may print them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import CaseDocument
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.papers.tests.helpers import flat, page_images, pages, pdf_text

PHONE = "13912345678"


def _get(district: District, username: str, url: str) -> Any:
    return sign_in(Client(), district.users[username]).get(url)


def _paper(district: District, username: str, case: Any, kind: str) -> bytes:
    document = CaseDocument.objects.get(case=case, kind=kind)
    response = _get(district, username, f"/cases/{case.reference}/documents/{document.pk}/")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return bytes(response.content)


def test_registration_issues_a_receipt_with_the_reference_limit_and_how_to_track(district: District, monday: Any) -> None:
    case = case_in(district, S.REGISTERED, reporter_phone=PHONE, window="3号窗口")
    kinds = list(case.documents.values_list("kind", flat=True))
    assert kinds == ["receipt", "registration_form"]
    assert Event.objects.filter(case=case, action="document_issued").count() == 2

    pdf = _paper(district, "registrar", case, "receipt")
    page_images(pdf, "papers-receipt")
    text = flat(pdf_text(pdf))
    assert "“办不成事”反映受理回执" in text and case.center.name in text
    assert f"登记编号{case.reference}" in text
    assert "/track/" in text and "手机号码的后4位" in text
    assert "受理答复：" in text and "个工作日）" in text  # the limit the registration clock promises
    assert "咨询电话12345（工作日09:00—17:00）" in text
    assert "（印章）" in text and "第1页共1页" in text
    assert PHONE not in text and PHONE[-4:] not in text  # a receipt names no phone
    assert pages(pdf) == 1


def test_the_registration_form_prints_both_parts_and_masks_the_phone_for_a_role_without_contact_details(
    district: District, monday: Any
) -> None:
    case = case_in(district, S.IN_PROGRESS, reporter_phone=PHONE, reporter_name="王小明", window="3号窗口",
                   business_name="失业保险金申领", reasons=["material_mismatch", "slow_or_rude"], reason_other="窗口说系统故障",
                   demand="希望尽快领到失业金")
    full = _paper(district, "registrar", case, "registration_form")
    page_images(full, "papers-registration_form")
    text = flat(pdf_text(full))
    assert pages(full) == 2
    for label in ("反映人姓名", "联系电话", "办理日期", "接待窗口", "办理业务名称", "“办不成事”的原因", "遇到的问题及诉求",
                  "（此页由反映人填写）", "登记人员", "办理人员", "受理与否", "受理/不予受理的原因", "受理日期", "办结日期",
                  "涉及部门", "是否反馈", "“办不成事”办理过程与结果", "（此页由“办不成事”登记人员填写）"):
        assert label in text, label
    assert "王小明" in text and PHONE in text and "3号窗口" in text and "失业保险金申领" in text
    for box in ("☐证明材料难找", "☐规则不符合", "☑材料不符合"):
        assert box in text, box
    assert "☑其他原因：（拖拉办理、态度不好；窗口说系统故障）" in text
    assert "☑受理☐不予受理" in text
    assert "是否反馈☐是☐否" in text  # in progress: neither box ticked yet (the registrar ticks it when it is done)
    assert district.units["RSJ"].name in text  # 涉及部门
    assert Event.objects.filter(case=case, action="personal_data_viewed", data__via="print").exists()

    masked = _paper(district, "admin_office", case, "registration_form")
    masked_text = flat(pdf_text(masked))
    assert PHONE not in masked_text and "139****5678" in masked_text
    assert "王小明" not in masked_text and "王*" in masked_text


def test_the_registration_form_of_a_closed_case_says_the_reporter_was_told(district: District, monday: Any) -> None:
    case = case_in(district, S.CLOSED, reporter_phone=PHONE)
    text = flat(pdf_text(_paper(district, "registrar", case, "registration_form")))
    assert "是否反馈☑是" in text and "☑否" not in text


def test_not_accepting_issues_the_notice_with_reason_basis_and_next_steps(district: District, monday: Any) -> None:
    case = case_in(district, S.REGISTERED, reporter_phone=PHONE, reporter_name="王小明")
    answer = district.api("registrar").post(f"/cases/{case.reference}/reject", {
        "reason": "您申请的事项已超过法定申请期限。",
        "basis": "《失业保险条例》第十六条：城镇企业事业单位应当及时为失业人员出具终止或者解除劳动关系的证明。",
        "next_steps": "可向区人力资源和社会保障局劳动保障监察大队咨询。",
    })
    assert answer.status_code == 200, answer.content
    documents = answer.json()["documents"]
    notice = next(d for d in documents if d["kind"] == "rejection_notice")
    assert notice["title"] == "“办不成事”反映不予受理通知书"
    assert [d["kind"] for d in documents] == ["receipt", "registration_form", "rejection_notice"]

    pdf = _paper(district, "registrar", case, "rejection_notice")
    page_images(pdf, "papers-rejection_notice")
    text = flat(pdf_text(pdf))
    assert "“办不成事”反映不予受理通知书" in text and "王小明：" in text
    assert "您申请的事项已超过法定申请期限。" in text
    assert "《失业保险条例》第十六条" in text
    assert "可向区人力资源和社会保障局劳动保障监察大队咨询。" in text
    assert "一、不予受理的原因" in text and "二、依据" in text and "三、后续办理途径" in text
    assert case.reference in text and "（印章）" in text


def test_a_notice_without_basis_or_next_steps_says_the_window_s_rule_and_the_matter_s_department(
    district: District, monday: Any
) -> None:
    case = case_in(district, S.NOT_ACCEPTED)  # factories: reason only, from the action
    pdf = _paper(district, "registrar", case, "rejection_notice")
    page_images(pdf, "papers-rejection_notice-defaults")
    assert pages(pdf) == 1
    text = flat(pdf_text(pdf))
    assert "不属于受理范围" in text
    assert "不属于“办不成事”受理范围" in text  # the default basis
    assert case.matter is not None and f"可咨询{case.matter.department.name}窗口" in text
    assert "12345" in text


def test_the_page_s_not_accept_form_takes_basis_and_next_steps(district: District, monday: Any) -> None:
    case = case_in(district, S.REGISTERED)
    client = sign_in(Client(), district.users["registrar"])
    response = client.post(f"/cases/{case.reference}/act/reject/", {
        "reason": "不属于本中心受理范围", "basis": "依据某某规定第三条", "next_steps": "请到区市场监管局窗口办理"})
    assert response.status_code == 302
    notice = CaseDocument.objects.get(case=case, kind="rejection_notice")
    assert notice.data["basis"] == "依据某某规定第三条" and notice.data["next_steps"] == "请到区市场监管局窗口办理"
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert f"/cases/{case.reference}/documents/{notice.pk}/" in page and "不予受理通知书" in page


def test_a_reprint_says_what_the_paper_said_at_issue(district: District, monday: Any) -> None:
    case = case_in(district, S.NOT_ACCEPTED)
    notice = CaseDocument.objects.get(case=case, kind="rejection_notice")
    type(case).objects.filter(pk=case.pk).update(rejection_reason="事后改过的原因")
    text = flat(pdf_text(_paper(district, "registrar", case, "rejection_notice")))
    assert notice.data["reason"] in text and "事后改过的原因" not in text


@pytest.mark.parametrize("username", ["town_registrar", "rsj"])
def test_staff_who_may_not_see_the_case_get_no_paper(district: District, monday: Any, username: str) -> None:
    case = case_in(district, S.REGISTERED)
    document = CaseDocument.objects.get(case=case, kind="receipt")
    response = _get(district, username, f"/cases/{case.reference}/documents/{document.pk}/")
    assert response.status_code in (403, 404)
    assert not Event.objects.filter(case=case, action="printed").exists()


def test_a_document_of_another_case_is_not_found_under_this_case(district: District, monday: Any) -> None:
    first, second = case_in(district, S.REGISTERED), case_in(district, S.REGISTERED)
    other = CaseDocument.objects.get(case=second, kind="receipt")
    assert _get(district, "registrar", f"/cases/{first.reference}/documents/{other.pk}/").status_code == 404
