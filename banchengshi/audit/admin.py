from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from banchengshi.audit.labels import ACTION_LABELS, action_label
from banchengshi.audit.models import Event


def _case_status_labels() -> dict[str, str]:
    """The case's status names, read through the event's relation (audit does not import cases)."""
    case_model = Event._meta.get_field("case").related_model
    status = case_model._meta.get_field("status")  # type: ignore[union-attr]
    return {str(code): str(label) for code, label in getattr(status, "flatchoices", [])}


class ActionFilter(admin.SimpleListFilter):
    title = "动作"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        recorded = set(Event.objects.values_list("action", flat=True).distinct())
        return sorted(((code, action_label(code)) for code in recorded), key=lambda item: item[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Event]) -> QuerySet[Event]:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "action_name", "actor_label", "case", "before", "after", "ip")
    list_filter = (ActionFilter,)
    search_fields = ("case__reference", "actor_label", "action", "request_id")
    date_hierarchy = "at"
    fields = ("seq", "at", "action_name", "actor_label", "actor", "actor_role", "case", "work_order", "before", "after",
              "ip", "request_id", "data", "prev_mac", "mac")
    readonly_fields = ("action_name", "before", "after")

    @admin.display(description="动作", ordering="action")
    def action_name(self, event: Event) -> str:
        return action_label(event.action)

    @admin.display(description="变更前状态", ordering="status_before")
    def before(self, event: Event) -> str:
        return _case_status_labels().get(event.status_before, event.status_before) or "—"

    @admin.display(description="变更后状态", ordering="status_after")
    def after(self, event: Event) -> str:
        return _case_status_labels().get(event.status_after, event.status_after) or "—"

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        """Searching 派单 finds the events whose action is called 派单, not only those with the code."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        codes = [code for code, label in ACTION_LABELS.items() if search_term and search_term in label]
        if codes:
            found |= queryset.filter(action__in=codes)
        return found, may_have_duplicates

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
