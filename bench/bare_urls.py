"""The one view of the stack's ceiling (bare_settings.py): one INSERT, then 201."""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_bare_insert"


@csrf_exempt
def insert(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body or b"{}")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (description) VALUES (%s)", [str(body.get("description", ""))])  # noqa: S608 -- a constant
    return HttpResponse(b'{"ok":true}', status=201, content_type="application/json")


urlpatterns = [path("insert", insert)]
