from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import load_workbook

from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.reports.ledger import COLUMNS, ledger_xlsx

HEADERS = [
    "登记编号", "登记时间", "反映渠道", "登记中心", "反映人", "联系电话", "企业名称", "事项", "办理业务名称",
    "办不成原因", "问题类型", "遇到的问题", "诉求", "办理方式", "难易程度", "状态", "承办单位", "协办单位",
    "时限灯", "办结时间", "办理结果", "回访满意度", "是否解决",
]


def _prefetched(**filters: Any) -> QuerySet[Case]:
    return (
        Case.objects.filter(**filters)
        .select_related("center", "matter")
        .prefetch_related("clocks", "work_orders__unit", "visits")
    )


def _rows(data: bytes) -> tuple[Any, list[dict[str, Any]]]:
    ws = load_workbook(BytesIO(data)).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header = values[2]
    return ws, [dict(zip(header, row, strict=True)) for row in values[3:]]


def test_ledger_has_title_filters_header_and_one_row_per_case(district: District, monday: Any) -> None:
    registered = case_in(
        district, S.REGISTERED, reporter_name="李四", reporter_phone="13912345678",
        reasons=["proof_hard_to_find", "other"], reason_other="窗口要求的证明开不出", category="how",
        reporter_kind="enterprise", reporter_organization="示范科技有限公司", business_name="失业登记",
    )
    in_progress = case_in(district, S.IN_PROGRESS)
    replied = case_in(district, S.REPLIED)
    visited = case_in(district, S.VISITED)

    data = ledger_xlsx(
        _prefetched(), title="示范区“办不成事”台账", filters=[("状态", "全部"), ("登记中心", "示范区政务服务中心")],
        full_names=True,
    )
    ws, rows = _rows(data)

    assert ws["A1"].value == "示范区“办不成事”台账"
    assert ws["A2"].value.startswith("筛选条件：状态：全部；登记中心：示范区政务服务中心")
    assert "共 4 件" in ws["A2"].value
    assert [c.value for c in ws[3]] == HEADERS == [str(h) for h, *_ in COLUMNS]
    assert ws["A3"].font.b
    assert ws.freeze_panes == "B4"
    assert ws.auto_filter.ref == "A3:W7"

    by_ref = {r["登记编号"]: r for r in rows}
    assert set(by_ref) == {c.reference for c in (registered, in_progress, replied, visited)}

    first = by_ref[registered.reference]
    assert first["反映人"] == "李四"
    assert first["联系电话"] == "139****5678"
    assert not any("13912345678" in str(v) for r in rows for v in r.values())
    assert first["状态"] == "已登记"
    assert first["企业名称"] == "示范科技有限公司"
    assert first["办不成原因"] == "证明材料难找、其他原因：窗口要求的证明开不出"
    assert first["问题类型"] == "不知怎么办"
    assert first["登记时间"] == timezone.localtime(registered.received_at).strftime("%Y-%m-%d %H:%M")
    assert first["承办单位"] is None

    assert by_ref[in_progress.reference]["状态"] == "办理中"
    assert by_ref[in_progress.reference]["承办单位"] == district.units["RSJ"].name
    assert by_ref[in_progress.reference]["办理方式"] == "帮办代办"
    assert by_ref[in_progress.reference]["时限灯"] == "绿"
    assert by_ref[replied.reference]["协办单位"] == district.units["YBJ"].name

    last = by_ref[visited.reference]
    assert last["状态"] == "已回访"
    assert last["回访满意度"] == "非常不满意"
    assert last["是否解决"] == "否"
    assert last["办理结果"] == "已办结"
    assert last["办结时间"]
    assert last["时限灯"] == "绿"  # unsatisfied: the admin office's re-supervision clock runs


def test_ledger_light_turns_red_when_overdue(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED)
    _, rows = _rows(ledger_xlsx(_prefetched(pk=case.pk), title="台账", filters=[], now=timezone.now() + timedelta(days=30)))
    assert rows[0]["时限灯"] == "红"


def test_ledger_without_filters_and_cases(db: Any) -> None:
    ws, rows = _rows(ledger_xlsx([], title="空台账", filters=[]))
    assert rows == []
    assert ws["A2"].value.startswith("筛选条件：全部")


def test_ledger_never_writes_citizen_text_as_a_formula(district: District, monday: Any) -> None:
    case = case_in(district, S.REGISTERED, description='=HYPERLINK("http://example.invalid","点我")\x0b')
    ws, rows = _rows(ledger_xlsx(_prefetched(pk=case.pk), title="台账", filters=[]))
    assert rows[0]["遇到的问题"] == '=HYPERLINK("http://example.invalid","点我")'
    assert ws.cell(row=4, column=HEADERS.index("遇到的问题") + 1).data_type == "s"


def test_ledger_shows_not_accepted_reason_and_on_site_closure(district: District, monday: Any) -> None:
    rejected = case_in(district, S.NOT_ACCEPTED)
    on_site = case_in(district, S.RESOLVED_ON_SITE)
    _, rows = _rows(ledger_xlsx(_prefetched(), title="台账", filters=[]))
    by_ref = {r["登记编号"]: r for r in rows}
    assert by_ref[rejected.reference]["办理结果"] == "不予受理：不属于受理范围"
    assert by_ref[on_site.reference]["状态"] == "现场办结"
    assert by_ref[on_site.reference]["办结时间"]


def test_ledger_queries_do_not_grow_with_cases(district: District, monday: Any, django_assert_num_queries: Any) -> None:
    for status in (S.REGISTERED, S.REPLIED, S.VISITED):
        case_in(district, status)
    lead = case_in(district, S.IN_PROGRESS).work_orders.get()
    actions.do_dispatch_down(lead, acting_user=district.users["rsj"], unit=district.units["C-CH"])
    # one for the cases, one per prefetch: clocks, work orders, their units, visits
    with django_assert_num_queries(5):
        _, rows = _rows(ledger_xlsx(_prefetched(), title="台账", filters=[]))
    assert len(rows) == 4
    moved = next(r for r in rows if r["承办单位"] == district.units["C-CH"].name)
    assert district.units["RSJ"].name not in moved["承办单位"]


def test_an_export_over_the_row_limit_asks_for_a_narrower_filter(district: District, monday: Any, settings: Any) -> None:
    from banchengshi.cases.tests.test_workbench import client_for

    for _ in range(3):
        case_in(district, S.REGISTERED)
    dispatcher = client_for(district, "dispatcher")
    settings.LEDGER_EXPORT_MAX_ROWS = 2
    refused = dispatcher.get("/ledger/export.xlsx")
    assert refused.status_code == 422
    assert "共 3 件，超过单次导出上限 2 件" in refused.content.decode() and "缩小筛选范围" in refused.content.decode()
    settings.LEDGER_EXPORT_MAX_ROWS = 3
    exported = dispatcher.get("/ledger/export.xlsx")
    assert exported.status_code == 200 and exported.streaming  # sent from the file it was written into
    _, rows = _rows(exported.getvalue())
    assert len(rows) == 3
