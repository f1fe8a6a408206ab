from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from banchengshi.audit.models import Event
from banchengshi.cases.actions import issue_document
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.papers.render import NoFetching, render_paper


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext not found: apt-get install poppler-utils"
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_layout_prints_the_red_header_number_seal_and_page_numbers(db: Any, tmp_path: Path) -> None:
    pdf = render_paper("papers/receipt.html", {
        "organ": "示范区政务服务中心", "number": "示政服〔2026〕1号", "title": "受理回执",
        "reference": "BC202603020001", "signed_by": "示范区政务服务中心", "signed_on": "2026年3月2日",
        "received": "2026年3月2日 09:30", "tracking_url": "/public/track/",
    })
    text = flat(pdf_text(pdf, tmp_path))
    for words in ("示范区政务服务中心", "示政服〔2026〕1号", "受理回执", "（印章）", "2026年3月2日", "第1页共1页",
                  "登记编号：BC202603020001"):
        assert words in text, words


@pytest.mark.parametrize("url", ["http://example.invalid/a.png", "file:///etc/passwd"])
def test_papers_fetch_nothing(url: str) -> None:
    with pytest.raises(ValueError):
        NoFetching().fetch(url)


def test_an_issued_document_is_recorded_listed_and_printable_by_the_case_s_staff_only(
    district: District, monday: Any, tmp_path: Path
) -> None:
    case = case_in(district, S.REGISTERED)
    document = issue_document(case, "receipt", "受理回执", {"received": "2026年3月2日 09:30", "tracking_url": "/t/"},
                              district.users["registrar"])
    event = Event.objects.get(action="document_issued", case=case, data__document=document.pk)
    assert event.data["kind"] == "receipt" and event.data["title"] == "受理回执"

    body = district.api("registrar").get(f"/cases/{case.reference}").json()
    url = f"/cases/{case.reference}/documents/{document.pk}/"
    assert {"kind": "receipt", "title": "受理回执", "url": url}.items() <= body["documents"][-1].items()

    client = Client()
    client.force_login(district.users["registrar"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert case.reference in pdf_text(response.content, tmp_path)
    assert Event.objects.filter(action="printed", case=case, data__document=document.pk).count() == 1

    other = Client()
    other.force_login(district.users["town_registrar"])  # another center's clerk
    assert other.get(url).status_code in (403, 404)
    assert client.get(f"/cases/{case.reference}/documents/{document.pk + 999}/").status_code == 404
