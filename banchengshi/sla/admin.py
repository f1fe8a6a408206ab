from django.contrib import admin

from banchengshi.sla.actions import do_recompute_after_calendar_edit, do_recompute_after_policy_change
from banchengshi.sla.models import CalendarDay, CalendarYear, Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_default", "contact_days", "simple_days", "general_days", "complex_days", "warn_hours")
    fieldsets = (
        (None, {"fields": ("code", "name", "basis", "is_default")}),
        ("登记与联系", {"fields": ("acceptance_days", "forward_days", "contact_days", "first_feedback_days")}),
        ("按难易程度办结", {"fields": ("simple_days", "general_days", "complex_days")}),
        ("按办理方式办结（设置后优先）", {"fields": ("consult_days", "assist_days", "coordinate_days")}),
        ("预警、再督办与办结", {"fields": ("warn_hours", "resupervision_days", "rectification_days", "rectification_max_days", "objection_days", "auto_dispatch_threshold")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            moved = do_recompute_after_policy_change(obj, acting_user=request.user)
            self.message_user(request, f"已按新规则重算 {moved} 个未完成的时限")


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ("date", "kind", "name")


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "holiday_count", "workday_count", "updated_at")
    inlines = [CalendarDayInline]

    @admin.display(description="节假日天数")
    def holiday_count(self, obj: CalendarYear) -> int:
        return obj.days.filter(kind="holiday").count()

    @admin.display(description="调休上班天数")
    def workday_count(self, obj: CalendarYear) -> int:
        return obj.days.filter(kind="workday").count()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        moved = do_recompute_after_calendar_edit(form.instance.year, acting_user=request.user)
        self.message_user(request, f"已按新日历重算 {moved} 个未完成的时限")
