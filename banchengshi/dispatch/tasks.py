"""Background retraining of the routing model, run by the Huey consumer (`manage.py run_huey`)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from banchengshi.dispatch import training

PENDING = "dispatch:routing-retrain-pending"


@db_task()
def retrain_routing_model(reason: str = "") -> None:
    cache.delete(PENDING)
    if training.is_stale():
        training.retrain(reason)


@db_periodic_task(crontab(minute="17"))
def retrain_routing_model_hourly() -> None:
    """Catches what a debounced job missed (a consumer restart, a dispatch made by an import)."""
    if training.is_stale():
        training.retrain("定时检查")


def schedule_retrain(reason: str = "人工派单") -> None:
    """After a dispatcher's decision: one retrain job in ROUTING_RETRAIN_DELAY seconds, unless one is
    already waiting (the dispatches of a busy hour are learnt together). Never trains in the request."""
    if not getattr(settings, "ROUTING_RETRAIN_AFTER_DISPATCH", True):
        return
    delay = int(getattr(settings, "ROUTING_RETRAIN_DELAY", 120))
    if cache.add(PENDING, 1, timeout=delay + 600):
        retrain_routing_model.schedule(args=(reason,), delay=delay)
