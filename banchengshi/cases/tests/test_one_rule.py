"""Rules that two places used to decide apart, now decided once: each test failed before the change."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.cases.tests.test_workbench import client_for
from banchengshi.conftest import District
from banchengshi.lib.tests.files import pdf_bytes


def queue_section(page: str, key: str) -> str:
    """The HTML of one home-page queue (empty when the user has no such queue)."""
    marker = f'data-testid="queue-{key}"'
    if marker not in page:
        return ""
    start = page.index(marker)
    end = page.find("<section", start + 1)
    return page[start: end if end != -1 else len(page)]


def cell(html: str, reference: str, column: str) -> str:
    """The text of `column` in the table row of `reference` (the header names the columns)."""
    table = html[html.rfind("<table", 0, html.index(reference)):]
    header = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table[: table.index("</thead>")], re.S)]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table, re.S) if reference in r)
    cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return " ".join(cells[header.index(column)])


def test_resupervision_queue_and_action_use_the_latest_visit(district: District, monday: Any) -> None:
    case = case_in(district, S.RESUPERVISED)  # visited 非常不满意, re-supervised
    u = district.users
    order = case.work_orders.get(status="pending")
    actions.do_receive_work_order(order, acting_user=u["rsj"])
    actions.do_reply_work_order(order, acting_user=u["rsj"], result="已整改到位")
    actions.do_review_case(case, acting_user=u["center_head"], approve=True)
    actions.do_close_case(case, acting_user=u["center_head"], reporter_confirmed=True)
    actions.do_visit_case(case, acting_user=u["dispatcher"], rating=5, solved=True)
    page = client_for(district, "admin_office").get("/").content.decode()
    assert case.reference not in queue_section(page, "to-resupervise")  # the earlier complaint is superseded
    refused = district.api("admin_office").post(f"/cases/{case.reference}/resupervise", {"reason": "再查"})
    assert refused.status_code == 409 and "无需再督办" in refused.json()["detail"]

    unhappy = case_in(district, S.VISITED)
    page = client_for(district, "admin_office").get("/").content.decode()
    assert unhappy.reference in queue_section(page, "to-resupervise")


def test_a_returned_order_is_nobodys_on_the_page_and_in_the_export(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED)
    actions.do_return_work_order(case.work_orders.get(), acting_user=district.users["rsj"], reason="不属于本单位")
    dispatcher = client_for(district, "dispatcher")
    home = queue_section(dispatcher.get("/").content.decode(), "to-dispatch")
    assert cell(home, case.reference, "承办单位") == "—"
    assert cell(dispatcher.get("/ledger/").content.decode(), case.reference, "承办单位") == "—"
    ws = load_workbook(BytesIO(dispatcher.get("/ledger/export.xlsx").getvalue())).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = rows[2]
    mine = next(dict(zip(header, r, strict=True)) for r in rows[3:] if case.reference in r)
    assert mine["承办单位"] is None
    actions.do_dispatch_case(case, acting_user=district.users["dispatcher"], lead_unit=district.units["YBJ"])
    page = client_for(district, "ybj").get("/").content.decode()
    assert district.units["YBJ"].name in queue_section(page, "my-orders")


def test_an_assisting_order_that_never_answers_is_chased_and_withdrawn(district: District, monday: Any) -> None:
    case = case_in(district, S.REPLIED)  # the lead replied; 医保局's assisting order is still pending
    assisting = case.work_orders.get(role="assisting")
    for name in ("dispatcher", "admin_office", "center_head"):
        page = client_for(district, name).get("/").content.decode()
        assert case.reference in queue_section(page, "awaiting-assist"), name
        # The lead unit replied and still answers for the case: it is the 承办单位, not "—".
        assert cell(queue_section(page, "awaiting-assist"), case.reference, "承办单位") == district.units["RSJ"].name
    detail = client_for(district, "dispatcher").get(f"/cases/{case.reference}/").content.decode()
    assert 'data-testid="outstanding-assisting"' in detail and "催办" in detail and "撤回协办" in detail
    assert Case.objects.get(pk=case.pk).clocks.filter(kind="assistance", stopped_at__isnull=True).exists()
    body = district.api("center_head").post(f"/work-orders/{assisting.pk}/chase", {"note": "请今日答复"}).json()
    assert "work_order_chased" in [e["action"] for e in body["timeline"]]
    head_withdraw = district.api("center_head").post(f"/work-orders/{assisting.pk}/withdraw", {"reason": "x"})
    assert head_withdraw.status_code == 403  # withdrawing is the dispatcher's (DISPATCH), chasing is not
    body = district.api("dispatcher").post(f"/work-orders/{assisting.pk}/withdraw", {"reason": "已由主办单位办结"}).json()
    assert body["status"] == "under_review"
    assert case.reference in queue_section(client_for(district, "center_head").get("/").content.decode(), "to-review")
    lead = case.work_orders.get(role="lead")
    refused = district.api("dispatcher").post(f"/work-orders/{lead.pk}/chase", {})
    assert refused.status_code == 409 and "协办" in refused.json()["detail"]


def test_cases_resolved_on_the_spot_are_closed_and_visited_from_worklists(district: District, monday: Any) -> None:
    case = case_in(district, S.RESOLVED_ON_SITE)
    head = client_for(district, "center_head")
    assert case.reference in queue_section(head.get("/").content.decode(), "to-close")
    unconfirmed = head.post(f"/cases/{case.reference}/act/close/", {})
    assert unconfirmed.status_code == 409 and "反映人尚未确认" in unconfirmed.content.decode()
    assert head.post(f"/cases/{case.reference}/act/close/", {"reporter_confirmed": "on"}).status_code == 302
    # The registrar resolved it on the spot, so another makes the return visit (separation of duties).
    assert case.reference not in queue_section(client_for(district, "registrar").get("/").content.decode(), "to-visit")
    dispatcher_home = client_for(district, "dispatcher").get("/").content.decode()
    assert case.reference in queue_section(dispatcher_home, "to-visit")


def test_page_and_api_refuse_alike(district: District, monday: Any) -> None:
    accepted = case_in(district, S.ACCEPTED)
    dispatcher = client_for(district, "dispatcher")
    page = dispatcher.post(f"/cases/{accepted.reference}/act/dispatch/", {"assisting_units": ["YBJ"]})
    api = district.api("dispatcher").post(f"/cases/{accepted.reference}/dispatch", {"assisting_units": ["YBJ"]})
    assert page.status_code == api.status_code == 422
    assert "主办单位" in api.json()["detail"] and "主办单位" in page.content.decode()

    merged = case_in(district, S.MERGED)
    registrar = client_for(district, "registrar")
    page = registrar.post(f"/cases/{merged.reference}/attachments/", {"file": SimpleUploadedFile("a.pdf", pdf_bytes())})
    api = district.api("registrar").upload(f"/cases/{merged.reference}/attachments", "a.pdf", pdf_bytes())
    assert page.status_code == api.status_code == 409
    assert "已并单" in api.json()["detail"] and "已并单" in page.content.decode()
    assert not merged.attachments.exists()


def test_the_timeline_says_what_happened_once(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED)
    actions.do_return_work_order(case.work_orders.get(), acting_user=district.users["rsj"], reason="不属于本单位职责")
    body = district.api("dispatcher").get(f"/cases/{case.reference}").json()
    details = {e["action"]: e["detail"] for e in body["timeline"]}
    assert details["work_order_returned"] == f"{district.units['RSJ'].name}退回，待重新派单：不属于本单位职责"
    assert details["accepted"] == "帮办代办，一般"
    assert details["dispatched"].startswith(f"主办：{district.units['RSJ'].name}")
    page = client_for(district, "dispatcher").get(f"/cases/{case.reference}/").content.decode()
    assert page.count("不属于本单位职责") >= 1 and page.count("<strong>退回工单</strong>") == 1


def test_only_known_event_types_are_recorded(district: District) -> None:
    import pytest

    from banchengshi.audit.events import record_event
    from banchengshi.audit.labels import ACTION_LABELS, EventType

    with pytest.raises(ValueError, match="unknown event type"):
        record_event("something_new")
    assert set(ACTION_LABELS) == set(EventType.values) and all(ACTION_LABELS.values())
