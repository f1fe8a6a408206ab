"""/reports/assessment/?year=Y: the annual assessment table (reports.assessment) and its xlsx download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType
from banchengshi.lib.errors import ActionError
from banchengshi.reports.assessment import PAGE_HEADERS, assessment, assessment_xlsx, cells, parse_year
from banchengshi.reports.exports import XLSX, ReportFile, download


def _allowed(request: StaffRequest) -> None:
    if not has_role_for(request.user, Need.STATISTICS):
        raise PermissionDenied("您的角色无权查看年度考核表")


@login_required
def assessment_page(request: StaffRequest) -> HttpResponse:
    _allowed(request)
    now = timezone.now()
    today = timezone.localdate(now)
    try:
        year = parse_year(request.GET.get("year", ""), today)
    except ActionError as exc:
        return render(request, "reports/assessment.html", {
            "nav": "dashboard", "error": exc.message, "year": request.GET.get("year", ""), "rows": [],
            "headers": PAGE_HEADERS, "years": range(today.year, today.year - 5, -1),
        }, status=exc.status)
    rows = assessment(request.user, year, now)
    return render(request, "reports/assessment.html", {
        "nav": "dashboard",
        "year": year,
        "rows": [(row.unit, cells(row)[2:]) for row in rows],
        "headers": PAGE_HEADERS,
        "years": range(today.year, today.year - 5, -1),
    })


@login_required
def assessment_export(request: StaffRequest) -> HttpResponse:
    _allowed(request)
    now = timezone.now()
    try:
        year = parse_year(request.GET.get("year", ""), timezone.localdate(now))
    except ActionError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    rows = assessment(request.user, year, now)
    data = assessment_xlsx(rows, year, str(request.user.unit or request.user))
    record_event(EventType.EXPORTED, actor=request.user, what="assessment", title=f"{year}年度考核表（Excel）",
                 filters=f"年度：{year}", rows=len(rows), outcome="success")
    # Named in Chinese like the other report files (the ASCII name for clients without filename*).
    return download(ReportFile(data, XLSX, f"{year}年度办不成事反映窗口工作考核表.xlsx", f"assessment-{year}.xlsx"))
