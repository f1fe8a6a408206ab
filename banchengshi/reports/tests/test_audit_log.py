"""The audit log page: the audit administrator and oversight only; filters; phone numbers masked on the
page and in the export, which opens in openpyxl and is itself recorded."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.events import record_event
from banchengshi.audit.models import Event
from banchengshi.conftest import STAFF


def _client(district, name: str) -> Client:
    client = Client()
    sign_in(client, district.users[name])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(STAFF) - {"zwb_auditor", "overseer"}))
def test_other_roles_are_refused(district, name):
    assert _client(district, name).get("/audit-log/").status_code == 403
    assert _client(district, name).get("/audit-log/export.xlsx").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["zwb_auditor", "overseer"])
def test_the_page_masks_phone_numbers(district, name):
    record_event("reporter_contacted", actor=district.users["registrar"], phone="13912345678", note="已致电 13912345678")
    response = _client(district, name).get("/audit-log/", {"action": "reporter_contacted"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "联系反映人" in page and "139****5678" in page
    assert "13912345678" not in page


@pytest.mark.django_db
def test_filters_narrow_the_log(district):
    record_event("note_added", actor=district.users["rsj"], note="甲")
    client = _client(district, "zwb_auditor")
    response = client.get("/audit-log/", {"actor": "rsj", "action": "note_added"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert client.get("/audit-log/", {"since": "不是日期"}).status_code == 422


@pytest.mark.django_db
def test_the_export_opens_masks_and_is_recorded(district):
    record_event("reporter_contacted", actor=district.users["registrar"], phone="13912345678")
    response = _client(district, "zwb_auditor").get("/audit-log/export.xlsx", {"action": "reporter_contacted"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
    assert "审计日志" in cells and "联系反映人" in cells
    assert any("139****5678" in c for c in cells)
    assert not any("13912345678" in c for c in cells)
    exported = Event.objects.get(action="audit_log_exported")
    assert exported.actor == district.users["zwb_auditor"] and exported.data["rows"] == 1
    assert "联系反映人" in exported.data["filters"]
