from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The answer to one unsafe API request sent with an `Idempotency-Key`, kept so that a retry of the same
    request gets the same answer instead of doing the work again (a second case, a second timeline entry).

    Inserted at the start of the request's transaction and filled with the answer before its commit, so a
    committed row always holds a finished 2xx answer and the work it describes; a request that fails, or a
    process killed halfway, leaves no row. The unique (scope, key) makes two concurrent requests with one
    key one piece of work: the second insert waits for the first transaction and then replays its answer."""

    scope = models.CharField(_("调用方"), max_length=64, help_text=_("user:编号（接口令牌的账号）或 public（群众端）"))
    key = models.CharField(_("幂等键"), max_length=255)
    fingerprint = models.CharField(_("请求摘要（SHA-256）"), max_length=64,
                                   help_text=_("方法、路径和请求体的摘要：同一个键只能用于同一个请求"))
    status = models.PositiveSmallIntegerField(_("响应状态码"), default=0)
    content_type = models.CharField(_("响应类型"), max_length=100, blank=True)
    body = models.TextField(_("响应内容"), blank=True)
    created_at = models.DateTimeField(_("首次请求时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等请求记录")
        verbose_name_plural = _("幂等请求记录")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once_per_caller")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
