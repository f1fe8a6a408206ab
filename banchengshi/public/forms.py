"""The report form of the public pages: parses what was typed, keeps it when the report is refused."""

from __future__ import annotations

from typing import Any

from django import forms

from banchengshi.accounts.selectors import service_centers
from banchengshi.cases.choices import Portal, Reason, ReporterKind
from banchengshi.dispatch.models import Matter

ONLINE = "online"  # the "where" choice for a matter that failed on a portal or app, not in a hall


class ReportForm(forms.Form):
    reporter_kind = forms.ChoiceField(label="您是", choices=ReporterKind.choices, required=False, widget=forms.RadioSelect)
    organization = forms.CharField(label="企业名称", max_length=128, required=False)
    credit_code = forms.CharField(label="统一社会信用代码（可不填）", max_length=24, required=False)
    reporter_name = forms.CharField(label="姓名", max_length=64, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    phone_code = forms.CharField(label="短信验证码", max_length=12, required=False)
    where = forms.ChoiceField(label="在哪里没办成", required=False)
    portal = forms.ChoiceField(label="哪个网上平台", choices=[("", "请选择"), *Portal.choices], required=False)
    matter = forms.CharField(label="想办的事（事项）", max_length=32, required=False)
    business_name = forms.CharField(label="想办的事（自己写）", max_length=128, required=False)
    reasons = forms.MultipleChoiceField(label="为什么没办成（可多选）", choices=Reason.choices, required=False, widget=forms.CheckboxSelectMultiple)
    reason_other = forms.CharField(label="其他原因", max_length=200, required=False)
    description = forms.CharField(label="遇到了什么问题", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    demand = forms.CharField(label="希望怎么解决", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notice_version = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(label="我已阅读并同意《个人信息告知书》", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centers = service_centers()
        self.fields["where"] = forms.ChoiceField(
            label="在哪里没办成", required=False,
            choices=[("", "请选择"), *((c.code, c.name) for c in self.centers), (ONLINE, "网上办事（电脑或手机）")],
        )

    def center_and_portal(self) -> tuple[Any, str]:
        where = self.cleaned_data.get("where") or ""
        if where == ONLINE:
            district = next((c for c in self.centers if c.parent_id is None or c.parent is None or not c.parent.is_center), None)
            return (district or (self.centers[0] if self.centers else None)), self.cleaned_data.get("portal") or ""
        return next((c for c in self.centers if c.code == where), None), ""

    def chosen_matter(self) -> Matter | None:
        code = self.cleaned_data.get("matter") or ""
        return Matter.objects.filter(code=code, is_active=True).first() if code else None
