"""Notices, meetings and rectifications as the API shows them; times in Beijing time (+08:00)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case
from banchengshi.supervision.choices import MeetingCriterion, NoticeKind, RectificationStatus
from banchengshi.supervision.models import (
    FollowUpTask,
    JointMeeting,
    Notice,
    Rectification,
    RectificationEvidence,
    RectificationProgress,
)
from banchengshi.supervision.selectors import Shrink, rectification_light


def _unit(unit: Any) -> dict[str, str]:
    return {"code": unit.code, "name": unit.name}


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else timezone.localtime(moment)


def _person(user: User | None) -> str | None:
    return None if user is None else str(user)


def with_notice_relations(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.select_related("unit", "case", "issued_by", "acknowledged_by")


def notice_out(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "number": notice.number,
        "unit": _unit(notice.unit),
        "case": notice.case.reference if notice.case is not None else None,
        "kind": notice.kind,
        "kind_label": str(NoticeKind(notice.kind).label),
        "title": notice.title,
        "body": notice.body,
        "issued_by": str(notice.issued_by),
        "issued_at": _local(notice.issued_at),
        "read_at": _local(notice.read_at),
        "acknowledged_by": _person(notice.acknowledged_by),
        "url": reverse("notice_pdf", args=[notice.pk]),
    }


def with_meeting_relations(meetings: QuerySet[JointMeeting]) -> QuerySet[JointMeeting]:
    return meetings.select_related("convened_by").prefetch_related(
        Prefetch("cases", queryset=Case.objects.order_by("pk")),
        "attendees",
        Prefetch("tasks", queryset=FollowUpTask.objects.select_related("unit", "done_by")),
    )


def _criteria(codes: list[str]) -> list[dict[str, str]]:
    labels = dict(MeetingCriterion.choices)
    return [{"code": code, "label": str(labels.get(code, code))} for code in codes]


def task_out(task: FollowUpTask, today: date) -> dict[str, Any]:
    return {
        "id": task.pk,
        "unit": _unit(task.unit),
        "description": task.description,
        "due_date": task.due_date,
        "overdue": task.done_at is None and today > task.due_date,
        "created_at": _local(task.created_at),
        "done_at": _local(task.done_at),
        "done_by": _person(task.done_by),
        "done_note": task.done_note,
    }


def meeting_summary(meeting: JointMeeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "criteria": _criteria(meeting.criteria),
        "held_at": _local(meeting.held_at),
        "place": meeting.place,
        "cases": [
            {"reference": c.reference, "status": c.status, "status_label": str(CaseStatus(c.status).label)}
            for c in meeting.cases.all()
        ],
        "open_tasks": sum(1 for t in meeting.tasks.all() if t.done_at is None),
    }


def meeting_detail(meeting: JointMeeting) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        **meeting_summary(meeting),
        "convened_by": str(meeting.convened_by),
        "attendees": [_unit(u) for u in meeting.attendees.all()],
        "attendee_names": meeting.attendee_names,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "outcome_recorded_at": _local(meeting.outcome_recorded_at),
        "created_at": _local(meeting.created_at),
        "tasks": [task_out(t, today) for t in meeting.tasks.all()],
    }


def with_rectification_relations(items: QuerySet[Rectification]) -> QuerySet[Rectification]:
    return items.select_related("unit", "opened_by", "closed_by").prefetch_related(
        Prefetch("progress", queryset=RectificationProgress.objects.select_related("by")),
        Prefetch("evidence", queryset=RectificationEvidence.objects.select_related("uploaded_by")),
    )


def rectification_out(item: Rectification, now: datetime, shrunk: Shrink | None = None) -> dict[str, Any]:
    """An item as the API shows it; `shrunk` (the bottleneck's quarters) for one item read alone."""
    out: dict[str, Any] = {
        "id": item.pk,
        "unit": _unit(item.unit),
        "subject": item.subject,
        "dimension": item.dimension,
        "key": item.key,
        "requirement": item.requirement,
        "days": item.days,
        "status": item.status,
        "status_label": str(RectificationStatus(item.status).label),
        "light": rectification_light(item, now),
        "opened_by": str(item.opened_by),
        "started_at": _local(item.started_at),
        "due_at": _local(item.due_at),
        "warn_at": _local(item.warn_at),
        "closed_at": _local(item.closed_at),
        "closed_by": _person(item.closed_by),
        "closing_note": item.closing_note,
        "progress": [{"text": p.text, "at": _local(p.at), "by": str(p.by)} for p in item.progress.all()],
        "evidence": [{"id": e.pk, "name": e.name, "size": e.size, "uploaded_at": _local(e.uploaded_at),
                      "uploaded_by": str(e.uploaded_by)} for e in item.evidence.all()],
        "shrink": None,
    }
    if shrunk is not None:
        out["shrink"] = {
            "before": {"quarter": shrunk.before.label, "count": shrunk.before.count},
            "after": {"quarter": shrunk.after.label, "count": shrunk.after.count, "complete": shrunk.after.complete},
            "verdict": shrunk.verdict,
        }
    return out
