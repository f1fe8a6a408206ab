"""The outbox's jobs, run by the Huey consumer."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from banchengshi.notify.services import deliver, deliver_pending


@db_task(retries=3, retry_delay=30)
def deliver_task(message_id: int) -> bool:
    return deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def deliver_pending_task() -> int:
    return deliver_pending()
