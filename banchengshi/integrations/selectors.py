"""Reads for the admin office's page: deliveries, the outbox's paused subscribers and dead letters."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from banchengshi.integrations.choices import Outcome
from banchengshi.integrations.models import Delivery, IntegrationSource
from banchengshi.lib.masking import mask_email, mask_phone
from banchengshi.notify.models import Message, MessageKind, Subscriber


def deliveries(*, source: str = "", outcome: str = "") -> QuerySet[Delivery]:
    found = Delivery.objects.all()
    if source:
        found = found.filter(source_code=source)
    if outcome in Outcome.values:
        found = found.filter(outcome=outcome)
    return found


def sources() -> QuerySet[IntegrationSource]:
    return IntegrationSource.objects.select_related("default_center", "callback")


def subscribers() -> QuerySet[Subscriber]:
    """Paused or failing first: what the admin office has to look at."""
    return Subscriber.objects.order_by("paused_at", "-consecutive_failures", "name")


@dataclass(frozen=True)
class DeadLetter:
    message: Message
    recipient: str


def masked_recipient(message: Message) -> str:
    if message.kind == MessageKind.SMS:
        return mask_phone(message.to)
    if message.kind == MessageKind.EMAIL:
        return mask_email(message.to)
    if message.kind == MessageKind.WEBHOOK:
        return message.subscriber.name if message.subscriber is not None else "（订阅方已删除）"
    return "工作人员站内提醒"


def dead_letters(limit: int = 100) -> list[DeadLetter]:
    found = Message.objects.filter(dead_at__isnull=False, sent_at__isnull=True).select_related("subscriber")
    return [DeadLetter(m, masked_recipient(m)) for m in found.order_by("-dead_at", "-id")[:limit]]
