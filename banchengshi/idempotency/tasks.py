from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from banchengshi.idempotency.services import purge_expired


# Hourly. Not guarded by notify's once_per_period (an app above this one): the job is one DELETE by age,
# so two consumers running it in the same hour only find nothing left the second time.
@db_periodic_task(crontab(minute="23"))
def purge_idempotency_records_task() -> int:
    return purge_expired()
