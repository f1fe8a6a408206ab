"""Status changes told to the platforms around us: each change a subscriber may hear of becomes one signed
webhook message per subscriber in the outbox, in the same transaction as the change, in order per case.
The payload names the case and what happened, never the reporter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from banchengshi.cases.models import Case
from banchengshi.notify.services import announce

# The timeline's action → the event outside systems receive.
EVENT_FOR_ACTION = {
    "registered": "received",
    "accepted": "accepted",
    "not_accepted": "not_accepted",
    "resolved_on_site": "replied",
    "review_approved": "replied",
    "closed": "closed",
    "merged": "closed",
    "visited": "rated",
    "reporter_rated": "rated",
}
EVENTS = sorted(set(EVENT_FOR_ACTION.values()))
# What of the event's data goes out with it.
SHARED = ("result", "reason", "rating", "solved", "into")


def tell_subscribers(case: Case, action: str, at: datetime, data: dict[str, Any]) -> None:
    event = EVENT_FOR_ACTION.get(action)
    if event is None:
        return
    payload: dict[str, Any] = {
        "reference": case.reference,
        "status": case.status,
        "at": at.isoformat(),
        "action": action,
        "source": case.origin,
        "source_event_id": case.origin_ref,
    }
    if event in ("replied", "closed") and case.result:
        payload["result"] = case.result
    payload.update({name: data[name] for name in SHARED if name in data and data[name] not in (None, "")})
    announce(event, payload, subject=case.reference, source=case.origin)
