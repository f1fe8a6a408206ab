"""User-scoped reads of notices, joint meetings and rectifications: 404 for what a user may not see, 403
to act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from banchengshi.accounts.access import SEES_EVERYTHING, Need, has_role_for
from banchengshi.accounts.choices import CENTER_STAFF, Role
from banchengshi.accounts.models import Unit, User
from banchengshi.cases.choices import Channel, Reason
from banchengshi.cases.selectors import ActionForbidden, cases_of_unit, cases_visible_to, units_in_scope_of
from banchengshi.dispatch.models import Matter
from banchengshi.sla.deadlines import SHANGHAI, light
from banchengshi.supervision.choices import Dimension, RectificationStatus
from banchengshi.supervision.models import FollowUpTask, JointMeeting, Notice, Rectification

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


# ---- 反馈整改 --------------------------------------------------------------------------------------------

RUNNING_RECTIFICATION = (RectificationStatus.OPEN, RectificationStatus.REPORTED)


def rectifications_visible_to(user: User) -> QuerySet[Rectification]:
    """The items of the units in the user's scope (a center's staff: their center and those below it; a
    department: itself); the admin office and oversight read all."""
    items = Rectification.objects.all()
    if not has_role_for(user, Need.VIEW):
        return items.none()
    if user.role in SEES_EVERYTHING:
        return items
    return items.filter(unit__in=units_in_scope_of(user))


def may_rectify(user: User, item: Rectification) -> bool:
    """Report progress, add evidence, close: the rectifying unit's own handlers, dispatchers and heads."""
    return has_role_for(user, Need.RECTIFY) and user.unit_id == item.unit_id


def rectification_refusal(user: User, item: Rectification, action: str) -> str:
    """Why `user` may not take `action` ("report", "evidence", "close", "cancel") on `item`, or ""."""
    if action == "cancel":
        return "" if has_role_for(user, Need.RECTIFY_OPEN) else "只有政务服务办可以撤销反馈整改"
    return "" if may_rectify(user, item) else "只有整改单位的处置专员、派单员或中心负责人可以报告整改进展、上传佐证材料和完成整改"


def access_rectification(user: User, item_id: int, action: str | None = None) -> Rectification:
    item = rectifications_visible_to(user).select_related("unit", "opened_by", "closed_by").filter(pk=item_id).first()
    if item is None:
        raise Http404("未找到该反馈整改")
    if action is not None and (why := rectification_refusal(user, item, action)):
        raise ActionForbidden(why)
    return item


def rectification_light(item: Rectification, now: datetime) -> str:
    """The item's light while it runs (as any clock's: sla.deadlines.light); "none" once closed or cancelled."""
    if item.status not in RUNNING_RECTIFICATION:
        return "none"
    return light(now, item.due_at, item.warn_at)


def rectifications_by_light(items: QuerySet[Rectification], colour: str, now: datetime) -> QuerySet[Rectification]:
    """The running items of one light, in the database (the list page's filter)."""
    running = items.filter(status__in=RUNNING_RECTIFICATION)
    if colour == "red":
        return running.filter(due_at__lt=now)
    if colour == "yellow":
        return running.filter(warn_at__lte=now, due_at__gte=now)
    return running.filter(warn_at__gt=now)


def filter_rectifications(
    items: QuerySet[Rectification], status: str | None, unit: str | None, colour: str | None, now: datetime
) -> QuerySet[Rectification]:
    """The list's filters (page and API alike): status, unit code, light."""
    if status:
        items = items.filter(status=status)
    if unit:
        items = items.filter(unit__code=unit)
    if colour:
        items = rectifications_by_light(items, colour, now)
    return items


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter `day` falls in."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    following = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, following - timedelta(days=1)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def dimension_filter(dimension: str, key: str) -> Q:
    """The cases a rectification's subject names, as the ledger's filter of the same name narrows them."""
    if dimension == Dimension.MATTER:
        return Q(matter__code=key)
    if dimension == Dimension.REASON:
        # The JSON list as text holds each code in quotes, on SQLite and PostgreSQL alike (the ledger's way).
        return Q(reasons__icontains=f'"{key}"')
    if dimension == Dimension.CHANNEL:
        return Q(channel=key)
    return Q()


def key_label(dimension: str, key: str) -> str:
    """The name a person reads for a rectification's key: the matter's name, the reason's, the channel's."""
    if dimension == Dimension.MATTER:
        name = Matter.objects.filter(code=key).values_list("name", flat=True).first()
        return f"{name}（{key}）" if name else key
    labels = {Dimension.REASON: dict(Reason.choices), Dimension.CHANNEL: dict(Channel.choices)}.get(Dimension(dimension), {}) if dimension else {}
    return str(labels.get(key, key))


@dataclass(frozen=True)
class QuarterCount:
    label: str
    start: date
    end: date
    count: int
    complete: bool  # the quarter has ended
    params: dict[str, str]  # the ledger's filters for these cases


@dataclass(frozen=True)
class Shrink:
    """Did the bottleneck shrink: the subject's cases at the unit in the quarter the item was opened and
    in the next one."""

    before: QuarterCount
    after: QuarterCount

    @property
    def verdict(self) -> str:
        if not self.after.complete:
            return "下一季度尚未结束，暂无结论"
        if self.after.count < self.before.count:
            return f"已减少 {self.before.count - self.after.count} 件"
        if self.after.count == self.before.count:
            return "持平"
        return f"增加 {self.after.count - self.before.count} 件"


def shrink(item: Rectification, user: User, now: datetime) -> Shrink:
    """The cases received at the item's unit matching its dimension and key (every case is a 办不成事 the
    unit failed to get done), counted by the database in one query: in the quarter the item was opened,
    and in the next. Only cases `user` may see are counted."""
    first = quarter_of(item.started_at.astimezone(SHANGHAI).date())
    second = quarter_of(first[1] + timedelta(days=1))
    cases = cases_of_unit(item.unit, cases_visible_to(user)).filter(dimension_filter(item.dimension, item.key))
    counts = cases.aggregate(**{
        name: Count("pk", filter=Q(received_at__gte=_day_start(lo), received_at__lt=_day_start(hi + timedelta(days=1))))
        for name, (lo, hi) in (("before", first), ("after", second))
    })
    extra = {item.dimension: item.key} if item.dimension and item.key else {}

    def quarter(name: str, lo: date, hi: date) -> QuarterCount:
        label = f"{lo.year}年第{(lo.month - 1) // 3 + 1}季度"
        params = {"scope": item.unit.code, "received_from": lo.isoformat(), "received_to": hi.isoformat(), **extra}
        return QuarterCount(label, lo, hi, counts[name], now >= _day_start(hi + timedelta(days=1)), params)

    return Shrink(quarter("before", *first), quarter("after", *second))


def rectification_counts(units: QuerySet[Unit], start: datetime, end: datetime, now: datetime) -> dict[int, dict[str, Any]]:
    """Per unit id: the items opened in [start, end) (cancelled ones left out), those closed by their due
    time, those closed after it, and those still running past it at `now` — one grouped query."""
    rows = (
        Rectification.objects.filter(unit__in=units, started_at__gte=start, started_at__lt=end)
        .exclude(status=RectificationStatus.CANCELLED)
        .values("unit_id")
        .annotate(
            opened=Count("pk"),
            closed_on_time=Count("pk", filter=Q(status=RectificationStatus.CLOSED, closed_at__lte=F("due_at"))),
            closed_late=Count("pk", filter=Q(status=RectificationStatus.CLOSED, closed_at__gt=F("due_at"))),
            running_overdue=Count("pk", filter=Q(status__in=RUNNING_RECTIFICATION, due_at__lt=now)),
        )
        .order_by()
    )
    return {row.pop("unit_id"): row for row in rows}
