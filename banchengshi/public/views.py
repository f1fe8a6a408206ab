"""The citizen's pages: report (phone, PC, kiosk), receipt, the personal-information notice, the display
mode. Thin: parse, limit, call the public actions, render. The tracking pages are in views_tracking."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from banchengshi.cases.models import Case
from banchengshi.dispatch.search import find_matters
from banchengshi.lib.errors import ActionError, InvalidInput, TooManyRequests
from banchengshi.lib.phone import normalize_phone
from banchengshi.public import limits, notice
from banchengshi.public.actions import MAX_FILES, Report, ReportRefused, Upload, submit_report
from banchengshi.public.codes import send_code
from banchengshi.public.forms import ReportForm
from banchengshi.public.kiosk import kiosk_context, kiosk_form, remember_hall
from banchengshi.public.progress import promises
from banchengshi.public.tracking import channel_of

# The action names problems by the report's fields; the page's fields where they differ.
FIELD_OF_PROBLEM = {"center": "where", "notice": "agree"}
LARGE = "large"
DISPLAY_COOKIE = "display"


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    kiosk = bool(context.get("kiosk"))
    context = {"large": request.COOKIES.get(DISPLAY_COOKIE) == LARGE, "kiosk": kiosk, **context}
    return render(request, template, context, status=status)


def report(request: HttpRequest, *, kiosk: bool = False) -> HttpResponse:
    form = kiosk_form(request) if kiosk else ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        center, portal = form.center_and_portal()
        # An oversize file is read only past the limit: enough to refuse it.
        files = [Upload(f.name or "", f.read(settings.ATTACHMENT_MAX_BYTES + 1), f.content_type or "")
                 for f in request.FILES.getlist("files")[: MAX_FILES + 1]]
        try:
            phone = normalize_phone(data["phone"]) if data["phone"] else ""
            if phone:
                limits.refuse_when_over(request, "report_per_ip", limits.client_address(request))
                limits.refuse_when_over(request, "report_per_phone", phone)
            case = submit_report(Report(
                channel=channel_of(request, kiosk=kiosk),
                reporter_name=data["reporter_name"], phone=phone or data["phone"], phone_code=data["phone_code"],
                center=center, description=data["description"], reporter_kind=data["reporter_kind"] or "person",
                organization=data["organization"], credit_code=data["credit_code"], portal=portal,
                matter=form.chosen_matter(), business_name=data["business_name"], reasons=data["reasons"],
                reason_other=data["reason_other"], demand=data["demand"],
                notice_version=notice.VERSION if data["agree"] else "",
                files=files,
            ))
        except ValueError as exc:  # the phone number
            form.add_error("phone", str(exc))
            status = 422
        except ReportRefused as exc:
            for name, message in exc.problems.items():
                name = FIELD_OF_PROBLEM.get(name, name)
                form.add_error(name if name in form.fields else None, message)
            status = 422
        except TooManyRequests as exc:
            form.add_error(None, exc.message)
            status = 429
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = 422
        else:
            limits.count(request, "report_per_ip", limits.client_address(request))
            limits.count(request, "report_per_phone", phone)
            request.session["receipt"] = case.reference
            return redirect("public_kiosk_receipt" if kiosk else "public_receipt")
    elif request.method == "POST":
        status = 422
    matter_name = ""
    if form.is_bound and form.data.get("matter"):
        found = form.chosen_matter() if form.is_valid() or "matter" in form.cleaned_data else None
        matter_name = found.name if found else ""
    context = {
        "form": form, "kiosk": kiosk, "notice_sections": notice.sections(), "notice_version": notice.VERSION,
        "matter_name": matter_name, "max_files": MAX_FILES,
    }
    if kiosk:  # the hall's touch terminal: its own page (public/kiosk.html), see public/kiosk.py
        response = _page(request, "public/kiosk.html", {**context, **kiosk_context(form)}, status)
        remember_hall(request, response)
        return response
    return _page(request, "public/report.html", context, status)


def receipt(request: HttpRequest, *, kiosk: bool = False) -> HttpResponse:
    reference = request.session.get("receipt")
    case = Case.objects.select_related("center").filter(reference=reference).first() if reference else None
    if case is None:
        return redirect("public_kiosk" if kiosk else "public_report")
    return _page(request, "public/receipt.html", {"case": case, "promises": promises(case), "kiosk": kiosk})


@require_POST
def phone_code(request: HttpRequest) -> HttpResponse:
    """htmx: send the SMS code; answers a short message for the form (200 even when refused, so htmx
    swaps it in; the message says what happened)."""
    ok, message = False, ""
    try:
        phone = normalize_phone(request.POST.get("phone", ""))
        limits.take(request, "code_per_ip", limits.client_address(request))
        limits.take(request, "code_per_phone", phone)
        send_code(phone)
        ok, message = True, f"验证码已发送到 {phone[:3]}****{phone[-4:]}，10分钟内有效。"
    except ValueError as exc:
        message = f"{exc}。请先填写正确的手机号码。"
    except ActionError as exc:
        message = exc.message
    return render(request, "public/_code_sent.html", {"ok": ok, "message": message})


def matter_options(request: HttpRequest) -> HttpResponse:
    """htmx: the catalog's matters for the words typed."""
    return render(request, "public/_matter_options.html", {"matters": find_matters(request.GET.get("q", ""))})


def privacy(request: HttpRequest) -> HttpResponse:
    return _page(request, "public/privacy.html", {"notice_sections": notice.sections(), "notice_version": notice.VERSION})


@require_POST
def display_mode(request: HttpRequest) -> HttpResponse:
    """Large text and high contrast, one tap away and remembered (a cookie, no account)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("public_report")
    response = HttpResponseRedirect(target)
    large = request.COOKIES.get(DISPLAY_COOKIE) != LARGE
    if large:
        response.set_cookie(DISPLAY_COOKIE, LARGE, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(DISPLAY_COOKIE)
    return response
