"""Following a case: the reporter proves it is theirs once (reference and phone suffix, by POST, so
nothing personal is in a URL); the session then remembers it for confirming, objecting and rating."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from banchengshi.cases.actions.reporter import do_reporter_confirm, do_reporter_object, do_reporter_rate
from banchengshi.cases.choices import DocumentKind, Rating
from banchengshi.cases.models import Case, CaseDocument
from banchengshi.lib.errors import ActionError, TooManyRequests
from banchengshi.public.progress import progress
from banchengshi.public.tracking import NOT_FOUND, find_for_reporter, normalize_reference
from banchengshi.public.views import _page

SESSION_KEY = "tracked"


def _kiosk(request: HttpRequest) -> bool:
    return request.GET.get("kiosk") == "1" or request.POST.get("kiosk") == "1"


def track(request: HttpRequest) -> HttpResponse:
    reference, error, status = "", "", 200
    if request.method == "POST":
        reference = normalize_reference(request.POST.get("reference", ""))
        try:
            case = find_for_reporter(request, reference, request.POST.get("phone_last4", ""))
        except TooManyRequests as exc:
            case, error, status = None, exc.message, 429
        if case is not None:
            request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-9:], case.reference]
            return redirect("public_case", reference=case.reference) if not _kiosk(request) else redirect(
                f"/track/{case.reference}/?kiosk=1")
        if not error:
            error, status = NOT_FOUND, 404
    return _page(request, "public/track.html", {"nav": "track", "reference": reference, "error": error, "kiosk": _kiosk(request)}, status)


def _own(request: HttpRequest, reference: str) -> Case | None:
    if reference not in request.session.get(SESSION_KEY, []):
        return None
    return Case.objects.select_related("center").filter(reference=reference).first()


def case_progress(request: HttpRequest, reference: str, *, error: str = "", status: int = 200) -> HttpResponse:
    case = _own(request, reference)
    if case is None:
        return redirect("public_track")
    return _page(request, "public/progress.html", {
        "nav": "track", "p": progress(case), "error": error, "ratings": list(reversed(Rating.choices)),
        "typed": request.POST if request.method == "POST" else {}, "kiosk": _kiosk(request),
        "guide_papers": guide_papers(case),
    }, status)


def guide_papers(case: Case) -> list[CaseDocument]:
    """The guides and 一次性告知单 given to the reporter, newest first (their snapshots name no person)."""
    return list(case.documents.filter(kind__in=[DocumentKind.GUIDE, DocumentKind.ONE_TIME_NOTICE]).order_by("-issued_at", "-id"))


@require_POST
def reporter_act(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    case = _own(request, reference)
    if case is None:
        return redirect("public_track")
    try:
        if name == "confirm":
            do_reporter_confirm(case)
        elif name == "object":
            do_reporter_object(case, reason=request.POST.get("reason", ""))
        elif name == "rate":
            rating = request.POST.get("rating", "")
            solved = request.POST.get("solved", "")
            if not rating.isdigit() or solved not in ("yes", "no"):
                raise ActionError("请选择满意程度，并告诉我们问题是否解决")
            do_reporter_rate(case, rating=int(rating), solved=solved == "yes", note=request.POST.get("note", ""))
        else:
            return redirect("public_case", reference=reference)
    except ActionError as exc:
        return case_progress(request, reference, error=exc.message, status=exc.status)
    target = f"/track/{reference}/" + ("?kiosk=1" if _kiosk(request) else "")
    return redirect(target)
