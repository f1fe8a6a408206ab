"""Report pages read from a streaming replica; everything else, and every write, goes to the primary.

Supervision reads years of history (the dashboard, the quarterly files, 堵点分析, the public figures) while the
window registers and dispatches. With `DATABASE_REPLICA_URL` set, the middleware marks the GET requests of
the report paths (`REPLICA_READ_PATHS`), and the router sends their reads of case data to the `replica` alias.
It never sends there:

- a write (`db_for_write` is always the primary);
- a read inside a transaction on the primary: a read that decides a write (the audit chain's head, a day
  summary redone before it is stored, a lock) must see the primary's latest row, never a lagging copy;
- a read of the tables of sign-in and bookkeeping (`PRIMARY_ONLY_APPS`: accounts, sessions, second factor,
  lockout, the audit trail, idempotency): a session or token made a moment ago must work at once.

Without `DATABASE_REPLICA_URL` the router answers None everywhere and nothing changes. A replica lags by
the time its WAL takes to arrive (milliseconds on a LAN); a figure read from it may miss the last second's
report, which the next request shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset(
    {"accounts", "auth", "sessions", "axes", "otp_totp", "django_otp", "contenttypes", "admin", "audit", "idempotency"}
)
_reading = ContextVar("banchengshi_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads of case data in this block may go to the replica (a report job may use it too)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _reading.get() or not replica_configured():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica is a copy of the primary: the same rows on both

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db == DEFAULT_DB_ALIAS  # the replica receives the primary's schema by replication


def reads_from_replica(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    return any(request.path.startswith(prefix) for prefix in settings.REPLICA_READ_PATHS)


class ReplicaReadsMiddleware:
    """Last in the chain: sign-in and session checks above it have already read the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (replica_configured() and reads_from_replica(request)):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)
