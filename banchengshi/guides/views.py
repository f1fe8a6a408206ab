"""The workbench's 办事指南 pages: the list, a guide with its history, the editor, the review. Thin: parse,
call the guides' actions, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from banchengshi.accounts.auth import StaffRequest
from banchengshi.guides import actions
from banchengshi.guides.content import LABELS, TEXT_FIELDS, GuideContent, changes, check, parse_materials
from banchengshi.guides.models import GuideVersion, VersionStatus
from banchengshi.guides.selectors import (
    access_guide,
    content_of,
    find_guides,
    guides_for,
    latest_version,
    may_edit_guide,
    may_review_guide,
    pending_versions,
    reads_guides,
)
from banchengshi.lib.errors import ActionError, ActionForbidden


def _reader(request: StaffRequest) -> None:
    if not reads_guides(request.user):
        raise PermissionDenied("您的角色不使用办事指南")


@login_required
def guide_list(request: StaffRequest) -> HttpResponse:
    _reader(request)
    user = request.user
    q = request.GET.get("q", "").strip()[:200]
    show = request.GET.get("show", "")
    guides = guides_for(user)
    if q:
        rows = find_guides(q, published_only=False)
    elif show == "mine" and user.unit_id is not None:
        rows = list(guides.filter(matter__department_id=user.unit_id))
    else:
        rows = list(guides)
    latest = {v.guide_id: v for v in GuideVersion.objects.filter(guide__in=[g.pk for g in rows]).order_by("guide", "number")}
    context: dict[str, Any] = {
        "nav": "guides", "q": q, "show": show,
        "rows": [{"guide": g, "latest": latest.get(g.pk), "mine": may_edit_guide(user, g)} for g in rows],
        "pending": list(pending_versions()) if may_review_guide(user) else [],
        "may_review": may_review_guide(user),
    }
    return render(request, "guides/list.html", context)


def _history(versions: list[GuideVersion]) -> list[dict[str, Any]]:
    """Each version with what it changed from the one before (oldest first in the comparison)."""
    rows = []
    before: GuideContent | None = None
    for version in sorted(versions, key=lambda v: v.number):
        content = content_of(version)
        rows.append({"version": version, "changes": changes(before, content) if before is not None else [],
                     "first": before is None})
        before = content
    return list(reversed(rows))


@login_required
def guide_detail(request: StaffRequest, code: str) -> HttpResponse:
    _reader(request)
    guide = access_guide(request.user, code)
    versions = list(guide.versions.select_related("edited_by", "reviewed_by"))
    latest = versions[0] if versions else None
    shown = guide.published or latest
    context = {
        "nav": "guides", "guide": guide, "shown": shown, "content": content_of(shown) if shown else None,
        "latest": latest, "history": _history(versions), "may_edit": may_edit_guide(request.user, guide),
        "may_review": may_review_guide(request.user) and latest is not None and latest.status == VersionStatus.PENDING,
        "refused": "",
    }
    return render(request, "guides/detail.html", context)


def _typed(content: GuideContent) -> dict[str, str]:
    return {**{name: getattr(content, name) for name in TEXT_FIELDS}, "materials": content.materials_text(), "note": ""}


@login_required
def guide_edit(request: StaffRequest, code: str) -> HttpResponse:
    _reader(request)
    guide = access_guide(request.user, code)
    if not may_edit_guide(request.user, guide):
        raise PermissionDenied("只有该事项主管部门的工作人员可以修改办事指南")
    latest = latest_version(guide)
    typed = _typed(content_of(latest)) if latest else {**dict.fromkeys(TEXT_FIELDS, ""), "materials": "", "note": ""}
    if not latest:
        typed["title"] = f"{guide.matter.name}办事指南"
    error, field, status = "", "", 200
    if request.method == "POST":
        typed = {name: request.POST.get(name, "") for name in (*TEXT_FIELDS, "materials", "note")}
        try:
            content = check(typed, parse_materials(typed["materials"]))
            version = actions.do_edit_guide(request.user, guide, content, note=typed["note"])
        except ActionError as exc:
            error, field, status = exc.message, exc.field, exc.status
        else:
            messages.success(request, f"已保存为第{version.number}版，待政务服务办审核后公开。")
            return redirect("guide", code=code)
    context = {"nav": "guides", "guide": guide, "typed": typed, "labels": LABELS, "error": error, "error_field": field}
    return render(request, "guides/edit.html", context, status=status)


@login_required
@require_POST
def guide_review(request: StaffRequest, code: str, number: int) -> HttpResponse:
    _reader(request)
    guide = access_guide(request.user, code)
    version = guide.versions.filter(number=number).first()
    if version is None:
        raise Http404("未找到该版本")
    try:
        if request.POST.get("decision") == "publish":
            actions.do_publish_version(request.user, version)
            message = f"第{number}版已审核通过并公开。"
        elif request.POST.get("decision") == "return":
            actions.do_return_version(request.user, version, note=request.POST.get("review_note", ""))
            message = f"第{number}版已退回修改。"
        else:
            raise ActionError("请选择审核通过或退回")
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except ActionError as exc:
        versions = list(guide.versions.select_related("edited_by", "reviewed_by"))
        shown = guide.published or versions[0]
        context = {
            "nav": "guides", "guide": guide, "shown": shown, "content": content_of(shown), "latest": versions[0],
            "history": _history(versions), "may_edit": may_edit_guide(request.user, guide),
            "may_review": versions[0].status == VersionStatus.PENDING, "refused": exc.message,
            "review_note": request.POST.get("review_note", ""),
        }
        return render(request, "guides/detail.html", context, status=exc.status)
    messages.success(request, message)
    return redirect("guide", code=code)
