"""The audit chain: each event carries a sequence number, the MAC of the one before it and its own MAC,
HMAC-SM3 under a key kept outside the database (settings.AUDIT_KEY). Whoever rewrites, removes or
renumbers a row without the key breaks the chain at that row, and `verify_chain` names it.

Pure functions over plain values: the migration that seals older rows uses them with historical models.
"""

from __future__ import annotations

import hmac as std_hmac
import json
from datetime import UTC, datetime
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes, hmac
from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64  # the "previous MAC" of the first entry
FORMAT = "bcs-audit-v1"


class Sealable(Protocol):
    seq: int
    prev_mac: str
    at: datetime
    action: str
    actor_id: Any
    actor_label: str
    actor_role: str
    case_id: Any
    work_order_id: Any
    status_before: str
    status_after: str
    request_id: str
    ip: str
    data: Any


def normalised(data: Any) -> Any:
    """The data as the database gives it back (dates as text, tuples as lists), so the MAC computed on
    writing is the MAC recomputed on reading."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _milliseconds(moment: datetime) -> str:
    # Django's serializers (dumpdata, a test's serialized_rollback) keep milliseconds only: a row
    # written back from them must seal the same.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def canonical(event: Sealable) -> bytes:
    """Every recorded field and the previous MAC, in one unambiguous byte string."""
    fields = {
        "format": FORMAT,
        "seq": event.seq,
        "prev": event.prev_mac,
        "at": _milliseconds(event.at),
        "action": event.action,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "actor_role": event.actor_role,
        "case": event.case_id,
        "work_order": event.work_order_id,
        "before": event.status_before,
        "after": event.status_after,
        "request_id": event.request_id,
        "ip": event.ip,
        "data": event.data,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder).encode()


def mac_of(event: Sealable, key: bytes) -> str:
    signer = hmac.HMAC(key, hashes.SM3())
    signer.update(canonical(event))
    return signer.finalize().hex()


def mac_matches(event: Sealable, mac: str, key: bytes) -> bool:
    return std_hmac.compare_digest(mac_of(event, key), mac)
