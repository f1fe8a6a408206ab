"""统计报表 (/reports/quarterly/) and 工作简报 (/reports/briefing/): forms whose buttons download the files
of reports.exports (the same inputs, access and audit as the API). A refused input shows the form again
with what was typed and a Chinese message, with the status the API would answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.accounts.models import User
from banchengshi.cases.selectors import units_in_scope_of
from banchengshi.lib.errors import ActionError, ActionForbidden
from banchengshi.lib.validation import describe_errors
from banchengshi.reports.briefing import MAX_TYPICAL
from banchengshi.reports.dashboard import quarter_of
from banchengshi.reports.exports import (
    BriefingQuery,
    QuarterlyQuery,
    ReportFile,
    briefing_file,
    download,
    quarterly_file,
)
from banchengshi.reports.figures import Period, scope_for
from banchengshi.reports.quarterly import quarter_period
from banchengshi.reports.typical import typical_choices

FIELD_LABELS = {"unit": "单位", "year": "年份", "quarter": "季度", "format": "文件格式", "case": "典型案例",
                "from": "开始日期", "to": "结束日期", "start": "开始日期", "end": "结束日期"}
CASE_INPUTS = MAX_TYPICAL  # the briefing form offers as many typical-case fields as the briefing holds
QUARTERS = [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]


def _refusal(exc: Exception) -> tuple[list[str], int]:
    """A refused input as the page shows it: the messages and the status."""
    if isinstance(exc, PydanticValidationError):
        described = describe_errors(exc.errors())
        return [f"{FIELD_LABELS.get(e['field'].split('.')[0], e['field'])}：{e['message']}" for e in described], 422
    if isinstance(exc, ActionError):
        return [exc.message], exc.status
    if isinstance(exc, ActionForbidden):
        return [str(exc)], 403
    return [str(exc) or "未找到"], 404


def _try_download(user: User, schema: type[BaseModel], raw: dict[str, Any],
                  make: Callable[[User, Any, datetime], ReportFile]) -> tuple[HttpResponse | None, list[str], int]:
    try:
        return download(make(user, schema.model_validate(raw), timezone.now())), [], 200
    except (PydanticValidationError, ActionError, ActionForbidden, Http404) as exc:
        return None, *_refusal(exc)


def _choices(user: User, unit: str, period: Callable[[], Period]) -> list[dict[str, str]]:
    """The typical cases to pick from, when the unit and period typed so far are valid and in scope."""
    try:
        return typical_choices(scope_for(user, unit or None), period())
    except (PydanticValidationError, ActionError, ActionForbidden, Http404, ValueError):
        return []


def _require_statistics(user: User) -> None:
    if not has_role_for(user, Need.STATISTICS):
        raise PermissionDenied("您的角色无权导出统计报表")


@login_required
def quarterly(request: StaffRequest) -> HttpResponse:
    """The form; with `format` (its 下载 Excel / 下载 Word buttons), the file itself."""
    _require_statistics(request.user)
    today = timezone.localdate()
    typed = {"unit": request.GET.get("unit", "").strip() or _default_unit(request.user),
             "year": request.GET.get("year", "").strip() or str(today.year),
             "quarter": request.GET.get("quarter", "").strip() or str((today.month + 2) // 3),
             "case": request.GET.get("case", "").strip()}
    errors: list[str] = []
    status = 200
    if "format" in request.GET:
        raw = {**{k: v for k, v in typed.items() if v}, "format": request.GET["format"]}
        response, errors, status = _try_download(request.user, QuarterlyQuery, raw, quarterly_file)
        if response is not None:
            return response
    context = {"nav": "reports", "tab": "quarterly", "typed": typed, "errors": errors, "quarters": QUARTERS,
               "quarter_known": typed["quarter"] in {str(n) for n, _ in QUARTERS},
               "units": units_in_scope_of(request.user).order_by("kind", "code"),
               "choices": _choices(request.user, typed["unit"], lambda: quarter_period(int(typed["year"]), int(typed["quarter"])))}
    template = "reports/_typical_options.html" if request.headers.get("HX-Request") else "reports/quarterly.html"
    return render(request, template, context, status=status)


@login_required
def briefing(request: StaffRequest) -> HttpResponse:
    _require_statistics(request.user)
    today = timezone.localdate()
    start, _end = quarter_of(today)
    typed = {"from": request.GET.get("from", "").strip() or start.isoformat(),
             "to": request.GET.get("to", "").strip() or today.isoformat(),
             "unit": request.GET.get("unit", "").strip()}
    cases = [c.strip() for c in request.GET.getlist("case") if c.strip()]
    errors: list[str] = []
    status = 200
    if "format" in request.GET:
        raw = {**{k: v for k, v in typed.items() if v}, "case": cases}
        response, errors, status = _try_download(request.user, BriefingQuery, raw, briefing_file)
        if response is not None:
            return response
    context = {"nav": "reports", "tab": "briefing", "typed": typed, "errors": errors,
               "case_inputs": cases + [""] * (CASE_INPUTS - len(cases)),
               "units": units_in_scope_of(request.user).order_by("kind", "code"),
               "choices": _choices(request.user, typed["unit"], lambda: Period(date.fromisoformat(typed["from"]),
                                                                               date.fromisoformat(typed["to"])))}
    template = "reports/_typical_options.html" if request.headers.get("HX-Request") else "reports/briefing.html"
    return render(request, template, context, status=status)


def _default_unit(user: User) -> str:
    return user.unit.code if user.unit is not None and units_in_scope_of(user).filter(pk=user.unit.pk).exists() else ""
