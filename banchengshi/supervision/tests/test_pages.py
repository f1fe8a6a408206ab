"""Joint meetings and notices in the workbench."""

from __future__ import annotations

from typing import Any

from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.supervision.models import JointMeeting, Notice


def login(district: District, name: str) -> Client:
    client = Client()
    sign_in(client, district.users[name])
    return client


def test_a_meeting_from_two_cases_with_tasks_done_by_a_department(district: District, monday: Any) -> None:
    first, second = case_in(district, S.IN_PROGRESS), case_in(district, S.UNDER_REVIEW)
    zwb = login(district, "admin_office")
    form = zwb.get("/meetings/new/", {"cases": first.reference})
    assert form.status_code == 200 and first.reference in form.content.decode()
    response = zwb.post("/meetings/new/", {
        "title": "失业金申领证明材料专题会", "criteria": ["wide_impact", "cross_department_reform"],
        "held_at": "2026-11-23T09:30", "place": "三楼会议室", "cases": f"{first.reference}，{second.reference}",
        "attendee_units": [district.units["RSJ"].pk, district.units["SCJGJ"].pk], "attendee_names": "人社局张科长",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    meeting = JointMeeting.objects.get()
    assert set(meeting.cases.values_list("reference", flat=True)) == {first.reference, second.reference}
    response = zwb.post(f"/meetings/{meeting.pk}/outcome/", {
        "minutes": "会议听取了人社局的情况说明", "decisions": "企业已注销的，以注销证明替代解除劳动合同证明",
        "task_unit": ["RSJ", ""], "task_description": ["修订一次性告知单", ""], "task_due": ["2026-11-30", ""],
    })
    assert response.status_code == 302
    task = meeting.tasks.get()
    page = login(district, "rsj").get(f"/meetings/{meeting.pk}/").content.decode()
    assert "修订一次性告知单" in page and "报告完成" in page
    assert login(district, "ybj").get(f"/meetings/{meeting.pk}/").status_code == 404
    assert login(district, "scj").post(f"/meetings/{meeting.pk}/tasks/{task.pk}/complete/", {"note": "x"}).status_code == 403
    response = login(district, "rsj").post(f"/meetings/{meeting.pk}/tasks/{task.pk}/complete/", {"note": "已修订并公布"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_note == "已修订并公布"
    timeline = login(district, "rsj").get(f"/cases/{first.reference}/").content.decode()
    assert "召开联席会议" in timeline and "交办任务完成" in timeline


def test_meeting_form_errors_keep_nothing(district: District, monday: Any) -> None:
    case = case_in(district, S.IN_PROGRESS)
    zwb = login(district, "admin_office")
    response = zwb.post("/meetings/new/", {"title": "x", "held_at": "2026-11-23T09:30", "cases": case.reference})
    assert response.status_code == 422
    response = zwb.post("/meetings/new/", {"title": "x", "criteria": ["other"], "held_at": "2026-11-23T09:30",
                                            "cases": "BC000000000000"})
    assert response.status_code == 422 and "未找到反映件" in response.content.decode()
    assert not JointMeeting.objects.exists()
    assert login(district, "rsj").get("/meetings/new/").status_code == 403


def test_resupervision_notice_reaches_the_units_home_and_is_signed(district: District, monday: Any) -> None:
    case = case_in(district, S.RESUPERVISED)
    notice = Notice.objects.get(case=case)
    rsj = login(district, "rsj")
    home = rsj.get("/").content.decode()
    assert "待签收的通报" in home and case.reference in home
    assert "待签收的通报" not in login(district, "ybj").get("/").content.decode()
    assert login(district, "ybj").post(f"/notices/{notice.pk}/acknowledge/").status_code == 404
    assert rsj.post(f"/notices/{notice.pk}/acknowledge/").status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "待签收的通报" not in rsj.get("/").content.decode()


def test_a_refused_task_report_keeps_its_note(district: District, monday: Any) -> None:
    case = case_in(district, S.IN_PROGRESS)
    zwb = login(district, "admin_office")
    zwb.post("/meetings/new/", {"title": "专题会", "criteria": ["other"], "held_at": "2026-11-23T09:30",
                                "cases": case.reference, "attendee_units": [district.units["RSJ"].pk]})
    meeting = JointMeeting.objects.get()
    zwb.post(f"/meetings/{meeting.pk}/outcome/", {"decisions": "人社局修订告知单", "task_unit": ["RSJ"],
                                                  "task_description": ["修订告知单"], "task_due": ["2026-11-30"]})
    task = meeting.tasks.get()
    note = "已修订。" * 1001
    response = login(district, "rsj").post(f"/meetings/{meeting.pk}/tasks/{task.pk}/complete/", {"note": note})
    page = response.content.decode()
    assert response.status_code == 422 and f'value="{note}"' in page
    assert '<div class="invalid-feedback d-block" role="alert">完成情况不能超过4000字</div>' in page
