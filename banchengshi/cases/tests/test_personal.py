"""Who sees a reporter's name and phone (cases.personal): center staff in full, each view audited; the admin
office and oversight masked everywhere, unmasking one case with a reason; everyone else never."""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District

NAME, PHONE = "王小明", "13912345678"
MASKED_NAME, MASKED_PHONE = "王**", "139****5678"


def client_for(district: District, name: str) -> Client:
    return sign_in(Client(), district.users[name])


@pytest.fixture
def case(district: District, monday: Any) -> Case:
    """A case in progress at 人社局 whose texts and timeline carry the reporter's phone too."""
    found = case_in(district, S.IN_PROGRESS, reporter_name=NAME, reporter_phone=PHONE,
                    description=f"网上申领一直失败，请回电{PHONE}。", demand=f"联系{PHONE}告知结果")
    actions.do_contact_reporter(found.work_orders.get(), acting_user=district.users["rsj"], note=f"已致电{PHONE}，约定补材料")
    return found


def _views(case: Case) -> list[Event]:
    return list(Event.objects.filter(case=case, action="personal_data_viewed").order_by("seq"))


def test_center_staff_see_the_reporter_in_full_and_each_view_is_audited(district: District, case: Case) -> None:
    page = client_for(district, "rsj").get(f"/cases/{case.reference}/")
    html = page.content.decode()
    assert page.status_code == 200 and NAME in html and PHONE in html
    assert "查看完整信息" not in html  # nothing to unmask for those who see it all
    detail = district.api("registrar").get(f"/cases/{case.reference}").json()
    assert detail["reporter"] == {"name": NAME, "phone": PHONE, "kind": "person", "organization": ""}
    # A phone typed into a note is masked in the timeline, which is the audit trail: it never holds one.
    assert "已致电139****5678" in json.dumps(detail, ensure_ascii=False) and f"已致电{PHONE}" not in json.dumps(detail)

    page_view, api_view = _views(case)
    assert (page_view.actor, page_view.actor_role, page_view.data) == (
        district.users["rsj"], "handler", {"fields": ["name", "phone"], "via": "page"})
    assert page_view.request_id and page_view.request_id == page["X-Request-Id"]
    assert (api_view.actor, api_view.actor_role, api_view.data["via"]) == (district.users["registrar"], "registrar", "api")
    # Every answer of an action carries the case in full, so it is a view too.
    district.api("rsj").post(f"/work-orders/{case.work_orders.get().pk}/note", {"note": "已补充材料"})
    assert len(_views(case)) == 3


@pytest.mark.parametrize("role", ["overseer", "admin_office"])
def test_the_admin_office_and_oversight_see_the_reporter_masked_everywhere(district: District, case: Case, role: str) -> None:
    client = client_for(district, role)
    api = district.api(role)
    answers = {
        "case page": client.get(f"/cases/{case.reference}/"),
        "home": client.get("/"),
        "ledger": client.get("/ledger/"),
        "api list": api.get("/cases"),
        "api detail": api.get(f"/cases/{case.reference}"),
    }
    for where, answer in answers.items():
        text = answer.content.decode()
        assert answer.status_code == 200, where
        assert PHONE not in text and NAME not in text, where
    assert MASKED_NAME in answers["case page"].content.decode() and MASKED_PHONE in answers["case page"].content.decode()
    assert "已致电139****5678" in answers["case page"].content.decode()  # the timeline
    assert f"{MASKED_NAME}" in answers["ledger"].content.decode()
    detail = answers["api detail"].json()
    assert detail["reporter"]["name"] == MASKED_NAME and detail["reporter"]["phone"] == MASKED_PHONE
    assert MASKED_PHONE in detail["description"] and any("已致电139****5678" in e["detail"] for e in detail["timeline"])
    assert answers["api list"].json()["results"][0]["reporter"]["name"] == MASKED_NAME

    export = client.get("/ledger/export.xlsx")
    cells = [str(c) for row in load_workbook(BytesIO(export.getvalue())).active.iter_rows(values_only=True) for c in row if c]
    assert MASKED_NAME in cells and MASKED_PHONE in cells
    assert not [c for c in cells if PHONE in c or NAME in c]
    # Nothing of theirs was a view in full, and the print (which carries the full phone) is not theirs.
    assert _views(case) == []
    assert client.get(f"/work-orders/{case.work_orders.get().pk}/print.pdf").status_code == 403
    # Nor is the registration page's repeat check: it is the registrars'.
    assert client.post("/cases/new/repeats/", {"reporter_phone": PHONE}).status_code == 403


def test_the_audit_log_masks_phones_for_oversight(district: District, case: Case) -> None:
    client_for(district, "rsj").get(f"/cases/{case.reference}/")
    page = client_for(district, "overseer").get("/audit-log/").content.decode()
    assert "查看个人信息" in page and "已致电139****5678" in page and PHONE not in page


def test_unmasking_needs_a_reason_shows_the_data_once_and_is_audited(district: District, case: Case) -> None:
    client = client_for(district, "overseer")
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "查看完整信息" in page and f'action="/cases/{case.reference}/unmask/"' in page

    shown = client.post(f"/cases/{case.reference}/unmask/", {"reason": "核查信访举报线索"})
    html = shown.content.decode()
    assert shown.status_code == 200 and NAME in html and PHONE in html and "本次查看及理由已记入审计日志" in html
    assert "no-store" in shown["Cache-Control"]
    event = Event.objects.get(case=case, action="unmask")
    assert (event.actor, event.actor_role, event.data["reason"]) == (district.users["overseer"], "overseer", "核查信访举报线索")
    assert PHONE not in json.dumps(event.data, ensure_ascii=False) and NAME not in json.dumps(event.data, ensure_ascii=False)
    # Not kept: the next look is masked again, and the session holds nothing of it.
    again = client.get(f"/cases/{case.reference}/").content.decode()
    assert PHONE not in again and NAME not in again
    assert PHONE not in json.dumps(dict(client.session.items()), ensure_ascii=False, default=str)

    answer = district.api("admin_office").post(f"/cases/{case.reference}/unmask", {"reason": "协调会需联系反映人"})
    assert answer.status_code == 200 and answer.json() == {"name": NAME, "phone": PHONE}
    assert Event.objects.filter(case=case, action="unmask").count() == 2


@pytest.mark.parametrize("reason", ["", "   ", "看看", "核查"])
def test_unmasking_without_a_reason_of_four_characters_is_refused(district: District, case: Case, reason: str) -> None:
    refused = client_for(district, "overseer").post(f"/cases/{case.reference}/unmask/", {"reason": reason})
    html = refused.content.decode()
    assert refused.status_code == 422 and "请填写查看完整信息的理由（至少4个字）" in html
    assert PHONE not in html and NAME not in html
    assert f">{reason}</textarea>" in html  # what was typed stays in the form
    answer = district.api("overseer").post(f"/cases/{case.reference}/unmask", {"reason": reason})
    assert answer.status_code == 422 and PHONE not in answer.content.decode()
    assert not Event.objects.filter(action="unmask").exists()


def test_unmasking_is_refused_to_other_roles_and_the_attempt_audited(district: District, case: Case) -> None:
    # Center staff see the data by their work; a reason-less look through unmask is not theirs either.
    answer = district.api("registrar").post(f"/cases/{case.reference}/unmask", {"reason": "想看一下完整信息"})
    assert answer.status_code == 403 and answer.json()["detail"] == "您的角色无权查看完整个人信息"
    page = client_for(district, "rsj").post(f"/cases/{case.reference}/unmask/", {"reason": "想看一下完整信息"})
    assert page.status_code == 403 and PHONE not in page.content.decode()
    refusals = Event.objects.filter(action="unmask_refused", case=case).order_by("seq")
    assert [(e.actor_role, e.data["outcome"]) for e in refusals] == [("registrar", "failure"), ("handler", "failure")]
    # Those who may not see the case at all learn nothing of it, whatever their role.
    assert district.api("zwb_auditor").post(f"/cases/{case.reference}/unmask", {"reason": "想看一下"}).status_code == 404
    assert district.api("town_registrar").post(f"/cases/{case.reference}/unmask", {"reason": "想看一下"}).status_code == 404
    assert client_for(district, "overseer").get(f"/cases/{case.reference}/unmask/").status_code == 405
    assert not Event.objects.filter(action="unmask").exists()


def test_the_case_page_folds_the_views_under_the_handling_steps(district: District, case: Case) -> None:
    client = client_for(district, "rsj")
    for _ in range(3):
        client.get(f"/cases/{case.reference}/")
    html = client.get(f"/cases/{case.reference}/").content.decode()
    steps, folded = html.split('data-testid="timeline"', 1)[1].split('data-testid="readings"', 1)
    assert "联系反映人" in steps and "查看个人信息" not in steps
    assert "查阅、打印与导出记录（4 条）" in folded and folded.count("查看个人信息") == 4  # this very view among them
