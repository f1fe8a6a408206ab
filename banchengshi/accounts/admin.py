from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import ApiToken, User


class UnitKindFilter(admin.SimpleListFilter):
    """By the kind of the user's unit; the field's own name (类型) would read as the user's type."""

    title = "单位类型"
    parameter_name = "unit_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return UnitKind.choices

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(unit__kind=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "unit", "role", "is_active", "last_login")
    list_filter = ("role", UnitKindFilter, "is_active")
    search_fields = ("username", "display_name", "unit__name")
    fieldsets = (*BaseUserAdmin.fieldsets, ("单位与角色", {"fields": ("display_name", "unit", "role")}))  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "prefix", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("user", "prefix", "digest", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued with `manage.py issue_token`, which shows the token once
