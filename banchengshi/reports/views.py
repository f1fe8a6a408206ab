"""The ledger (台账) page and its xlsx export, and the printable work order: the reports of the workbench.

They read cases through cases' selectors (the same filters and visibility as the API) and render here,
so that cases never imports reports.
"""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from pydantic import ValidationError as PydanticValidationError

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.accounts.models import Unit
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType
from banchengshi.cases import personal, search
from banchengshi.cases.choices import CaseStatus, Channel, ClockKind, Rating, Reason
from banchengshi.cases.models import Case
from banchengshi.cases.presenters import case_light, latest_return
from banchengshi.cases.selectors import (
    REACHED_LABELS,
    CaseFilters,
    access_work_order,
    cases_visible_to,
    filter_cases,
    holding_units,
)
from banchengshi.cases.views import HANDLING_UNIT_KINDS
from banchengshi.dispatch.models import Matter
from banchengshi.lib.masking import mask_phones_in
from banchengshi.lib.pagination import BadCursor, Cursor, keyset_page
from banchengshi.lib.validation import describe_errors
from banchengshi.reports.audit_log import AuditFilters, audit_events, audit_log_xlsx
from banchengshi.reports.audit_log import row as audit_row
from banchengshi.reports.ledger import write_ledger


def _ledger(request: StaffRequest) -> tuple[QuerySet[Case] | None, dict[str, str], list[str]]:
    """The ledger's cases under the API's filters, read from the query string."""
    raw = {k: v for k in CaseFilters.model_fields if k not in ("page", "page_size") and (v := request.GET.get(k, "").strip())}
    try:
        filters = CaseFilters.model_validate(raw)
    except PydanticValidationError as exc:
        return None, raw, [f"{FILTER_LABELS.get(e['field'], e['field'])}：{e['message']}" for e in describe_errors(exc.errors())]
    return filter_cases(cases_visible_to(request.user), filters, viewer=request.user), raw, []


LEDGER_ROWS = 30


class CountedPaginator(Paginator):
    """A paginator told its count (`search.capped_count`: a floor when a search matches very many cases)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known


@login_required
def ledger(request: StaffRequest) -> HttpResponse:
    if not has_role_for(request.user, Need.VIEW):
        raise PermissionDenied("您的角色无权查看台账")
    cases, raw, errors = _ledger(request)
    page = None
    listed: list[Case] = []
    count, more, next_cursor, after = 0, False, None, None
    if cases is not None:
        cases = cases.select_related("center", "matter").prefetch_related("clocks", "work_orders__unit")
        count, more = search.capped_count(cases)
        ordered = search.order(cases)
        if search.newest_first(ordered) and "page" not in request.GET:
            # Newest first: page on from the last case shown (a keyset), as fast on the hundredth page as the first.
            try:
                after = Cursor.decode(request.GET["cursor"]) if request.GET.get("cursor") else None
            except BadCursor:
                errors.append("翻页参数无效，已回到第一页")
            listed, next_cursor = keyset_page(cases, "received_at", after, LEDGER_ROWS)
        else:
            # Ranked by relevance (at most search.RANK_LIMIT matches), or an old link by page number.
            page = CountedPaginator(ordered, LEDGER_ROWS, count=count).get_page(request.GET.get("page"))
            listed = list(page.object_list)
    now = timezone.now()
    shown = (lambda text: text) if personal.sees_contact(request.user) else mask_phones_in
    rows = [
        {"case": c, "light": case_light(list(c.clocks.all()), now) or "none", "reporter": personal.listed(request.user, c),
         "description": shown(c.description), "returned": latest_return(c), "leads": holding_units(c)}
        for c in listed
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("cursor", None)
    return render(
        request,
        "reports/ledger.html",
        {
            "nav": "ledger",
            "rows": rows,
            "page": page,
            "count": count,
            "next_cursor": next_cursor.encode() if next_cursor else "",
            "paged_on": after is not None,
            "filters": raw,
            "more": more,
            "terms": search.parse(raw["q"], request.user).terms if raw.get("q") and not errors else [],
            "drill_down": [(k, raw[k], *_filter_in_words(k, raw[k])) for k in DRILL_DOWN if k in raw],
            "errors": errors,
            "query": query.urlencode(),
            "statuses": CaseStatus.choices,
            "channels": Channel.choices,
            "reasons": Reason.choices,
            "units": Unit.objects.filter(kind__in=HANDLING_UNIT_KINDS).order_by("kind", "code"),
            "matters": Matter.objects.filter(is_active=True).select_related("department").order_by("code"),
        },
        status=422 if errors else 200,
    )


@login_required
def ledger_export(request: StaffRequest) -> HttpResponse | FileResponse:
    """The ledger as .xlsx, with exactly the filters (and the visibility) of the page."""
    if not has_role_for(request.user, Need.VIEW):
        raise PermissionDenied("您的角色无权导出台账")
    cases, raw, errors = _ledger(request)
    if cases is None:
        return HttpResponse("；".join(errors), status=422, content_type="text/plain; charset=utf-8")
    count = cases.count()
    if count > settings.LEDGER_EXPORT_MAX_ROWS:
        return HttpResponse(
            f"筛选结果共 {count} 件，超过单次导出上限 {settings.LEDGER_EXPORT_MAX_ROWS} 件。请缩小筛选范围后再导出"
            "（例如按登记时间分段）。", status=422, content_type="text/plain; charset=utf-8")
    cases = cases.select_related("center", "matter").prefetch_related("clocks", "work_orders__unit", "visits")
    filters = [_filter_in_words(k, v) for k, v in raw.items()]
    # Written row by row into a temporary file and sent from it: the worker's memory does not grow with the rows.
    file = tempfile.TemporaryFile()  # noqa: SIM115 -- the response closes (and so removes) it once sent
    try:
        rows = write_ledger(
            file,
            search.order(cases).iterator(chunk_size=500),
            count=count,
            title=f"“办不成事”反映台账（{request.user.unit}）",
            filters=filters,
            full_names=personal.sees_contact(request.user),
        )
    except BaseException:
        file.close()
        raise
    record_event(EventType.EXPORTED, actor=request.user, what="ledger", title="台账（Excel）",
                 filters="；".join(f"{label}：{value}" for label, value in filters) or "全部", rows=rows,
                 outcome="success")
    file.seek(0)
    response = FileResponse(file, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f"attachment; filename=ledger-{stamp}.xlsx"
    return response


FILTER_LABELS = {"status": "状态", "light": "时限灯", "unit": "单位", "matter": "事项", "received_from": "登记起",
                 "received_to": "登记止", "q": "关键词", "channel": "渠道", "reason": "原因",
                 "scope": "统计范围", "center": "登记中心", "lead_unit": "主办单位", "no_matter": "事项",
                 "reached": "办理情况", "rating": "回访满意度", "clock": "时限类型", "timing": "是否按时"}
# The filters the dashboard's links add, which the ledger's form has no field for: kept as hidden fields.
DRILL_DOWN = ("scope", "center", "lead_unit", "no_matter", "reached", "rating", "clock", "timing")


def _filter_in_words(key: str, value: str) -> tuple[str, str]:
    """A filter as the export's header shows it: 状态：办理中, not status: in_progress."""
    words = {
        "status": lambda: str(CaseStatus(value).label),
        "channel": lambda: str(Channel(value).label),
        "reason": lambda: str(Reason(value).label),
        "light": lambda: {"red": "红", "yellow": "黄", "green": "绿"}[value],
        "unit": lambda: Unit.objects.get(code=value).name,
        "scope": lambda: Unit.objects.get(code=value).name,
        "center": lambda: Unit.objects.get(code=value).name,
        "lead_unit": lambda: Unit.objects.get(code=value).name,
        "matter": lambda: Matter.objects.get(code=value).name,
        "no_matter": lambda: "未选事项",
        "reached": lambda: REACHED_LABELS[value],
        "rating": lambda: str(Rating(int(value)).label),
        "clock": lambda: str(ClockKind(value).label),
        "timing": lambda: {"on_time": "按时", "late": "超时"}[value],
    }
    try:
        return FILTER_LABELS[key], words[key]() if key in words else value
    except (ValueError, KeyError, Unit.DoesNotExist, Matter.DoesNotExist):
        return FILTER_LABELS[key], value


@login_required
def work_order_pdf(request: StaffRequest, order_id: int) -> HttpResponse:
    """The Ankang 工单, printable; the full phone is on it, so only the case's own people get it."""
    # WeasyPrint (with pango) takes about 0.4 s to import: only the processes that print pay for it.
    from banchengshi.reports.workorder_pdf import work_order_pdf as render_pdf

    order = access_work_order(request.user, order_id)
    if not has_role_for(request.user, Need.PRINT):
        raise PermissionDenied("打印工单仅限中心和承办单位工作人员")
    pdf = render_pdf(order)
    with transaction.atomic():
        record_event(EventType.PRINTED, actor=request.user, case=order.case, work_order=order, what="work_order",
                     title="工单（PDF）", rows=1, outcome="success")
        personal.viewed(request.user, order.case, via="print")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="work-order-{order.case.reference}-{order.pk}.pdf"'
    return response


AUDIT_EXPORT_LIMIT = 50_000


@login_required
def audit_log(request: StaffRequest) -> HttpResponse:
    """The audit log (审计日志) for the audit administrator and oversight: every event, newest first."""
    if not has_role_for(request.user, Need.AUDIT_LOG):
        raise PermissionDenied("审计日志仅限审计管理员和纪委监委查看")
    filters, errors = AuditFilters.from_query(request.GET)
    page = Paginator(audit_events(filters), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/audit_log.html",
        {
            "nav": "audit_log",
            "rows": [audit_row(e) for e in page.object_list],
            "page": page,
            "filters": filters.as_query(),
            "errors": errors,
            "query": urlencode(filters.as_query()),
            "actions": sorted(EventType.choices, key=lambda c: c[1]),
        },
        status=422 if errors else 200,
    )


@login_required
def audit_log_export(request: StaffRequest) -> HttpResponse:
    """The audit log as .xlsx under the page's filters; the export is itself recorded, with its filters."""
    if not has_role_for(request.user, Need.AUDIT_LOG):
        raise PermissionDenied("审计日志仅限审计管理员和纪委监委导出")
    filters, errors = AuditFilters.from_query(request.GET)
    if errors:
        return HttpResponse("；".join(errors), status=422, content_type="text/plain; charset=utf-8")
    with transaction.atomic():
        events = list(audit_events(filters)[:AUDIT_EXPORT_LIMIT])
        record_event(EventType.AUDIT_LOG_EXPORTED, actor=request.user, filters=filters.in_words(), rows=len(events),
                     outcome="success")
    response = HttpResponse(audit_log_xlsx(events, filters=filters),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f"attachment; filename=audit-log-{stamp}.xlsx"
    return response
