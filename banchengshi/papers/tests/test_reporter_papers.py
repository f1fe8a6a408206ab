"""The reporter's papers on the public tracking page: after proving the phone's last four digits only."""

from __future__ import annotations

from typing import Any

from django.test import Client

from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import CaseDocument
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.papers.tests.helpers import flat, pdf_text

PHONE = "13912345678"


def _tracked(reference: str, last4: str) -> tuple[Client, Any]:
    client = Client()
    return client, client.post("/track/", {"reference": reference, "phone_last4": last4})


def test_a_not_accepted_case_s_tracking_page_offers_its_notice_to_the_reporter(district: District, monday: Any) -> None:
    case = case_in(district, S.NOT_ACCEPTED, reporter_phone=PHONE, reporter_name="王小明")
    notice = CaseDocument.objects.get(case=case, kind="rejection_notice")
    url = f"/track/{case.reference}/documents/{notice.pk}/"

    client, proved = _tracked(case.reference, PHONE[-4:])
    assert proved.status_code == 302
    page = client.get(f"/track/{case.reference}/").content.decode()
    assert url in page and "不予受理通知书" in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content))
    assert "不属于受理范围" in text and "王**：" in text and "王小明" not in text and PHONE not in text
    assert Event.objects.filter(case=case, action="printed", actor__isnull=True, data__document=notice.pk).exists()


def test_a_wrong_phone_suffix_or_no_proof_fetches_no_notice(district: District, monday: Any) -> None:
    case = case_in(district, S.NOT_ACCEPTED, reporter_phone=PHONE)
    notice = CaseDocument.objects.get(case=case, kind="rejection_notice")
    url = f"/track/{case.reference}/documents/{notice.pk}/"

    wrong, refused = _tracked(case.reference, "0000")
    assert refused.status_code == 404
    assert wrong.get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert not Event.objects.filter(case=case, action="printed").exists()


def test_a_reporter_gets_neither_another_case_s_paper_nor_the_window_s_form(district: District, monday: Any) -> None:
    mine = case_in(district, S.NOT_ACCEPTED, reporter_phone=PHONE)
    theirs = case_in(district, S.NOT_ACCEPTED, reporter_phone="13700001111")
    client, _ = _tracked(mine.reference, PHONE[-4:])
    form = CaseDocument.objects.get(case=mine, kind="registration_form")
    other = CaseDocument.objects.get(case=theirs, kind="rejection_notice")
    assert client.get(f"/track/{mine.reference}/documents/{form.pk}/").status_code == 404
    assert client.get(f"/track/{mine.reference}/documents/{other.pk}/").status_code == 404
    assert client.get(f"/track/{theirs.reference}/documents/{other.pk}/").status_code == 404
    receipt = CaseDocument.objects.get(case=mine, kind="receipt")
    assert client.get(f"/track/{mine.reference}/documents/{receipt.pk}/").status_code == 200
