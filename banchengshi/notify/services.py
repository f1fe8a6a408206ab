"""Queueing a notification: call inside the change's transaction; the message goes after commit."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from banchengshi.notify.models import Message, MessageKind
from banchengshi.notify.transports import TransportError, sms_transport

MAX_ATTEMPTS = 10


def queue_sms(to: str, text: str, *, subject: str = "") -> Message:
    """Write the message into the outbox; once the surrounding transaction commits, a job sends it."""
    signed = f"【{settings.SMS_SIGN}】{text}" if settings.SMS_SIGN and not text.startswith("【") else text
    message = Message.objects.create(kind=MessageKind.SMS, to=to, text=signed, subject=subject, created_at=timezone.now())
    transaction.on_commit(lambda: _schedule(message.pk))
    return message


def _schedule(message_id: int) -> None:
    from banchengshi.notify.tasks import deliver_task

    deliver_task(message_id)


CLAIM_LEASE = timedelta(minutes=2)


def _claim(message_id: int) -> Message | None:
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, sent_at__isnull=True).first()
        if message is None or (message.claimed_at is not None and message.claimed_at > now - CLAIM_LEASE):
            return None
        message.claimed_at = now
        message.attempts += 1
        message.save(update_fields=["claimed_at", "attempts"])
        return message


def deliver(message_id: int) -> bool:
    """Send one message unless it has gone or another sender holds it; True once sent. The claim is a
    short transaction and the gateway is called outside any, so a slow gateway blocks no one."""
    message = _claim(message_id)
    if message is None:
        return False
    try:
        sms_transport().send(message.to, message.text)
    except TransportError as exc:
        Message.objects.filter(pk=message.pk).update(last_error=str(exc)[:500], claimed_at=None)
        return False
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now(), last_error="")
    return True


def deliver_pending(*, older_than: timedelta = timedelta(seconds=30)) -> int:
    """The sweep: send what the after-commit job did not (worker down, gateway failing)."""
    cutoff = timezone.now() - older_than
    waiting = Message.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__lte=cutoff)
    return sum(deliver(pk) for pk in waiting.order_by("created_at").values_list("pk", flat=True)[:500])
