"""The outbox's jobs, run by the Huey consumers."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from banchengshi.notify.periodic import once_per_period
from banchengshi.notify.services import deliver, deliver_pending


@db_task(retries=3, retry_delay=30)
def deliver_task(message_id: int) -> bool:
    return deliver(message_id)


@db_periodic_task(crontab(minute="*"))
@once_per_period("deliver_pending")
def deliver_pending_task() -> int | None:
    return deliver_pending()
