"""办事指南 for the public (no sign-in): the published guides, searchable by the reporter's own words, and
each guide's page (the link the SMS carries). Only the version the admin office approved is ever shown."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from banchengshi.guides.selectors import content_of, find_guides, published_guide, published_guides
from banchengshi.lib.errors import TooManyRequests
from banchengshi.public import limits
from banchengshi.public.views import _page

QUERY_LIMIT = 100


def _limit(request: HttpRequest) -> str:
    """The address's budget of guide look-ups; the refusal's words when it is spent."""
    try:
        limits.take(request, "guides_per_ip", limits.client_address(request))
    except TooManyRequests as exc:
        return exc.message
    return ""


def guides(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    error, status = _limit(request), 200
    if error:
        return _page(request, "public/guides.html", {"nav": "guides", "q": q[:QUERY_LIMIT], "error": error}, 429)
    if len(q) > QUERY_LIMIT:
        error, status, q = f"请用不超过{QUERY_LIMIT}个字描述您要办的事", 422, q[:QUERY_LIMIT]
        found = []
    else:
        found = find_guides(q, limit=10) if q else list(published_guides().select_related("matter__department")
                                                              .order_by("matter__department__code", "matter__code"))
    return _page(request, "public/guides.html",
                 {"nav": "guides", "q": q, "guides": found, "searched": bool(q), "error": error}, status)


def guide(request: HttpRequest, code: str) -> HttpResponse:
    if error := _limit(request):
        return _page(request, "public/guides.html", {"nav": "guides", "q": "", "error": error}, 429)
    found = published_guide(code)
    if found is None or found.published is None:
        raise Http404("未找到该办事指南")
    return _page(request, "public/guide.html",
                 {"nav": "guides", "guide": found, "version": found.published, "content": content_of(found.published)})
