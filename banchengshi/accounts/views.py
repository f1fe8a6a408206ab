"""The self-service password change page, for every staff member (/account/password/)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.forms import Form
from django.http import HttpResponse
from django.urls import reverse_lazy

from banchengshi.accounts.auth import staff
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType


class ChangePasswordForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "原密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致。",
    }


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change view (old password, new twice, the policy's validators); other sessions of the
    account end, as the session hash changes; this one stays signed in."""

    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = staff(self.request)
        context["must_change"] = user.must_change_password
        context["expired"] = user.password_expired and not user.must_change_password
        context["password_rules"] = "；".join(password_validators_help_texts())
        return context

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        record_event(EventType.PASSWORD_CHANGED, actor=staff(self.request), by="self")
        messages.success(self.request, "密码已修改。")
        return response
