from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PhoneCode(models.Model):
    """A one-time SMS code proving the reporter holds the phone. Only digests are kept: the phone's (to
    find the code again) and the code's; both are keyed with the installation's secret."""

    phone_digest = models.CharField(_("号码摘要"), max_length=64, db_index=True)
    code_digest = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    failures = models.PositiveSmallIntegerField(_("输错次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"验证码 {self.created_at:%Y-%m-%d %H:%M}"
