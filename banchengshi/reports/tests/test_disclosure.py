"""信息公开 and 典型案例: the public page answers without sign-in, shows the district's quarters as raw
counts give them, the time limits of the policies in effect, and only approved, anonymised typical cases;
no reporter's name, phone or reference reaches it. Proposing anonymises; approval is refused while the
text holds a phone, an ID number or the reporter's name; only the admin office may do any of it, audited."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case, Visit
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import MONDAY_10AM, District
from banchengshi.demo.generate import generate_cases
from banchengshi.reports.bottlenecks import Quarter
from banchengshi.reports.models import TypicalCase
from banchengshi.reports.typical_cases import anonymise
from banchengshi.sla.deadlines import SHANGHAI
from banchengshi.sla.services import effective_policy

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI)
NAME, PHONE, ID_NUMBER = "王小明", "13912345678", "31010119900101123X"
DESCRIPTION = f"我是{NAME}，电话{PHONE}，身份证{ID_NUMBER}，住人民路100号3室。给明辉商贸有限公司办营业执照变更，窗口说要原件，跑了三次还是办不成。"


@pytest.fixture
def closed_case(district: District) -> Case:
    with time_machine.travel(MONDAY_10AM, tick=True):
        return case_in(district, CaseStatus.CLOSED, reporter_name=NAME, reporter_phone=PHONE, description=DESCRIPTION,
                       reporter_organization="明辉商贸有限公司")


def admin(district: District) -> Client:
    return sign_in(Client(), district.users["admin_office"])


def propose(client: Client, case: Case) -> TypicalCase:
    response = client.post("/typical-cases/", {"reference": case.reference})
    assert response.status_code == 302, response.content.decode()
    return TypicalCase.objects.get(case=case)


def test_anonymising_takes_out_names_phones_ids_and_addresses(closed_case: Case) -> None:
    text = anonymise(DESCRIPTION, closed_case)
    assert NAME not in text and PHONE not in text and ID_NUMBER not in text and "明辉商贸" not in text
    assert "人民路100号" not in text and "（地址已隐去）" in text
    assert "某某" in text and "营业执照变更" in text  # the problem itself is kept


def test_a_proposal_is_anonymised_and_approval_refuses_personal_data(district: District, closed_case: Case) -> None:
    client = admin(district)
    typical = propose(client, closed_case)
    assert NAME not in typical.problem and PHONE not in typical.problem and ID_NUMBER not in typical.problem
    assert typical.approved_at is None and typical.created_by == district.users["admin_office"]
    detail, listing = client.get(f"/typical-cases/{typical.pk}/").content.decode(), client.get("/typical-cases/").content.decode()
    assert "待审核" in detail and "某某" in detail and PHONE not in detail
    assert typical.title in listing and closed_case.reference in listing  # staff see which case it came from

    # Someone types the phone back in: saving is allowed, approval is refused with a Chinese reason.
    text = {"title": typical.title, "problem": typical.problem + f"（回电{PHONE}）", "handling": typical.handling,
            "outcome": typical.outcome, "action": "save"}
    assert client.post(f"/typical-cases/{typical.pk}/", text).status_code == 302
    refused = client.post(f"/typical-cases/{typical.pk}/", {"action": "approve"})
    assert refused.status_code == 422
    assert "正文仍含有电话号码" in refused.content.decode()
    typical.refresh_from_db()
    assert typical.approved_at is None
    # The reporter's name is refused too.
    client.post(f"/typical-cases/{typical.pk}/", {**text, "problem": f"{NAME}反映营业执照变更办不成"})
    name_refused = client.post(f"/typical-cases/{typical.pk}/", {"action": "approve"})
    assert name_refused.status_code == 422 and "反映人姓名" in name_refused.content.decode()
    # Clean text: approved, audited.
    client.post(f"/typical-cases/{typical.pk}/", {**text, "problem": "某某反映营业执照变更办不成"})
    assert client.post(f"/typical-cases/{typical.pk}/", {"action": "approve"}).status_code == 302
    typical.refresh_from_db()
    assert typical.published and typical.approved_by == district.users["admin_office"]
    actions = list(Event.objects.filter(case=closed_case, action__startswith="typical_case").values_list("action", flat=True))
    assert actions.count("typical_case_refused") == 2
    assert {"typical_case_proposed", "typical_case_edited", "typical_case_approved"} <= set(actions)
    # A case that is not closed cannot be proposed.
    with time_machine.travel(MONDAY_10AM, tick=True):
        open_case = case_in(district, CaseStatus.IN_PROGRESS)
    not_closed = client.post("/typical-cases/", {"reference": open_case.reference})
    assert not_closed.status_code == 409 and "只有已办结的反映件" in not_closed.content.decode()
    assert f'value="{open_case.reference}"' in not_closed.content.decode()  # the form keeps what was typed


@pytest.mark.parametrize("name", ["registrar", "center_head", "rsj", "overseer"])
def test_only_the_admin_office_manages_typical_cases(district: District, closed_case: Case, name: str) -> None:
    typical = propose(admin(district), closed_case)
    client = sign_in(Client(), district.users[name])
    assert client.get("/typical-cases/").status_code == 403
    assert client.post("/typical-cases/", {"reference": closed_case.reference}).status_code == 403
    assert client.get(f"/typical-cases/{typical.pk}/").status_code == 403
    assert client.post(f"/typical-cases/{typical.pk}/", {"action": "approve"}).status_code == 403
    typical.refresh_from_db()
    assert typical.approved_at is None


def test_the_public_page_shows_approved_cases_only_and_no_personal_data(district: District, closed_case: Case) -> None:
    client = admin(district)
    shown = propose(client, closed_case)
    shown.title = "营业执照变更不用再跑三次"
    shown.save()
    client.post(f"/typical-cases/{shown.pk}/", {"action": "approve"})
    with time_machine.travel(MONDAY_10AM, tick=True):
        other = case_in(district, CaseStatus.CLOSED, reporter_name="赵六", description="公积金提取办不成")
    pending = propose(client, other)
    pending.title = "尚未审核的案例"
    pending.save()
    with time_machine.travel(MONDAY_10AM, tick=True):
        third = case_in(district, CaseStatus.CLOSED, description="医保备案办不成")
    withdrawn = propose(client, third)
    withdrawn.title = "已经撤回的案例"
    withdrawn.save()
    client.post(f"/typical-cases/{withdrawn.pk}/", {"action": "approve"})
    client.post(f"/typical-cases/{withdrawn.pk}/", {"action": "withdraw"})
    assert TypicalCase.objects.get(pk=withdrawn.pk).withdrawn

    with time_machine.travel(NOW, tick=False):
        page = Client().get("/public/disclosure/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "营业执照变更不用再跑三次" in html
    assert "尚未审核的案例" not in html and "已经撤回的案例" not in html
    for personal in (NAME, PHONE, ID_NUMBER, "明辉商贸", "人民路100号", closed_case.reference, "赵六", other.reference):
        assert personal not in html, personal
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", html)


def test_the_public_figures_and_limits_come_from_the_rows_and_the_policies(district: District) -> None:
    with time_machine.travel(NOW, tick=False):
        generate_cases(900, start=datetime(2025, 10, 1, tzinfo=SHANGHAI), end=datetime(2026, 10, 31, tzinfo=SHANGHAI), seed=8)
        html = Client().get("/public/disclosure/").content.decode()
    quarters = [Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3)]
    for q in quarters:
        lo, hi = q.period.bounds
        cases = Case.objects.filter(received_at__gte=lo, received_at__lt=hi)
        ids = set(cases.values_list("pk", flat=True))
        latest: dict[int, tuple[Any, int, int]] = {}
        for case_id, at, pk, rating in Visit.objects.filter(case_id__in=ids).values_list("case_id", "visited_at", "pk", "rating"):
            if case_id not in latest or (at, pk) > latest[case_id][:2]:
                latest[case_id] = (at, pk, rating)
        satisfied = sum(1 for v in latest.values() if v[2] >= 4) / len(latest)
        expected = {
            "registered": str(cases.count()),
            "accepted": str(cases.filter(accepted_at__isnull=False).count()),
            "closed": str(sum(1 for closed, status in cases.values_list("closed_at", "status")
                              if closed is not None or status == CaseStatus.RESOLVED_ON_SITE)),
            "satisfied_share": f"{satisfied * 100:.1f}%",
        }
        row = re.search(rf'data-quarter="{q.year}Q{q.number}"(.*?)</section>', html, re.S)
        assert row is not None, q
        for key, value in expected.items():
            assert f'data-figure="{key}">{value}<' in row.group(1), (q, key, value)
        assert int(expected["registered"]) > 100
    assert html.index("2025年第4季度") < html.index("2026年第3季度")  # oldest first
    assert "2025年第3季度" not in html and "2026年第4季度" not in html
    # The limits are the policy's numbers, not the page's: change one and the page follows.
    policy = effective_policy(district.units["FWZX"])
    policy.acceptance_days = 7
    policy.save()
    with time_machine.travel(NOW, tick=False):
        again = Client().get("/public/disclosure/").content.decode()
    assert re.search(r'data-limit="acceptance_days">.*?7 个工作日', again, re.S)
    assert 'id="disclosure-data"' in again and "<script>" not in again  # data, never an inline script
