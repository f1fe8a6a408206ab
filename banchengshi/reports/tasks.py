"""Periodic jobs of the figures, run by the Huey consumer (`manage.py run_huey`)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from banchengshi.notify.periodic import once_per_period
from banchengshi.reports.figures import refresh_days

KEEP_FRESH_DAYS = 3 * 366  # the dashboard's presets reach back two years; a little more for the reports


@db_periodic_task(crontab(minute="*"))
@once_per_period("refresh_day_figures")
def refresh_day_figures_task() -> int | None:
    """The whole district's day summaries brought up to date every minute, so the dashboard and the API
    seldom have a day to redo while someone waits (they would redo it themselves: this is only speed)."""
    now = timezone.now()
    today = timezone.localdate(now)
    return len(refresh_days(today - timedelta(days=KEEP_FRESH_DAYS), today, now))
