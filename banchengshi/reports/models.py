"""The reports app's own rows.

- 典型案例 (`TypicalCase`): closed cases the admin office has chosen, anonymised and approved for the public
  disclosure page (信息公开). The text is the admin office's own, made anonymous before approval
  (`reports.typical_cases`); the public page never shows the case itself (no reporter, no reference).
- The whole district's figures kept by day (reports.figures): a summary per day of receipt (`DayFigures`), and
  the days whose cases changed since their summary was made (`StaleDay`). `StaleDay` rows are written by the
  database itself — triggers on cases, clocks, work orders and return visits (migration 0003) — so no way of
  changing a case (an action, a job, a bulk update, the admin, SQL) can leave a summary behind it. The figures
  bring the stale days of a period up to date before adding them up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TypicalCase(models.Model):
    case = models.ForeignKey("cases.Case", verbose_name=_("反映件"), on_delete=models.PROTECT, related_name="typical_cases")
    title = models.CharField(_("标题"), max_length=100)
    problem = models.TextField(_("遇到的问题（已匿名）"))
    handling = models.TextField(_("办理过程（已匿名）"))
    outcome = models.TextField(_("办理结果（已匿名）"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("推荐人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    withdrawn = models.BooleanField(_("已撤回"), default=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.approved_at is not None and not self.withdrawn

    @property
    def state_label(self) -> str:
        if self.withdrawn:
            return "已撤回"
        return "已公开" if self.approved_at is not None else "待审核"


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
