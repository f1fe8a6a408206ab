"""Every export and every print is in the audit trail: what, under which filters, how many rows; a print
carries the reporter in full, so it is also a view of personal data."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District


def client_for(district: District, name: str) -> Client:
    return sign_in(Client(), district.users[name])


def test_the_ledger_export_is_audited_with_its_filters_and_rows(district: District, monday: Any) -> None:
    case_in(district, S.IN_PROGRESS, reporter_name="钱七", reporter_phone="13600001111")
    case_in(district, S.REGISTERED)
    client = client_for(district, "center_head")
    everything = client.get("/ledger/export.xlsx")
    in_progress = client.get("/ledger/export.xlsx", {"status": "in_progress"})
    assert everything.status_code == in_progress.status_code == 200
    exports = list(Event.objects.filter(action="exported").order_by("seq"))
    assert [(e.actor_role, e.data["what"], e.data["filters"], e.data["rows"]) for e in exports] == [
        ("center_head", "ledger", "全部", 2), ("center_head", "ledger", "状态：办理中", 1)]
    # Center staff, who call reporters, get their names; phones stay masked in any list.
    sheet = load_workbook(BytesIO(in_progress.getvalue())).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "钱七" in cells and "136****1111" in cells and "13600001111" not in "".join(cells)


def test_a_refused_export_leaves_no_export_event(district: District, monday: Any) -> None:
    answer = client_for(district, "center_head").get("/ledger/export.xlsx", {"status": "nonsense"})
    assert answer.status_code == 422 and not Event.objects.filter(action="exported").exists()


def test_the_audit_log_export_is_audited(district: District, monday: Any) -> None:
    answer = client_for(district, "zwb_auditor").get("/audit-log/export.xlsx", {"action": "logged_in"})
    assert answer.status_code == 200
    event = Event.objects.get(action="audit_log_exported")
    logins = Event.objects.filter(action="logged_in").count()
    assert event.actor_role == "audit_admin" and event.data["filters"] == "动作：登录" and event.data["rows"] == logins >= 1


def test_a_work_order_print_is_audited_as_a_print_and_a_view_of_personal_data(district: District, monday: Any) -> None:
    case = case_in(district, S.IN_PROGRESS, reporter_name="孙八", reporter_phone="13500002222")
    order = case.work_orders.get()
    answer = client_for(district, "rsj").get(f"/work-orders/{order.pk}/print.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    printed = Event.objects.get(action="printed")
    assert (printed.case, printed.work_order, printed.actor_role) == (case, order, "handler")
    assert (printed.data["what"], printed.data["rows"]) == ("work_order", 1)
    viewed = Event.objects.get(action="personal_data_viewed")
    assert viewed.data == {"fields": ["name", "phone"], "via": "print"} and viewed.request_id == printed.request_id
    # Oversight may not print (the paper carries the full phone): refused, and nothing recorded as printed.
    assert client_for(district, "overseer").get(f"/work-orders/{order.pk}/print.pdf").status_code == 403
    assert Event.objects.filter(action="printed").count() == 1
