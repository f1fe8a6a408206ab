"""Thin endpoints for notices (通报), joint meetings (联席会议) and rectifications (反馈整改): parse, access,
act, render."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Query, Router, Status

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import AuthedRequest
from banchengshi.accounts.selectors import unit_by_code
from banchengshi.cases.actions.base import InvalidInput
from banchengshi.cases.api import case_answer
from banchengshi.cases.models import Case
from banchengshi.cases.schemas import CaseOut, ResuperviseIn
from banchengshi.cases.selectors import ActionForbidden, access_case, cases_visible_to
from banchengshi.lib.pagination import PageParams, paginate
from banchengshi.lib.schemas import EmptyIn
from banchengshi.supervision import actions
from banchengshi.supervision.choices import RectificationStatus
from banchengshi.supervision.models import JointMeeting, Notice, Rectification
from banchengshi.supervision.presenters import (
    meeting_detail,
    meeting_summary,
    notice_out,
    rectification_out,
    with_meeting_relations,
    with_notice_relations,
    with_rectification_relations,
)
from banchengshi.supervision.schemas import (
    CompleteTaskIn,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    NoticeIn,
    NoticeOut,
    NoticePage,
    OutcomeIn,
    RectificationCloseIn,
    RectificationIn,
    RectificationOut,
    RectificationPage,
    RectificationProgressIn,
)
from banchengshi.supervision.selectors import (
    access_meeting,
    access_notice,
    access_rectification,
    access_task,
    filter_rectifications,
    meetings_visible_to,
    notices_visible_to,
    rectifications_visible_to,
    shrink,
)

notices_router = Router(tags=["通报"])
meetings_router = Router(tags=["联席会议"])
rectifications_router = Router(tags=["反馈整改"])
# POST /cases/{reference}/resupervise: mounted at /cases next to cases' own router (no path is shared).
cases_router = Router(tags=["反映件"])


def _case_by_reference(request: AuthedRequest, reference: str) -> Case:
    case = cases_visible_to(request.auth).filter(reference=reference).first()
    if case is None:
        raise InvalidInput(f"未找到反映件：{reference}")
    return case


@cases_router.post("/{reference}/resupervise", response=CaseOut, summary="再督办")
def resupervise(request: AuthedRequest, reference: str, payload: ResuperviseIn) -> dict[str, Any]:
    case = access_case(request.auth, reference, "resupervise")
    actions.do_resupervise_case(case, acting_user=request.auth, reason=payload.reason, days=payload.days)
    return case_answer(request, case)


def _require_supervisor(request: AuthedRequest, what: str) -> None:
    if not has_role_for(request.auth, Need.SUPERVISE):
        raise ActionForbidden(f"只有政务服务办可以{what}")


class NoticeFilters(PageParams):
    unread: bool | None = Field(None, description="true 只看未签收，false 只看已签收")
    kind: str | None = None
    case: str | None = Field(None, description="反映件登记编号")


@notices_router.get("", response=NoticePage, summary="通报列表（本单位收到的；政务服务办、纪委监委可看全部）")
def list_notices(request: AuthedRequest, filters: Query[NoticeFilters]) -> dict[str, Any]:
    notices = notices_visible_to(request.auth)
    if filters.unread is not None:
        notices = notices.filter(read_at__isnull=filters.unread)
    if filters.kind:
        notices = notices.filter(kind=filters.kind)
    if filters.case:
        notices = notices.filter(case__reference=filters.case)
    return paginate(notices, with_notice_relations(notices), filters.page, filters.page_size, notice_out)


@notices_router.post("", response={201: NoticeOut}, summary="发出通报")
def issue_notice(request: AuthedRequest, payload: NoticeIn) -> Status[dict[str, Any]]:
    _require_supervisor(request, "发出通报")
    notice = actions.do_issue_notice(
        acting_user=request.auth,
        unit=unit_by_code(payload.unit, "被通报单位"),
        case=_case_by_reference(request, payload.case) if payload.case else None,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
    )
    return Status(201, notice_out(with_notice_relations(Notice.objects.all()).get(pk=notice.pk)))


@notices_router.post("/{notice_id}/acknowledge", response=NoticeOut, summary="签收通报")
def acknowledge_notice(request: AuthedRequest, notice_id: int, payload: EmptyIn | None = None) -> dict[str, Any]:
    notice = access_notice(request.auth, notice_id, acknowledge=True)
    actions.do_acknowledge_notice(notice, acting_user=request.auth)
    return notice_out(with_notice_relations(Notice.objects.all()).get(pk=notice.pk))


class MeetingFilters(PageParams):
    case: str | None = Field(None, description="反映件登记编号")


def _detail(meeting_id: int) -> dict[str, Any]:
    return meeting_detail(with_meeting_relations(JointMeeting.objects.all()).get(pk=meeting_id))


@meetings_router.get("", response=MeetingPage, summary="联席会议列表")
def list_meetings(request: AuthedRequest, filters: Query[MeetingFilters]) -> dict[str, Any]:
    meetings = meetings_visible_to(request.auth)
    if filters.case:
        meetings = meetings.filter(cases__reference=filters.case)
    return paginate(meetings, with_meeting_relations(meetings), filters.page, filters.page_size, meeting_summary)


@meetings_router.post("", response={201: MeetingOut}, summary="召开联席会议（安康办法第十四条所列情形）")
def create_meeting(request: AuthedRequest, payload: MeetingIn) -> Status[dict[str, Any]]:
    _require_supervisor(request, "召开联席会议")
    meeting = actions.do_create_meeting(
        acting_user=request.auth,
        title=payload.title,
        criteria=payload.criteria,
        held_at=payload.held_at,
        place=payload.place,
        cases=[_case_by_reference(request, ref) for ref in dict.fromkeys(payload.cases)],
        attendee_units=[unit_by_code(code, "参会单位") for code in dict.fromkeys(payload.attendee_units)],
        attendee_names=payload.attendee_names,
        minutes=payload.minutes,
        decisions=payload.decisions,
    )
    return Status(201, _detail(meeting.pk))


@meetings_router.get("/{meeting_id}", response=MeetingOut, summary="联席会议详情")
def get_meeting(request: AuthedRequest, meeting_id: int) -> dict[str, Any]:
    return _detail(access_meeting(request.auth, meeting_id).pk)


@meetings_router.post("/{meeting_id}/outcome", response=MeetingOut, summary="录入会议纪要、议定事项和交办任务")
def record_outcome(request: AuthedRequest, meeting_id: int, payload: OutcomeIn) -> dict[str, Any]:
    meeting = access_meeting(request.auth, meeting_id, Need.SUPERVISE)
    tasks = [(unit_by_code(t.unit, "责任单位"), t.description, t.due_date) for t in payload.tasks]
    actions.do_record_meeting_outcome(
        meeting, acting_user=request.auth, minutes=payload.minutes, decisions=payload.decisions, tasks=tasks
    )
    return _detail(meeting.pk)


@meetings_router.post("/{meeting_id}/tasks/{task_id}/complete", response=MeetingOut, summary="办结交办任务")
def complete_task(request: AuthedRequest, meeting_id: int, task_id: int, payload: CompleteTaskIn) -> dict[str, Any]:
    task = access_task(request.auth, meeting_id, task_id)
    actions.do_complete_task(task, acting_user=request.auth, note=payload.note)
    return _detail(meeting_id)


class RectificationFilters(PageParams):
    status: RectificationStatus | None = Field(None, description="open / reported / closed / cancelled")
    unit: str | None = Field(None, max_length=32, description="整改单位编码")
    light: Literal["green", "yellow", "red"] | None = Field(None, description="进行中的整改按时限灯筛选")


def _rectification(item_id: int, user: Any, now: datetime) -> dict[str, Any]:
    item = with_rectification_relations(Rectification.objects.all()).get(pk=item_id)
    return rectification_out(item, now, shrink(item, user, now))


@rectifications_router.get("", response=RectificationPage, summary="反馈整改列表（本单位及下级；政务服务办、纪委监委可看全部）")
def list_rectifications(request: AuthedRequest, filters: Query[RectificationFilters]) -> dict[str, Any]:
    now = timezone.now()
    items = filter_rectifications(rectifications_visible_to(request.auth), filters.status, filters.unit, filters.light, now)
    return paginate(items, with_rectification_relations(items), filters.page, filters.page_size,
                    lambda item: rectification_out(item, now))


@rectifications_router.post("", response={201: RectificationOut}, summary="发起反馈整改（政务服务办）")
def open_rectification(request: AuthedRequest, payload: RectificationIn) -> Status[dict[str, Any]]:
    item = actions.do_open_rectification(
        acting_user=request.auth, unit=unit_by_code(payload.unit, "整改单位"), subject=payload.subject,
        requirement=payload.requirement, dimension=payload.dimension, key=payload.key, days=payload.days,
    )
    return Status(201, _rectification(item.pk, request.auth, timezone.now()))


@rectifications_router.get("/{rectification_id}", response=RectificationOut, summary="反馈整改详情（含堵点是否缩小）")
def get_rectification(request: AuthedRequest, rectification_id: int) -> dict[str, Any]:
    return _rectification(access_rectification(request.auth, rectification_id).pk, request.auth, timezone.now())


@rectifications_router.post("/{rectification_id}/progress", response=RectificationOut, summary="报告整改进展（整改单位）")
def report_rectification(request: AuthedRequest, rectification_id: int, payload: RectificationProgressIn) -> dict[str, Any]:
    item = access_rectification(request.auth, rectification_id, "report")
    actions.do_report_rectification(item, acting_user=request.auth, text=payload.text)
    return _rectification(item.pk, request.auth, timezone.now())


@rectifications_router.post("/{rectification_id}/close", response=RectificationOut, summary="完成整改（整改单位；须有佐证材料或完成情况）")
def close_rectification(request: AuthedRequest, rectification_id: int, payload: RectificationCloseIn) -> dict[str, Any]:
    item = access_rectification(request.auth, rectification_id, "close")
    actions.do_close_rectification(item, acting_user=request.auth, note=payload.note)
    return _rectification(item.pk, request.auth, timezone.now())
