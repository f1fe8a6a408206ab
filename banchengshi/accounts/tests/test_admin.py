"""The admin office keeps units, matters, policies and the calendar in the Django admin; 三员 are apart."""

from __future__ import annotations

from typing import Any

from django.test import Client

from banchengshi.accounts.models import Unit
from banchengshi.accounts.tests.otp import sign_in
from banchengshi.conftest import District
from banchengshi.dispatch.models import Matter


def admin_client(district: District, name: str) -> Client:
    client = Client()
    sign_in(client, district.users[name])
    return client


def test_admin_office_browses_and_edits_the_configuration(district: District) -> None:
    zwb = admin_client(district, "admin_office")
    for url in ["/admin/accounts/unit/", "/admin/dispatch/matter/", "/admin/sla/policy/", "/admin/sla/calendaryear/",
                "/admin/sla/calendaryear/2026/change/", "/admin/cases/case/"]:
        assert zwb.get(url).status_code == 200, url
    matter = Matter.objects.get(code="RSJ-003")
    response = zwb.post(f"/admin/dispatch/matter/{matter.pk}/change/", {
        "code": matter.code, "name": "失业保险金申领（含一次性生活补助）", "department": matter.department_id,
        "level": matter.level, "keywords": matter.keywords, "is_active": "on",
    })
    assert response.status_code == 302
    assert Matter.objects.get(pk=matter.pk).name == "失业保险金申领（含一次性生活补助）"
    # Cases are browsed, never edited, in the admin; users are not the admin office's to manage.
    assert zwb.get("/admin/cases/case/add/").status_code == 403
    assert zwb.get("/admin/accounts/user/").status_code == 403


def test_three_administrators_are_kept_apart(district: District, db: Any) -> None:
    from banchengshi.accounts.services import do_create_staff

    units = {u.code: u for u in Unit.objects.all()}
    auditor, _ = do_create_staff("auditor", unit=units["ZWB"], role="audit_admin", password="Audit-pass-2026x")
    security, _ = do_create_staff("security", unit=units["ZWB"], role="security_admin", password="Secur-pass-2026x")
    audit = Client()
    sign_in(audit, auditor)
    assert audit.get("/admin/audit/event/").status_code == 200
    assert audit.get("/admin/accounts/user/").status_code == 403
    sec = Client()
    sign_in(sec, security)
    assert sec.get("/admin/accounts/user/").status_code == 200
    assert sec.get("/admin/audit/event/").status_code == 403
    assert admin_client(district, "system_admin").get("/admin/audit/event/").status_code == 403
    # None of them reads cases through the API or the workbench.
    assert admin_client(district, "system_admin").get("/ledger/").status_code == 403


def test_a_holiday_added_in_the_admin_moves_open_clocks(district: District, monday: Any) -> None:
    from banchengshi.audit.models import Event
    from banchengshi.cases.choices import CaseStatus
    from banchengshi.cases.models import Clock
    from banchengshi.cases.tests.factories import case_in
    from banchengshi.sla.models import CalendarDay

    case = case_in(district, CaseStatus.DISPATCHED)
    clock = Clock.objects.get(case=case, kind="resolution")
    assert clock.due_at.isoformat() == "2026-11-26T09:00:00+00:00"  # Thursday 17:00
    days = list(CalendarDay.objects.filter(year_id=2026).order_by("date"))
    form: dict[str, Any] = {"year": 2026, "source": "国务院办公厅通知（含临时调整）",
                            "days-TOTAL_FORMS": len(days) + 1, "days-INITIAL_FORMS": len(days),
                            "days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    for i, day in enumerate(days):
        form.update({f"days-{i}-id": day.pk, f"days-{i}-year": 2026, f"days-{i}-date": day.date.isoformat(),
                     f"days-{i}-kind": day.kind, f"days-{i}-name": day.name})
    n = len(days)
    form.update({f"days-{n}-year": 2026, f"days-{n}-date": "2026-11-25", f"days-{n}-kind": "holiday",
                 f"days-{n}-name": "临时休假"})
    response = admin_client(district, "admin_office").post("/admin/sla/calendaryear/2026/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    clock.refresh_from_db()
    assert clock.due_at.isoformat() == "2026-11-27T09:00:00+00:00"  # Wednesday off: Friday 17:00
    assert Event.objects.filter(case=case, action="clock_recomputed").exists()
