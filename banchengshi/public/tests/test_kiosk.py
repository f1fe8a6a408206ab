"""The hall's kiosk form parsed from taps alone: the name from a surname and 先生/女士, the description
composed from the chosen matter and reasons, the terminal's own center from ?center=."""

from __future__ import annotations

from typing import Any

from django.test import Client

from banchengshi.cases.models import Case
from banchengshi.conftest import District
from banchengshi.public.kiosk import CENTER_COOKIE, compose_description
from banchengshi.public.tests.helpers import code_in, sms_to

PHONE = "13912345678"


def sent_code(client: Client, capture: Any) -> str:
    with capture(execute=True):  # the SMS leaves the outbox after commit
        response = client.post("/report/code/", {"phone": PHONE})
    assert "验证码已发送" in response.content.decode()
    return code_in(sms_to(PHONE)[-1])


def test_kiosk_report_of_choices_only(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    page = client.get("/kiosk/?center=C-CH")
    assert page.status_code == 200
    assert page.cookies[CENTER_COOKIE].value == "C-CH"
    html = page.content.decode()
    assert 'id="where-C-CH" value="C-CH" checked' in html
    assert 'data-keypad-for="id_phone"' in html and 'data-keypad-for="id_phone_code"' in html
    assert "失业保险金申领" in html and "王" in html

    code = sent_code(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/kiosk/", {
            "reporter_kind": "person", "surname": "王", "title": "先生", "reporter_name": "",
            "phone": PHONE, "phone_code": code, "where": "C-CH", "matter": "RSJ-003",
            "reasons": ["material_mismatch"], "description": "", "agree": "1",
        })
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/kiosk/done/"
    case = Case.objects.get(reference=client.session["receipt"])
    assert case.channel == "kiosk"
    assert case.reporter_name == "王先生"
    assert case.center.code == "C-CH"
    assert case.matter is not None and case.matter.code == "RSJ-003"
    assert case.description == "在自助终端反映：办理“失业保险金申领”时未能办成，原因：材料不符合。"

    # The receipt, then a fresh kiosk page: the next visitor finds nothing of this one in the session.
    assert case.reference in client.get("/kiosk/done/").content.decode()
    again = client.get("/kiosk/")
    assert 'id="where-C-CH" value="C-CH" checked' in again.content.decode()  # the remembered center
    assert "receipt" not in client.session
    assert client.get("/kiosk/done/")["Location"] == "/kiosk/"


def test_kiosk_refuses_a_report_with_neither_choice_nor_words(district: District) -> None:
    assert 'id="where-FWZX" value="FWZX" checked' in Client().get("/kiosk/").content.decode()  # the district's center
    response = Client().post("/kiosk/", {"phone": PHONE, "phone_code": "123456", "where": "FWZX", "agree": "1"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "请填写您的姓名" in html and "请说一说遇到了什么问题" in html
    assert 'id="where-FWZX" value="FWZX" checked' in html


def test_typed_words_win_over_choices(district: District) -> None:
    assert compose_description("", [], "") == ""
    assert compose_description("", ["other"], "窗口说要等") == "在自助终端反映：办事未能办成，原因：其他原因（窗口说要等）。"
    assert compose_description("就业登记", [], "") == "在自助终端反映：办理“就业登记”时未能办成。"
    from banchengshi.public.kiosk import KioskForm

    form = KioskForm({"surname": "李", "title": "女士", "reporter_name": "李小红", "description": "自己写的", "matter": "RSJ-003"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reporter_name"] == "李小红"
    assert form.cleaned_data["description"] == "自己写的"
