"""The admin office's page on the platforms around us: what upstream sources sent (and why a delivery was
refused), and the outbox's problems: subscribers paused after repeated failures, dead letters."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.audit.events import record_event
from banchengshi.integrations import selectors
from banchengshi.integrations.choices import Outcome
from banchengshi.notify.models import Message, Subscriber
from banchengshi.notify.services import resume_subscriber, retry_dead

PAGE_SIZE = 50


def _allowed(request: StaffRequest) -> None:
    if not has_role_for(request.user, Need.INTEGRATIONS):
        raise PermissionDenied("只有政务服务办和系统管理员可以查看平台对接情况")


@login_required
def deliveries_page(request: StaffRequest) -> HttpResponse:
    _allowed(request)
    source = request.GET.get("source", "")
    outcome = request.GET.get("outcome", "")
    listing = selectors.deliveries(source=source, outcome=outcome)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "integrations/deliveries.html", {
        "nav": "integrations",
        "page": page,
        "query": query.urlencode(),
        "source": source,
        "outcome": outcome,
        "outcomes": Outcome.choices,
        "sources": list(selectors.sources()),
        "subscribers": list(selectors.subscribers()),
        "dead_letters": selectors.dead_letters(),
        "links_cases": has_role_for(request.user, Need.VIEW),
        "endpoint": request.build_absolute_uri("/api/v1/integrations/"),
    })


@login_required
@require_POST
def resume(request: StaffRequest, subscriber_id: int) -> HttpResponse:
    _allowed(request)
    subscriber = get_object_or_404(Subscriber, pk=subscriber_id)
    resume_subscriber(subscriber)
    record_event("subscriber_resumed", actor=request.user, subscriber=subscriber.name, url=subscriber.url)
    messages.success(request, f"已恢复向“{subscriber.name}”推送，积压的消息将按顺序发出。")
    return redirect("integrations")


@login_required
@require_POST
def retry(request: StaffRequest, message_id: int) -> HttpResponse:
    _allowed(request)
    message = get_object_or_404(Message, pk=message_id, dead_at__isnull=False, sent_at__isnull=True)
    retry_dead(message)
    record_event("dead_letter_retried", actor=request.user, message=message.pk, kind=message.kind,
                 subject=message.subject)
    messages.success(request, "已重新发送；发送失败时会按退避规则再试。")
    return redirect("integrations")
