from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from banchengshi.cases import admin_settings  # noqa: F401  (registers the settings that move clocks)
from banchengshi.cases.choices import Reason
from banchengshi.cases.models import Case, Clock, WorkOrder
from banchengshi.lib.masking import mask_name, mask_phone


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkOrderInline(ReadOnlyInline):
    model = WorkOrder
    fields = ("unit", "role", "status", "created_at", "received_at", "replied_at", "result")


class ClockInline(ReadOnlyInline):
    model = Clock
    fields = ("kind", "working_days", "started_at", "due_at", "warn_at", "stopped_at", "calendar_fallback")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Browse only: a case changes through its actions (API and workbench), never by editing rows."""

    list_display = ("reference", "status", "channel", "center", "matter", "received_at")
    list_filter = ("status", "channel", "center")
    search_fields = ("reference", "description", "business_name")
    inlines = [WorkOrderInline, ClockInline]
    # The reporter only masked (张* / 138****5678): reading them in full is the case page's, audited.
    exclude = ("reporter_phone", "reporter_name")
    readonly_fields = ("reason_labels", "reporter_masked")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The reasons by name, where the stored codes would be; the reporter masked, first."""
        fields = [f for f in super().get_fields(request, obj) if f not in ("reason_labels", "reporter_masked")]
        return ["reporter_masked", *(("reason_labels" if f == "reasons" else f) for f in fields)]

    @admin.display(description="反映人（已脱敏）")
    def reporter_masked(self, case: Case) -> str:
        return f"{mask_name(case.reporter_name)} {mask_phone(case.reporter_phone)}"

    @admin.display(description="办不成原因")
    def reason_labels(self, case: Case) -> str:
        names = dict(Reason.choices)
        return "、".join(str(names.get(code, code)) for code in case.reasons) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
