"""Periodic jobs, run by the Huey consumer (`manage.py run_huey`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from banchengshi.audit.events import record_event
from banchengshi.cases.actions.reporter import close_unanswered
from banchengshi.cases.duplicates import link_duplicates_task
from banchengshi.cases.models import Clock
from banchengshi.cases.reminders import remind_light_changes
from banchengshi.cases.retention import do_anonymise_closed_cases
from banchengshi.notify.periodic import once_per_period


def note_overdue_clocks() -> int:
    """Write a timeline event once for each clock that has run past its limit."""
    now = timezone.now()
    noted = 0
    with transaction.atomic():
        overdue = Clock.objects.select_for_update(of=("self",)).select_related("case").filter(
            stopped_at__isnull=True, paused_at__isnull=True, overdue_noted_at__isnull=True, due_at__lt=now
        )
        for clock in overdue:
            clock.overdue_noted_at = now
            clock.save(update_fields=["overdue_noted_at"])
            record_event("clock_overdue", case=clock.case, at=now, clock=clock.kind,
                         label=clock.get_kind_display(), due_at=clock.due_at)
            noted += 1
    return noted


@db_task(retries=3, retry_delay=30)
def recompute_clocks_job(run_id: int) -> int:
    """A calendar, policy or unit change that touches many open clocks moves them here, batch by batch,
    its progress shown in the admin (时限重算). Retried from the start: moving a clock again changes nothing."""
    from banchengshi.cases.actions.calendar import run_clock_recompute
    from banchengshi.cases.models import ClockRecompute

    run = ClockRecompute.objects.select_related("actor").filter(pk=run_id).first()
    if run is None:
        return 0
    return run_clock_recompute(run).moved


@db_periodic_task(crontab(minute="*/5"))
@once_per_period("note_overdue_clocks", minutes=5)
def note_overdue_clocks_task() -> int | None:
    return note_overdue_clocks()


@db_periodic_task(crontab(minute="*/5"))
@once_per_period("close_unanswered", minutes=5)
def close_unanswered_task() -> list[str] | None:
    """Cases whose objection window ended without an objection are closed (无异议的视为诉求办结)."""
    return close_unanswered()


@db_periodic_task(crontab(minute="*"))
@once_per_period("clock_reminders")
def remind_light_changes_task() -> int | None:
    """Yellow and red reminders to the clocks' units, within a minute of the light turning."""
    return remind_light_changes(timezone.now())


@db_task(retries=2, retry_delay=10)
def remind_light_changes_now() -> int:
    """The same, at once: queued after a calendar, policy or unit change that moved clocks commits. Not
    once-per-period: this minute's periodic run may have come before the change."""
    return remind_light_changes(timezone.now())


# Huey's schedule is in UTC: 18:30 UTC is 02:30 in Shanghai, when nobody is at work.
@db_periodic_task(crontab(hour="18", minute="30"))
@once_per_period("anonymise_cases", minutes=60)
def anonymise_cases_task() -> int | None:
    """Every night: the personal data of cases closed longer ago than PII_RETENTION_DAYS is anonymised."""
    return do_anonymise_closed_cases()


__all__ = ["link_duplicates_task"]  # defined with its logic in cases.duplicates; imported here for the consumer
