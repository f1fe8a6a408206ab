"""The whole district's figures kept by day (reports.figures): a summary per day of receipt, and the days
whose cases changed since their summary was made.

`StaleDay` rows are written by the database itself — triggers on cases, clocks, work orders and return
visits (migration 0001) — so no way of changing a case (an action, a job, a bulk update, the admin, SQL)
can leave a summary behind it. The figures bring the stale days of a period up to date before adding
them up."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayFigures(models.Model):
    """The figures of the cases received on `day` (Asia/Shanghai), as they stood at `computed_at`."""

    day = models.DateField(_("登记日期"), primary_key=True)
    computed_at = models.DateTimeField(_("统计时间"))
    data = models.JSONField(_("统计数据"))

    class Meta:
        verbose_name = _("每日统计")
        verbose_name_plural = _("每日统计")

    def __str__(self) -> str:
        return f"{self.day}"


class StaleDay(models.Model):
    """A day of receipt whose cases (or their clocks, work orders, visits) changed since its summary."""

    day = models.DateField(_("登记日期"), primary_key=True)

    class Meta:
        verbose_name = _("待更新的每日统计")
        verbose_name_plural = _("待更新的每日统计")

    def __str__(self) -> str:
        return f"{self.day}"
