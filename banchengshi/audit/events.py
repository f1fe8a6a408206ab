from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from banchengshi.audit.chain import GENESIS, mac_of, normalised
from banchengshi.audit.labels import EventType
from banchengshi.audit.models import AuditChain, Event
from banchengshi.lib.masking import mask_phones_in
from banchengshi.lib.request_context import current_request

HEAD_PK = 1


def locked_head() -> AuditChain:
    """The chain's head, locked until the caller's transaction ends: the next writer waits here, so
    sequence numbers and links form one line. (SQLite transactions here are IMMEDIATE: one writer.)"""
    head = AuditChain.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is None:
        # A database emptied by a test's flush, or a head someone removed: rebuilt from the last row, so
        # the next entry still links to it (and verification still starts at the purge mark, now 0).
        last = Event.objects.order_by("-seq").first()
        AuditChain.objects.get_or_create(
            pk=HEAD_PK,
            defaults={"last_seq": last.seq if last else 0, "last_mac": last.mac if last else GENESIS,
                      "purged_through_mac": GENESIS},
        )
        head = AuditChain.objects.select_for_update().get(pk=HEAD_PK)
    return head

if TYPE_CHECKING:  # the actor's type only: audit never imports accounts when it runs (pyproject.toml)
    from banchengshi.accounts.models import User


def record_event(
    action: str,
    *,
    actor: User | None = None,
    case: Any = None,
    work_order: Any = None,
    before: str = "",
    after: str = "",
    at: Any = None,
    actor_label: str = "",
    **data: Any,
) -> Event:
    """Write one event, sealed into the chain. Call inside the action's transaction, so a failed write
    undoes the change; the request at hand (id, address) is read from `lib.request_context`. The actor
    is a staff user (accounts.User, settings.AUTH_USER_MODEL), or None for the system. A mobile number in
    the data (a note that says 已致电13912345678) is written masked: the trail never holds a full phone."""
    event = _event(action, actor=actor, case=case, work_order=work_order, before=before, after=after, at=at,
                   actor_label=actor_label, data=data)
    pending = _pending.get()
    if pending is not None:  # inside `sealed_together`: sealed with the others at its end
        pending.append(event)
        return event
    with transaction.atomic():
        head = locked_head()
        _link(head, event)
        event.save(force_insert=True)
        head.last_seq, head.last_mac = event.seq, event.mac
        head.save(update_fields=["last_seq", "last_mac"])
    return event


# The events recorded inside `sealed_together`, waiting to be sealed at its end.
_pending: ContextVar[list[Event] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def sealed_together() -> Iterator[None]:
    """A transaction whose events are sealed into the chain at its end, in one INSERT, under one lock of the
    chain's head taken only then. Every sealed event locks the head until its transaction commits, so a
    registration that recorded its first event early held every other writer back for the rest of its work
    (the intake benchmark: 11 creations a second on two cores, whatever the number of workers). Each event
    keeps the time it was recorded; its place in the chain is its place at the seal. A block inside another
    seals with the outer one."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set([])
    try:
        with transaction.atomic():
            yield
            events = _pending.get() or []
            if events:
                head = locked_head()
                for event in events:
                    _link(head, event)
                    head.last_seq, head.last_mac = event.seq, event.mac
                Event.objects.bulk_create(events)
                head.save(update_fields=["last_seq", "last_mac"])
    finally:
        _pending.reset(token)


def record_events(action: str, entries: list[dict[str, Any]], *, actor: User | None = None, at: Any = None) -> int:
    """Many events of one kind and actor at once (a calendar change moving thousands of clocks): one lock of
    the chain's head, one INSERT per batch, each event sealed and linked exactly as `record_event` does.
    Each entry holds `case_id` (or `case`) and the event's data."""
    if not entries:
        return 0
    at = at or timezone.now()
    with transaction.atomic():
        head = locked_head()
        events = []
        for entry in entries:
            data = dict(entry)
            case, case_id = data.pop("case", None), data.pop("case_id", None)
            event = _sealed(head, action, actor=actor, case=case, work_order=None, at=at, data=data)
            if case_id is not None:
                event.case_id = case_id
                event.mac = mac_of(event, settings.AUDIT_KEY)
            head.last_seq, head.last_mac = event.seq, event.mac
            events.append(event)
        Event.objects.bulk_create(events, batch_size=1000)
        head.save(update_fields=["last_seq", "last_mac"])
    return len(events)


def _sealed(head: AuditChain, action: str, *, actor: User | None, case: Any, work_order: Any, at: Any,
            data: dict[str, Any], before: str = "", after: str = "", actor_label: str = "") -> Event:
    """The next event after `head` (not saved), its MAC computed."""
    return _link(head, _event(action, actor=actor, case=case, work_order=work_order, at=at, data=data, before=before,
                              after=after, actor_label=actor_label))


def _link(head: AuditChain, event: Event) -> Event:
    """`event` made the next after `head`: its sequence number, the previous MAC and its own."""
    event.seq, event.prev_mac = head.last_seq + 1, head.last_mac
    event.mac = mac_of(event, settings.AUDIT_KEY)
    return event


def _event(action: str, *, actor: User | None, case: Any, work_order: Any, at: Any,
           data: dict[str, Any], before: str = "", after: str = "", actor_label: str = "") -> Event:
    """An event, not yet in the chain."""
    if action not in EventType.values:
        raise ValueError(f"unknown event type {action!r}: add it to audit.labels.EventType")
    label = (actor_label or "系统") if actor is None else f"{actor}（{actor.unit}）" if getattr(actor, "unit", None) else str(actor)
    request = current_request()
    event = Event(
        case=case,
        work_order=work_order,
        actor=actor,
        actor_label=label,
        actor_role=str(getattr(actor, "role", "") or ""),
        action=action,
        at=at or timezone.now(),
        status_before=before,
        status_after=after,
        request_id=request.request_id if request else "",
        ip=request.ip if request else "",
        data=normalised(mask_phones_in(data)),
    )
    return event
