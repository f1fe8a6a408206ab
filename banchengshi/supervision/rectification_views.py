"""Pages of 反馈整改: the list with lights, opening an item (pre-filled from the bottleneck page's link),
and one item with its progress, evidence and closing forms. They parse, call supervision.actions, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.accounts.models import Unit
from banchengshi.cases.actions import InvalidInput
from banchengshi.cases.choices import Channel, Reason
from banchengshi.cases.presenters import attachment_download
from banchengshi.cases.selectors import REFUSALS, refusal, units_in_scope_of
from banchengshi.dispatch.models import Matter
from banchengshi.supervision import actions
from banchengshi.supervision.choices import Dimension, RectificationStatus
from banchengshi.supervision.models import RectificationEvidence
from banchengshi.supervision.presenters import with_rectification_relations
from banchengshi.supervision.selectors import (
    access_rectification,
    filter_rectifications,
    key_label,
    may_rectify,
    rectification_light,
    rectifications_visible_to,
    shrink,
)

OPEN_FIELDS = ("unit", "subject", "dimension", "key", "requirement", "days")
LIGHTS = (("red", "红灯（已超时）"), ("yellow", "黄灯（临近期限）"), ("green", "绿灯（正常）"))


def _rectifying_units() -> Any:
    return Unit.objects.filter(kind__in=actions.RECTIFYING_KINDS, is_active=True).order_by("kind", "code")


@login_required
def rectifications(request: StaffRequest) -> HttpResponse:
    if not has_role_for(request.user, Need.VIEW):
        raise PermissionDenied("您的角色无权查看反馈整改")
    now = timezone.now()
    chosen = {k: request.GET.get(k, "").strip() for k in ("status", "unit", "light")}
    status = chosen["status"] if chosen["status"] in RectificationStatus.values else ""
    colour = chosen["light"] if chosen["light"] in dict(LIGHTS) else ""
    visible = rectifications_visible_to(request.user)
    items = filter_rectifications(visible, status, chosen["unit"], colour, now).select_related("unit")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "supervision/rectifications.html", {
        "nav": "rectifications",
        "rows": [(item, rectification_light(item, now)) for item in page.object_list],
        "page": page,
        "chosen": chosen,
        "statuses": RectificationStatus.choices,
        "lights": LIGHTS,
        "units": units_in_scope_of(request.user).filter(kind__in=actions.RECTIFYING_KINDS).order_by("kind", "code"),
        "may_open": has_role_for(request.user, Need.RECTIFY_OPEN),
    })


def _days(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("整改时限请填写工作日数", field="days")
    return int(value)


@login_required
def new_rectification(request: StaffRequest) -> HttpResponse:
    if not has_role_for(request.user, Need.RECTIFY_OPEN):
        raise PermissionDenied("只有政务服务办可以发起反馈整改")
    source = request.POST if request.method == "POST" else request.GET
    values = {name: source.get(name, "") for name in OPEN_FIELDS}
    status, refused = 200, ""
    if request.method == "POST":
        try:
            unit = Unit.objects.filter(code=values["unit"]).first()
            if unit is None:
                raise InvalidInput("请选择整改单位", field="unit")
            item = actions.do_open_rectification(
                acting_user=request.user, unit=unit, subject=values["subject"], requirement=values["requirement"],
                dimension=values["dimension"], key=values["key"], days=_days(values["days"]),
            )
        except REFUSALS as exc:
            refused, status = refusal(exc)
        else:
            messages.success(request, "已发起反馈整改。")
            return redirect("rectification", item_id=item.pk)
    policy_unit = Unit.objects.filter(code=values["unit"]).first()
    default, most = actions.rectification_days(policy_unit) if policy_unit is not None else (None, None)
    return render(request, "supervision/new_rectification.html", {
        "nav": "rectifications",
        "values": values,
        "refused": refused,
        "units": _rectifying_units(),
        "dimensions": Dimension.choices,
        "matters": Matter.objects.order_by("code").values_list("code", "name"),
        "reasons": Reason.choices,
        "channels": Channel.choices,
        "default_days": default,
        "max_days": most,
    }, status=status)


def _detail_page(request: StaffRequest, item_id: int, status: int = 200, *, form: str = "", refused: str = "",
                 posted: QueryDict | None = None) -> HttpResponse:
    """The item; a refused form (`form`) comes back with its message and what was typed."""
    item = access_rectification(request.user, item_id)
    item = with_rectification_relations(type(item).objects.filter(pk=item.pk)).get()
    now = timezone.now()
    running = item.status in actions.RUNNING
    acts = running and may_rectify(request.user, item)
    cancels = running and has_role_for(request.user, Need.RECTIFY_OPEN)
    if refused and not (acts or cancels):
        messages.error(request, refused)
    return render(request, "supervision/rectification.html", {
        "nav": "rectifications",
        "item": item,
        "light": rectification_light(item, now),
        "shrink": shrink(item, request.user, now),
        "may_act": acts,
        "may_cancel": cancels,
        "form": form,
        "refused": refused,
        "typed": posted.get("text") or posted.get("note") or posted.get("reason") or "" if posted is not None else "",
        "dimension_label": Dimension(item.dimension).label if item.dimension else "",
        "key_label": key_label(item.dimension, item.key),
    }, status=status)


@login_required
def rectification(request: StaffRequest, item_id: int) -> HttpResponse:
    return _detail_page(request, item_id)


def _act(request: StaffRequest, item_id: int, form: str, done: str) -> HttpResponse:
    try:
        item = access_rectification(request.user, item_id, form)
        if form == "report":
            actions.do_report_rectification(item, acting_user=request.user, text=request.POST.get("text", ""))
        elif form == "evidence":
            upload = request.FILES.get("file")
            if upload is None:
                raise InvalidInput("请选择要上传的佐证材料", field="file")
            actions.do_add_rectification_evidence(item, acting_user=request.user, upload=upload)
        elif form == "close":
            actions.do_close_rectification(item, acting_user=request.user, note=request.POST.get("note", ""))
        else:
            actions.do_cancel_rectification(item, acting_user=request.user, reason=request.POST.get("reason", ""))
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _detail_page(request, item_id, status, form=form, refused=message, posted=request.POST)
    messages.success(request, done)
    return redirect("rectification", item_id=item_id)


@login_required
@require_POST
def report_rectification(request: StaffRequest, item_id: int) -> HttpResponse:
    return _act(request, item_id, "report", "已报告整改进展。")


@login_required
@require_POST
def add_rectification_evidence(request: StaffRequest, item_id: int) -> HttpResponse:
    return _act(request, item_id, "evidence", "已上传佐证材料。")


@login_required
@require_POST
def close_rectification(request: StaffRequest, item_id: int) -> HttpResponse:
    return _act(request, item_id, "close", "已完成整改。")


@login_required
@require_POST
def cancel_rectification(request: StaffRequest, item_id: int) -> HttpResponse:
    return _act(request, item_id, "cancel", "已撤销该反馈整改。")


@login_required
def download_rectification_evidence(request: StaffRequest, item_id: int, evidence_id: int) -> FileResponse:
    item = access_rectification(request.user, item_id)
    evidence = RectificationEvidence.objects.filter(rectification=item, pk=evidence_id).first()
    if evidence is None:
        raise Http404("未找到该佐证材料")
    return attachment_download(evidence)  # type: ignore[arg-type]
