"""403 and 404 pages in Chinese, inside the workbench's frame.

Django's own handlers pass the exception's text to the template, and for an unknown URL or a
`get_object_or_404` that text is English (`Resolver404`, “No Case matches the given query.”). Only our
own messages, which are Chinese, are shown; the 400 and 500 pages use Django's handlers unchanged.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _message(exception: Exception | None) -> str:
    if exception is None or not exception.args or not isinstance(exception.args[0], str):
        return ""
    text = exception.args[0]
    return text if CHINESE.search(text) else ""


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"message": _message(exception)}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"message": _message(exception)}, status=403)
