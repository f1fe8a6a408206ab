from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.supervision.choices import Dimension, NoticeKind, RectificationStatus

USER = settings.AUTH_USER_MODEL


class Notice(models.Model):
    """通报 to one unit, about one case (再督办, 超时) or about its work in general."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("被通报单位"), on_delete=models.PROTECT, related_name="notices"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("反映件"), null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("通报类型"), max_length=16, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("通报内容"))
    issued_by = models.ForeignKey(USER, verbose_name=_("通报人"), on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("通报时间"), db_index=True)
    read_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, verbose_name=_("签收人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 文号: the issuing organ's prefix, the year and the year's sequence (示政服办通〔2026〕3号). Notices issued
    # before numbering have none. The sequence comes from NoticeCounter; the constraint is its backstop.
    number = models.CharField(_("文号"), max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("年度序号"), null=True, blank=True)
    organ = models.CharField(_("发文机关"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["unit", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="notice_number_once_a_year")]

    def __str__(self) -> str:
        return self.title


class NoticeCounter(models.Model):
    """The last 通报 sequence of a year, taken under a row lock (a year's first notice creates the row)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("通报文号计数")
        verbose_name_plural = _("通报文号计数")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class JointMeeting(models.Model):
    """联席会议 on one or more cases, convened for the Ankang criteria (第十四条)."""

    title = models.CharField(_("会议名称"), max_length=200)
    criteria = models.JSONField(_("召开情形"), default=list)
    held_at = models.DateTimeField(_("召开时间"), db_index=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    convened_by = models.ForeignKey(USER, verbose_name=_("召集人"), on_delete=models.PROTECT, related_name="+")
    attendees = models.ManyToManyField(
        "accounts.Unit", verbose_name=_("参会单位"), blank=True, related_name="joint_meetings"
    )
    attendee_names = models.TextField(_("参会人员"), blank=True)
    cases = models.ManyToManyField("cases.Case", verbose_name=_("研究的反映件"), related_name="joint_meetings")
    minutes = models.TextField(_("会议纪要"), blank=True)
    decisions = models.TextField(_("议定事项"), blank=True)
    outcome_recorded_at = models.DateTimeField(_("结果录入时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return self.title


class FollowUpTask(models.Model):
    """One decision of a meeting, assigned to a unit with a date to finish by."""

    meeting = models.ForeignKey(JointMeeting, verbose_name=_("联席会议"), on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="follow_up_tasks"
    )
    description = models.TextField(_("任务内容"))
    due_date = models.DateField(_("完成期限"))
    created_at = models.DateTimeField(_("交办时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(USER, verbose_name=_("办结人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_note = models.TextField(_("完成情况"), blank=True)

    class Meta:
        verbose_name = _("会议交办任务")
        verbose_name_plural = _("会议交办任务")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["unit", "done_at"])]

    def __str__(self) -> str:
        return f"{self.meeting} / {self.unit}"


def evidence_path(instance: RectificationEvidence, filename: str) -> str:
    """Stored under a random name: the original name is kept in the row, never in the URL or path."""
    import uuid
    from pathlib import PurePath

    return f"rectifications/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class Rectification(models.Model):
    """反馈整改 (Chongming): the admin office asks a unit to remove a bottleneck within working days it
    chooses; the unit reports progress and closes it with evidence or a note. Its clock (due_at, warn_at)
    is `sla.clock_rules.ITEM_RULES["unit_rectification"]`, computed by `sla.services.due_for`."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("整改单位"), on_delete=models.PROTECT, related_name="rectifications"
    )
    subject = models.CharField(_("整改事项"), max_length=200)
    dimension = models.CharField(_("统计维度"), max_length=16, choices=Dimension.choices, blank=True)
    key = models.CharField(_("维度取值"), max_length=64, blank=True)
    requirement = models.TextField(_("整改要求"))
    days = models.PositiveSmallIntegerField(_("整改时限（工作日）"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN, db_index=True
    )
    opened_by = models.ForeignKey(USER, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("发起时间"), db_index=True)
    due_at = models.DateTimeField(_("整改期限"))
    warn_at = models.DateTimeField(_("黄灯时间"))
    closed_at = models.DateTimeField(_("办结或撤销时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("办结或撤销人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing_note = models.TextField(_("整改完成情况或撤销原因"), blank=True)
    overdue_noted_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("反馈整改")
        verbose_name_plural = _("反馈整改")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.unit}：{self.subject}"


class RectificationProgress(models.Model):
    rectification = models.ForeignKey(
        Rectification, verbose_name=_("反馈整改"), on_delete=models.CASCADE, related_name="progress"
    )
    text = models.TextField(_("整改进展"))
    at = models.DateTimeField(_("报告时间"))
    by = models.ForeignKey(USER, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class RectificationEvidence(models.Model):
    """整改佐证材料, allowed by its content (lib/uploads.py), downloadable by those who see the item."""

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("反馈整改"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(USER, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
