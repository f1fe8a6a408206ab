"""XSS: each payload goes into every text field a person can send (xss_scenario.py), then every page that
shows them is rendered — the workbench's queues, each case's page with its timeline, the ledger, the
printed work order, the audit log, the reminders, the reporter's progress page — and the payload appears
only escaped: never as markup, never as a javascript: link, a template expression never evaluated. The
spreadsheets hold it as plain text cells, and a cell starting with = + - @ is text, not a formula."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape
from openpyxl import load_workbook

from banchengshi.cases.tests.test_workbench import client_for
from banchengshi.conftest import District, case_body
from banchengshi.reports.tests.xss_scenario import FORMULAS, PAYLOADS, Filled, fill_everything
from banchengshi.reports.workorder_pdf import work_order_html

LIVE_MARKUP = re.compile(r"<script>alert|<img src=x onerror|<svg onload", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""(href|src|action|formaction|xlink:href|data)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def assert_only_escaped(html: str, text: str, where: str, *, shown: bool = True) -> None:
    if set(text) & set("<>\"'"):
        assert text not in html, f"{where}: the payload is in the page unescaped"
    assert not SCRIPT_URL.search(html), f"{where}: a javascript: URL in an attribute"
    assert not LIVE_MARKUP.search(html), f"{where}: live markup from a payload"
    if shown:
        assert escape(text) in html, f"{where}: the payload is not shown at all (nothing tested)"
    if text == "{{7*7}}" and shown:
        assert "{{7*7}}" in html  # shown as typed, never evaluated


def _track(filled: Filled, reference: str, phone: str) -> str:
    client = Client()
    response = client.post("/track/", {"reference": reference, "phone_last4": phone[-4:]}, follow=True)
    assert response.status_code == 200, response.content.decode()[:500]
    return str(response.content.decode())


@pytest.mark.parametrize("text", PAYLOADS, ids=["script", "attribute-break", "javascript-url", "template", "textarea-break"])
def test_every_page_shows_the_payload_only_escaped(
    district: District, monday: Any, django_capture_on_commit_callbacks: Any, text: str
) -> None:
    filled = fill_everything(district, text, django_capture_on_commit_callbacks)
    pages: dict[str, tuple[str, bool]] = {}
    for name in ("registrar", "dispatcher", "center_head", "rsj", "admin_office", "overseer"):
        client = client_for(district, name)
        home = client.get("/")
        pages[f"{name}: 工作台"] = (home.content.decode(), False)
        for reference in filled.references:
            response = client.get(f"/cases/{reference}/")
            if response.status_code == 200:
                pages[f"{name}: {reference}"] = (response.content.decode(), name in ("admin_office", "registrar"))
    zwb = client_for(district, "admin_office")
    pages["台账"] = (zwb.get("/ledger/").content.decode(), True)
    pages["台账（搜索）"] = (zwb.get("/ledger/", {"q": text}).content.decode(), False)
    pages["通报与提醒"] = (client_for(district, "rsj").get("/reminders/").content.decode(), False)
    pages["审计日志"] = (client_for(district, "zwb_auditor").get("/audit-log/", {"page_size": 200}).content.decode(), True)
    pages["审计日志（监委）"] = (client_for(district, "overseer").get("/audit-log/").content.decode(), False)
    pages["打印工单"] = (work_order_html(filled.order()), True)
    pages["群众进度"] = (_track(filled, filled.public, filled.phones[filled.public]), True)
    pages["群众进度（不予受理）"] = (_track(filled, filled.rejected, "13800138000"), True)

    shown_on = [where for where, (html, _) in pages.items() if escape(text) in html]
    assert len(shown_on) >= 15, shown_on  # the pages really show what was typed
    for where, (html, must_show) in pages.items():
        assert_only_escaped(html, text, where, shown=must_show)


def _cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize("text", [PAYLOADS[0], *FORMULAS], ids=["script", "hyperlink", "plus", "minus", "at"])
def test_spreadsheets_hold_what_was_typed_as_text_never_a_formula(
    district: District, monday: Any, text: str
) -> None:
    registrar = district.api("registrar")
    body = case_body(reporter={"name": "张三", "phone": "13800138000", "kind": "enterprise", "organization": text},
                     business_name=text, reasons=["other"], reason_other=text, description=text, demand=text)
    reference = registrar.post("/cases", body).json()["reference"]
    assert registrar.post(f"/cases/{reference}/reject", {"reason": text}).status_code == 200
    zwb = client_for(district, "admin_office")
    ledger = zwb.get("/ledger/export.xlsx")
    audit = client_for(district, "zwb_auditor").get("/audit-log/export.xlsx")
    contents = {}
    for name, response in (("台账", ledger), ("审计日志", audit)):
        assert response.status_code == 200
        content = contents[name] = response.getvalue()
        cells = [c for c in _cells(content) if isinstance(c.value, str) and text in c.value]
        assert cells, f"{name}: the text is not exported"
        for cell in cells:
            assert cell.data_type == "s", (name, cell.coordinate, cell.value)  # a string, not "f" (formula)
            if cell.value.startswith(("=", "+", "-", "@")):
                assert cell.quotePrefix, (name, cell.coordinate)  # editing it later keeps it text
    ledger_cells = _cells(contents["台账"])
    assert any(c.value == text for c in ledger_cells)  # whole, as typed
