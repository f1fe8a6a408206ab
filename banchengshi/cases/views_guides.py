"""办事指南 on a case: proposed guides for the reporter's words (the registration page and the case page),
the checklist of one guide's materials, and the two papers made from it — the guide sent to the reporter
and the 一次性告知单 of what is missing. Thin: parse, authorize, call cases.actions.guides, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.cases.actions.guides import do_give_guide, do_issue_one_time_notice
from banchengshi.cases.choices import CaseStatus, DocumentKind
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import REFUSALS, access_case, authorize_case, may, refusal
from banchengshi.guides.models import Guide
from banchengshi.guides.selectors import content_of, find_guides

PROPOSED = 5


def public_link(request: HttpRequest, guide: Guide) -> str:
    """The guide's public page as the reporter's phone opens it (the SMS carries it)."""
    return request.build_absolute_uri(reverse("public_guide", args=[guide.matter.code]))


@login_required
@require_POST
def guide_proposals(request: StaffRequest) -> HttpResponse:
    """The guides for the words typed (htmx, POST: the reporter's words stay out of URLs and access logs).
    With `reference`, links to that case's checklist; otherwise radio buttons the registration form sends."""
    if not has_role_for(request.user, Need.GUIDE_GIVE):
        raise PermissionDenied("您的角色无权向反映人提供办事指南")
    text = (request.POST.get("text") or request.POST.get("description") or "")[:500]
    reference = request.POST.get("reference", "").strip()[:32]
    case = access_case(request.user, reference) if reference else None
    center = case.center if case is not None else request.user.unit
    guides = find_guides(text, center=center, limit=PROPOSED) if text.strip() else []
    chosen = request.POST.get("guide", "")
    return render(request, "cases/_guide_proposals.html",
                  {"guides": guides, "case": case, "typed": bool(text.strip()), "chosen": chosen})


def _checklist(case: Case, guide: Guide, posted: Any = None) -> dict[str, Any]:
    assert guide.published is not None
    content = content_of(guide.published)
    have = set(posted.getlist("have")) if posted is not None else set()
    not_needed = set(posted.getlist("not_needed")) if posted is not None else set()
    return {
        "case": case, "guide": guide, "content": content, "have": have, "not_needed": not_needed,
        "send_sms": posted is not None and posted.get("send_sms") == "on",
        "resolve": posted is not None and posted.get("resolve") == "on",
        "may_resolve": case.status == CaseStatus.REGISTERED,
        "given": list(case.documents.filter(kind__in=[DocumentKind.GUIDE, DocumentKind.ONE_TIME_NOTICE])
                      .order_by("-issued_at", "-id")[:10]),
    }


@login_required
def case_guide(request: StaffRequest, reference: str, code: str) -> HttpResponse:
    """One guide for one case: send it, or tick what the reporter has and issue the 一次性告知单."""
    case = access_case(request.user, reference)
    guide = Guide.objects.filter(matter__code=code, published__isnull=False).select_related("matter", "published").first()
    if guide is None:
        raise Http404("未找到已公开的办事指南")
    if request.method != "POST":
        if not may(request.user, case, "give_guide"):
            raise PermissionDenied("您无权向该反映件的反映人提供办事指南")
        issued = request.GET.get("issued", "")
        return render(request, "cases/case_guide.html",
                      {"nav": "", **_checklist(case, guide), "issued": int(issued) if issued.isdigit() else None})
    what = request.POST.get("what", "")
    if what not in ("give", "notice"):
        raise Http404("没有这个操作")
    send_sms = request.POST.get("send_sms") == "on"
    try:
        if what == "give":
            authorize_case(request.user, case, "give_guide")
            document = do_give_guide(case, acting_user=request.user, guide=guide, link=public_link(request, guide),
                                     send_sms=send_sms)
            messages.success(request, "已将办事指南记入反映件" + ("并短信发送给反映人。" if send_sms else "。"))
        else:
            authorize_case(request.user, case, "one_time_notice")
            resolve = request.POST.get("resolve") == "on"
            if resolve:
                authorize_case(request.user, case, "resolve")
            document = do_issue_one_time_notice(
                case, acting_user=request.user, guide=guide, have=request.POST.getlist("have"),
                not_needed=request.POST.getlist("not_needed"), link=public_link(request, guide), send_sms=send_sms,
                resolve=resolve)
            messages.success(request, f"已出具一次性告知单，列明尚缺的{len(document.data['missing'])}项材料"
                             + ("，已短信发送" if send_sms else "") + ("，并已现场办结" if resolve else "") + "。")
    except REFUSALS as exc:
        message, status = refusal(exc)
        context = {"nav": "", **_checklist(case, guide, request.POST), "refused": message}
        return render(request, "cases/case_guide.html", context, status=status)
    return redirect(f"{reverse('case_guide', args=[reference, code])}?issued={document.pk}#given")

