"""Forms of the workbench. They parse; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from banchengshi.accounts.access import subtree_ids
from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit, User
from banchengshi.cases.actions.registration import registration_problems
from banchengshi.cases.choices import (
    Category,
    Channel,
    Complexity,
    HandlingType,
    Rating,
    Reason,
    ReporterKind,
)
from banchengshi.dispatch.models import Matter


class MatterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.department.name}·{obj.get_level_display()}）"


class RegisterForm(forms.Form):
    channel = forms.ChoiceField(label="反映渠道", choices=Channel.choices, initial=Channel.WINDOW)
    reporter_name = forms.CharField(label="反映人姓名", max_length=64, widget=forms.TextInput(attrs={"autofocus": True}))
    reporter_phone = forms.CharField(
        label="联系电话", max_length=20, help_text="手机号11位；固定电话带区号，如 021-12345678"
    )
    reporter_kind = forms.ChoiceField(
        label="反映人类型", choices=ReporterKind.choices, initial=ReporterKind.PERSON, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    reporter_organization = forms.CharField(label="企业名称", max_length=128, required=False)
    center = forms.ModelChoiceField(label="登记中心", queryset=Unit.objects.none(), empty_label=None)
    window = forms.CharField(label="接待窗口", max_length=64, required=False)
    received_at = forms.DateTimeField(
        label="登记时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    business_name = forms.CharField(label="办理业务名称", max_length=128, required=False)
    matter = MatterChoiceField(label="事项（可不选）", queryset=Matter.objects.none(), required=False, empty_label="—— 不确定 ——")
    locality = forms.ModelChoiceField(
        label="属地镇（街道）", queryset=Unit.objects.none(), required=False, empty_label="—— 不涉及或不确定 ——"
    )
    reasons = forms.MultipleChoiceField(
        label="“办不成事”的原因（可多选）", choices=Reason.choices, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}), required=False
    )
    reason_other = forms.CharField(label="其他原因说明", max_length=200, required=False)
    category = forms.ChoiceField(label="问题类型", choices=[("", "——")] + list(Category.choices), required=False)
    description = forms.CharField(label="遇到的问题", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    demand = forms.CharField(label="诉求", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centers = Unit.objects.filter(kind=UnitKind.SERVICE_CENTER, is_active=True)
        if user.unit is not None:
            centers = centers.filter(pk__in=subtree_ids(user.unit))
        self.fields["center"].queryset = centers  # type: ignore[attr-defined]
        self.fields["center"].initial = user.unit_id
        self.fields["locality"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            kind=UnitKind.SERVICE_CENTER, parent__kind=UnitKind.SERVICE_CENTER, is_active=True
        )
        self.fields["matter"].queryset = Matter.objects.filter(is_active=True).select_related("department")  # type: ignore[attr-defined]
        self.fields["received_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def clean(self) -> dict[str, Any]:
        """The action's rules, all at once, each next to its field (the action checks them again)."""
        data = super().clean() or {}
        given = {name: data[name] for name in (
            "reporter_phone", "reporter_kind", "reporter_organization", "center", "locality", "reasons", "reason_other",
            "received_at") if name in data}
        for field, message in registration_problems(**given).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class AcceptForm(forms.Form):
    handling_type = forms.ChoiceField(label="办理方式", choices=HandlingType.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    complexity = forms.ChoiceField(label="难易程度", choices=Complexity.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    verification = forms.CharField(label="核实情况及处理意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class VisitForm(forms.Form):
    rating = forms.TypedChoiceField(label="满意度", choices=Rating.choices, coerce=int, widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    solved = forms.TypedChoiceField(
        label="问题是否解决", choices=[("1", "已解决"), ("0", "未解决")], coerce=lambda v: v == "1", widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    note = forms.CharField(label="回访记录", widget=forms.Textarea(attrs={"rows": 2}), required=False)
