from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.lib.fields import EncryptedCharField


class MessageKind(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    WEBHOOK = "webhook", "对接推送"
    INAPP = "inapp", "站内提醒"


def new_key() -> str:
    return uuid.uuid4().hex


class Subscriber(models.Model):
    """An outside system that receives signed status changes (an upstream source's callback, a 12345
    platform, a reporting tool). One that keeps failing is paused until the admin office resumes it."""

    name = models.CharField(_("名称"), max_length=64)
    url = models.URLField(_("推送地址"), max_length=500)
    secret = EncryptedCharField(_("签名密钥"), max_length=128, help_text=_("推送以 HMAC-SHA256 签名，对方用同一密钥验签"))
    events = models.JSONField(_("订阅的事件"), default=list, blank=True, help_text=_("留空为全部事件"))
    # Only the cases an upstream source sent in (its code, as in Case.origin); blank for every case.
    source = models.CharField(_("仅限来源平台"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    paused_at = models.DateTimeField(_("因连续失败暂停于"), null=True, blank=True)
    last_error = models.CharField(_("最近一次失败原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送订阅方")
        verbose_name_plural = _("推送订阅方")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    """One message in the outbox (SMS, e-mail, webhook, in-app): written in the same transaction as the
    change it tells of, sent after commit by a job (never inside a request's transaction), claimed by one
    sender at a time, retried with backoff, and moved to the dead letters after the last try."""

    kind = models.CharField(_("类型"), max_length=10, choices=MessageKind.choices, default=MessageKind.SMS)
    # A phone number, an e-mail address, a staff member's id (in-app) or a subscriber's id (webhook);
    # encrypted at rest (a reporter's phone), cleared with the case's personal data after the retention period.
    to = EncryptedCharField(_("接收方"), max_length=254, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("内容"))
    payload = models.JSONField(_("推送内容"), null=True, blank=True)
    subscriber = models.ForeignKey(Subscriber, verbose_name=_("订阅方"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="messages")
    # What the message is about (a case reference), for the admin and the audit; never personal data.
    subject = models.CharField(_("关联"), max_length=32, blank=True)
    # Messages of one sequence (one subscriber and one case) go strictly in the order they were written.
    sequence = models.CharField(_("顺序组"), max_length=80, blank=True, db_index=True)
    # Sent with the message so a gateway that sees a retry of what it already took can drop it.
    key = models.CharField(_("幂等键"), max_length=64, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(_("生成时间"), db_index=True)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True, db_index=True)
    # Taken by a sender at this moment: another sender leaves it alone for a while (no double sending, and
    # no database lock held while the gateway answers).
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    last_error = models.CharField(_("最近一次失败原因"), max_length=500, blank=True)
    dead_at = models.DateTimeField(_("放弃发送时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("待发通知")
        verbose_name_plural = _("通知发件箱")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sent_at", "dead_at", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}"


class Notice(models.Model):
    """A reminder in a staff member's workbench: the in-app message, delivered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), on_delete=models.CASCADE,
                             related_name="notices")
    message = models.OneToOneField(Message, verbose_name=_("通知"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="notice")
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    subject = models.CharField(_("关联"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("提醒时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内提醒")
        verbose_name_plural = _("站内提醒")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.title


class PeriodicRun(models.Model):
    """One row per periodic job and period: however many job consumers wake at that minute, the one whose
    insert succeeds runs the job."""

    job = models.CharField(_("任务"), max_length=64)
    period = models.DateTimeField(_("周期"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    worker = models.CharField(_("执行进程"), max_length=64, blank=True)
    result = models.CharField(_("结果"), max_length=200, blank=True)
    # Other consumers that woke for the same period and left it to this run.
    skipped = models.PositiveSmallIntegerField(_("其他进程跳过次数"), default=0)

    class Meta:
        verbose_name = _("定时任务执行记录")
        verbose_name_plural = _("定时任务执行记录")
        ordering = ["-period", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="periodic_run_once")]

    def __str__(self) -> str:
        return f"{self.job} {self.period:%Y-%m-%d %H:%M}"
