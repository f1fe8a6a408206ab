from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from banchengshi.lib.admin import ReadOnlyAdmin
from banchengshi.supervision.choices import MeetingCriterion
from banchengshi.supervision.models import FollowUpTask, JointMeeting, Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("issued_at", "kind", "unit", "case", "title", "read_at")
    list_filter = ("kind", "unit")
    search_fields = ("title", "body", "case__reference")
    date_hierarchy = "issued_at"


class FollowUpTaskInline(admin.TabularInline):
    model = FollowUpTask
    extra = 0
    can_delete = False
    fields = ("unit", "description", "due_date", "done_at", "done_note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JointMeeting)
class JointMeetingAdmin(ReadOnlyAdmin):
    list_display = ("held_at", "title", "place", "outcome_recorded_at")
    search_fields = ("title", "decisions", "cases__reference")
    filter_horizontal = ("attendees", "cases")
    date_hierarchy = "held_at"
    inlines = [FollowUpTaskInline]
    readonly_fields = ("criteria_labels",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The criteria by name, where the stored codes would be."""
        fields = [f for f in super().get_fields(request, obj) if f != "criteria_labels"]
        return [("criteria_labels" if f == "criteria" else f) for f in fields]

    @admin.display(description="召开情形")
    def criteria_labels(self, meeting: JointMeeting) -> str:
        names = dict(MeetingCriterion.choices)
        return "；".join(str(names.get(code, code)) for code in meeting.criteria) or "—"
