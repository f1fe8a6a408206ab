from __future__ import annotations

import hashlib
import secrets
from datetime import time

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.accounts.choices import Role, UnitKind


class Unit(models.Model):
    """A node of the organisation tree: admin office > service centers > town centers; departments."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    opens = models.TimeField(_("上班时间"), default=time(9, 0))
    closes = models.TimeField(_("下班时间"), default=time(17, 0))
    policy = models.ForeignKey(
        "sla.Policy",
        verbose_name=_("时限规则"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("留空则沿用上级单位的时限规则"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="unit_opens_before_closes")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_center(self) -> bool:
        return self.kind == UnitKind.SERVICE_CENTER


class User(AbstractUser):
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(_("令牌摘要（SHA-256）"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> str:
        token = "bcs_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, digest=cls.digest_of(token), prefix=token[4:12])
        return token
