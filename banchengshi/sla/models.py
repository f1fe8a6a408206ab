from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.sla.choices import ResolutionStart

DAYS = [MinValueValidator(0), MaxValueValidator(60)]


def days_field(label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True, validators=DAYS, help_text=_("工作日；留空表示不设此时限"))


class Policy(models.Model):
    """One jurisdiction's time limits, in working days."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    is_default = models.BooleanField(_("默认规则"), default=False, help_text=_("未设置时限规则的单位沿用默认规则"))
    acceptance_days = models.PositiveSmallIntegerField(
        _("受理答复时限"), default=1, validators=DAYS, help_text=_("登记后受理或说明不予受理的工作日数")
    )
    forward_days = models.PositiveSmallIntegerField(
        _("登记后转办时限"), default=1, validators=DAYS, help_text=_("登记后派单到承办单位的工作日数")
    )
    contact_days = days_field(_("接单后首次联系时限"))
    first_feedback_days = days_field(_("复杂件首次反馈时限"))
    simple_days = days_field(_("简单问题办结时限"))
    general_days = days_field(_("一般问题办结时限"))
    complex_days = days_field(_("复杂问题办结时限"))
    consult_days = days_field(_("咨询引导办结时限"))
    assist_days = days_field(_("帮办代办办结时限"))
    coordinate_days = days_field(_("协调督办办结时限"))
    resolution_start = models.CharField(
        _("办结时限起算"), max_length=20, choices=ResolutionStart.choices, default=ResolutionStart.ACCEPTED
    )
    review_days = models.PositiveSmallIntegerField(
        _("审核时限"), default=1, validators=DAYS, help_text=_("答复提交审核后，中心负责人审核的工作日数")
    )
    resupervision_days = models.PositiveSmallIntegerField(
        _("再督办时限"), default=2, validators=DAYS, help_text=_("回访不满意或未解决后，政务服务办提出再督办的工作日数")
    )
    rectification_days = models.PositiveSmallIntegerField(
        _("再督办整改时限"), default=5, validators=DAYS, help_text=_("再督办时默认给承办单位的整改工作日数")
    )
    rectification_max_days = models.PositiveSmallIntegerField(
        _("再督办整改最长时限"), default=10, validators=DAYS, help_text=_("政务服务办再督办时可选的最长整改工作日数")
    )
    unit_rectification_days = models.PositiveSmallIntegerField(
        _("反馈整改时限"), default=20, validators=DAYS, help_text=_("政务服务办对单位发起反馈整改时默认给出的工作日数")
    )
    unit_rectification_max_days = models.PositiveSmallIntegerField(
        _("反馈整改最长时限"), default=60, validators=DAYS, help_text=_("发起反馈整改时可选的最长工作日数")
    )
    visit_days = models.PositiveSmallIntegerField(
        _("回访期限"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("办结后该工作日数内回访；逾期未回访的反映件移出“待回访”，列入“逾期未回访”"),
    )
    warn_hours = models.PositiveSmallIntegerField(
        _("黄灯提前小时数"), default=24, validators=[MaxValueValidator(240)], help_text=_("距时限不足该小时数时亮黄灯")
    )
    objection_days = models.PositiveSmallIntegerField(
        _("无异议确认期"),
        default=0,
        validators=DAYS,
        help_text=_("答复后反映人在该工作日数内未提出异议即可办结；0 表示答复审核通过后即可办结"),
    )
    auto_dispatch_threshold = models.FloatField(
        _("自动派单置信度阈值"), default=0.75, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    separate_duties = models.BooleanField(
        _("经办与审核、回访分离"),
        default=True,
        help_text=_("开启后，办理或答复过反映件的人员不能审核、办结该件，也不能对其回访（等保三级职责分离）"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_policy")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.rectification_days > self.rectification_max_days:
            raise ValidationError({"rectification_days": _("默认整改时限不能超过最长整改时限")})
        if self.unit_rectification_days > self.unit_rectification_max_days:
            raise ValidationError({"unit_rectification_days": _("默认反馈整改时限不能超过最长反馈整改时限")})

    def limit_days(self, field: str, handling_type: str = "", complexity: str = "") -> int | None:
        """The working days a clock's rule names (see sla.clock_rules); None where the policy sets none."""
        if field == "resolution":
            return self.resolution_days(handling_type, complexity)
        days: int | None = getattr(self, field)
        return days

    def resolution_days(self, handling_type: str, complexity: str) -> int:
        """By handling type where the policy sets it (Ankang), else by complexity, else 5."""
        by_type = {"consult": self.consult_days, "assist": self.assist_days, "coordinate": self.coordinate_days}
        by_complexity = {"simple": self.simple_days, "general": self.general_days, "complex": self.complex_days}
        for days in (by_type.get(handling_type), by_complexity.get(complexity)):
            if days is not None:
                return days
        return 5


class CalendarYear(models.Model):
    """A year's statutory holidays and make-up workdays. Deadlines use them only once the year is
    published: a year half typed in (three dates of the State Council's notice) must not silence the
    Monday-Friday fallback and its warning."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    source = models.CharField(_("来源"), max_length=200, blank=True)
    published = models.BooleanField(
        _("已发布"), default=False, help_text=_("发布后该年的节假日和调休上班日才用于推算时限；未发布的年份仍按周一至周五推算并提示")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（休息）"
    WORKDAY = "workday", "调休上班日"


class CalendarDay(models.Model):
    year = models.ForeignKey(CalendarYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("特殊日期")
        verbose_name_plural = _("特殊日期")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
