"""The public side's limits: per phone and address, tracking locks, photos without location, and the
objection window closing a case exactly once."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import time_machine
from django.conf import settings
from PIL import Image

from banchengshi.audit.models import Event
from banchengshi.cases.actions.reporter import close_unanswered
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Attachment, Case
from banchengshi.cases.selectors import reported_by_phone
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.lib.tests.files import pdf_bytes
from banchengshi.public import notice
from banchengshi.public.actions import Report, Upload, submit_report
from banchengshi.public.codes import send_code
from banchengshi.public.tests.helpers import Citizen, code_in, sms_to


def test_the_sixth_report_from_one_phone_in_a_day_is_refused(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks)
    for _ in range(5):
        citizen.report()
    sixth = citizen.post("/reports", citizen.report_body(citizen.code()))
    assert sixth.status_code == 429
    detail = sixth.json()["detail"]
    assert detail.startswith("这个手机号今天提交的反映已达上限，请") and "后再试" in detail
    assert int(sixth["Retry-After"]) > 0
    assert reported_by_phone(Case.objects.all(), citizen.phone).count() == 5
    # Another phone from the same address is not held back by this one's limit.
    Citizen(django_capture_on_commit_callbacks, phone="13700001111").report()


def test_the_per_phone_limit_is_a_setting(district: District, monday: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "report_per_phone": "1/h"}
    citizen = Citizen(django_capture_on_commit_callbacks)
    citizen.report()
    refused = citizen.post("/reports", citizen.report_body(citizen.code()))
    assert refused.status_code == 429 and "分钟后再试" in refused.json()["detail"]


def test_codes_are_limited_per_phone(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks)
    assert settings.PUBLIC_LIMITS["code_per_phone"] == "8/h"
    for _ in range(8):
        citizen.code()
    refused = citizen.post("/phone-codes", {"phone": citizen.phone})
    assert refused.status_code == 429 and "验证码过于频繁" in refused.json()["detail"]
    assert len(sms_to(citizen.phone)) == 8


def test_wrong_suffixes_lock_a_reference_and_answer_like_an_unknown_one(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks)
    ref = citizen.report()["reference"]
    unknown = citizen.track("BC209901010001", "1234")
    assert unknown.status_code == 404
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        wrong = citizen.track(ref, guess)
        assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())
    locked = citizen.track(ref)  # the right suffix, now locked out
    assert (locked.status_code, locked.json()) == (unknown.status_code, unknown.json())
    assert citizen.post(f"/reports/{ref}/confirm", {"phone_last4": citizen.phone[-4:]}).status_code == 404
    other = Citizen(django_capture_on_commit_callbacks, phone="13600002222")
    assert other.track(other.report()["reference"]).status_code == 200  # other references are not locked
    with time_machine.travel(timedelta(hours=1, minutes=1)):
        assert citizen.track(ref).status_code == 200  # the lock ends with its window


def test_the_page_locks_like_the_api(district: District, monday: Any, django_capture_on_commit_callbacks: Any, client: Any) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks)
    ref = citizen.report()["reference"]
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        client.post("/track/", {"reference": ref, "phone_last4": guess})
    locked = client.post("/track/", {"reference": ref, "phone_last4": citizen.phone[-4:]})
    unknown = client.post("/track/", {"reference": "BC209901010001", "phone_last4": "1234"})
    assert locked.status_code == unknown.status_code == 404
    assert "没有找到这个编号的反映" in locked.content.decode() and ref not in locked.content.decode().split("编号")[-1]


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    gps = {1: "N", 2: (31.0, 30.0, 0.0), 3: "E", 4: (121.0, 24.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_stored_photos_carry_no_location(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> None:
    original = _photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo has GPS
    phone = "13912340000"
    with django_capture_on_commit_callbacks(execute=True):
        send_code(phone)
    case = submit_report(Report(
        channel="mobile", reporter_name="赵六", phone=phone, phone_code=code_in(sms_to(phone)[-1]),
        center=district.units["FWZX"], description="窗口说要原件，我只有复印件。", notice_version=notice.VERSION,
        files=[Upload("现场.jpg", original, "image/jpeg"), Upload("证明.pdf", pdf_bytes("test"), "application/pdf")],
    ))
    photo, pdf = Attachment.objects.filter(case=case).order_by("id")
    assert photo.uploaded_by is None and photo.name == "现场.jpg" and pdf.name == "证明.pdf"
    stored = Image.open(photo.file.path)
    assert stored.size == (64, 48)
    exif = stored.getexif()
    assert not exif.get_ifd(0x8825) and 0x010F not in exif
    assert b"TestCam" not in Path(photo.file.path).read_bytes()


def test_a_case_left_without_an_answer_past_its_objection_window_closes_once(district: District, monday: Any) -> None:
    case = case_in(district, CaseStatus.APPROVED)
    assert close_unanswered() == []  # the window is still open
    monday.shift(timedelta(days=7))  # past 3 working days
    assert close_unanswered() == [case.reference]
    assert close_unanswered() == []
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_basis == "no_objection"
    closed = Event.objects.filter(case=case, action="closed")
    assert closed.count() == 1 and closed.get().actor is None and closed.get().data["basis"] == "异议期满无异议"


def test_an_objection_after_the_window_is_refused(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks)
    case = case_in(district, CaseStatus.APPROVED)
    case.reporter_phone = citizen.phone
    case.save(update_fields=["reporter_phone", "reporter_phone_hash"])
    monday.shift(timedelta(days=7))
    refused = citizen.post(f"/reports/{case.reference}/objection", {"phone_last4": citizen.phone[-4:], "reason": "不同意"})
    assert refused.status_code == 409 and "异议期已过" in refused.json()["detail"]
    assert settings.PUBLIC_LIMITS["report_per_phone"] == "5/d"
