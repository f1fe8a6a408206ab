"""联席会议: convened from cases for the Ankang criteria, decisions turned into tasks for units."""

from __future__ import annotations

from typing import Any

import pytest

from banchengshi.audit.models import Event
from banchengshi.cases.actions import InvalidInput
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.supervision.actions import do_create_meeting
from banchengshi.supervision.models import FollowUpTask, JointMeeting

HELD_AT = "2026-11-23T09:30:00+08:00"


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()


def meeting_body(*references: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "失业保险金申领难专题联席会议",
        "criteria": ["wide_impact", "cross_department_reform"],
        "held_at": HELD_AT,
        "place": "区政务服务办第一会议室",
        "cases": list(references),
        "attendee_units": ["RSJ", "YBJ"],
        "attendee_names": "区人社局副局长、区医保局科长",
    }
    body.update(overrides)
    return body


def test_meeting_from_two_cases_with_outcome_and_tasks(district: District, monday: Any) -> None:
    first = case_in(district, S.IN_PROGRESS)
    second = case_in(district, S.VISITED, description="失业登记信息与医保参保状态不一致，无法申领")
    zwb, rsj, ybj, scj = (district.api(n) for n in ("admin_office", "rsj", "ybj", "scj"))

    meeting = ok(zwb.post("/meetings", meeting_body(first.reference, second.reference)), 201)
    mid = meeting["id"]
    assert [c["code"] for c in meeting["criteria"]] == ["wide_impact", "cross_department_reform"]
    assert meeting["criteria"][0]["label"].startswith("涉及群众多")
    assert [c["reference"] for c in meeting["cases"]] == [first.reference, second.reference]
    assert [u["code"] for u in meeting["attendees"]] == ["RSJ", "YBJ"]
    assert meeting["held_at"] == "2026-11-23T09:30:00+08:00" and meeting["created_at"].endswith("+08:00")
    assert meeting["tasks"] == [] and meeting["outcome_recorded_at"] is None
    for case in (first, second):
        assert Event.objects.filter(case=case, action="joint_meeting_convened", data__meeting=mid).count() == 1

    # The departments that attend or hold the cases read it; one that has nothing to do with it does not.
    assert ok(rsj.get(f"/meetings/{mid}"))["title"] == meeting["title"]
    assert [m["id"] for m in ok(ybj.get("/meetings"))["results"]] == [mid]
    assert scj.get(f"/meetings/{mid}").status_code == 404
    assert ok(scj.get("/meetings"))["count"] == 0
    assert ok(district.api("overseer").get(f"/meetings/{mid}"))["id"] == mid

    outcome = {
        "minutes": "会议听取了区人社局关于失业登记数据推送情况的汇报。",
        "decisions": "一、区人社局牵头打通失业登记数据推送；二、区医保局核对参保状态。",
        "tasks": [
            {"unit": "RSJ", "description": "完成失业登记数据自动推送改造", "due_date": "2026-11-27"},
            {"unit": "YBJ", "description": "核对两件反映件所涉人员参保状态", "due_date": "2026-11-25"},
        ],
    }
    r = rsj.post(f"/meetings/{mid}/outcome", outcome)
    assert r.status_code == 403 and "政务服务办" in r.json()["detail"]
    assert scj.post(f"/meetings/{mid}/outcome", outcome).status_code == 404
    meeting = ok(zwb.post(f"/meetings/{mid}/outcome", outcome))
    assert meeting["decisions"].startswith("一、区人社局") and meeting["outcome_recorded_at"].endswith("+08:00")
    tasks = {t["unit"]["code"]: t for t in meeting["tasks"]}
    assert tasks["YBJ"]["due_date"] == "2026-11-25" and tasks["YBJ"]["done_at"] is None
    assert meeting["open_tasks"] == 2
    assert Event.objects.filter(action="joint_meeting_outcome", data__meeting=mid).count() == 2

    # A department finishes its own task; not another's, and oversight only reads.
    done = {"note": "已逐一核对，参保状态均已更正。"}
    ybj_task, rsj_task = tasks["YBJ"]["id"], tasks["RSJ"]["id"]
    assert ybj.post(f"/meetings/{mid}/tasks/{rsj_task}/complete", done).status_code == 403
    assert district.api("overseer").post(f"/meetings/{mid}/tasks/{ybj_task}/complete", done).status_code == 403
    assert scj.post(f"/meetings/{mid}/tasks/{ybj_task}/complete", done).status_code == 404
    meeting = ok(ybj.post(f"/meetings/{mid}/tasks/{ybj_task}/complete", done))
    finished = next(t for t in meeting["tasks"] if t["id"] == ybj_task)
    assert finished["done_at"].endswith("+08:00") and finished["done_note"] == done["note"] and not finished["overdue"]
    assert meeting["open_tasks"] == 1
    r = ybj.post(f"/meetings/{mid}/tasks/{ybj_task}/complete", done)
    assert r.status_code == 409 and "已于" in r.json()["detail"]
    assert Event.objects.filter(action="follow_up_task_done", data__task=ybj_task).count() == 2  # one per case
    assert FollowUpTask.objects.get(pk=rsj_task).done_at is None

    # Recording again amends the decisions and adds tasks; a task is a department's way into the meeting.
    more = {**outcome, "decisions": outcome["decisions"] + "三、区市场监管局配合。",
            "tasks": [{"unit": "SCJGJ", "description": "核查涉及企业登记信息", "due_date": "2026-11-30"}]}
    meeting = ok(zwb.post(f"/meetings/{mid}/outcome", more))
    assert len(meeting["tasks"]) == 3 and meeting["decisions"].endswith("区市场监管局配合。")
    scj_task = next(t["id"] for t in meeting["tasks"] if t["unit"]["code"] == "SCJGJ")
    assert [m["id"] for m in ok(scj.get("/meetings"))["results"]] == [mid]
    ok(scj.post(f"/meetings/{mid}/tasks/{scj_task}/complete", {"note": "已核查"}))
    assert Event.objects.filter(action="joint_meeting_outcome", data__amended=True).count() == 2


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (["leader_instruction", "celebrity_complaint"], "召开联席会议的情形取值无效"),
        ([], "请至少选择一项召开联席会议的情形"),
    ],
)
def test_bad_criteria_store_nothing(district: District, monday: Any, criteria: list[str], message: str) -> None:
    case = case_in(district, S.IN_PROGRESS)
    r = district.api("admin_office").post("/meetings", meeting_body(case.reference, criteria=criteria))
    assert r.status_code == 422 and message in r.json()["detail"]
    assert JointMeeting.objects.count() == 0
    assert not Event.objects.filter(action="joint_meeting_convened").exists()


def test_meeting_needs_a_case_and_the_admin_office(district: District, monday: Any) -> None:
    case = case_in(district, S.IN_PROGRESS)
    zwb = district.api("admin_office")
    r = zwb.post("/meetings", meeting_body())
    assert r.status_code == 422 and "至少关联一件反映件" in r.json()["detail"]
    r = zwb.post("/meetings", meeting_body("BC000000000000"))
    assert r.status_code == 422 and "未找到反映件" in r.json()["detail"]
    for name in ("dispatcher", "rsj", "overseer"):
        r = district.api(name).post("/meetings", meeting_body(case.reference))
        assert r.status_code == 403 and r.json()["detail"]
    assert JointMeeting.objects.count() == 0


def test_every_case_must_be_visible_to_the_convener(district: District, monday: Any) -> None:
    case = case_in(district, S.IN_PROGRESS)  # held by RSJ only
    with pytest.raises(InvalidInput, match="未找到反映件"):
        do_create_meeting(
            acting_user=district.users["ybj"], title="会议", criteria=["other"], held_at=case.received_at,
            place="", cases=[case], attendee_units=[], attendee_names="",
        )
    assert JointMeeting.objects.count() == 0


def test_outcome_waits_until_the_meeting_is_held(district: District, monday: Any) -> None:
    case = case_in(district, S.IN_PROGRESS)
    zwb = district.api("admin_office")
    mid = ok(zwb.post("/meetings", meeting_body(case.reference, held_at="2026-11-25T14:00:00+08:00")), 201)["id"]
    r = zwb.post(f"/meetings/{mid}/outcome", {"decisions": "提前录入"})
    assert r.status_code == 409 and "召开后方可录入" in r.json()["detail"]
    r = zwb.post(f"/meetings/{mid}/outcome", {"decisions": "x", "tasks": [{"unit": "RSJ", "description": "y", "due_date": "2026-11-01"}]})
    assert r.status_code == 409  # still not held: the date check does not even run
    monday.move_to("2026-11-25T16:00:00+08:00")
    r = zwb.post(f"/meetings/{mid}/outcome", {"decisions": "x", "tasks": [{"unit": "RSJ", "description": "y", "due_date": "2026-11-24"}]})
    assert r.status_code == 422 and "早于今天" in r.json()["detail"]
    r = zwb.post(f"/meetings/{mid}/outcome", {"decisions": "x", "tasks": [{"unit": "JWJW", "description": "y", "due_date": "2026-11-30"}]})
    assert r.status_code == 422 and "不能作为责任单位" in r.json()["detail"]
    assert FollowUpTask.objects.count() == 0
    assert ok(zwb.post(f"/meetings/{mid}/outcome", {"decisions": "由区人社局牵头整改"}))["decisions"] == "由区人社局牵头整改"


def test_meeting_list_query_count_does_not_grow(
    district: District, monday: Any, django_assert_max_num_queries: Any
) -> None:
    zwb = district.api("admin_office")
    references = [case_in(district, S.IN_PROGRESS).reference for _ in range(3)]
    for ref in references:
        mid = ok(zwb.post("/meetings", meeting_body(ref, *references)), 201)["id"]
        ok(zwb.post(f"/meetings/{mid}/outcome", {"decisions": "议定", "tasks": [
            {"unit": "RSJ", "description": "整改", "due_date": "2026-11-30"},
        ]}))
    rsj = district.api("rsj")
    rsj.get("/meetings")  # the token's first use writes last_used_at
    with django_assert_max_num_queries(6):
        listing = ok(rsj.get("/meetings"))
    assert listing["count"] == 3 and all(m["open_tasks"] == 1 for m in listing["results"])
