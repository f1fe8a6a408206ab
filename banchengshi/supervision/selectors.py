"""User-scoped reads of notices and joint meetings: 404 for what a user may not see, 403 to act."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from banchengshi.accounts.access import SEES_EVERYTHING, Need, has_role_for
from banchengshi.accounts.choices import CENTER_STAFF, Role
from banchengshi.accounts.models import User
from banchengshi.cases.selectors import ActionForbidden, cases_visible_to
from banchengshi.supervision.models import FollowUpTask, JointMeeting, Notice

# Who acts for their own unit: sign for its notices, finish its tasks. Oversight only reads.
UNIT_STAFF = CENTER_STAFF | {Role.ADMIN_OFFICE}


def notices_visible_to(user: User) -> QuerySet[Notice]:
    notices = Notice.objects.all()
    if not has_role_for(user, Need.VIEW):
        return notices.none()
    if user.role in SEES_EVERYTHING:
        return notices
    if user.unit_id is None:
        return notices.none()
    return notices.filter(unit_id=user.unit_id)


def meetings_visible_to(user: User) -> QuerySet[JointMeeting]:
    meetings = JointMeeting.objects.all()
    if not has_role_for(user, Need.VIEW):
        return meetings.none()
    if user.role in SEES_EVERYTHING:
        return meetings
    links = JointMeeting.cases.through.objects.filter(
        jointmeeting_id=OuterRef("pk"), case_id__in=cases_visible_to(user).values("pk")
    )
    if user.unit_id is None:
        return meetings.filter(Exists(links))
    attends = JointMeeting.attendees.through.objects.filter(jointmeeting_id=OuterRef("pk"), unit_id=user.unit_id)
    holds_task = FollowUpTask.objects.filter(meeting_id=OuterRef("pk"), unit_id=user.unit_id)
    return meetings.filter(Exists(attends) | Exists(holds_task) | Exists(links))


def may_act_for_unit(user: User, unit_id: int) -> bool:
    return getattr(user, "role", None) in UNIT_STAFF and user.unit_id == unit_id


def access_notice(user: User, notice_id: int, *, acknowledge: bool = False) -> Notice:
    notice = notices_visible_to(user).select_related("unit", "case").filter(pk=notice_id).first()
    if notice is None:
        raise Http404("未找到该通报")
    if acknowledge and not may_act_for_unit(user, notice.unit_id):
        raise ActionForbidden("只有被通报单位的工作人员可以签收该通报")
    return notice


def access_meeting(user: User, meeting_id: int, need: Need = Need.VIEW) -> JointMeeting:
    meeting = meetings_visible_to(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("未找到该联席会议")
    if not has_role_for(user, need):
        raise ActionForbidden("只有政务服务办可以召开联席会议和录入会议结果")
    return meeting


def access_task(user: User, meeting_id: int, task_id: int) -> FollowUpTask:
    meeting = access_meeting(user, meeting_id)
    task = FollowUpTask.objects.select_related("unit").filter(meeting=meeting, pk=task_id).first()
    if task is None:
        raise Http404("未找到该交办任务")
    if not may_act_for_unit(user, task.unit_id):
        raise ActionForbidden("只有责任单位的工作人员可以办结该任务")
    return task
