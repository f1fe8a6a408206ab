"""The hall's touch terminal (/kiosk/): the report form parsed from taps alone. A surname and 先生/女士
give the name, big buttons the center and the matter; when nothing was typed the description is composed
here from the choices, so submit_report stays the one home of the rules. The terminal's own center comes
from ?center=CODE (remembered in a cookie), else the district's center."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from banchengshi.accounts.models import Unit
from banchengshi.cases.choices import Reason
from banchengshi.dispatch.models import Matter
from banchengshi.public.forms import ReportForm

# The most common surnames, the first COMMON shown at once, the others behind "更多姓氏".
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMMON = 40
TITLES = ("先生", "女士")
CENTER_COOKIE = "kiosk_center"
# What a visitor leaves in the session: the next person at the terminal starts without it.
VISITOR_KEYS = ("receipt", "tracked")


def compose_description(matter_name: str, reasons: list[str], reason_other: str) -> str:
    """“在自助终端反映：办理“失业保险金申领”时未能办成，原因：材料不符合。” from the taps; empty with
    neither a matter nor a reason (the report is then refused for its missing description)."""
    if not matter_name and not reasons:
        return ""
    labels = dict(Reason.choices)
    said = [
        f"{labels[r]}（{reason_other.strip()}）" if r == Reason.OTHER and reason_other.strip() else str(labels[r])
        for r in reasons if r in labels
    ]
    text = f"在自助终端反映：办理“{matter_name}”时未能办成" if matter_name else "在自助终端反映：办事未能办成"
    return text + (f"，原因：{'、'.join(said)}。" if said else "。")


class KioskForm(ReportForm):
    surname = forms.ChoiceField(label="您的姓", choices=[("", "")] + [(s, s) for s in SURNAMES], required=False)
    title = forms.ChoiceField(label="称呼", choices=[("", ""), *((t, t) for t in TITLES)], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("reporter_name") or "").strip() and data.get("surname"):
            data["reporter_name"] = data["surname"] + (data.get("title") or "")
        if not (data.get("description") or "").strip():
            matter = self.chosen_matter() if data.get("matter") else None
            data["description"] = compose_description(
                matter.name if matter else (data.get("business_name") or "").strip(),
                list(data.get("reasons") or []), data.get("reason_other") or "",
            )
        return data


def hall_center(request: HttpRequest, centers: list[Unit]) -> str:
    """The code of the terminal's own center: ?center=CODE, else the remembered one, else the district's."""
    codes = [c.code for c in centers]
    for code in (request.GET.get("center", ""), request.COOKIES.get(CENTER_COOKIE, "")):
        if code.upper() in codes:
            return code.upper()
    return codes[0] if codes else ""


def kiosk_form(request: HttpRequest) -> KioskForm:
    if request.method == "POST":
        return KioskForm(request.POST)
    for key in VISITOR_KEYS:  # a fresh kiosk page: the previous visitor's receipt and tracked cases go
        request.session.pop(key, None)
    form = KioskForm()
    form.initial["where"] = hall_center(request, form.centers)
    return form


@dataclass
class Department:
    unit: Unit
    matters: list[Matter]
    open: bool


def kiosk_context(form: ReportForm) -> dict[str, Any]:
    chosen = str(form["matter"].value() or "")
    departments: dict[int, Department] = {}
    for matter in Matter.objects.filter(is_active=True).select_related("department").order_by("department_id", "code"):
        group = departments.setdefault(matter.department_id, Department(matter.department, [], False))
        group.matters.append(matter)
        group.open = group.open or matter.code == chosen
    chosen_name = next((m.name for d in departments.values() for m in d.matters if m.code == chosen), "")
    return {
        "common_surnames": SURNAMES[:COMMON], "more_surnames": SURNAMES[COMMON:], "titles": TITLES,
        "departments": list(departments.values()), "chosen_matter_name": chosen_name,
    }


def remember_hall(request: HttpRequest, response: HttpResponse) -> None:
    """?center=CODE on the kiosk's URL stays the terminal's center (the idle reset goes to bare /kiosk/)."""
    code = request.GET.get("center", "").upper()
    if code:
        response.set_cookie(CENTER_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
