"""The admin of the settings that move clocks: time-limit policies, calendar years and units.

The models are sla's and accounts', but saving them recomputes the cases' open clocks, so their admin
lives here, with the actions it calls (sla and accounts never import cases).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from banchengshi.accounts.auth import staff
from banchengshi.accounts.models import Unit
from banchengshi.cases.actions.calendar import (
    do_publish_calendar_year,
    do_recompute_after_calendar_edit,
    do_recompute_after_policy_change,
    do_recompute_after_unit_change,
)
from banchengshi.cases.models import ClockRecompute, RecomputeStatus
from banchengshi.lib.admin import ReadOnlyAdmin
from banchengshi.sla.calendar import CalendarError, special_day_problem
from banchengshi.sla.models import CalendarDay, CalendarYear, DayKind, Policy


def recompute_message(run: ClockRecompute, what: str) -> str:
    if run.status == RecomputeStatus.DONE:
        return f"已按{what}重算 {run.total} 个未完成的时限，其中 {run.moved} 个时限有变化。"
    return f"{run.total} 个未完成的时限正在后台按{what}重算，进度见“时限重算”。"


@admin.register(ClockRecompute)
class ClockRecomputeAdmin(ReadOnlyAdmin):
    """The progress of each recomputation (read only: a change of calendar, policy or unit starts one)."""

    list_display = ("created_at", "reason", "status", "progress", "moved", "actor", "finished_at")
    list_filter = ("status",)
    readonly_fields = ("reason", "scope", "actor", "status", "total", "done", "moved", "created_at", "started_at",
                       "finished_at", "error")

    @admin.display(description="进度")
    def progress(self, obj: ClockRecompute) -> str:
        return f"{obj.done}/{obj.total}（{obj.percent}%）"


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "policy", "opens", "closes", "is_active")
    list_filter = ("kind", "policy", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and {"policy", "opens", "closes", "parent"} & set(form.changed_data):
            run = do_recompute_after_unit_change(obj, acting_user=staff(request))
            self.message_user(request, recompute_message(run, "新的设置"))


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_default", "contact_days", "simple_days", "general_days", "complex_days", "warn_hours")
    fieldsets = (
        (None, {"fields": ("code", "name", "basis", "is_default")}),
        ("登记与联系", {"fields": ("acceptance_days", "forward_days", "contact_days", "first_feedback_days")}),
        ("按难易程度办结", {"fields": ("simple_days", "general_days", "complex_days")}),
        ("按办理方式办结（设置后优先）", {"fields": ("consult_days", "assist_days", "coordinate_days")}),
        ("预警、再督办与办结", {"fields": ("warn_hours", "review_days", "resupervision_days", "rectification_days", "rectification_max_days", "unit_rectification_days", "unit_rectification_max_days", "objection_days", "auto_dispatch_threshold")}),
        ("职责分离", {"fields": ("separate_duties",)}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            run = do_recompute_after_policy_change(obj, acting_user=staff(request))
            self.message_user(request, recompute_message(run, "新规则"))


class CalendarDayFormSet(BaseInlineFormSet):
    """Refuses what the State Council never announces: a weekday 调休 workday, a weekend holiday, a date
    of another year, the same date twice."""

    def clean(self) -> None:
        year = self.instance.year
        seen: dict[date, int] = {}
        for number, form in enumerate(self.forms, start=1):
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            day, kind = form.cleaned_data.get("date"), form.cleaned_data.get("kind")
            if day is None or kind is None:
                continue
            if year:
                problem = special_day_problem(int(year), day, kind == DayKind.WORKDAY)
                if problem:
                    form.add_error("date", problem)
            if day in seen:
                form.add_error("date", f"{day.isoformat()} 已在第{seen[day]}行录入，同一日期只能录入一次")
            else:
                seen[day] = number
        super().clean()


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayFormSet
    extra = 3
    fields = ("date", "kind", "name")


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "published", "source", "holiday_count", "workday_count", "updated_at")
    list_filter = ("published",)
    readonly_fields = ("published",)
    inlines = [CalendarDayInline]
    actions = ["publish"]

    @admin.display(description="节假日天数")
    def holiday_count(self, obj: CalendarYear) -> int:
        return obj.days.filter(kind=DayKind.HOLIDAY).count()

    @admin.display(description="调休上班天数")
    def workday_count(self, obj: CalendarYear) -> int:
        return obj.days.filter(kind=DayKind.WORKDAY).count()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        year = form.instance
        if not year.published:
            self.message_user(
                request,
                f"{year.year}年日历已保存，尚未发布：发布前该年时限仍按周一至周五推算。录入完整后，请在列表中勾选该年并选择“发布所选年度的日历”。",
                messages.WARNING,
            )
            return
        run = do_recompute_after_calendar_edit(year.year, acting_user=staff(request))
        self.message_user(request, recompute_message(run, "新日历"))

    @admin.action(description="发布所选年度的日历", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> HttpResponse | None:
        """Asks first (publishing moves every open clock of the year), then publishes each year."""
        drafts = list(queryset.filter(published=False).order_by("year"))
        if not drafts:
            self.message_user(request, "所选年度都已发布，无需再次发布。", messages.INFO)
            return None
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/sla/calendaryear/publish_confirmation.html", {
                **self.admin_site.each_context(request),
                "title": "确认发布工作日历",
                "opts": self.model._meta,
                "years": [(y, self.holiday_count(y), self.workday_count(y), y.days.all()) for y in drafts],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            })
        for calendar_year in drafts:
            try:
                run = do_publish_calendar_year(calendar_year.year, acting_user=staff(request))
            except CalendarError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{calendar_year.year}年日历已发布，{recompute_message(run, '新日历')}")
        return None
