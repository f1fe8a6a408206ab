"""反馈整改: opened by the admin office with a working-day limit counted on the statutory calendar, its light
turning yellow then red, reported on and closed by the unit's own staff only, every step audited; other
units see neither the item nor its counts; the shrink comparison equals a raw count."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from banchengshi.accounts.access import subtree_ids
from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.conftest import District
from banchengshi.demo.generate import generate_cases
from banchengshi.notify.models import Message
from banchengshi.sla.deadlines import SHANGHAI
from banchengshi.supervision.models import Rectification
from banchengshi.supervision.tasks import note_overdue_rectifications

NATIONAL_DAY_EVE = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # a Wednesday; 10-01 … 10-07 国庆, 10-10 调休上班


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()


def open_item(district: District, unit: str = "RSJ", **extra: Any) -> dict[str, Any]:
    body = {"unit": unit, "subject": "失业保险金申领材料反复退回", "requirement": "梳理申领材料清单，一次告知",
            "dimension": "matter", "key": "RSJ-003", **extra}
    return ok(district.api("admin_office").post("/rectifications", body), 201)


def local(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(SHANGHAI)


def test_the_limit_counts_working_days_over_national_day_and_the_light_turns(district: District) -> None:
    with time_machine.travel(NATIONAL_DAY_EVE, tick=False) as traveller:
        five = open_item(district, days=5)
        # 10-08, 10-09, 10-10 (调休上班), 10-12, 10-13: not 10-07, as Monday-to-Friday counting would say.
        assert local(five["due_at"]).date() == date(2026, 10, 13) and five["due_at"].endswith("+08:00")
        assert local(five["due_at"]).hour == 17 and five["days"] == 5
        assert local(five["warn_at"]) == local(five["due_at"]) - timedelta(hours=24)
        default = open_item(district)  # the clock rule's default: 20 working days
        assert default["days"] == 20 and local(default["due_at"]).date() == date(2026, 11, 3)
        assert five["light"] == "green" and five["status"] == "open"

        rsj = district.api("rsj")
        traveller.move_to(datetime(2026, 10, 12, 16, 0, tzinfo=SHANGHAI))
        assert ok(rsj.get(f"/rectifications/{five['id']}"))["light"] == "green"
        traveller.move_to(datetime(2026, 10, 12, 17, 30, tzinfo=SHANGHAI))
        assert ok(rsj.get(f"/rectifications/{five['id']}"))["light"] == "yellow"
        assert [r["id"] for r in ok(rsj.get("/rectifications", light="yellow"))["results"]] == [five["id"]]
        assert note_overdue_rectifications() == 0
        traveller.move_to(datetime(2026, 10, 13, 17, 1, tzinfo=SHANGHAI))
        assert ok(rsj.get(f"/rectifications/{five['id']}"))["light"] == "red"
        assert [r["id"] for r in ok(rsj.get("/rectifications", light="red"))["results"]] == [five["id"]]
        assert [r["id"] for r in ok(rsj.get("/rectifications", light="green"))["results"]] == [default["id"]]

        # The overdue job notes it once and tells the unit's handler.
        assert note_overdue_rectifications() == 1 and note_overdue_rectifications() == 0
        assert Event.objects.filter(action="rectification_overdue", data__rectification=five["id"]).count() == 1
        told = Message.objects.filter(subject=f"rectification:{five['id']}")
        recipients = sorted(m.to for m in told)
        assert str(district.users["rsj"].pk) in recipients and str(district.users["ybj"].pk) not in recipients

        closed = ok(rsj.post(f"/rectifications/{five['id']}/close", {"note": "已公布一次告知清单"}))
        assert closed["status"] == "closed" and closed["light"] == "none"


def test_only_the_unit_reports_and_closes_and_each_step_is_audited(district: District, monday: Any) -> None:
    item = open_item(district)
    path = f"/rectifications/{item['id']}"
    assert Event.objects.filter(action="rectification_opened", data__rectification=item["id"]).count() == 1

    # Opening is the admin office's.
    r = district.api("rsj").post("/rectifications", {"unit": "RSJ", "subject": "x", "requirement": "y"})
    assert r.status_code == 403 and "政务服务办" in r.json()["detail"]
    # Oversight reads everything and changes nothing; the admin office does not report for the unit.
    for name in ("overseer", "admin_office"):
        r = district.api(name).post(f"{path}/progress", {"text": "进展"})
        assert r.status_code == 403 and "整改单位" in r.json()["detail"], name
    assert ok(district.api("overseer").get(path))["id"] == item["id"]
    # Another unit does not even see it.
    assert district.api("ybj").post(f"{path}/progress", {"text": "进展"}).status_code == 404
    assert district.api("center_handler").get(path).status_code == 404

    rsj = district.api("rsj")
    reported = ok(rsj.post(f"{path}/progress", {"text": "已梳理材料清单"}))
    assert reported["status"] == "reported" and reported["progress"][0]["text"] == "已梳理材料清单"
    assert reported["progress"][0]["by"] == str(district.users["rsj"])
    r = rsj.post(f"{path}/close", {"note": "   "})
    assert r.status_code == 422 and "佐证材料" in r.json()["detail"]
    r = rsj.post(f"{path}/close", {"note": "完成", "extra": 1})
    assert r.status_code == 422  # unknown fields refused (InputSchema)
    closed = ok(rsj.post(f"{path}/close", {"note": "清单已在大厅和网上公布"}))
    assert closed["status"] == "closed" and closed["closing_note"] == "清单已在大厅和网上公布"
    r = rsj.post(f"{path}/progress", {"text": "再报"})
    assert r.status_code == 409 and "已完成整改" in r.json()["detail"]
    assert rsj.post(f"{path}/close", {"note": "再关"}).status_code == 409

    events = Event.objects.filter(data__rectification=item["id"]).order_by("seq")
    assert list(events.values_list("action", "status_before", "status_after")) == [
        ("rectification_opened", "", "open"),
        ("rectification_progress", "open", "reported"),
        ("rectification_closed", "reported", "closed"),
    ]
    assert events.last().actor == district.users["rsj"]  # type: ignore[union-attr]


def test_bad_openings_are_refused_in_chinese(district: District, monday: Any) -> None:
    zwb = district.api("admin_office")
    cases = [
        ({"unit": "RSJ", "subject": "x", "requirement": "y", "days": 61}, 422, ""),
        ({"unit": "RSJ", "subject": "x", "requirement": "y", "dimension": "colour", "key": "red"}, 422, "统计维度"),
        ({"unit": "RSJ", "subject": "x", "requirement": "y", "dimension": "matter", "key": "NOPE-1"}, 422, "未找到事项"),
        ({"unit": "RSJ", "subject": "x", "requirement": "y", "dimension": "reason"}, 422, "请填写办不成原因编码"),
        ({"unit": "JWJW", "subject": "x", "requirement": "y"}, 422, "不能作为整改单位"),
        ({"unit": "RSJ", "subject": " ", "requirement": "y"}, 422, "请填写整改事项"),
    ]
    for body, status, words in cases:
        r = zwb.post("/rectifications", body)
        assert r.status_code == status and words in r.json()["detail"], (body, r.content.decode())
    assert Rectification.objects.count() == 0


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def test_pages_open_report_upload_and_close(district: District, monday: Any) -> None:
    zwb = sign_in(Client(), district.users["admin_office"])
    page = zwb.get("/rectifications/new/", {"unit": "RSJ", "subject": "材料反复退回", "dimension": "matter", "key": "RSJ-003"})
    html = page.content.decode()
    assert page.status_code == 200 and 'value="材料反复退回"' in html and 'value="RSJ-003"' in html
    assert '<option value="RSJ" selected>' in html and "默认 20 个工作日" in html
    # The key is chosen by name (a datalist of matters, reasons and channels), not typed as a code.
    assert '<option value="RSJ-003">事项：失业保险金申领</option>' in html and "原因：材料不符合" in html
    # A refusal keeps what was typed.
    refused = zwb.post("/rectifications/new/", {"unit": "RSJ", "subject": "材料反复退回", "requirement": "", "days": "3"})
    assert refused.status_code == 422 and "请填写整改要求" in refused.content.decode()
    assert 'value="材料反复退回"' in refused.content.decode() and 'value="3"' in refused.content.decode()
    made = zwb.post("/rectifications/new/", {"unit": "RSJ", "subject": "材料反复退回", "requirement": "一次告知",
                                             "dimension": "matter", "key": "RSJ-003", "days": ""})
    item = Rectification.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/rectifications/{item.pk}/" and item.days == 20
    # Only the admin office opens one.
    rsj = Client()
    rsj.force_login(district.users["rsj"])
    refused_page = rsj.get("/rectifications/new/")
    assert refused_page.status_code == 403 and "只有政务服务办可以发起反馈整改" in refused_page.content.decode()

    listing = rsj.get("/rectifications/").content.decode()
    assert "材料反复退回" in listing and "light-green" in listing
    detail = rsj.get(f"/rectifications/{item.pk}/").content.decode()
    assert 'data-testid="close-form"' in detail and "2026年第4季度" in detail and "2027年第1季度" in detail
    assert 'data-testid="close-form"' not in zwb.get(f"/rectifications/{item.pk}/").content.decode()

    # Closing without evidence or a note is refused; the page keeps the (blank) form and says why.
    r = rsj.post(f"/rectifications/{item.pk}/close/", {"note": ""})
    assert r.status_code == 422 and "请上传整改佐证材料或填写整改完成情况" in r.content.decode()
    # Evidence is allowed by its content: an HTML page named .pdf is refused, a real PNG kept.
    bad = SimpleUploadedFile("清单.pdf", b"<html><script>alert(1)</script></html>")
    r = rsj.post(f"/rectifications/{item.pk}/evidence/", {"file": bad})
    assert r.status_code == 422 and "不是允许的文件类型" in r.content.decode()
    assert item.evidence.count() == 0
    r = rsj.post(f"/rectifications/{item.pk}/evidence/", {"file": SimpleUploadedFile("公示照片.png", png())})
    assert r.status_code == 302 and item.evidence.count() == 1
    evidence = item.evidence.get()
    assert evidence.name == "公示照片.png" and evidence.content_type == "image/png"
    file_url = f"/rectifications/{item.pk}/evidence/{evidence.pk}/"
    download = rsj.get(file_url)
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    ybj = Client()
    ybj.force_login(district.users["ybj"])
    assert ybj.get(file_url).status_code == 404 and ybj.get(f"/rectifications/{item.pk}/").status_code == 404

    r = rsj.post(f"/rectifications/{item.pk}/progress/", {"text": "  "})
    assert r.status_code == 422 and "请填写整改进展" in r.content.decode()
    assert rsj.post(f"/rectifications/{item.pk}/progress/", {"text": "已公示"}).status_code == 302
    # With evidence, the note may be blank.
    assert rsj.post(f"/rectifications/{item.pk}/close/", {"note": ""}).status_code == 302
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_by == district.users["rsj"]
    assert Event.objects.filter(action="rectification_evidence_added", data__rectification=item.pk).count() == 1
    # Cancelling a closed item is refused (wrong state), and only the admin office may try.
    assert rsj.post(f"/rectifications/{item.pk}/cancel/", {"reason": "误发"}).status_code == 403
    r = zwb.post(f"/rectifications/{item.pk}/cancel/", {"reason": "误发"})
    assert r.status_code == 409 and "已完成整改" in r.content.decode()


def test_scope_a_unit_sees_its_own_and_those_below(district: District, monday: Any) -> None:
    town = open_item(district, unit="C-CH", dimension="", key="")
    rsj_item = open_item(district)
    listed = lambda name: {r["id"] for r in ok(district.api(name).get("/rectifications"))["results"]}  # noqa: E731
    assert listed("town_handler") == {town["id"]}
    assert listed("center_head") == {town["id"]}  # the town center is below FWZX
    assert listed("rsj") == {rsj_item["id"]}
    assert listed("ybj") == set()
    assert listed("overseer") == listed("admin_office") == {town["id"], rsj_item["id"]}
    assert district.api("ybj").get(f"/rectifications/{town['id']}").status_code == 404
    assert district.api("rsj").get(f"/rectifications/{town['id']}").status_code == 404
    # The parent center's head reads it but does not act for the town center.
    r = district.api("center_head").post(f"/rectifications/{town['id']}/progress", {"text": "代报"})
    assert r.status_code == 403
    assert ok(district.api("town_handler").post(f"/rectifications/{town['id']}/progress", {"text": "已整改"}))


def test_the_shrink_comparison_equals_a_raw_count(district: District) -> None:
    now = datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI)
    with time_machine.travel(now, tick=False):
        generate_cases(1500, start=datetime(2026, 4, 1, tzinfo=SHANGHAI), end=now - timedelta(hours=1), seed=21)
    with time_machine.travel(datetime(2026, 8, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        by_reason = open_item(district, unit="FWZX", dimension="reason", key="material_mismatch")
        # The department's matter with cases in both quarters (the most in the quieter one).
        held_by_rsj = Case.objects.filter(work_orders__unit=district.units["RSJ"]).exclude(matter=None)
        q3_matters = Counter(held_by_rsj.filter(received_at__gte=local("2026-07-01"), received_at__lt=local("2026-10-01"))
                             .values_list("matter__code", flat=True))
        q4_matters = Counter(held_by_rsj.filter(received_at__gte=local("2026-10-01")).values_list("matter__code", flat=True))
        rsj_matter = max(q3_matters, key=lambda code: (min(q3_matters[code], q4_matters[code]), code))
        by_matter = open_item(district, unit="RSJ", key=rsj_matter)
    with time_machine.travel(now, tick=False):
        fwzx = subtree_ids(district.units["FWZX"])
        held: dict[int, set[int]] = {}
        for case_id, unit_id in WorkOrder.objects.values_list("case_id", "unit_id"):
            held.setdefault(case_id, set()).add(unit_id)
        rows = list(Case.objects.values_list("pk", "received_at", "center_id", "reasons", "matter__code"))

        def raw(unit_ids: set[int], centers: bool, match: Any, start: date, end: date) -> int:
            return sum(1 for pk, received, center, reasons, matter in rows
                       if start <= received.astimezone(SHANGHAI).date() <= end and match(reasons, matter)
                       and ((centers and center in unit_ids) or held.get(pk, set()) & unit_ids))

        q3, q4 = (date(2026, 7, 1), date(2026, 9, 30)), (date(2026, 10, 1), date(2026, 12, 31))
        reason = lambda reasons, _m: "material_mismatch" in reasons  # noqa: E731
        matter = lambda _r, code: code == rsj_matter  # noqa: E731
        for name, item, units, centers, match in (("center_head", by_reason, fwzx, True, reason),
                                                  ("rsj", by_matter, {district.units["RSJ"].pk}, False, matter)):
            shown = ok(district.api(name).get(f"/rectifications/{item['id']}"))["shrink"]
            expected = (raw(units, centers, match, *q3), raw(units, centers, match, *q4))
            assert (shown["before"]["count"], shown["after"]["count"]) == expected, name
            assert expected[0] > 0 and expected[1] > 0, (name, expected)
            assert shown["before"]["quarter"] == "2026年第3季度" and shown["after"]["complete"] is False
            assert shown["verdict"] == "下一季度尚未结束，暂无结论"
            # The admin office counts the same cases (the unit's, all visible to it).
            assert ok(district.api("admin_office").get(f"/rectifications/{item['id']}"))["shrink"] == shown


def test_a_retried_opening_with_the_same_idempotency_key_opens_one(district: District, monday: Any) -> None:
    from banchengshi.idempotency.tests.test_idempotency_key import post

    zwb = district.api("admin_office")
    body = {"unit": "RSJ", "subject": "材料反复退回", "requirement": "一次告知"}
    first = post(zwb, body, "rect-0001", "/api/v1/rectifications")
    again = post(zwb, body, "rect-0001", "/api/v1/rectifications")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert Rectification.objects.count() == 1
    assert Event.objects.filter(action="rectification_opened").count() == 1
