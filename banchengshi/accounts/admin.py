from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from banchengshi.accounts.access import Change, may_manage
from banchengshi.accounts.auth import staff
from banchengshi.accounts.choices import Role, UnitKind
from banchengshi.accounts.lockout import unlock
from banchengshi.accounts.models import ApiToken, LoginAttempt, User
from banchengshi.accounts.second_factor import do_reset_second_factor
from banchengshi.accounts.services import ROLE_UNITS, StaffError, do_change_role, record_refused
from banchengshi.audit.events import record_event


class UnitKindFilter(admin.SimpleListFilter):
    """By the kind of the user's unit; the field's own name (类型) would read as the user's type."""

    title = "单位类型"
    parameter_name = "unit_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return UnitKind.choices

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(unit__kind=self.value()) if self.value() else queryset


class StaffChangeForm(UserChangeForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role", self.instance.role)
        unit = data.get("unit", self.instance.unit)
        if role and unit is not None and unit.kind not in ROLE_UNITS[role]:
            self.add_error("role" if "role" in self.fields else None,
                           f"{Role(role).label}不能设在{unit.get_kind_display()}“{unit.name}”")
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = StaffChangeForm
    list_display = ("username", "display_name", "unit", "role", "is_active", "last_login")
    list_filter = ("role", UnitKindFilter, "is_active")
    search_fields = ("username", "display_name", "unit__name")
    # No groups or single permissions here: a user's powers are its one role (the role's group follows
    # it), and the superuser and staff flags are shown, never edited (`accounts.access.may_manage`).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("first_name", "last_name", "email")}),
        ("单位与角色", {"fields": ("display_name", "unit", "role")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
        ("密码策略", {"fields": ("must_change_password", "password_changed_at")}),
    )
    # What each field of the change form is, for `may_manage`.
    FIELD_CHANGES = {
        "username": Change.DETAILS, "first_name": Change.DETAILS, "last_name": Change.DETAILS, "email": Change.DETAILS,
        "display_name": Change.DETAILS, "unit": Change.DETAILS, "is_active": Change.ACTIVE, "role": Change.ROLE,
        "is_staff": Change.STAFF, "is_superuser": Change.SUPERUSER, "groups": Change.PERMISSIONS,
        "user_permissions": Change.PERMISSIONS, "password": Change.PASSWORD, "must_change_password": Change.PASSWORD,
    }
    ALWAYS_READONLY = ("is_staff", "is_superuser", "last_login", "date_joined", "password_changed_at")
    actions = ["unlock_sign_in", "reset_second_factor"]

    def _refusal(self, request: HttpRequest, obj: User | None, change: Change, new_role: str = "") -> str:
        return may_manage(request.user, obj, change, new_role)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("password_changed_at",)
        fields = list(self.ALWAYS_READONLY)
        for name, change in self.FIELD_CHANGES.items():
            if name not in fields and name != "password" and self._refusal(request, obj, change):
                fields.append(name)
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self._refusal(request, None, Change.CREATE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return any(not self._refusal(request, obj, change) for change in (Change.DETAILS, Change.ACTIVE, Change.ROLE, Change.PASSWORD))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are disabled, never deleted: the audit trail names them

    def _attempts(self, request: HttpRequest, obj: User | None) -> list[tuple[Change, str, Any, Any]]:
        """The changes a POST asks for: (change, field, before, after) for each field it sends that
        differs from the account (a read-only field is not in the form, so sent only by hand)."""
        if obj is None:
            attempts: list[tuple[Change, str, Any, Any]] = [(Change.CREATE, "username", "", request.POST.get("username", ""))]
            for name in ("role", "is_staff", "is_superuser", "groups", "user_permissions"):
                if request.POST.get(name):
                    attempts.append((self.FIELD_CHANGES[name], name, "", request.POST.getlist(name)))
            return attempts
        attempts = []
        for name, change in self.FIELD_CHANGES.items():
            if name == "password" or name not in request.POST:
                continue
            sent = request.POST.getlist(name)
            if name in ("groups", "user_permissions"):
                current = sorted(str(pk) for pk in getattr(obj, name).values_list("pk", flat=True))
                if sorted(v for v in sent if v) != current:
                    attempts.append((change, name, current, sent))
                continue
            value = sent[-1] if sent else ""
            before = getattr(obj, f"{name}_id" if name == "unit" else name)
            if isinstance(before, bool):
                after: Any = value.lower() in ("on", "true", "1")
            else:
                before, after = ("" if before is None else str(before)), value
            if after != before:
                attempts.append((change, name, before, after))
        return attempts

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Refuse (403) and record any change the administrator may not make, before the form is read."""
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            if not object_id or obj is not None:
                self._refuse_attempts(request, obj)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "POST":  # before Django's own refusal, which would not be recorded
            self._refuse_attempts(request, None)
        return super().add_view(request, form_url, extra_context)

    def _refuse_attempts(self, request: HttpRequest, obj: User | None) -> None:
        for change, name, before, after in self._attempts(request, obj):
            new_role = after if change is Change.ROLE else ""
            if reason := self._refusal(request, obj, change, new_role):
                record_refused(request.user, change.value, reason, target=obj, field=name,  # type: ignore[arg-type]
                               value_before=before, value_after=after)
                raise PermissionDenied(reason)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        target = self.get_object(request, unquote(id))
        if target is not None and (reason := self._refusal(request, target, Change.PASSWORD)):
            if request.method == "POST":
                record_refused(request.user, Change.PASSWORD.value, reason, target=target)  # type: ignore[arg-type]
            raise PermissionDenied(reason)
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and target is not None:
            if target.pk != request.user.pk:  # a password someone else set is changed by its owner at the next sign-in
                User.objects.filter(pk=target.pk).update(must_change_password=True)
            record_event("password_reset", actor=request.user, username=target.username)  # type: ignore[arg-type]
        return response

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save, the role through `do_change_role` (its group, the staff flag, the audit record), and
        record every other field changed with its value before and after."""
        actor: Any = request.user
        if not change:
            obj.role, obj.is_staff, obj.is_superuser = "", False, False  # a new account gets its role later
            obj.must_change_password = True  # the administrator knows it: changed at the first sign-in
            super().save_model(request, obj, form, change)
            record_event("staff_created", actor=actor, username=obj.username, unit=obj.unit.code if obj.unit else "", role="")
            return
        changed = [name for name in form.changed_data if name != "role"]
        new_role = obj.role
        if "role" in form.changed_data:
            obj.role = form.initial.get("role", "")
        super().save_model(request, obj, form, change)
        if changed:
            record_event("staff_updated", actor=actor, username=obj.username,
                         fields={name: {"before": form.initial.get(name), "after": form.cleaned_data.get(name)} for name in changed})
        if "role" in form.changed_data:
            if reason := may_manage(actor, obj, Change.ROLE, new_role):  # the form's view checked; once more here
                record_refused(actor, Change.ROLE.value, reason, target=obj, value_after=new_role)
                raise PermissionDenied(reason)
            try:
                do_change_role(obj, new_role, acting_user=actor)
            except StaffError as exc:
                raise PermissionDenied(str(exc)) from exc

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_superuser or getattr(user, "role", "") == Role.SECURITY_ADMIN)

    @admin.action(description="解除登录锁定", permissions=["unlock"])
    def unlock_sign_in(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            unlock(user.username, acting_user=staff(request))
        self.message_user(request, f"已解除 {queryset.count()} 个账号的登录锁定。")

    def has_reset_second_factor_permission(self, request: HttpRequest) -> bool:
        """Offered to whoever may reset someone's device; each account is asked again in the action."""
        return not may_manage(request.user, None, Change.SECOND_FACTOR)

    @admin.action(description="重置动态口令（手机丢失后重新绑定）", permissions=["reset_second_factor"])
    def reset_second_factor(self, request: HttpRequest, queryset: Any) -> None:
        done, refused = [], []
        for user in queryset:
            try:
                do_reset_second_factor(user, acting_user=staff(request))
                done.append(user.username)
            except StaffError as exc:  # recorded by the action (privilege_change_refused)
                refused.append(f"{user.username}：{exc}")
        if done:
            self.message_user(request, f"已重置 {len(done)} 个账号的动态口令（{'、'.join(done)}），本人下次登录时重新绑定。")
        if refused:
            self.message_user(request, "未重置：" + "；".join(refused), level=messages.ERROR)


# django-otp's own device admin would show the secrets, in English: devices are reset above, never edited.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


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
