from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit
from banchengshi.supervision.choices import MeetingCriterion

ATTENDING_KINDS = (UnitKind.DEPARTMENT, UnitKind.SERVICE_CENTER, UnitKind.ADMIN_OFFICE)


class MeetingForm(forms.Form):
    title = forms.CharField(label="会议名称", max_length=200)
    criteria = forms.MultipleChoiceField(
        label="召开情形（安康制度第十四条，可多选）",
        choices=MeetingCriterion.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    held_at = forms.DateTimeField(
        label="召开时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label="地点", max_length=200, required=False)
    cases = forms.CharField(label="研究的反映件（登记编号，以逗号或空格分隔）", max_length=2000)
    attendee_units = forms.ModelMultipleChoiceField(label="参会单位", queryset=Unit.objects.none(), required=False)
    attendee_names = forms.CharField(
        label="参会人员", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendee_units"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            kind__in=ATTENDING_KINDS, is_active=True
        ).order_by("kind", "code")
        self.fields["held_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def references(self) -> list[str]:
        raw = self.cleaned_data.get("cases", "")
        return [r for r in raw.replace("，", ",").replace(",", " ").split() if r]
