from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.sla.choices import Complexity


class MatterLevel(models.TextChoices):
    DISTRICT = "district", "区级"
    TOWN = "town", "镇级"


class PastDispatchSource(models.TextChoices):
    HISTORY = "history", "历史派单记录"
    MANUAL = "manual", "人工派单"


class Matter(models.Model):
    """事项目录: one government matter and the department that owns it."""

    code = models.CharField(_("事项编码"), max_length=32, unique=True)
    name = models.CharField(_("事项名称"), max_length=128)
    department = models.ForeignKey("accounts.Unit", verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="matters")
    level = models.CharField(_("层级"), max_length=10, choices=MatterLevel.choices)
    keywords = models.CharField(_("关键词"), max_length=400, blank=True, help_text=_("以 | 分隔"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项目录")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PastDispatch(models.Model):
    """A dispatch decided by people: training data for the text model (and its evaluation)."""

    text = models.TextField(_("反映内容"))
    department = models.ForeignKey("accounts.Unit", verbose_name=_("派往单位"), on_delete=models.PROTECT, related_name="+")
    matter = models.ForeignKey(Matter, verbose_name=_("事项"), null=True, blank=True, on_delete=models.SET_NULL)
    complexity = models.CharField(_("难易程度"), max_length=10, choices=Complexity.choices, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=PastDispatchSource.choices, default=PastDispatchSource.HISTORY)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史派单")
        verbose_name_plural = _("历史派单")
        constraints = [models.UniqueConstraint(fields=["text", "department"], name="past_dispatch_unique_text_unit")]

    def __str__(self) -> str:
        return self.text[:40]


class RoutingModel(models.Model):
    """One training of the routing model (dispatch/learning.py): the pickled model, or why it failed.

    Kept in the database rather than a file under var/: every process (web workers, the job worker, a
    second server) sees the same newest model by one indexed query, a backup carries it with the past
    dispatches it was learnt from, and tests roll it back with their transaction. The pickle is only ever
    written by this application's own training job; `digest` (SHA-256 of `blob`) detects a damaged row."""

    trained_at = models.DateTimeField(_("训练时间"), db_index=True)
    samples = models.PositiveIntegerField(_("训练样本数"), default=0)
    blob = models.BinaryField(_("模型"), blank=True, editable=False)
    digest = models.CharField(_("SHA-256"), max_length=64, blank=True)
    figures = models.JSONField(_("训练指标"), default=dict, blank=True)
    error = models.TextField(_("失败原因"), blank=True)

    class Meta:
        verbose_name = _("智能派单模型")
        verbose_name_plural = _("智能派单模型")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M} {self.samples}"
