from __future__ import annotations

import hashlib
import secrets
from datetime import time, timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
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
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"), default=False, help_text=_("生成的或由管理员设置的密码，本人首次登录时须改为自己的密码")
    )

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self.must_change_password = False

    @property
    def password_expired(self) -> bool:
        """Older than PASSWORD_MAX_AGE_DAYS (0: never). A password of unknown age counts from now."""
        days = settings.PASSWORD_MAX_AGE_DAYS
        if not days or self.password_changed_at is None:
            return False
        return timezone.now() - self.password_changed_at > timedelta(days=days)

    @property
    def password_change_required(self) -> bool:
        return self.must_change_password or self.password_expired

    @property
    def requires_second_factor(self) -> bool:
        """A TOTP code after the password (read by the audit's sign-in record, which cannot ask access)."""
        from banchengshi.accounts.access import needs_second_factor

        return needs_second_factor(self)


class PasswordHistory(models.Model):
    """The hashes of a user's last passwords (settings.PASSWORD_HISTORY of them are refused again)."""

    user = models.ForeignKey(User, verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(_("令牌摘要（SHA-256）"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True, help_text=_("留空：签发后 API_TOKEN_DAYS 天到期"))
    last_audited_at = models.DateTimeField(_("最近记入审计时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, **fields: Any) -> str:
        token = "bcs_" + secrets.token_urlsafe(32)
        fields.setdefault("expires_at", timezone.now() + timedelta(days=settings.API_TOKEN_DAYS))
        cls.objects.create(user=user, digest=cls.digest_of(token), prefix=token[4:12], **fields)
        return token

    @property
    def expired(self) -> bool:
        ends = self.expires_at or (self.created_at + timedelta(days=settings.API_TOKEN_DAYS))
        return timezone.now() >= ends


class LoginAttempt(AccessAttempt):
    """django-axes's failed sign-ins of one name from one address, shown in Chinese in the admin site:
    deleting a row lifts that lockout (a security administrator's task)."""

    class Meta:
        proxy = True
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败与锁定")
