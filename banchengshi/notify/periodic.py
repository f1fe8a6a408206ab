"""Periodic jobs that run once per period however many job consumers there are.

Huey's scheduler runs in every consumer, so with two consumers each periodic task is enqueued twice a
period. Each run first inserts a PeriodicRun row for (job, period start); the unique constraint lets one
insert through, and the other run returns at once. The jobs are also idempotent on their own (a notice is
unique per clock and colour, a message is claimed before it is sent), so this is about not doing the work
twice, not about correctness."""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Callable
from datetime import datetime
from typing import ParamSpec, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from banchengshi.notify.models import PeriodicRun

P = ParamSpec("P")
R = TypeVar("R")


def period_start(now: datetime, minutes: int) -> datetime:
    """The start of the `minutes`-long period `now` falls in (periods aligned to the hour)."""
    now = now.replace(second=0, microsecond=0)
    return now.replace(minute=now.minute - now.minute % minutes)


def claim_period(job: str, period: datetime) -> PeriodicRun | None:
    try:
        with transaction.atomic():
            return PeriodicRun.objects.create(
                job=job, period=period, started_at=timezone.now(),
                worker=f"{socket.gethostname()}:{os.getpid()}"[:64],
            )
    except IntegrityError:
        PeriodicRun.objects.filter(job=job, period=period).update(skipped=F("skipped") + 1)
        return None


def once_per_period(job: str, minutes: int = 1) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Run the function at most once per `minutes`-long period across every consumer; None when another
    consumer has this period."""

    def decorate(function: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
            claimed = claim_period(job, period_start(timezone.now(), minutes))
            if claimed is None:
                return None
            result = function(*args, **kwargs)
            PeriodicRun.objects.filter(pk=claimed.pk).update(finished_at=timezone.now(), result=str(result)[:200])
            return result

        return run

    return decorate
