"""`Idempotency-Key` on the API's POSTs: a client that did not hear the answer (a dropped connection, a
restarted server, a 5xx) sends the same request again with the same key and gets the first answer again,
whatever happened in between, instead of a second case.

How (one transaction per keyed request):
1. A finished record for (caller, key) → its answer again (`Idempotent-Replayed: true`), if the request is
   the same (method, path and body bytes); another request under a used key → 422.
2. Otherwise the record is inserted first, inside the transaction that then runs the endpoint, and the
   endpoint's 2xx answer is written into it before the commit. The unique (caller, key) makes a concurrent
   request with the same key wait at its insert until the first commits (PostgreSQL; on SQLite the write
   transactions take turns) and then replay the first's answer: one case, never two.
3. A 4xx answer is not kept (the row is removed before the commit, whatever the endpoint recorded stays):
   the client may correct the request and send it again under the same key. A 5xx or a killed process
   rolls everything back, the record with it.

Kept IDEMPOTENCY_KEY_HOURS (24 by default), then purged by a periodic job (`purge_expired`)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone

from banchengshi.idempotency.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII: a UUID is the usual choice
BAD_KEY = "Idempotency-Key 应为 1 至 255 位可见 ASCII 字符（建议每个新请求用一个新的 UUID）"
KEY_REUSED = "该 Idempotency-Key 已用于另一个请求（方法、地址或请求内容不同）：重试请原样发送，新的请求请换一个新的键"

Run = Callable[..., HttpResponseBase]
ScopeOf = Callable[[HttpRequest], str]


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path):
        digest.update(part.encode())
        digest.update(b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def _cutoff() -> Any:
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def _refuse(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def _answer(record: IdempotencyRecord, fingerprint_: str) -> HttpResponse:
    if record.fingerprint != fingerprint_:
        return _refuse(422, KEY_REUSED)
    response = HttpResponse(record.body, status=record.status, content_type=record.content_type or None)
    response[REPLAYED_HEADER] = "true"
    return response


def _finished(scope: str, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(scope=scope, key=key, created_at__gte=_cutoff()).exclude(status=0).first()


def idempotent(scope_of: ScopeOf) -> Callable[[Run], Run]:
    """A Django Ninja "view" decorator (around authentication, parsing and the endpoint): POSTs that carry
    an `Idempotency-Key` are done once per (caller, key); `scope_of` names the caller from the request
    before authentication (an API token's account, else the public)."""

    def decorate(run: Run) -> Run:
        @functools.wraps(run)
        def keyed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            key = request.headers.get(HEADER)
            if key is None or request.method != "POST":
                return run(request, *args, **kwargs)
            if not KEY.fullmatch(key):
                return _refuse(400, BAD_KEY)
            scope, digest = scope_of(request)[:64], fingerprint(request)
            earlier = _finished(scope, key)
            if earlier is not None:  # the usual retry: no write lock, no work
                return _answer(earlier, digest)
            with transaction.atomic():
                IdempotencyRecord.objects.filter(scope=scope, key=key, created_at__lt=_cutoff()).delete()
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=digest,
                                                                  created_at=timezone.now())
                except IntegrityError:  # another request with this key committed while this one waited
                    record = IdempotencyRecord.objects.get(scope=scope, key=key)
                    return _answer(record, digest)
                response = run(request, *args, **kwargs)
                if 200 <= response.status_code < 300 and isinstance(response, HttpResponse):
                    record.status = response.status_code
                    record.content_type = response.get("Content-Type", "")
                    record.body = response.content.decode("utf-8", errors="replace")
                    record.save(update_fields=["status", "content_type", "body"])
                else:
                    record.delete()
                return response

        return keyed

    return decorate


def purge_expired() -> int:
    """Remove the records older than IDEMPOTENCY_KEY_HOURS; returns how many went."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=_cutoff()).delete()
    return deleted
