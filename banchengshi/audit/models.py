from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.audit.labels import EventType


class Event(models.Model):
    """One change, written in the same transaction as the change. A case's timeline is its events, and
    the audit log is all of them: one chain (`audit.chain`), append-only in the database (`audit.guard`).

    Rows are never updated or deleted (but by the purge of rows past the retention), so whatever they
    point at is protected: deleting a case or work order with a history is refused.
    """

    case = models.ForeignKey("cases.Case", verbose_name=_("反映件"), null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    work_order = models.ForeignKey("cases.WorkOrder", verbose_name=_("工单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人账号"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("操作人"), max_length=128)
    action = models.CharField(_("动作"), max_length=40, db_index=True, choices=EventType.choices)
    at = models.DateTimeField(_("时间"), db_index=True)
    status_before = models.CharField(_("变更前状态"), max_length=20, blank=True)
    status_after = models.CharField(_("变更后状态"), max_length=20, blank=True)
    data = models.JSONField(_("内容"), default=dict, encoder=DjangoJSONEncoder)
    actor_role = models.CharField(_("操作人角色"), max_length=20, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    ip = models.CharField(_("IP 地址"), max_length=45, blank=True)
    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    prev_mac = models.CharField(_("前一条校验码"), max_length=64)
    mac = models.CharField(_("校验码"), max_length=64)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class AuditChain(models.Model):
    """The chain's one head row: locked by every writer (inserts form a line, never a fork), and where
    the purge leaves its mark, so verification starts after the rows it removed."""

    last_seq = models.PositiveBigIntegerField(_("最后序号"), default=0)
    last_mac = models.CharField(_("最后校验码"), max_length=64)
    purged_through_seq = models.PositiveBigIntegerField(_("已清理至序号"), default=0)
    purged_through_mac = models.CharField(_("已清理至校验码"), max_length=64)
    purged_at = models.DateTimeField(_("清理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")

    def __str__(self) -> str:
        return f"审计链至第 {self.last_seq} 条"
