from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit
from banchengshi.cases.choices import Channel
from banchengshi.cases.models import Case
from banchengshi.integrations.choices import EventType, Outcome
from banchengshi.lib.fields import EncryptedCharField
from banchengshi.notify.models import Subscriber


class IntegrationSource(models.Model):
    """An upstream platform that sends us reports (一网通办 中途退出, 好差评 差评, others), at
    `POST /api/v1/integrations/{code}/events`, signed with its secret.

    The signature is an HMAC, so we need the secret itself to verify it, not a hash of it: the secrets are
    encrypted at rest (SM4-GCM under PII_KEY, outside the database, lib/pii.py), and never leave this table:
    not in the admin, the pages, the logs or the commands' output."""

    code = models.SlugField(_("来源编码"), max_length=32, unique=True,
                            help_text=_("接口地址中的编码：/api/v1/integrations/编码/events"))
    name = models.CharField(_("平台名称"), max_length=64)
    kind = models.CharField(_("事件类型"), max_length=16, choices=EventType.choices, default=EventType.OTHER,
                            help_text=_("“其他反映”类的来源接收各种类型的事件，其余只接收本类型"))
    channel = models.CharField(_("反映渠道"), max_length=16, choices=Channel.choices, default=Channel.ONLINE,
                               help_text=_("“其他反映”类事件登记为这个渠道；中途退出、差评各有固定渠道"))
    default_center = models.ForeignKey(
        Unit, verbose_name=_("默认受理中心"), null=True, blank=True, on_delete=models.PROTECT,
        limit_choices_to={"kind": UnitKind.SERVICE_CENTER}, related_name="+",
        help_text=_("事件未指明中心时登记到这里；留空为区行政服务中心"),
    )
    secret = EncryptedCharField(_("当前签名密钥"), max_length=128, blank=True, editable=False)
    previous_secret = EncryptedCharField(_("上一个签名密钥"), max_length=128, blank=True, editable=False)
    secret_set_at = models.DateTimeField(_("密钥更新时间"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    callback = models.ForeignKey(
        Subscriber, verbose_name=_("进度回传订阅方"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("接收本平台反映件办理进度的推送订阅方（其“仅限来源平台”填本来源编码）"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("对接来源平台")
        verbose_name_plural = _("对接来源平台")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def secrets(self) -> list[str]:
        """The secrets a signature may be made with: the current one and, during a rotation, the one before."""
        return [s for s in (self.secret, self.previous_secret) if s]

    @property
    def secret_state(self) -> str:
        """For pages and the admin: whether a secret is set, never the secret."""
        if not self.secret:
            return "未设置（拒收全部事件）"
        return "已设置（轮换中：新旧两个密钥均有效）" if self.previous_secret else "已设置"


class InboundEvent(models.Model):
    """One upstream event turned into a case. Inserted in the case's transaction: the unique constraint on
    (source, event id) is what makes any number of deliveries of one event, even at the same moment, one
    case (the losers of the race read the winner's reference)."""

    source = models.ForeignKey(IntegrationSource, verbose_name=_("来源平台"), on_delete=models.PROTECT,
                               related_name="events")
    event_id = models.CharField(_("事件编号"), max_length=64)
    # A captured delivery replayed under another event id carries the same signature: refused.
    signature = models.CharField(_("签名"), max_length=64)
    body_digest = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    case = models.ForeignKey(Case, verbose_name=_("反映件"), null=True, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("上游事件")
        verbose_name_plural = _("上游事件")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="inbound_event_once"),
            models.UniqueConstraint(fields=["source", "signature"], name="inbound_signature_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source.code}:{self.event_id}"


class Delivery(models.Model):
    """Every delivery to the inbound endpoint, accepted or refused, for the admin office to see why."""

    source_code = models.CharField(_("来源编码"), max_length=64, db_index=True)
    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    event_id = models.CharField(_("事件编号"), max_length=64, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(_("响应状态码"))
    reference = models.CharField(_("登记编号"), max_length=32, blank=True)
    remote_ip = models.CharField(_("来源地址"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("接收记录")
        verbose_name_plural = _("接收记录")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["outcome", "received_at"], name="delivery_outcome_at")]

    def __str__(self) -> str:
        return f"{self.source_code} {self.event_id} {self.get_outcome_display()}"
