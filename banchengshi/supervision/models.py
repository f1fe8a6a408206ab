from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.supervision.choices import NoticeKind

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

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["unit", "read_at"])]

    def __str__(self) -> str:
        return self.title


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
