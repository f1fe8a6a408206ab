from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    SMS = "sms", _("短信")


class Message(models.Model):
    """One notification in the outbox: written in the same transaction as the change it tells of, sent
    after commit by a job (never inside a request's transaction), retried until it goes."""

    kind = models.CharField(_("类型"), max_length=10, choices=MessageKind.choices, default=MessageKind.SMS)
    to = models.CharField(_("接收号码"), max_length=20)
    text = models.TextField(_("内容"))
    # What the message is about (a case reference), for the admin and the audit; never personal data.
    subject = models.CharField(_("关联"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("生成时间"), db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True, db_index=True)
    # Taken by a sender at this moment: another sender leaves it alone for a while (no double sending, and
    # no database lock held while the gateway answers).
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    last_error = models.CharField(_("最近一次失败原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("待发通知")
        verbose_name_plural = _("通知发件箱")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}"
