"""The outbox. Queue a message inside the change's transaction; it goes after commit.

Every kind goes the same way: one sender claims the row with a single conditional UPDATE (two job workers
never both win it), calls the transport outside any transaction, and marks it sent; a failure waits longer
each time (30 s, 1 min, 2 min … at most an hour) and after MAX_ATTEMPTS the message is a dead letter the
admin office sees. Messages of one sequence (a subscriber and a case) go in the order they were written; a
subscriber that fails PAUSE_AFTER times in a row is paused until the admin office resumes it."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from banchengshi.notify.models import Message, MessageKind, Notice, Subscriber
from banchengshi.notify.transports import TransportError, deliver_email, deliver_webhook, sms_transport

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
PAUSE_AFTER = 10
CLAIM_LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


def _queue(kind: str, to: str, text: str, *, subject: str = "", title: str = "", payload: Any = None,
           subscriber: Subscriber | None = None, sequence: str = "") -> Message:
    now = timezone.now()
    message = Message.objects.create(
        kind=kind, to=to, text=text, subject=subject, title=title, payload=payload, subscriber=subscriber,
        sequence=sequence, created_at=now, next_attempt_at=now,
    )
    transaction.on_commit(lambda: _schedule(message.pk))
    return message


def queue_sms(to: str, text: str, *, subject: str = "") -> Message:
    """An SMS to a phone number; the signature 【…】 (SMS_SIGN) is added in front."""
    signed = f"【{settings.SMS_SIGN}】{text}" if settings.SMS_SIGN and not text.startswith("【") else text
    return _queue(MessageKind.SMS, to, signed, subject=subject)


def queue_email(to: str, title: str, text: str, *, subject: str = "") -> Message:
    return _queue(MessageKind.EMAIL, to, text, title=title, subject=subject)


def queue_inapp(user_id: int, title: str, text: str = "", *, link: str = "", subject: str = "") -> Message:
    """A reminder in the staff member's workbench (a Notice once delivered)."""
    return _queue(MessageKind.INAPP, str(user_id), text, title=title, subject=subject, payload={"link": link})


def queue_webhook(subscriber: Subscriber, payload: dict[str, Any], *, subject: str = "") -> Message:
    """A signed JSON POST to the subscriber; with `subject` (a case), in order with its other messages
    about that case."""
    sequence = f"webhook:{subscriber.pk}:{subject}" if subject else ""
    return _queue(MessageKind.WEBHOOK, str(subscriber.pk), "", payload=payload, subscriber=subscriber,
                  subject=subject, sequence=sequence)


def announce(event: str, payload: dict[str, Any], *, subject: str, source: str = "") -> list[Message]:
    """Queue `payload` for every active subscriber of `event` (those limited to a source only for cases
    from that source)."""
    queued = []
    for subscriber in Subscriber.objects.filter(is_active=True).filter(Q(source="") | Q(source=source)):
        if subscriber.events and event not in subscriber.events:
            continue
        queued.append(queue_webhook(subscriber, {"event": event, **payload}, subject=subject))
    return queued


def _schedule(message_id: int) -> None:
    from banchengshi.notify.tasks import deliver_task

    try:
        deliver_task(message_id)
    except Exception:  # the queue itself is down: the sweep sends it later, the change stands
        log.exception("could not enqueue message %s; the sweep will send it", message_id)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _claim(message_id: int, now: datetime) -> Message | None:
    """Take the message with one conditional UPDATE: due, not sent, not dead, not held by another sender,
    its subscriber not paused, and nothing earlier in its sequence still waiting."""
    earlier_waiting = Message.objects.filter(
        sequence=OuterRef("sequence"), pk__lt=OuterRef("pk"), sent_at__isnull=True, dead_at__isnull=True
    ).exclude(sequence="")
    candidate = (
        Message.objects.filter(pk=message_id, sent_at__isnull=True, dead_at__isnull=True, next_attempt_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE))
        .filter(Q(subscriber__isnull=True) | Q(subscriber__paused_at__isnull=True, subscriber__is_active=True))
        .filter(~Exists(earlier_waiting))
    )
    if not candidate.exists():
        return None
    taken = Message.objects.filter(pk=message_id, sent_at__isnull=True, dead_at__isnull=True).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if taken != 1:
        return None
    return Message.objects.select_related("subscriber").get(pk=message_id)


def _send(message: Message) -> None:
    if message.kind == MessageKind.SMS:
        sms_transport().send(message.to, message.text, key=message.key)
    elif message.kind == MessageKind.EMAIL:
        deliver_email(message.to, message.title, message.text, key=message.key)
    elif message.kind == MessageKind.WEBHOOK:
        if message.subscriber is None:
            raise TransportError("订阅方已删除")
        deliver_webhook(message.subscriber.url, message.subscriber.secret, message.payload or {}, key=message.key)
    elif message.kind == MessageKind.INAPP:
        Notice.objects.get_or_create(message=message, defaults={
            "user_id": int(message.to), "title": message.title, "text": message.text,
            "link": (message.payload or {}).get("link", ""), "subject": message.subject,
            "created_at": message.created_at,
        })
    else:  # pragma: no cover (choices)
        raise TransportError(f"未知的通知类型 {message.kind}")


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed try: 30 s, 1 min, 2 min, 4 min … at most an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def deliver(message_id: int) -> bool:
    """Send one message unless it has gone, is not due, or another sender holds it; True once sent."""
    now = timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return False
    try:
        _send(message)
    except TransportError as exc:
        _failed(message, str(exc))
        return False
    except Exception as exc:  # a bug in a transport must not stop the sweep; the message is kept
        log.exception("sending message %s failed", message.pk)
        _failed(message, f"{type(exc).__name__}: {exc}")
        return False
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now(), last_error="", claimed_at=None)
    if message.subscriber_id is not None:
        Subscriber.objects.filter(pk=message.subscriber_id).update(consecutive_failures=0, last_error="")
    _schedule_next_in_sequence(message)
    return True


def _failed(message: Message, error: str) -> None:
    now = timezone.now()
    dead = message.attempts >= MAX_ATTEMPTS
    Message.objects.filter(pk=message.pk).update(
        last_error=error[:500], claimed_at=None, next_attempt_at=now + backoff(message.attempts),
        dead_at=now if dead else None,
    )
    if message.subscriber_id is not None:
        Subscriber.objects.filter(pk=message.subscriber_id).update(
            consecutive_failures=F("consecutive_failures") + 1, last_error=error[:500]
        )
        Subscriber.objects.filter(
            pk=message.subscriber_id, paused_at__isnull=True, consecutive_failures__gte=PAUSE_AFTER
        ).update(paused_at=now)


def _schedule_next_in_sequence(message: Message) -> None:
    if not message.sequence:
        return
    following = Message.objects.filter(sequence=message.sequence, pk__gt=message.pk, sent_at__isnull=True,
                                       dead_at__isnull=True).order_by("pk").values_list("pk", flat=True).first()
    if following is not None:
        deliver(following)


def due_messages(now: datetime | None = None, *, limit: int = 500) -> Iterable[int]:
    now = now or timezone.now()
    return (
        Message.objects.filter(sent_at__isnull=True, dead_at__isnull=True, next_attempt_at__lte=now)
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )


def deliver_pending(*, older_than: timedelta = timedelta(seconds=30)) -> int:
    """The sweep: send what is due and was not sent after commit (worker down, gateway failing). Messages
    younger than `older_than` are left to their after-commit job."""
    now = timezone.now()
    fresh = Q(attempts=0, created_at__gt=now - older_than)
    waiting = (
        Message.objects.filter(sent_at__isnull=True, dead_at__isnull=True, next_attempt_at__lte=now)
        .exclude(fresh).order_by("pk").values_list("pk", flat=True)[:500]
    )
    return sum(deliver(pk) for pk in waiting)


def retry_dead(message: Message) -> None:
    """A dead letter sent again from the admin office (its tries start afresh)."""
    Message.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        dead_at=None, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    transaction.on_commit(lambda: _schedule(message.pk))


def resume_subscriber(subscriber: Subscriber) -> None:
    """The admin office resumes a paused subscriber: what waited for it goes now, in order."""
    now = timezone.now()
    Subscriber.objects.filter(pk=subscriber.pk).update(paused_at=None, consecutive_failures=0)
    Message.objects.filter(subscriber=subscriber, sent_at__isnull=True, dead_at__isnull=True).update(next_attempt_at=now)


def notices_of(user_id: int, *, unread_only: bool = False) -> QuerySet[Notice]:
    """The staff member's own reminders, newest first: the one path of every list of them."""
    notices = Notice.objects.filter(user_id=user_id).order_by("-created_at", "-id")
    return notices.filter(read_at__isnull=True) if unread_only else notices


def unread_notices(user_id: int) -> int:
    return Notice.objects.filter(user_id=user_id, read_at__isnull=True).count()


def mark_read(user_id: int, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them without ids); only ever the user's own."""
    notices = Notice.objects.filter(user_id=user_id, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=list(notice_ids))
    return notices.update(read_at=timezone.now())
