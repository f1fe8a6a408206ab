"""Thin endpoints: parse, access, call the action, render."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils import timezone
from ninja import File, Query, Router, Status, UploadedFile

from banchengshi.accounts.access import Need, has_role_for, subtree_ids
from banchengshi.accounts.auth import AuthedRequest
from banchengshi.accounts.selectors import unit_by_code
from banchengshi.cases import actions, personal, search
from banchengshi.cases.actions.base import InvalidInput
from banchengshi.cases.models import Case
from banchengshi.cases.presenters import attachment_download, attachment_out, case_detail, case_summary
from banchengshi.cases.schemas import (
    AcceptIn,
    AssistIn,
    AttachmentOut,
    CaseIn,
    CaseOut,
    CasePage,
    CloseIn,
    ContactIn,
    DispatchDownIn,
    DispatchIn,
    MergeIn,
    NoteIn,
    PhoneSearchIn,
    PhoneSearchOut,
    ReasonIn,
    RejectIn,
    ResultIn,
    ReviewIn,
    UnmaskIn,
    UnmaskOut,
    VisitIn,
    WorkNoteIn,
)
from banchengshi.cases.selectors import (
    ActionForbidden,
    CaseFilters,
    access_attachment,
    access_case,
    access_work_order,
    cases_visible_to,
    filter_cases,
)
from banchengshi.dispatch.models import Matter
from banchengshi.lib.pagination import BadCursor, Cursor, CursorParams, keyset_page
from banchengshi.lib.schemas import EmptyIn

PHONE_SEARCH_ROWS = 50

router = Router(tags=["反映件"])
work_orders = Router(tags=["工单"])
attachments = Router(tags=["附件"])


def case_answer(request: AuthedRequest, case: Case) -> dict[str, Any]:
    """The case as the answer of a read or an action; a full name and phone in it is an audited view."""
    fresh = Case.objects.select_related("center", "matter", "locality", "merged_into").get(pk=case.pk)
    return case_detail(fresh, request.auth, personal.viewed(request.auth, fresh, via="api"))


@router.post("", response={201: CaseOut}, summary="登记反映件")
def register_case(request: AuthedRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    user = request.auth
    if not has_role_for(user, Need.REGISTER):
        raise ActionForbidden("您的角色无权登记反映件")
    center = unit_by_code(payload.center, "登记中心")
    if not center.is_center:
        raise InvalidInput(f"“{center.name}”不是政务服务中心，不能作为登记中心")
    if user.unit is None or center.pk not in subtree_ids(user.unit):
        raise ActionForbidden(f"您不能在“{center.name}”登记反映件")
    matter = None
    if payload.matter:
        matter = Matter.objects.filter(code=payload.matter).first()
        if matter is None:
            raise InvalidInput(f"未找到事项：{payload.matter}")
    case = actions.do_register_case(
        acting_user=user,
        channel=payload.channel,
        reporter_name=payload.reporter.name,
        reporter_phone=payload.reporter.phone,
        reporter_kind=payload.reporter.kind,
        reporter_organization=payload.reporter.organization,
        center=center,
        window=payload.window,
        locality=unit_by_code(payload.locality, "属地中心") if payload.locality else None,
        matter=matter,
        business_name=payload.business_name,
        reasons=payload.reasons,
        reason_other=payload.reason_other,
        category=payload.category,
        description=payload.description,
        demand=payload.demand,
        received_at=payload.received_at,
    )
    return Status(201, case_answer(request, case))


@router.get("", response=CasePage, summary="反映件列表")
def list_cases(
    request: AuthedRequest, filters: Query[CaseFilters], cursor: Query[CursorParams],
) -> dict[str, Any]:
    """A page by `page` (an offset), or with `cursor` the page after the one that gave it as `next_cursor`
    (keyset: as fast at the ten-thousandth page as at the first). `count` stops at 1000 (`count_capped`)."""
    cases = filter_cases(cases_visible_to(request.auth), filters, viewer=request.auth)
    now = timezone.now()
    count, capped = search.capped_count(cases)
    ordered = search.order(cases)
    ranked = not search.newest_first(ordered)
    after = None
    if cursor.cursor:
        if ranked:
            raise InvalidInput("按相关度排序的检索结果不支持 cursor 翻页，请用 page", field="cursor")
        try:
            after = Cursor.decode(cursor.cursor)
        except BadCursor:
            raise InvalidInput("cursor 无效：请使用上一页答复中的 next_cursor，或从第一页重新开始", field="cursor") from None
    fetched = cases.select_related("center", "matter").prefetch_related("clocks")
    next_cursor: Cursor | None = None
    if ranked:
        start = (filters.page - 1) * filters.page_size
        rows = list(search.order(fetched)[start:start + filters.page_size])
    elif after is None:
        # By page, as before; the cursor of the page after it comes with it, as with a cursor.
        start = (filters.page - 1) * filters.page_size
        rows = list(search.order(fetched)[start:start + filters.page_size + 1])
        if len(rows) > filters.page_size:
            rows = rows[:filters.page_size]
            next_cursor = Cursor(rows[-1].received_at, rows[-1].pk)
    else:
        rows, next_cursor = keyset_page(fetched, "received_at", after, filters.page_size)
    return {
        "count": count,
        "count_capped": capped,
        "page": filters.page,
        "page_size": filters.page_size,
        "next_cursor": next_cursor.encode() if next_cursor else None,
        "results": [case_summary(c, now, reporter=personal.listed(request.auth, c)) for c in rows],
    }


@router.post("/search-by-phone", response=PhoneSearchOut, summary="按电话查询（限次、留痕）")
def search_by_phone(request: AuthedRequest, payload: PhoneSearchIn) -> dict[str, Any]:
    """The cases the caller may see that were reported from this phone. The phone goes in the body, never
    the URL; each caller has a limit per period (LIMIT_PHONE_SEARCHES, then 429), and every attempt is in
    the audit log with the phone masked."""
    found = personal.look_up_by_phone(request, request.auth, payload.phone, kind="phone_search", via="api")
    now = timezone.now()
    cases = list(found.select_related("center", "matter").prefetch_related("clocks").order_by("-received_at")[:PHONE_SEARCH_ROWS])
    return {"count": found.count(), "results": [case_summary(c, now, reporter=personal.listed(request.auth, c)) for c in cases]}


@router.get("/{reference}", response=CaseOut, summary="反映件详情")
def get_case(request: AuthedRequest, reference: str) -> dict[str, Any]:
    return case_answer(request, access_case(request.auth, reference))


@router.post("/{reference}/unmask", response=UnmaskOut, summary="查看完整个人信息（须说明理由，留痕）")
def unmask(request: AuthedRequest, reference: str, payload: UnmaskIn) -> dict[str, Any]:
    case = access_case(request.auth, reference)
    shown = personal.do_unmask(request.auth, case, reason=payload.reason)
    return {"name": shown.name, "phone": shown.phone}


@router.post("/{reference}/accept", response=CaseOut, summary="受理")
def accept(request: AuthedRequest, reference: str, payload: AcceptIn) -> dict[str, Any]:
    case = access_case(request.auth, reference, "accept")
    actions.do_accept_case(
        case, acting_user=request.auth, handling_type=payload.handling_type, complexity=payload.complexity,
        verification=payload.verification,
    )
    return case_answer(request, case)


@router.post("/{reference}/reject", response=CaseOut, summary="不予受理")
def reject(request: AuthedRequest, reference: str, payload: RejectIn) -> dict[str, Any]:
    case = access_case(request.auth, reference, "reject")
    actions.do_reject_case(case, acting_user=request.auth, reason=payload.reason, basis=payload.basis,
                           next_steps=payload.next_steps)
    return case_answer(request, case)


@router.post("/{reference}/resolve-on-site", response=CaseOut, summary="现场办结")
def resolve_on_site(request: AuthedRequest, reference: str, payload: ResultIn) -> dict[str, Any]:
    case = access_case(request.auth, reference, "resolve")
    actions.do_resolve_on_site(case, acting_user=request.auth, result=payload.result)
    return case_answer(request, case)


@router.post("/{reference}/merge", response=CaseOut, summary="并单（并入更早的反映件）")
def merge(request: AuthedRequest, reference: str, payload: MergeIn) -> dict[str, Any]:
    case = access_case(request.auth, reference, "merge")
    into = access_case(request.auth, payload.into)
    actions.do_merge_case(case, acting_user=request.auth, into=into)
    return case_answer(request, case)


@router.post("/{reference}/dispatch", response=CaseOut, summary="派单（不指定主办单位则自动派单）")
def dispatch(request: AuthedRequest, reference: str, payload: DispatchIn) -> dict[str, Any]:
    case = access_case(request.auth, reference, "dispatch")
    lead = unit_by_code(payload.lead_unit, "主办单位") if payload.lead_unit else None
    if lead is None and payload.assisting_units:
        raise InvalidInput("指定协办单位时请同时指定主办单位")
    assisting = [unit_by_code(code, "协办单位") for code in payload.assisting_units]
    actions.do_dispatch_case(case, acting_user=request.auth, lead_unit=lead, assisting_units=assisting)
    return case_answer(request, case)


@router.post("/{reference}/pause", response=CaseOut, summary="暂停计时（如等待补充材料）")
def pause(request: AuthedRequest, reference: str, payload: ReasonIn) -> dict[str, Any]:
    case = access_case(request.auth, reference, "pause")
    actions.do_pause_case(case, acting_user=request.auth, reason=payload.reason)
    return case_answer(request, case)


@router.post("/{reference}/resume", response=CaseOut, summary="恢复计时")
def resume(request: AuthedRequest, reference: str, payload: EmptyIn | None = None) -> dict[str, Any]:
    case = access_case(request.auth, reference, "resume")
    actions.do_resume_case(case, acting_user=request.auth)
    return case_answer(request, case)


@router.post("/{reference}/review", response=CaseOut, summary="办结前审核")
def review(request: AuthedRequest, reference: str, payload: ReviewIn) -> dict[str, Any]:
    case = access_case(request.auth, reference, "approve" if payload.approve else "review_return")
    actions.do_review_case(case, acting_user=request.auth, approve=payload.approve, note=payload.note)
    return case_answer(request, case)


@router.post("/{reference}/close", response=CaseOut, summary="办结")
def close(request: AuthedRequest, reference: str, payload: CloseIn | None = None) -> dict[str, Any]:
    case = access_case(request.auth, reference, "close")
    confirmed = payload.reporter_confirmed if payload is not None else False
    actions.do_close_case(case, acting_user=request.auth, reporter_confirmed=confirmed)
    return case_answer(request, case)


@router.post("/{reference}/visit", response=CaseOut, summary="回访")
def visit(request: AuthedRequest, reference: str, payload: VisitIn) -> dict[str, Any]:
    case = access_case(request.auth, reference, "visit")
    actions.do_visit_case(case, acting_user=request.auth, rating=payload.rating, solved=payload.solved, note=payload.note)
    return case_answer(request, case)


@router.post("/{reference}/attachments", response={201: AttachmentOut}, summary="上传附件（multipart，字段 file）")
def upload_attachment(request: AuthedRequest, reference: str, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    case = access_case(request.auth, reference, "attach")
    attachment = actions.do_attach_file(case, acting_user=request.auth, upload=file)
    return Status(201, attachment_out(attachment))


@attachments.get("/{attachment_id}", response={200: None}, summary="下载附件")
def download_attachment(request: AuthedRequest, attachment_id: int) -> FileResponse:
    attachment = access_attachment(request.auth, attachment_id)
    return attachment_download(attachment)


@work_orders.post("/{order_id}/receive", response=CaseOut, summary="接单")
def receive(request: AuthedRequest, order_id: int, payload: NoteIn | None = None) -> dict[str, Any]:
    order = access_work_order(request.auth, order_id, "receive")
    actions.do_receive_work_order(order, acting_user=request.auth, note=payload.note if payload else "")
    return case_answer(request, order.case)


@work_orders.post("/{order_id}/contact", response=CaseOut, summary="联系反映人")
def contact(request: AuthedRequest, order_id: int, payload: ContactIn) -> dict[str, Any]:
    order = access_work_order(request.auth, order_id, "contact")
    actions.do_contact_reporter(order, acting_user=request.auth, note=payload.note)
    return case_answer(request, order.case)


@work_orders.post("/{order_id}/note", response=CaseOut, summary="办理记录、核实情况及处理意见")
def note(request: AuthedRequest, order_id: int, payload: WorkNoteIn) -> dict[str, Any]:
    order = access_work_order(request.auth, order_id, "note")
    actions.do_add_note(
        order, acting_user=request.auth, note=payload.note, verification=payload.verification, opinion=payload.opinion
    )
    return case_answer(request, order.case)


@work_orders.post("/{order_id}/assist", response=CaseOut, summary="发起协办")
def assist(request: AuthedRequest, order_id: int, payload: AssistIn) -> dict[str, Any]:
    order = access_work_order(request.auth, order_id, "assist")
    units = [unit_by_code(code, "协办单位") for code in payload.units]
    actions.do_request_assistance(order, acting_user=request.auth, units=units, note=payload.note)
    return case_answer(request, order.case)


@work_orders.post("/{order_id}/reply", response=CaseOut, summary="答复办理结果")
def reply(request: AuthedRequest, order_id: int, payload: ResultIn) -> dict[str, Any]:
    order = access_work_order(request.auth, order_id, "reply")
    actions.do_reply_work_order(order, acting_user=request.auth, result=payload.result)
    return case_answer(request, order.case)


@work_orders.post("/{order_id}/return", response=CaseOut, summary="退回工单")
def return_order(request: AuthedRequest, order_id: int, payload: ReasonIn) -> dict[str, Any]:
    order = access_work_order(request.auth, order_id, "return")
    actions.do_return_work_order(order, acting_user=request.auth, reason=payload.reason)
    return case_answer(request, order.case)


@work_orders.post("/{order_id}/dispatch-down", response=CaseOut, summary="向下派单")
def dispatch_down(request: AuthedRequest, order_id: int, payload: DispatchDownIn) -> dict[str, Any]:
    order = access_work_order(request.auth, order_id, "dispatch-down")
    actions.do_dispatch_down(order, acting_user=request.auth, unit=unit_by_code(payload.unit, "下级中心"))
    return case_answer(request, order.case)


@work_orders.post("/{order_id}/chase", response=CaseOut, summary="催办（协办单位未答复）")
def chase(request: AuthedRequest, order_id: int, payload: NoteIn | None = None) -> dict[str, Any]:
    order = access_work_order(request.auth, order_id, "chase")
    actions.do_chase_work_order(order, acting_user=request.auth, note=payload.note if payload else "")
    return case_answer(request, order.case)


@work_orders.post("/{order_id}/withdraw", response=CaseOut, summary="撤回协办工单")
def withdraw(request: AuthedRequest, order_id: int, payload: ReasonIn) -> dict[str, Any]:
    order = access_work_order(request.auth, order_id, "withdraw")
    actions.do_withdraw_work_order(order, acting_user=request.auth, reason=payload.reason)
    return case_answer(request, order.case)
