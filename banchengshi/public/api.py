"""The citizen's routes under /api/v1/public/ (no token): the same flow as the public pages, for apps that
bring their own screens. Thin: parse, limit, call, render."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Status

from banchengshi.accounts.selectors import service_centers
from banchengshi.cases.actions.reporter import do_reporter_confirm, do_reporter_object, do_reporter_rate
from banchengshi.cases.models import Case
from banchengshi.dispatch.models import Matter
from banchengshi.dispatch.search import find_matters
from banchengshi.guides.selectors import find_guides, published_guides
from banchengshi.lib.errors import InvalidInput
from banchengshi.lib.phone import normalize_phone
from banchengshi.public import limits, notice
from banchengshi.public.actions import Report, ReportRefused, submit_report
from banchengshi.public.codes import send_code
from banchengshi.public.progress import progress, promises
from banchengshi.public.schemas import (
    GuideOut,
    ObjectionIn,
    OptionOut,
    PersonalDataNoticeOut,
    PhoneIn,
    ProgressOut,
    PublicReportIn,
    RatingIn,
    ReceiptOut,
    SuffixIn,
)
from banchengshi.public.tracking import NOT_FOUND, channel_of, find_for_reporter

router = Router(tags=["群众自助"], auth=None)


def _progress(case: Case) -> dict[str, Any]:
    found = progress(case)
    return {**found.__dict__, "steps": [s.__dict__ for s in found.steps], "may": sorted(found.may)}


def _own_case(request: HttpRequest, reference: str, phone_last4: str) -> Case:
    case = find_for_reporter(request, reference, phone_last4)
    if case is None:
        raise Http404(NOT_FOUND)
    return case


@router.post("/phone-codes", response={202: dict}, summary="发送短信验证码")
def phone_code(request: HttpRequest, payload: PhoneIn) -> Status[dict[str, str]]:
    try:
        phone = normalize_phone(payload.phone)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="phone") from exc
    limits.take(request, "code_per_ip", limits.client_address(request))
    limits.take(request, "code_per_phone", phone)
    send_code(phone)
    return Status(202, {"detail": "验证码已发送，10分钟内有效"})


@router.post("/reports", response={201: ReceiptOut}, summary="群众自助反映")
def report(request: HttpRequest, payload: PublicReportIn) -> Status[dict[str, Any]]:
    center = next((c for c in service_centers() if c.code == payload.center), None)
    matter = Matter.objects.filter(code=payload.matter, is_active=True).first() if payload.matter else None
    if payload.matter and matter is None:
        raise ReportRefused({"matter": f"未找到事项：{payload.matter}"})
    try:
        phone = normalize_phone(payload.reporter.phone)
    except ValueError as exc:
        raise ReportRefused({"phone": str(exc)}) from exc
    limits.refuse_when_over(request, "report_per_ip", limits.client_address(request))
    limits.refuse_when_over(request, "report_per_phone", phone)
    case = submit_report(Report(
        channel=channel_of(request),
        reporter_name=payload.reporter.name,
        phone=phone,
        phone_code=payload.phone_code,
        center=center,
        description=payload.description,
        reporter_kind=payload.reporter.kind,
        organization=payload.reporter.organization,
        credit_code=payload.reporter.credit_code,
        portal=payload.portal,
        matter=matter,
        business_name=payload.business_name,
        reasons=payload.reasons,
        reason_other=payload.reason_other,
        demand=payload.demand,
        notice_version=payload.notice_version or notice.VERSION,
    ))
    limits.count(request, "report_per_ip", limits.client_address(request))
    limits.count(request, "report_per_phone", phone)
    return Status(201, {"reference": case.reference, "channel": case.channel, "promises": promises(case)})


@router.get("/reports/{reference}", response=ProgressOut, summary="查询办理进度")
def track(request: HttpRequest, reference: str, phone_last4: str = "") -> dict[str, Any]:
    return _progress(_own_case(request, reference, phone_last4))


@router.post("/reports/{reference}/confirm", response=ProgressOut, summary="确认办理结果（办结）")
def confirm(request: HttpRequest, reference: str, payload: SuffixIn) -> dict[str, Any]:
    return _progress(do_reporter_confirm(_own_case(request, reference, payload.phone_last4)))


@router.post("/reports/{reference}/objection", response=ProgressOut, summary="对答复提出异议")
def objection(request: HttpRequest, reference: str, payload: ObjectionIn) -> dict[str, Any]:
    return _progress(do_reporter_object(_own_case(request, reference, payload.phone_last4), reason=payload.reason))


@router.post("/reports/{reference}/rating", response={201: ProgressOut}, summary="办结后评价（一事一评）")
def rating(request: HttpRequest, reference: str, payload: RatingIn) -> Status[dict[str, Any]]:
    case = _own_case(request, reference, payload.phone_last4)
    do_reporter_rate(case, rating=payload.rating, solved=payload.solved, note=payload.note)
    return Status(201, _progress(Case.objects.get(pk=case.pk)))


@router.get("/notice", response=PersonalDataNoticeOut, summary="个人信息告知书")
def personal_data_notice(request: HttpRequest) -> dict[str, Any]:
    return {"version": notice.VERSION, "sections": [s.__dict__ for s in notice.sections()]}


@router.get("/matters", response=list[OptionOut], summary="按关键词查找事项")
def matters(request: HttpRequest, q: str = "") -> list[dict[str, str]]:
    return [{"code": m.code, "name": m.name} for m in find_matters(q)]


@router.get("/centers", response=list[OptionOut], summary="政务服务中心")
def centers(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": u.code, "name": u.name} for u in service_centers()]


GUIDE_QUERY_LIMIT = 100


@router.get("/guides", response=list[GuideOut], summary="查找办事指南")
def guides(request: HttpRequest, q: str = "") -> list[dict[str, str]]:
    """Published guides for the reporter's words, best first (all of them, by matter code, without `q`)."""
    q = q.strip()
    if len(q) > GUIDE_QUERY_LIMIT:
        raise InvalidInput(f"请用不超过{GUIDE_QUERY_LIMIT}个字描述要办的事", field="q")
    limits.take(request, "guides_per_ip", limits.client_address(request))
    found = find_guides(q, limit=10) if q else list(published_guides().order_by("matter__code"))
    return [{"matter": g.matter.code, "title": g.published.title if g.published else str(g),
             "url": request.build_absolute_uri(reverse("public_guide", args=[g.matter.code]))} for g in found]
