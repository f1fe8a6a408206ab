from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.audit.labels import EventType


class Event(models.Model):
    """One change, written in the same transaction as the change. A case's timeline is its events."""

    case = models.ForeignKey("cases.Case", verbose_name=_("反映件"), null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    work_order = models.ForeignKey("cases.WorkOrder", verbose_name=_("工单"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人账号"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("操作人"), max_length=128)
    action = models.CharField(_("动作"), max_length=40, db_index=True, choices=EventType.choices)
    at = models.DateTimeField(_("时间"), db_index=True)
    status_before = models.CharField(_("变更前状态"), max_length=20, blank=True)
    status_after = models.CharField(_("变更后状态"), max_length=20, blank=True)
    data = models.JSONField(_("内容"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
