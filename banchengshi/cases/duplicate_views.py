"""Possible repeats on the pages: the registration page's live check, and 并单 / 不是重复 on a link (from
the case page or the queue). The logic is cases.duplicates; these views parse, scope, call and render."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.accounts.models import User
from banchengshi.cases import actions, duplicates
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case, CaseLink
from banchengshi.cases.selectors import REFUSALS, access_case, authorize_case, cases_visible_to, may, refusal
from banchengshi.lib import limits
from banchengshi.lib.masking import mask_phones_in
from banchengshi.lib.phone import normalize_phone

MIN_CHARS = 6  # fewer characters tell no problem yet: nothing is looked up


def _pk(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@login_required
@require_POST
def similar_reports(request: StaffRequest) -> HttpResponse:
    """可能重复, while the clerk types: the open or recent cases in the user's scope that the description
    (and phone) being typed may repeat. POST, as the phone panel: the phone never goes into a URL. The work
    is bounded (the text is cut, the candidates capped) whatever is sent."""
    user = request.user
    if not has_role_for(user, Need.REGISTER):
        raise PermissionDenied("您的角色无权登记反映件")
    text = request.POST.get("description", "")[: duplicates.textsim.MAX_CHARS]
    if len(text.strip()) < MIN_CHARS:
        return render(request, "cases/_similar_reports.html", {"rows": []})
    rate = settings.STAFF_LIMITS["similar_check"]
    wait = limits.seconds_over(request, "staff:similar_check", str(user.pk), rate)
    if wait:
        refused = f"查重过于频繁，请{limits.wait_words(wait)}后再试（不影响登记）。"
        return render(request, "cases/_similar_reports.html", {"rows": [], "refused": refused}, status=429)
    limits.usage(request, "staff:similar_check", str(user.pk), rate, increment=True)
    try:
        phone = normalize_phone(request.POST.get("reporter_phone", "")[:20])
    except ValueError:
        phone = ""
    matches = duplicates.similar_to_text(
        text, phone=phone, center_id=_pk(request.POST.get("center", "")), matter_id=_pk(request.POST.get("matter", ""))
    )
    visible = {c.pk: c for c in cases_visible_to(user).filter(pk__in=[m.case_id for m in matches]).select_related("matter")}
    rows = [{"case": visible[m.case_id], "score": m.score, "same_reporter": m.same_reporter,
             "excerpt": mask_phones_in(visible[m.case_id].description)} for m in matches if m.case_id in visible]
    return render(request, "cases/_similar_reports.html", {"rows": rows})


def link_rows(user: User, case: Case) -> list[dict[str, Any]]:
    """The case page's 可能重复: each open link to a case the user may see, with what the user may do."""
    rows = []
    for link in duplicates.links_of(case, cases_visible_to(user)):
        shown = link.other if link.case_id == case.pk else link.case
        rows.append({"link": link, "shown": shown, "excerpt": mask_phones_in(shown.description),
                     "may_merge": may(user, link.case, "merge"), "may_dismiss": has_role_for(user, Need.REGISTER)})
    return rows


def queue_links(user: User, cases: Sequence[Case]) -> dict[int, list[CaseLink]]:
    """The open links of the queue's cases (the later report of each pair, the one 并单 moves) to cases
    the user may see: one query for the whole queue."""
    if not cases:
        return {}
    found: dict[int, list[CaseLink]] = {}
    links = CaseLink.objects.filter(dismissed_at__isnull=True, case_id__in=[c.pk for c in cases],
                                    other__in=cases_visible_to(user).values("pk")).exclude(other__status=CaseStatus.MERGED)
    links = links.select_related("case", "other")
    for link in links.order_by("-score", "id"):
        found.setdefault(link.case_id, []).append(link)
    return found


def _link(user: User, reference: str, link_id: int) -> tuple[Case, CaseLink]:
    """The link of this case, both its ends in the user's scope; anything else is 404."""
    case = access_case(user, reference)
    visible: QuerySet[Case] = cases_visible_to(user)
    link = (CaseLink.objects.filter(Q(case=case) | Q(other=case), pk=link_id)
            .filter(case__in=visible.values("pk"), other__in=visible.values("pk")).select_related("case", "other").first())
    if link is None:
        raise Http404("没有这条可能重复的记录")
    return case, link


def _back(request: StaffRequest, case: Case) -> HttpResponse:
    return redirect("home") if request.POST.get("back") == "home" else redirect("case", reference=case.reference)


@login_required
@require_POST
def merge_duplicate(request: StaffRequest, reference: str, link_id: int) -> HttpResponse:
    """并单 on a link: the later report joins the earlier case (registration.do_merge_case)."""
    from banchengshi.cases.views import _refused  # the case page with a message: the views' own renderer

    case, link = _link(request.user, reference, link_id)
    try:
        authorize_case(request.user, link.case, "merge")
        actions.do_merge_case(link.case, acting_user=request.user, into=link.other)
    except REFUSALS as exc:
        return _refused(request, case, *refusal(exc))
    messages.success(request, f"已将 {link.case.reference} 并入 {link.other.reference}。")
    if request.POST.get("back") == "home":
        return redirect("home")
    return redirect("case", reference=link.other.reference)


@login_required
@require_POST
def dismiss_duplicate(request: StaffRequest, reference: str, link_id: int) -> HttpResponse:
    """不是重复: recorded with who and when; the link is no longer offered."""
    from banchengshi.cases.views import _refused

    case, link = _link(request.user, reference, link_id)
    if not has_role_for(request.user, Need.REGISTER):
        raise PermissionDenied("您的角色无权判定重复反映")
    try:
        actions.do_dismiss_duplicate(link, acting_user=request.user)
    except REFUSALS as exc:
        return _refused(request, case, *refusal(exc))
    messages.success(request, f"已记录：{link.case.reference} 与 {link.other.reference} 不是重复反映。")
    return _back(request, case)
