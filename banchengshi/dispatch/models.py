from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.sla.choices import Complexity


class MatterLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    TOWN = "town", _("镇级")


class PastDispatchSource(models.TextChoices):
    HISTORY = "history", _("历史派单记录")
    MANUAL = "manual", _("人工派单")


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
