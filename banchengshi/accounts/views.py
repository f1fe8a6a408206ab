"""The self-service password change page, for every staff member (/account/password/), and the second
factor's two steps after the password (/account/second-factor/: the code, and the enrolment)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from banchengshi.accounts import lockout, second_factor
from banchengshi.accounts.auth import staff
from banchengshi.accounts.lockout import lockout_response
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


def _next(request: HttpRequest) -> str:
    """Where the step was asked from (the page the sign-in was for), if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("home")


def _with_next(name: str, request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return reverse(name) + (f"?{urlencode({'next': target})}" if target else "")


def _ended(request: HttpRequest) -> HttpResponse:
    """Locked by wrong codes: the session ends and the sign-in page says so (the password lockout's page)."""
    logout(request)
    return lockout_response(request)


def _step(request: HttpRequest, *, enrolment: bool) -> HttpResponse | str:
    """What both steps share: the page to go to instead of this one, or the error of the code sent
    ("" for a GET)."""
    user = staff(request)
    if not second_factor.pending(request):
        return redirect(_next(request))
    if (second_factor.confirmed_device(user) is not None) == enrolment:
        # Enrolled: the code page (a second device only after a reset); not yet: the enrolment.
        return redirect(_with_next("second_factor" if enrolment else "second_factor_enrol", request))
    if request.method != "POST":
        return _ended(request) if lockout.second_factor_locked(request, user.username) else ""
    check = second_factor.confirm_enrolment if enrolment else second_factor.verify
    outcome = check(request, user, request.POST.get("code", ""))
    if outcome.locked:
        return _ended(request)
    if outcome.passed:
        if enrolment:
            messages.success(request, "动态口令已绑定，以后每次登录请输入验证器应用中的动态口令。")
        return redirect(_next(request))
    return outcome.error


def _form(request: HttpRequest, error: str) -> dict[str, Any]:
    return {"error": error, "code": request.POST.get("code", "")[:8], "second_factor_step": True,
            "next": request.POST.get("next") or request.GET.get("next", "")}


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """动态口令验证: the current code of the account's authenticator app completes the sign-in."""
    error = _step(request, enrolment=False)
    if isinstance(error, HttpResponse):
        return error
    return render(request, "accounts/second_factor.html", _form(request, error), status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """绑定动态口令: a new secret as a QR code and as text, confirmed by a current code."""
    error = _step(request, enrolment=True)
    if isinstance(error, HttpResponse):
        return error
    user = staff(request)
    device = second_factor.enrolment_device(request, user)
    context = {**_form(request, error), "secret": second_factor.secret_text(device), "issuer": settings.OTP_TOTP_ISSUER,
               "username": user.username}
    response = render(request, "accounts/second_factor_enrol.html", context, status=400 if error else 200)
    add_never_cache_headers(response)  # it shows the secret
    return response


@login_required
@require_GET
def second_factor_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of this session's enrolment (an SVG image: no script, no inline style)."""
    user = staff(request)
    if not second_factor.pending(request) or second_factor.confirmed_device(user) is not None:
        raise Http404("没有待绑定的动态口令")
    device = second_factor.enrolment_device(request, user)
    response = HttpResponse(second_factor.qr_svg(device), content_type="image/svg+xml")
    add_never_cache_headers(response)
    return response
