from django.contrib import admin

from banchengshi.audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "actor_label", "case", "status_before", "status_after")
    list_filter = ("action",)
    search_fields = ("case__reference", "actor_label", "action")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
