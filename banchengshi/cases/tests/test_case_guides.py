"""办事指南 on a case: proposed for the reporter's words, given by SMS, and the 一次性告知单 of exactly what
is missing — recorded on the case, printed (read back with pdftotext), sent, shown on the tracking page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.actions.guides import do_give_guide, do_issue_one_time_notice
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case, CaseDocument
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.guides.models import Guide
from banchengshi.guides.selectors import content_of
from banchengshi.lib.errors import ActionError, InvalidInput
from banchengshi.papers.tests.test_foundation import flat, pdf_text
from banchengshi.public.tests.helpers import sms_to

PHONE = "13800138000"


def _guide(code: str = "RSJ-003") -> Guide:
    return Guide.objects.select_related("matter", "published").get(matter__code=code)


def _materials(code: str = "RSJ-003") -> list[Any]:
    return list(content_of(_guide(code).published).materials)  # type: ignore[arg-type]


def test_the_case_page_proposes_guides_for_the_reporter_s_words(district: District) -> None:
    case = case_in(district, S.REGISTERED)
    client = sign_in(Client(), district.users["registrar"])
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert 'data-testid="case-guides"' in page
    answer = client.post("/cases/guide-proposals/", {"text": "公司把我辞退了，想领失业金", "reference": case.reference})
    html = answer.content.decode()
    assert answer.status_code == 200 and f"/cases/{case.reference}/guides/RSJ-003/" in html
    # While registering (no case yet): radio buttons the registration form sends.
    answer = client.post("/cases/guide-proposals/", {"description": "我想开个奶茶店，要注册一个公司"})
    assert 'name="guide" value="SCJGJ-001"' in answer.content.decode()
    assert client.get("/cases/guide-proposals/").status_code == 405
    outsider = sign_in(Client(), district.users["overseer"])
    assert outsider.post("/cases/guide-proposals/", {"text": "失业金"}).status_code == 403


def test_a_one_time_notice_lists_exactly_what_is_missing_and_prints_it(
    district: District, monday: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    case = case_in(district, S.REGISTERED)
    materials = _materials()
    have = [materials[0].name]  # the ID card
    not_needed = [m.name for m in materials if not m.required][:1]
    missing = [m for m in materials if m.name not in have and m.name not in not_needed]
    assert len(missing) >= 2
    client = sign_in(Client(), district.users["registrar"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case.reference}/guides/RSJ-003/", {
            "what": "notice", "have": have, "not_needed": not_needed, "send_sms": "on"})
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case, kind="one_time_notice")
    assert [m["name"] for m in document.data["missing"]] == [m.name for m in missing]
    assert document.data["version"] == _guide().published.number  # type: ignore[union-attr]

    pdf = client.get(f"/cases/{case.reference}/documents/{document.pk}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = flat(pdf_text(pdf.content, tmp_path))
    assert "一次性告知单" in text and f"尚需补齐以下{len(missing)}项材料" in text
    for m in missing:
        assert flat(m.name) in text, m.name
        assert flat(m.source)[:12] in text, m.source
    for name in (*have, *not_needed):
        assert flat(name) not in text, name
    assert "（印章）" in text and "第1页" in text
    assert f"反映人：{flat(case.reporter_name)}" in text  # the clerk's print names the reporter (a recorded view)

    texts = sms_to(PHONE)
    assert len(texts) == 1 and f"还需补齐以下{len(missing)}项材料" in texts[0] and "/public/guides/RSJ-003/" in texts[0]
    assert Event.objects.filter(case=case, action="one_time_notice_sent").count() == 1
    issued = Event.objects.filter(case=case, action="document_issued")
    assert [e.data["kind"] for e in issued if e.data["kind"] == "one_time_notice"] == ["one_time_notice"]


def test_a_consultation_is_answered_on_the_spot_with_the_notice(district: District, monday: Any) -> None:
    case = case_in(district, S.REGISTERED)
    materials = _materials()
    do_issue_one_time_notice(case, acting_user=district.users["registrar"], guide=_guide(),
                             have=[materials[0].name], not_needed=[], link="https://x/g", resolve=True)
    case = Case.objects.get(pk=case.pk)
    assert case.status == S.RESOLVED_ON_SITE and "一次性告知单" in case.result and materials[1].name in case.result


def test_the_guide_is_given_by_sms_and_shown_on_the_tracking_page(
    district: District, monday: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    case = case_in(district, S.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        do_give_guide(case, acting_user=district.users["registrar"], guide=_guide(),
                      link="http://testserver/public/guides/RSJ-003/")
        do_issue_one_time_notice(case, acting_user=district.users["registrar"], guide=_guide(),
                                 have=[], not_needed=[], link="http://testserver/public/guides/RSJ-003/")
    assert "“失业保险金申领”办事指南" in sms_to(PHONE)[0] and "http://testserver/public/guides/RSJ-003/" in sms_to(PHONE)[0]
    body = district.api("registrar").get(f"/cases/{case.reference}").json()
    papers = [d for d in body["documents"] if d["kind"] in ("guide", "one_time_notice")]
    assert [d["kind"] for d in papers] == ["guide", "one_time_notice"]
    printed = sign_in(Client(), district.users["registrar"]).get(papers[0]["url"])
    text = flat(pdf_text(printed.content, tmp_path))
    assert printed.status_code == 200 and "失业保险金申领办事指南" in text and "《失业保险条例》" in text

    reporter = Client()
    found = reporter.post("/track/", {"reference": case.reference, "phone_last4": PHONE[-4:]})
    assert found.status_code == 302
    page = reporter.get(f"/track/{case.reference}/").content.decode()
    assert 'data-testid="tracked-guides"' in page and "/public/guides/RSJ-003/" in page
    assert _materials()[1].name in page


def test_refusals_are_chinese_and_keep_the_ticks(district: District, monday: Any) -> None:
    case = case_in(district, S.REGISTERED)
    client = sign_in(Client(), district.users["registrar"])
    url = f"/cases/{case.reference}/guides/RSJ-003/"
    names = [m.name for m in _materials()]
    everything = client.post(url, {"what": "notice", "have": names})
    assert everything.status_code == 422 and "无需出具一次性告知单" in everything.content.decode()
    assert everything.content.decode().count("checked") >= len(names)
    unknown = client.post(url, {"what": "notice", "have": ["不存在的材料"]})
    assert unknown.status_code == 422 and "办事指南中没有材料" in unknown.content.decode()
    required = client.post(url, {"what": "notice", "not_needed": [names[0]]})
    assert required.status_code == 422 and "必须提交的材料" in required.content.decode()
    Case.objects.filter(pk=case.pk).update(reporter_phone="")  # anonymised after the retention period
    no_phone = client.post(url, {"what": "give", "send_sms": "on"})
    assert no_phone.status_code == 422 and "没有登记手机号码" in no_phone.content.decode()
    assert client.post(url, {"what": "nonsense"}).status_code == 404
    assert client.get(f"/cases/{case.reference}/guides/NOPE-9/").status_code == 404
    assert not CaseDocument.objects.filter(case=case, kind__in=["guide", "one_time_notice"]).exists()

    Guide.objects.filter(matter__code="RSJ-003").update(published=None)
    with pytest.raises(ActionError, match="尚未审核公开"):
        do_give_guide(case, acting_user=district.users["registrar"], guide=_guide(), link="x", send_sms=False)
    with pytest.raises(InvalidInput, match="没有登记手机号码"):
        do_issue_one_time_notice(Case.objects.get(pk=case.pk), acting_user=district.users["registrar"], guide=_guide("YBJ-003"),
                                 have=[], not_needed=[], link="x", send_sms=True)


def test_who_may_give_guides(district: District) -> None:
    case = case_in(district, S.REGISTERED)
    for name, status in (("overseer", 403), ("rsj", 404), ("center_head", 200)):
        client = sign_in(Client(), district.users[name])
        assert client.get(f"/cases/{case.reference}/guides/RSJ-003/").status_code == status, name
    merged = case_in(district, S.MERGED)
    client = sign_in(Client(), district.users["registrar"])
    refused = client.post(f"/cases/{merged.reference}/guides/RSJ-003/", {"what": "give"})
    assert refused.status_code == 409 and "已并单" in refused.content.decode()


def test_registering_with_a_guide_leads_to_its_checklist(district: District, monday: Any) -> None:
    client = sign_in(Client(), district.users["registrar"])
    form = client.get("/cases/new/")
    assert 'data-testid="find-guides"' in form.content.decode()
    response = client.post("/cases/new/", {
        "channel": "window", "reporter_name": "王五", "reporter_phone": "13700137000", "reporter_kind": "person",
        "center": district.units["FWZX"].pk, "reasons": ["material_mismatch"], "category": "",
        "description": "公司把我辞退了，想领失业金，不知道要带什么材料", "guide": "RSJ-003",
        "received_at": "2026-11-23 10:00",
    })
    html = response.content.decode()
    assert response.status_code == 302, html[html.find("form-errors"):][:1500]
    assert "/guides/RSJ-003/" in response["Location"]
