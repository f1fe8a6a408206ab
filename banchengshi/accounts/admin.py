from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from banchengshi.accounts.auth import staff
from banchengshi.accounts.choices import Role, UnitKind
from banchengshi.accounts.lockout import unlock
from banchengshi.accounts.models import ApiToken, LoginAttempt, User
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType


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
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("单位与角色", {"fields": ("display_name", "unit", "role")}),
        ("密码策略", {"fields": ("must_change_password", "password_changed_at")}),
    )
    readonly_fields = ("password_changed_at",)
    actions = ["unlock_sign_in"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.must_change_password = True  # the administrator knows it: changed at the first sign-in
        super().save_model(request, obj, form, change)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """A password an administrator sets for someone else is changed by its owner at the next sign-in."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None:
                if user.pk != request.user.pk:
                    User.objects.filter(pk=user.pk).update(must_change_password=True)
                record_event(EventType.PASSWORD_CHANGED, actor=staff(request), username=user.username, by="admin")
        return response

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_superuser or getattr(user, "role", "") == Role.SECURITY_ADMIN)

    @admin.action(description="解除登录锁定", permissions=["unlock"])
    def unlock_sign_in(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            unlock(user.username, acting_user=staff(request))
        self.message_user(request, f"已解除 {queryset.count()} 个账号的登录锁定。")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("user", "prefix", "digest", "created_at", "expires_at", "last_used_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A revoked token stays revoked for good: a new one is issued instead.
        return (*self.readonly_fields, "revoked") if obj is not None and obj.revoked else self.readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued with `manage.py issue_token`, which shows the token once


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """Failed sign-ins counted by django-axes; deleting a row (or 解除登录锁定 on a user) unlocks."""

    list_display = ("account", "address", "failures", "last_attempt", "locked")
    search_fields = ("username", "ip_address")
    ordering = ("-attempt_time",)
    actions = ["unlock_selected"]

    @admin.display(description="账号", ordering="username")
    def account(self, obj: LoginAttempt) -> str:
        return obj.username or "（空）"

    @admin.display(description="来源地址", ordering="ip_address")
    def address(self, obj: LoginAttempt) -> str:
        return obj.ip_address or ""

    @admin.display(description="失败次数", ordering="failures_since_start")
    def failures(self, obj: LoginAttempt) -> int:
        return obj.failures_since_start

    @admin.display(description="最近一次", ordering="attempt_time")
    def last_attempt(self, obj: LoginAttempt) -> Any:
        return obj.attempt_time

    @admin.display(description="锁定中", boolean=True)
    def locked(self, obj: LoginAttempt) -> bool:
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT and obj.attempt_time > timezone.now() - settings.AXES_COOLOFF_TIME

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="解除所选记录的登录锁定", permissions=["delete"])
    def unlock_selected(self, request: HttpRequest, queryset: Any) -> None:
        names = sorted({a.username or "" for a in queryset})
        for name in names:
            unlock(name, acting_user=staff(request))
        queryset.delete()
        self.message_user(request, f"已解除 {len(names)} 个账号名的登录锁定。")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        unlock(obj.username or "", acting_user=staff(request))
        super().delete_model(request, obj)
