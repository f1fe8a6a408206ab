"""Requests carrying a NUL character are refused before any view sees them.

PostgreSQL cannot store or compare text holding U+0000, so such a value in a path, a filter or a body would
otherwise surface as a database error (a 500) deep inside a query; SQLite would store it and truncate it
in other tools. No form field, filter or reference of ours has a use for it, so it is one rule, here, for
both databases and every entry: the path, the query string, form fields, and JSON bodies (raw or escaped as
`\\u0000`). Files uploaded in a multipart body are binary and are not looked at.

A JSON string may also hold half of a UTF-16 surrogate pair (`"\\ud800"`, or its raw bytes): Python reads it
into a str that no UTF-8 encoder takes, so either database driver fails on it (a 500) wherever it is
queried or stored. Forms, paths and query strings cannot carry one (Django decodes them with replacement
characters), JSON bodies can; they are refused here too, with their own message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

MESSAGE = "请求中含有不允许的控制字符（NUL），请删除后重新提交"
SURROGATE_MESSAGE = "请求中含有无效的 Unicode 字符（不成对的代理项），请删除后重新提交"
# Upstream events check every control character themselves, field by field, and log the refusal with the
# delivery (integrations/schemas.py): a platform must learn which field was wrong, and the admin office see it.
OWN_CHECKS = ("/api/v1/integrations/",)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def carries_nul(request: HttpRequest) -> bool:
    if request.path.startswith(OWN_CHECKS) and "\x00" not in request.path:
        return False
    if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if any("\x00" in value for values in request.GET.lists() for value in [values[0], *values[1]]):
        return True
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    content_type = request.content_type or ""
    if content_type == "multipart/form-data" or content_type == "application/x-www-form-urlencoded":
        return any("\x00" in value for values in request.POST.lists() for value in [values[0], *values[1]])
    body = request.body
    if b"\x00" in body:
        return True
    if content_type.endswith("json") and b"\\u0000" in body.lower():
        try:
            return any("\x00" in text for text in _strings(json.loads(body)))
        except ValueError:
            return False  # not JSON after all: the view says so
    return False


def _unpaired(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def carries_lone_surrogate(request: HttpRequest) -> bool:
    if request.path.startswith(OWN_CHECKS) or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    if not (request.content_type or "").endswith("json"):
        return False
    body = request.body
    lowered = body.lower()
    # An escape \ud800-\udfff, or the bytes ED A0-BF that a lenient decoder turns into one.
    if not any(escape in lowered for escape in (b"\\ud8", b"\\ud9", b"\\uda", b"\\udb", b"\\udc", b"\\udd",
                                                 b"\\ude", b"\\udf", b"\xed")):
        return False
    try:
        return any(_unpaired(text) for text in _strings(json.loads(body)))
    except ValueError:
        return False  # not JSON after all: the view says so


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        message = MESSAGE if carries_nul(request) else SURROGATE_MESSAGE if carries_lone_surrogate(request) else ""
        if message:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)
