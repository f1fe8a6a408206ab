"""Re-supervision (再督办), notices (通报), joint meetings (联席会议) and rectifications (反馈整改): one
transaction each, an event on every linked case (a rectification's events name the item, not a case).
Supervision sits above cases: it calls cases' building blocks, never the reverse."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit, User
from banchengshi.audit.events import record_event
from banchengshi.cases.actions.attachments import read_upload
from banchengshi.cases.actions.base import ActionError, InvalidInput, lock_case, move, require_text
from banchengshi.cases.actions.closing import lead_reply
from banchengshi.cases.choices import CaseStatus, Channel, Reason, WorkOrderRole
from banchengshi.cases.clocks import on_event
from banchengshi.cases.models import Case, Resupervision, WorkOrder
from banchengshi.cases.selectors import ActionForbidden, awaits_resupervision, cases_visible_to
from banchengshi.dispatch.models import Matter
from banchengshi.lib import uploads
from banchengshi.sla.choices import ClockEvent
from banchengshi.sla.clock_rules import ITEM_RULES
from banchengshi.sla.services import due_for, effective_policy
from banchengshi.supervision.choices import Dimension, MeetingCriterion, NoticeKind, RectificationStatus
from banchengshi.supervision.models import (
    FollowUpTask,
    JointMeeting,
    Notice,
    NoticeCounter,
    Rectification,
    RectificationEvidence,
    RectificationProgress,
)
from banchengshi.supervision.selectors import rectification_refusal


def _optional_text(value: str, label: str, *, limit: int = 4000) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}字")
    return value


def _check_target_unit(unit: Unit, label: str) -> None:
    """Notices and tasks go to units that handle cases (or to the admin office itself), never to oversight."""
    if not unit.is_active or unit.kind == UnitKind.OVERSIGHT:
        raise InvalidInput(f"“{unit.name}”不能作为{label}")


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _criteria(values: Sequence[str]) -> list[str]:
    criteria = list(dict.fromkeys(values or []))
    if not criteria:
        raise InvalidInput("请至少选择一项召开联席会议的情形")
    for value in criteria:
        if value not in MeetingCriterion.values:
            options = "、".join(f"{v}（{label}）" for v, label in MeetingCriterion.choices)
            raise InvalidInput(f"召开联席会议的情形取值无效：{value!r}，可选 {options}")
    return criteria


def _meeting_cases(meeting: JointMeeting) -> list[Case]:
    return list(meeting.cases.order_by("pk"))


@transaction.atomic
def do_issue_notice(
    *, acting_user: User, unit: Unit, case: Case | None = None, kind: str, title: str, body: str
) -> Notice:
    """通报 to `unit`; about `case` when given (再督办 and 超时 notices always are)."""
    if kind not in NoticeKind.values:
        options = "、".join(f"{v}（{label}）" for v, label in NoticeKind.choices)
        raise InvalidInput(f"通报类型取值无效：{kind!r}，可选 {options}")
    if kind != NoticeKind.GENERAL and case is None:
        raise InvalidInput(f"“{NoticeKind(kind).label}”须关联反映件")
    _check_target_unit(unit, "被通报单位")
    title = require_text(title, "通报标题", limit=200)
    body = require_text(body, "通报内容")
    now = timezone.now()
    year, sequence = next_notice_sequence(now)
    organ = acting_user.unit.name if acting_user.unit is not None else ""
    notice = Notice.objects.create(
        unit=unit, case=case, kind=kind, title=title, body=body, issued_by=acting_user, issued_at=now,
        year=year, sequence=sequence, organ=organ, number=notice_number(year, sequence),
    )
    record_event("notice_issued", actor=acting_user, case=case, at=now, notice=notice.pk, kind=kind,
                 kind_label=str(NoticeKind(kind).label), unit=unit.name, title=title, body=body, number=notice.number)
    return notice


def next_notice_sequence(at: datetime) -> tuple[int, int]:
    """The year's next 通报 sequence, inside the caller's transaction. The year's row is created first if
    missing (INSERT … ON CONFLICT DO NOTHING), then locked (SELECT … FOR UPDATE on PostgreSQL; on SQLite every
    transaction is BEGIN IMMEDIATE, holding the write lock), so two notices issued at once never share a number."""
    year = timezone.localdate(at).year
    NoticeCounter.objects.bulk_create([NoticeCounter(year=year)], ignore_conflicts=True)
    counter = NoticeCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return year, counter.last


def notice_number(year: int, sequence: int) -> str:
    """示政服办通〔2026〕3号: the organ's prefix (settings.NOTICE_NUMBER_PREFIX), the year in 六角括号, the sequence."""
    return f"{settings.NOTICE_NUMBER_PREFIX}〔{year}〕{sequence}号"


@transaction.atomic
def do_acknowledge_notice(notice: Notice, *, acting_user: User) -> Notice:
    """签收: someone of the notified unit has read it."""
    notice = Notice.objects.select_for_update(of=("self",)).select_related("unit", "case").get(pk=notice.pk)
    if notice.read_at is not None:
        raise ActionError(f"该通报已于 {_local(notice.read_at)} 签收")
    now = timezone.now()
    notice.read_at = now
    notice.acknowledged_by = acting_user
    notice.save(update_fields=["read_at", "acknowledged_by"])
    record_event("notice_acknowledged", actor=acting_user, case=notice.case, at=now,
                 notice=notice.pk, unit=notice.unit.name, title=notice.title)
    return notice


@transaction.atomic
def do_create_meeting(
    *,
    acting_user: User,
    title: str,
    criteria: Sequence[str],
    held_at: datetime,
    place: str,
    cases: Sequence[Case],
    attendee_units: Sequence[Unit],
    attendee_names: str,
    minutes: str = "",
    decisions: str = "",
) -> JointMeeting:
    """联席会议 on one or more cases, for at least one of the Ankang criteria (第十四条)."""
    title = require_text(title, "会议名称", limit=200)
    codes = _criteria(criteria)
    linked = list({c.pk: c for c in cases}.values())
    if not linked:
        raise InvalidInput("请至少关联一件反映件")
    visible = set(cases_visible_to(acting_user).filter(pk__in=[c.pk for c in linked]).values_list("pk", flat=True))
    unseen = [c.reference for c in linked if c.pk not in visible]
    if unseen:
        raise InvalidInput(f"未找到反映件：{'、'.join(unseen)}")
    for case in linked:
        if case.status == CaseStatus.MERGED:
            raise InvalidInput(f"{case.reference} 已并单，请关联其主件")
    units = list({u.pk: u for u in attendee_units}.values())
    for unit in units:
        if not unit.is_active:
            raise InvalidInput(f"“{unit.name}”已停用，不能作为参会单位")
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    now = timezone.now()
    meeting = JointMeeting.objects.create(
        title=title,
        criteria=codes,
        held_at=held_at,
        place=_optional_text(place, "会议地点", limit=200),
        convened_by=acting_user,
        attendee_names=_optional_text(attendee_names, "参会人员"),
        minutes=_optional_text(minutes, "会议纪要", limit=20000),
        decisions=_optional_text(decisions, "议定事项", limit=20000),
    )
    meeting.cases.set(linked)
    meeting.attendees.set(units)
    labels = [str(MeetingCriterion(c).label) for c in codes]
    for case in sorted(linked, key=lambda c: c.pk):
        record_event("joint_meeting_convened", actor=acting_user, case=case, at=now, meeting=meeting.pk,
                     title=title, criteria=codes, criteria_labels=labels, held_at=held_at,
                     attendees=[u.name for u in units])
    return meeting


@transaction.atomic
def do_record_meeting_outcome(
    meeting: JointMeeting,
    *,
    acting_user: User,
    minutes: str,
    decisions: str,
    tasks: Sequence[tuple[Unit, str, date]] = (),
) -> JointMeeting:
    """会议纪要 and 议定事项, with each decision's follow-up assigned to a unit by a date.
    Recording again amends the minutes and decisions and adds the new tasks."""
    meeting = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
    now = timezone.now()
    if meeting.held_at > now:
        raise ActionError(f"会议定于 {_local(meeting.held_at)} 召开，召开后方可录入会议结果")
    decisions = require_text(decisions, "议定事项", limit=20000)
    minutes = _optional_text(minutes, "会议纪要", limit=20000)
    today = timezone.localdate(now)
    checked = []
    for unit, description, due_date in tasks:
        _check_target_unit(unit, "责任单位")
        if due_date < today:
            raise InvalidInput(f"“{unit.name}”的任务完成期限 {due_date} 早于今天")
        checked.append((unit, require_text(description, "任务内容"), due_date))
    amended = meeting.outcome_recorded_at is not None
    meeting.minutes = minutes
    meeting.decisions = decisions
    meeting.outcome_recorded_at = now
    meeting.save(update_fields=["minutes", "decisions", "outcome_recorded_at"])
    created = [
        FollowUpTask.objects.create(meeting=meeting, unit=unit, description=text, due_date=due, created_at=now)
        for unit, text, due in checked
    ]
    summary = [{"task": t.pk, "unit": t.unit.name, "description": t.description, "due_date": t.due_date} for t in created]
    for case in _meeting_cases(meeting):
        record_event("joint_meeting_outcome", actor=acting_user, case=case, at=now, meeting=meeting.pk,
                     title=meeting.title, decisions=decisions, tasks=summary, amended=amended)
    return meeting


@transaction.atomic
def do_complete_task(task: FollowUpTask, *, acting_user: User, note: str) -> FollowUpTask:
    """The responsible unit reports the task done."""
    task = FollowUpTask.objects.select_for_update(of=("self",)).select_related("unit", "meeting").get(pk=task.pk)
    if task.done_at is not None:
        raise ActionError(f"该任务已于 {_local(task.done_at)} 办结")
    now = timezone.now()
    task.done_note = require_text(note, "完成情况")
    task.done_at = now
    task.done_by = acting_user
    task.save(update_fields=["done_note", "done_at", "done_by"])
    late = timezone.localdate(now) > task.due_date
    for case in _meeting_cases(task.meeting):
        record_event("follow_up_task_done", actor=acting_user, case=case, at=now, meeting=task.meeting_id,
                     task=task.pk, unit=task.unit.name, description=task.description, note=task.done_note, late=late)
    return task


@transaction.atomic
def do_resupervise_case(case: Case, *, acting_user: User, reason: str, days: int | None = None) -> Resupervision:
    """再督办: a new limit for the lead unit (chosen within the policy) and a notice (通报) to it."""
    case = lock_case(case, "resupervise")
    reason = require_text(reason, "再督办原因")
    if not awaits_resupervision(case):
        raise ActionError("最近一次回访满意且问题已解决，无需再督办")
    policy = effective_policy(case.center)
    days = policy.rectification_days if days is None else days
    if not 1 <= days <= policy.rectification_max_days:
        raise InvalidInput(f"整改时限须为 1 至 {policy.rectification_max_days} 个工作日")
    now = timezone.now()
    lead = lead_reply(case)
    unit = lead.unit if lead is not None else case.center
    supervision = Resupervision.objects.create(case=case, unit=unit, reason=reason, created_by=acting_user, created_at=now)
    case.resupervision_count += 1
    case.review_approved_at = None
    case.reporter_confirmed = False
    case.closure_basis = ""
    case.closed_at = None
    move(case, "resupervise", actor=acting_user, action="resupervised", at=now,
         fields=("resupervision_count", "review_approved_at", "reporter_confirmed", "closure_basis", "closed_at"),
         reason=reason, unit=unit.name, days=days)
    order = WorkOrder.objects.create(case=case, unit=unit, role=WorkOrderRole.LEAD, created_by=acting_user, created_at=now,
                                     next_due_at=case.next_due_at)
    # The 通报 is a Notice row the unit signs for.
    do_issue_notice(
        acting_user=acting_user, unit=unit, case=case, kind=NoticeKind.RESUPERVISION,
        title=f"关于反映件{case.reference}的再督办通报", body=reason,
    )
    on_event(case, ClockEvent.RESUPERVISED, now, work_order=order, days=days)
    return supervision


# ---- 反馈整改 --------------------------------------------------------------------------------------------

RECTIFICATION_CLOCK = ITEM_RULES["unit_rectification"]
RECTIFYING_KINDS = (UnitKind.DEPARTMENT, UnitKind.SERVICE_CENTER)
R = RectificationStatus
RUNNING = frozenset({R.OPEN, R.REPORTED})
# The only states a rectification moves between, and the only writer of its status (`_move`).
RECTIFICATION_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "report": (RUNNING, R.REPORTED),
    "close": (RUNNING, R.CLOSED),
    "cancel": (RUNNING, R.CANCELLED),
}
MOVE_EVENTS = {"report": "rectification_progress", "close": "rectification_closed", "cancel": "rectification_cancelled"}


def rectification_days(unit: Unit) -> tuple[int, int]:
    """The working days given by default, and the most that may be chosen, at `unit` (its policy)."""
    policy = effective_policy(unit)
    return getattr(policy, RECTIFICATION_CLOCK.limit), getattr(policy, RECTIFICATION_CLOCK.max_limit)


def _lock(item: Rectification, action: str, user: User) -> Rectification:
    item = Rectification.objects.select_for_update(of=("self",)).select_related("unit").get(pk=item.pk)
    if why := rectification_refusal(user, item, action):
        raise ActionForbidden(why)
    allowed, _target = RECTIFICATION_MOVES.get(action, (RUNNING, ""))
    if item.status not in allowed:
        raise ActionError(f"该反馈整改{R(item.status).label}，不能再{ACTION_WORDS[action]}")
    return item


ACTION_WORDS = {"report": "报告进展", "close": "完成整改", "cancel": "撤销", "evidence": "上传佐证材料"}


def _move(item: Rectification, action: str, *, actor: User, at: datetime, fields: Sequence[str] = (), **data: Any) -> None:
    """The one writer of a rectification's status: to the target `RECTIFICATION_MOVES` names, with its event."""
    before = item.status
    item.status = RECTIFICATION_MOVES[action][1]
    item.save(update_fields=["status", *fields])
    record_event(MOVE_EVENTS[action], actor=actor, at=at, before=before, after=item.status, rectification=item.pk,
                 unit=item.unit.name, subject=item.subject, **data)


def _dimension(dimension: str, key: str) -> tuple[str, str]:
    dimension, key = (dimension or "").strip(), (key or "").strip()
    if not dimension:
        if key:
            raise InvalidInput("填写了维度取值，请同时选择统计维度", field="dimension")
        return "", ""
    if dimension not in Dimension.values:
        options = "、".join(f"{v}（{label}）" for v, label in Dimension.choices)
        raise InvalidInput(f"统计维度取值无效：{dimension!r}，可选 {options}", field="dimension")
    if not key:
        raise InvalidInput(f"请填写{Dimension(dimension).label}编码", field="key")
    known = {
        Dimension.MATTER: lambda: Matter.objects.filter(code=key).exists(),
        Dimension.REASON: lambda: key in Reason.values,
        Dimension.CHANNEL: lambda: key in Channel.values,
    }[Dimension(dimension)]()
    if not known:
        raise InvalidInput(f"未找到{Dimension(dimension).label}：{key}", field="key")
    return dimension, key


@transaction.atomic
def do_open_rectification(
    *, acting_user: User, unit: Unit, subject: str, requirement: str, dimension: str = "", key: str = "",
    days: int | None = None,
) -> Rectification:
    """反馈整改: the admin office asks `unit` to remove a bottleneck within `days` working days (the policy's
    default when None), due as `sla.services.due_for` counts them on the statutory calendar."""
    if not has_role_for(acting_user, Need.RECTIFY_OPEN):
        raise ActionForbidden("只有政务服务办可以发起反馈整改")
    if not unit.is_active or unit.kind not in RECTIFYING_KINDS:
        raise InvalidInput(f"“{unit.name}”不能作为整改单位（须为部门或政务服务中心）", field="unit")
    subject = require_text(subject, "整改事项", limit=200)
    requirement = require_text(requirement, "整改要求")
    dimension, key = _dimension(dimension, key)
    default, most = rectification_days(unit)
    days = default if days is None else days
    if not 1 <= days <= most:
        raise InvalidInput(f"整改时限须为 1 至 {most} 个工作日", field="days")
    now = timezone.now()
    due = due_for(now, days, unit)
    item = Rectification.objects.create(
        unit=unit, subject=subject, dimension=dimension, key=key, requirement=requirement, days=days,
        opened_by=acting_user, started_at=now, due_at=due.due_at, warn_at=due.warn_at,
    )
    record_event("rectification_opened", actor=acting_user, at=now, after=item.status, rectification=item.pk,
                 unit=unit.name, subject=subject, dimension=dimension, key=key, requirement=requirement, days=days,
                 due_at=due.due_at)
    return item


@transaction.atomic
def do_report_rectification(item: Rectification, *, acting_user: User, text: str) -> RectificationProgress:
    """The unit reports what it has changed so far."""
    item = _lock(item, "report", acting_user)
    text = require_text(text, "整改进展")
    now = timezone.now()
    entry = RectificationProgress.objects.create(rectification=item, text=text, at=now, by=acting_user)
    _move(item, "report", actor=acting_user, at=now, progress=entry.pk, text=text)
    return entry


@transaction.atomic
def do_add_rectification_evidence(item: Rectification, *, acting_user: User, upload: UploadedFile) -> RectificationEvidence:
    """整改佐证材料: allowed by its content (lib/uploads.py) within the attachments' size and count limits."""
    item = _lock(item, "evidence", acting_user)
    try:
        checked = uploads.check_file(read_upload(upload), upload.name or "", max_bytes=settings.ATTACHMENT_MAX_BYTES)
    except uploads.FileRefused as exc:
        raise InvalidInput(str(exc), field="file") from exc
    limit = settings.ATTACHMENT_MAX_PER_CASE
    if item.evidence.count() >= limit:
        raise InvalidInput(f"每项反馈整改最多 {limit} 份佐证材料", field="file")
    now = timezone.now()
    evidence = RectificationEvidence(rectification=item, name=checked.name, size=len(checked.content),
                                     content_type=checked.content_type, uploaded_by=acting_user, uploaded_at=now)
    evidence.file.save(f"upload{uploads.SUFFIXES[checked.kind]}", ContentFile(checked.content), save=False)
    evidence.save()
    record_event("rectification_evidence_added", actor=acting_user, at=now, rectification=item.pk, unit=item.unit.name,
                 name=evidence.name, size=evidence.size, kind=checked.kind)
    return evidence


@transaction.atomic
def do_close_rectification(item: Rectification, *, acting_user: User, note: str) -> Rectification:
    """整改完成: with evidence uploaded, or a note saying what was changed (or both)."""
    item = _lock(item, "close", acting_user)
    note = _optional_text(note, "整改完成情况")
    if not note and not item.evidence.exists():
        raise InvalidInput("请上传整改佐证材料或填写整改完成情况后再完成整改", field="note")
    now = timezone.now()
    item.closed_at, item.closed_by, item.closing_note = now, acting_user, note
    _move(item, "close", actor=acting_user, at=now, fields=("closed_at", "closed_by", "closing_note"), note=note,
          late=now > item.due_at, evidence=item.evidence.count())
    return item


@transaction.atomic
def do_cancel_rectification(item: Rectification, *, acting_user: User, reason: str) -> Rectification:
    """The admin office withdraws an item opened in error; it no longer counts."""
    item = _lock(item, "cancel", acting_user)
    reason = require_text(reason, "撤销原因")
    now = timezone.now()
    item.closed_at, item.closed_by, item.closing_note = now, acting_user, reason
    _move(item, "cancel", actor=acting_user, at=now, fields=("closed_at", "closed_by", "closing_note"), reason=reason)
    return item
