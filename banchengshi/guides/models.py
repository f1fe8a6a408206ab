"""办事指南: one guide per matter of the catalog, and every version of its text.

A version is never changed after it is written (except its review): an edit is a new version with who and
when; the admin office approves one (it becomes the guide's `published` version, the one the public sees) or
returns it with a note. The previous published version stays published until another is approved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已发布"
    RETURNED = "returned", "已退回"
    SUPERSEDED = "superseded", "已被新版本替代"
    ARCHIVED = "archived", "历史版本"


class Guide(models.Model):
    matter = models.OneToOneField("dispatch.Matter", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="guide")
    published = models.ForeignKey(
        "GuideVersion", verbose_name=_("已发布版本"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        ordering = ["matter__code"]

    def __str__(self) -> str:
        return f"{self.matter.name}办事指南"


class GuideVersion(models.Model):
    guide = models.ForeignKey(Guide, verbose_name=_("办事指南"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=100)
    conditions = models.TextField(_("受理条件"))
    # [{name, copies, source, condition}]: condition "" means always required (see guides.content.Material).
    materials = models.JSONField(_("申请材料"), default=list)
    level = models.CharField(_("办理层级"), max_length=60)
    window = models.CharField(_("办理窗口及地址"), max_length=300)
    online_url = models.URLField(_("网上办理入口"), max_length=300, blank=True)
    process = models.TextField(_("办理流程"), blank=True)
    time_limit = models.CharField(_("承诺时限"), max_length=100)
    fee = models.CharField(_("收费标准"), max_length=200)
    legal_basis = models.TextField(_("设定依据"))
    pitfalls = models.TextField(_("常见问题及易错点"), blank=True)
    phone = models.CharField(_("咨询电话"), max_length=60)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编辑人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(_("编辑时间"))
    status = models.CharField(_("状态"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("办事指南版本")
        verbose_name_plural = _("办事指南版本")
        ordering = ["guide", "-number"]
        constraints = [models.UniqueConstraint(fields=["guide", "number"], name="guide_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.number}版）"
