"""堵点分析 (/bottlenecks/): reports.bottlenecks for a quarter and a unit of the user's scope, every count a
link to the ledger; the admin office gets a 发起整改 button per row."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.cases.selectors import units_in_scope_of
from banchengshi.reports.api import BottleneckQuery, quarter_from
from banchengshi.reports.bottlenecks import DIMENSIONS, FAILURES, Quarter, Row, analyse
from banchengshi.reports.dashboard import QUERY_REFUSALS, refused
from banchengshi.reports.figures import scope_for
from banchengshi.supervision.choices import Dimension

FIELD_LABELS = {"year": "年份", "quarter": "季度", "unit": "单位"}
# A rectification compares its subject's cases at the unit quarter on quarter (supervision.selectors.shrink):
# a matter or a reason narrows them; a center's or a lead unit's row names the unit itself, all its cases.
RECTIFIABLE_DIMENSIONS = {choice.value for choice in Dimension}


def rectification_url(row: Row) -> str:
    subject = {"unit": row.unit, "subject": row.subject}
    if row.dimension in RECTIFIABLE_DIMENSIONS:
        subject |= {"dimension": row.dimension, "key": row.key}
    return f"{reverse('new_rectification')}?{urlencode(subject)}"


def percent_change(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:+.1f}%"


@login_required
def bottlenecks(request: StaffRequest) -> HttpResponse:
    user = request.user
    if not has_role_for(user, Need.STATISTICS):
        raise PermissionDenied("您的角色无权查看堵点分析")
    today = timezone.localdate()
    default = Quarter.last_full(today)
    typed = {k: request.GET.get(k, "").strip() for k in ("year", "quarter", "unit")}
    errors: list[str] = []
    status = 200
    analysis = None
    try:
        query = BottleneckQuery.model_validate({k: v for k, v in typed.items() if v})
        quarter = quarter_from(query.year, query.quarter, today)
        analysis = analyse(scope_for(user, query.unit), quarter, timezone.now())
    except QUERY_REFUSALS as exc:
        errors, status = refused(exc, FIELD_LABELS)
    shown_quarter = analysis.quarter if analysis is not None else default
    context: dict[str, Any] = {
        "nav": "dashboard", "typed": typed, "errors": errors,
        "year": typed["year"] or str(shown_quarter.year), "quarter": typed["quarter"] or str(shown_quarter.number),
        "years": list(range(today.year, today.year - 6, -1)), "quarters": [(n, f"第{n}季度") for n in range(1, 5)],
        "units": units_in_scope_of(user).order_by("kind", "code"),
        "may_rectify": has_role_for(user, Need.RECTIFY_OPEN),
        "may_publish": has_role_for(user, Need.PUBLISH_CASES),
    }
    if analysis is not None:
        context.update(
            analysis=analysis,
            scope_label=analysis.scope.label,
            totals=[{"total": t, "change_share": percent_change(t.change_share)} for t in analysis.totals],
            tables=[{"key": dim, "title": title,
                     "rows": [{"row": r, "change_share": percent_change(r.change_share), "rectify": rectification_url(r)}
                              for r in analysis.rows.get(dim, [])]}
                    for dim, title in DIMENSIONS.items()],
            failures=FAILURES,
        )
    return render(request, "reports/bottlenecks.html", context, status=status)
