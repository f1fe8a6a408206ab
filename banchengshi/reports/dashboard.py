"""数据看板 (/dashboard/): the figures of `reports.figures` for a period and a unit of the user's scope,
as numbers and ECharts charts, each one a link to the ledger filtered to the cases behind it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.cases.selectors import units_in_scope_of
from banchengshi.lib.errors import ActionError, ActionForbidden
from banchengshi.lib.validation import describe_errors
from banchengshi.reports.api import StatsQuery
from banchengshi.reports.figures import Bucket, Figures, Period, compute, scope_for

FIELD_LABELS = {"from": "开始日期", "to": "结束日期", "unit": "单位", "start": "开始日期", "end": "结束日期"}


def quarter_of(day: date) -> tuple[date, date]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = date(first.year + (first.month == 10), (first.month + 3 - 1) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def presets(today: date) -> list[dict[str, str]]:
    """The quarter buttons: this quarter so far, the four before it, this year and last year."""
    result = []
    start, end = quarter_of(today)
    result.append({"label": f"本季度（{start.year}年第{(start.month + 2) // 3}季度）", "from": start.isoformat(),
                   "to": today.isoformat()})
    for _ in range(4):
        start, end = quarter_of(start - timedelta(days=1))
        result.append({"label": f"{start.year}年第{(start.month + 2) // 3}季度", "from": start.isoformat(),
                       "to": end.isoformat()})
    result.append({"label": f"{today.year}年至今", "from": date(today.year, 1, 1).isoformat(), "to": today.isoformat()})
    result.append({"label": f"{today.year - 1}年", "from": date(today.year - 1, 1, 1).isoformat(),
                   "to": date(today.year - 1, 12, 31).isoformat()})
    return result


QUERY_REFUSALS = (PydanticValidationError, ActionError, ActionForbidden, Http404)


def refused(exc: Exception, labels: dict[str, str]) -> tuple[list[str], int]:
    """What a figures page says when its query is refused (QUERY_REFUSALS), and its status: bad input
    (422, each field by its Chinese label), a rule (its status), a unit outside the scope (403), unknown (404)."""
    if isinstance(exc, PydanticValidationError):
        return [f"{labels.get(e['field'], e['field'])}：{e['message']}" for e in describe_errors(exc.errors())], 422
    if isinstance(exc, ActionError):
        return [exc.message], exc.status
    return [str(exc)], 403 if isinstance(exc, ActionForbidden) else 404


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class Links:
    """Ledger URLs for the cases behind each figure."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures
        self.base = reverse("ledger")

    def __call__(self, extra: dict[str, str] | None = None) -> str:
        return f"{self.base}?{urlencode(self.figures.ledger_params(extra))}"

    def buckets(self, buckets: list[Bucket]) -> list[dict[str, Any]]:
        return [{"key": b.key, "label": b.label, "count": b.count, "url": self(b.params)} for b in buckets]


def _cards(f: Figures, link: Links) -> list[dict[str, Any]]:
    headline = f.headline
    return [
        {"key": "registered", "label": "登记数量", "value": f.registered, "url": link()},
        {"key": "accepted", "label": "受理", "value": f.accepted, "url": link({"reached": "accepted"})},
        {"key": "not_accepted", "label": "不予受理", "value": f.not_accepted, "url": link({"status": "not_accepted"})},
        {"key": "resolved_on_site", "label": "现场办结", "value": f.resolved_on_site,
         "url": link({"reached": "resolved_on_site"})},
        {"key": "closed", "label": "办结", "value": f.closed, "url": link({"reached": "closed"})},
        {"key": "on_time_rate", "label": "按时办结率", "value": _percent(f.on_time_rate),
         "note": f"按时 {headline.on_time} 件 / 超时 {headline.late} 件", "url": link(headline.on_time_params)},
        {"key": "satisfied_share", "label": "满意率（满意+非常满意）", "value": _percent(f.satisfied_share),
         "note": f"已评价 {f.rated} 件", "url": link({"reached": "visited"})},
        {"key": "return_visit_rate", "label": "回访率", "value": _percent(f.return_visit_rate),
         "note": f"已回访 {f.visited} 件 / 办结 {f.closed} 件", "url": link({"reached": "visited"})},
        {"key": "resupervisions", "label": "再督办次数", "value": f.resupervisions,
         "note": f"涉及 {f.resupervised_cases} 件", "url": link({"reached": "resupervised"})},
        {"key": "handling_days", "label": "平均办理用时（工作日）",
         "value": "—" if f.handling_days_avg is None else f"{f.handling_days_avg:.1f}",
         "note": "90% 的办结件不超过 " + ("—" if f.handling_days_p90 is None else f"{f.handling_days_p90} 个工作日"),
         "url": link({"reached": "closed"})},
    ]


def _charts(f: Figures, link: Links) -> dict[str, Any]:
    ratings = [{"key": k, "label": label, "count": f.ratings[k], "url": link({"rating": k})}
               for k, label in (("5", "非常满意"), ("4", "满意"), ("3", "基本满意"), ("2", "不满意"), ("1", "非常不满意"))]
    on_time = [{"key": o.kind, "label": o.label, "on_time": o.on_time, "late": o.late,
                "rate": None if o.rate is None else round(o.rate * 100, 1),
                "on_time_url": link(o.on_time_params), "late_url": link(o.late_params)}
               for o in f.on_time if o.on_time + o.late]
    return {
        "by_month": {"title": "登记数量（按月）", "type": "line", "items": link.buckets(f.by_month)},
        "by_channel": {"title": "反映渠道", "type": "pie", "items": link.buckets(f.by_channel)},
        "open_by_light": {"title": "在办反映件时限灯", "type": "pie", "items": link.buckets(f.open_by_light)},
        "by_reason": {"title": "办不成原因", "type": "bar", "items": link.buckets(f.by_reason)},
        "by_matter": {"title": "事项（前 15 项）", "type": "bar", "items": link.buckets(f.by_matter[:15])},
        "by_center": {"title": "登记中心", "type": "bar", "items": link.buckets(f.by_center)},
        "by_lead_unit": {"title": "主办单位（前 15 个）", "type": "bar", "items": link.buckets(f.by_lead_unit[:15])},
        "ratings": {"title": "回访满意度", "type": "bar", "items": ratings},
        "on_time": {"title": "各类时限按时与超时（件）", "type": "on_time", "items": on_time},
    }


@login_required
def dashboard(request: StaffRequest) -> HttpResponse:
    user = request.user
    if not has_role_for(user, Need.STATISTICS):
        raise PermissionDenied("您的角色无权查看数据看板")
    today = timezone.localdate()
    default_from, _end = quarter_of(today)
    typed = {"from": request.GET.get("from", "").strip() or default_from.isoformat(),
             "to": request.GET.get("to", "").strip() or today.isoformat(),
             "unit": request.GET.get("unit", "").strip()}
    errors: list[str] = []
    status = 200
    figures = None
    try:
        query = StatsQuery.model_validate({k: v for k, v in typed.items() if v})
        figures = compute(scope_for(user, query.unit), Period(query.start, query.end), timezone.now())
    except QUERY_REFUSALS as exc:
        errors, status = refused(exc, FIELD_LABELS)
    context: dict[str, Any] = {
        "nav": "dashboard", "typed": typed, "errors": errors, "presets": presets(today),
        "units": units_in_scope_of(user).order_by("kind", "code"),
        "may_publish": has_role_for(user, Need.PUBLISH_CASES),  # the link to 典型案例
    }
    if figures is not None:
        link = Links(figures)
        context.update(figures=figures, cards=_cards(figures, link), charts=_charts(figures, link),
                       scope_label=figures.scope.label)
    return render(request, "reports/dashboard.html", context, status=status)
