"""信息公开 (/public/disclosure/, no sign-in) and the admin office's 典型案例 pages.

The public page reads the whole district's figures through `figures.compute(public_scope(), …)` (the one
source of every figure), the time limits from the policies in effect at the service centers, and the
typical cases the admin office approved; it names no reporter, reference or phone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit
from banchengshi.cases.choices import Channel
from banchengshi.lib.errors import ActionError, ActionForbidden
from banchengshi.public.views import DISPLAY_COOKIE, LARGE
from banchengshi.reports.bottlenecks import Quarter
from banchengshi.reports.figures import compute, public_scope
from banchengshi.reports.typical_cases import (
    access_typical_case,
    clean_text,
    do_approve,
    do_edit,
    do_propose,
    do_withdraw,
    published,
    typical_cases_for,
)
from banchengshi.sla.models import Policy
from banchengshi.sla.services import effective_policy

QUARTERS_SHOWN = 4
# The Policy fields the public is told, in this order (their labels are the model's).
PUBLIC_LIMITS = ("acceptance_days", "forward_days", "contact_days", "first_feedback_days", "simple_days", "general_days",
                 "complex_days", "consult_days", "assist_days", "coordinate_days", "review_days", "objection_days",
                 "resupervision_days", "rectification_days")
HOW_TO_REACH = {
    Channel.WINDOW: "到下列政务服务中心的“办不成事”反映窗口当面反映（工作日办公时间）。",
    Channel.PHONE: "拨打 12345 政务服务便民热线，说明是“办不成的事”。",
    Channel.ONLINE: "在电脑上打开本网站，点击“我要反映”填写。",
    Channel.MOBILE: "用手机浏览器打开本网站，点击“我要反映”填写。",
    Channel.KIOSK: "在政务服务中心大厅的自助终端上点击“我要反映”。",
}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _limits() -> list[dict[str, Any]]:
    """Each policy in effect at an active service center, with the centers it applies to and its limits."""
    centers = Unit.objects.filter(kind=UnitKind.SERVICE_CENTER, is_active=True).select_related("policy", "parent__policy").order_by("code")
    by_policy: dict[int, tuple[Policy, list[Unit]]] = {}
    for center in centers:
        policy = effective_policy(center)
        by_policy.setdefault(policy.pk, (policy, []))[1].append(center)
    result = []
    for policy, units in sorted(by_policy.values(), key=lambda item: item[0].code):
        limits = []
        for name in PUBLIC_LIMITS:
            days = getattr(policy, name)
            if days is not None:
                field = Policy._meta.get_field(name)
                assert isinstance(field, models.Field)
                # The generic help of the optional limits ("留空表示不设此时限") is for the admin, not the public.
                help_text = "" if "留空" in str(field.help_text) else str(field.help_text)
                limits.append({"key": name, "label": str(field.verbose_name), "days": days, "help": help_text})
        result.append({"name": policy.name, "basis": policy.basis, "centers": units, "limits": limits})
    return result


def disclosure(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    now = timezone.now()
    quarter = Quarter.last_full(today)
    quarters = []
    for _ in range(QUARTERS_SHOWN):
        quarters.append(quarter)
        quarter = quarter.previous
    rows = []
    for q in reversed(quarters):
        f = compute(public_scope(), q.period, now)
        rows.append({"key": f"{q.year}Q{q.number}", "label": q.label, "registered": f.registered, "accepted": f.accepted,
                     "closed": f.closed, "on_time_rate": _percent(f.on_time_rate), "satisfied_share": _percent(f.satisfied_share),
                     "on_time": None if f.on_time_rate is None else round(f.on_time_rate * 100, 1),
                     "satisfied": None if f.satisfied_share is None else round(f.satisfied_share * 100, 1)})
    centers = Unit.objects.filter(kind=UnitKind.SERVICE_CENTER, is_active=True).order_by("code")
    context = {
        "large": request.COOKIES.get(DISPLAY_COOKIE) == LARGE, "kiosk": False, "nav": "disclosure",
        "channels": [{"label": str(c.label), "how": how} for c, how in HOW_TO_REACH.items()],
        "centers": centers, "policies": _limits(), "quarters": rows,
        "chart": {"labels": [r["label"] for r in rows], "registered": [r["registered"] for r in rows],
                  "accepted": [r["accepted"] for r in rows], "closed": [r["closed"] for r in rows],
                  "on_time": [r["on_time"] for r in rows], "satisfied": [r["satisfied"] for r in rows]},
        "typical_cases": published()[:10],
    }
    return render(request, "reports/disclosure.html", context)


# ---- the admin office's pages ---------------------------------------------------------------------------


def _refusal(exc: Exception) -> tuple[str, str, int]:
    if isinstance(exc, ActionForbidden):
        raise PermissionDenied(str(exc))
    assert isinstance(exc, ActionError)
    return exc.message, exc.field, exc.status


@login_required
def typical_cases(request: StaffRequest) -> HttpResponse:
    """The list, and the form to propose one from a case's reference."""
    if not has_role_for(request.user, Need.PUBLISH_CASES):
        raise PermissionDenied("只有政务服务办可以管理典型案例")
    error, status, typed = "", 200, ""
    if request.method == "POST":
        typed = request.POST.get("reference", "")
        try:
            typical = do_propose(request.user, typed)
            return redirect("typical_case", pk=typical.pk)
        except (ActionError, ActionForbidden) as exc:
            error, _field, status = _refusal(exc)
    return render(request, "reports/typical_cases.html",
                  {"nav": "dashboard", "rows": typical_cases_for(request.user), "error": error, "reference": typed},
                  status=status)


@login_required
def typical_case(request: StaffRequest, pk: int) -> HttpResponse:
    """One typical case: edit the text (保存), publish it (审核通过) or take it down (撤回)."""
    if not has_role_for(request.user, Need.PUBLISH_CASES):
        raise PermissionDenied("只有政务服务办可以管理典型案例")
    typical = access_typical_case(request.user, pk)
    error, field, status = "", "", 200
    typed = {k: getattr(typical, k) for k in ("title", "problem", "handling", "outcome")}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "save":
                typed = {k: request.POST.get(k, "") for k in typed}
                do_edit(request.user, typical, clean_text(typed))
            elif action == "approve":
                do_approve(request.user, typical)
            elif action == "withdraw":
                do_withdraw(request.user, typical)
            else:
                raise ActionError("未知的操作", field="action")
            return redirect("typical_case", pk=typical.pk)
        except (ActionError, ActionForbidden) as exc:
            error, field, status = _refusal(exc)
    return render(request, "reports/typical_case.html",
                  {"nav": "dashboard", "typical": typical, "typed": typed, "error": error, "error_field": field},
                  status=status)
