from django.contrib import admin

from banchengshi.dispatch.models import Matter, PastDispatch


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "level", "is_active")
    list_filter = ("level", "department", "is_active")
    search_fields = ("code", "name", "keywords")


@admin.register(PastDispatch)
class PastDispatchAdmin(admin.ModelAdmin):
    list_display = ("text", "department", "matter", "complexity", "source", "created_at")
    list_filter = ("source", "department")
    search_fields = ("text",)
