"""The staff member's reminders (站内提醒): the list, mark one read, mark all read. Only ever the
signed-in user's own: every read and change goes through `notices_of` / `mark_read` with their id."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from banchengshi.accounts.auth import StaffRequest
from banchengshi.notify.services import mark_read, notices_of, unread_notices

PAGE_SIZE = 50


@login_required
def reminders(request: StaffRequest) -> HttpResponse:
    user_id = request.user.pk
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(notices_of(user_id, unread_only=unread_only), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, _local_link(n.link)) for n in page.object_list]
    return render(request, "notify/reminders.html", {
        "nav": "reminders", "page": page, "rows": rows, "unread_only": unread_only, "unread": unread_notices(user_id),
    })


def _local_link(link: str) -> str:
    """A path on this site, or nothing (a reminder never links elsewhere)."""
    return link if link.startswith("/") and not link.startswith(("//", "/\\")) else ""


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("reminders")


@login_required
@require_POST
def read_reminder(request: StaffRequest, notice_id: int) -> HttpResponse:
    if not notices_of(request.user.pk).filter(pk=notice_id).exists():
        raise Http404("未找到该提醒")
    mark_read(request.user.pk, [notice_id])
    return _back(request)


@login_required
@require_POST
def read_all_reminders(request: StaffRequest) -> HttpResponse:
    marked = mark_read(request.user.pk)
    messages.success(request, f"已将 {marked} 条提醒标为已读。" if marked else "没有未读的提醒。")
    return _back(request)
