"""Workbench pages for joint meetings (联席会议) and notices (通报), over the supervision actions."""

from __future__ import annotations

from datetime import date
from itertools import zip_longest
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.accounts.models import Unit, User
from banchengshi.cases import duplicates
from banchengshi.cases.actions import ActionError, InvalidInput
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import REFUSALS, ActionForbidden, cases_visible_to, refusal
from banchengshi.lib.masking import mask_phones_in
from banchengshi.supervision import actions
from banchengshi.supervision.choices import MeetingCriterion
from banchengshi.supervision.forms import ATTENDING_KINDS, MeetingForm
from banchengshi.supervision.models import JointMeeting
from banchengshi.supervision.selectors import (
    access_meeting,
    access_notice,
    access_task,
    may_act_for_unit,
    meetings_visible_to,
    notices_visible_to,
)

TASK_ROWS = 3


@login_required
def meetings(request: StaffRequest) -> HttpResponse:
    if not has_role_for(request.user, Need.VIEW):
        raise PermissionDenied("您的角色无权查看联席会议")
    listing = meetings_visible_to(request.user).prefetch_related("cases", "tasks__unit", "attendees")
    return render(request, "supervision/meetings.html", {
        "nav": "meetings",
        "meetings": listing[:100],
        "may_convene": has_role_for(request.user, Need.SUPERVISE),
        "may_see_topics": has_role_for(request.user, Need.MEETING_TOPICS),
        "labels": dict(MeetingCriterion.choices),
    })


@login_required
def meeting_topics(request: StaffRequest) -> HttpResponse:
    """议题建议: many different reporters on one problem (cases.duplicates' clusters) in the user's scope, a
    possible 联席会议 topic (安康办法第十四条第二项); the admin office convenes one on them in one click."""
    user = request.user
    if not has_role_for(user, Need.MEETING_TOPICS):
        raise PermissionDenied("您的角色无权查看联席会议议题建议")
    topics = []
    for cluster in duplicates.clusters(cases_visible_to(user)):
        first = cluster.cases[0]
        subject = first.matter.name if first.matter else (first.business_name or "同一问题")
        title = f"关于{subject}多人反映问题的专题研究"
        query = urlencode({"cases": " ".join(cluster.references), "title": title,
                           "criteria": MeetingCriterion.WIDE_IMPACT}, quote_via=quote)
        topics.append({"cluster": cluster, "subject": subject, "excerpt": mask_phones_in(first.description),
                       "rows": [(c, mask_phones_in(c.description)) for c in cluster.cases],
                       "convene": f"{reverse('new_meeting')}?{query}"})
    return render(request, "supervision/meeting_topics.html", {
        "nav": "meetings", "topics": topics, "may_convene": has_role_for(user, Need.SUPERVISE),
        "reporters": settings.DUPLICATE_CLUSTER_REPORTERS, "days": settings.DUPLICATE_CLUSTER_DAYS,
    })


def notices(request: StaffRequest) -> HttpResponse:
    """通报: 文号, title, the unit notified, who signed it and when, each printable (banchengshi.papers)."""
    if not has_role_for(request.user, Need.VIEW):
        raise PermissionDenied("您的角色无权查看通报")
    listing = notices_visible_to(request.user).select_related("unit", "case", "issued_by", "acknowledged_by")
    return render(request, "supervision/notices.html", {"nav": "notices", "notices": listing[:200]})


@login_required
def new_meeting(request: StaffRequest) -> HttpResponse:
    if not has_role_for(request.user, Need.SUPERVISE):
        raise PermissionDenied("只有政务服务办可以召开联席会议")
    # Prefilled from a link (a possible topic of the 议题建议 page): the cases, a title and the criteria.
    initial = {"cases": request.GET.get("cases", "")[:2000], "title": request.GET.get("title", "")[:200],
               "criteria": [c for c in request.GET.getlist("criteria") if c in MeetingCriterion.values]}
    form = MeetingForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            references = form.references()
            found = {c.reference: c for c in cases_visible_to(request.user).filter(reference__in=references)}
            missing = [r for r in references if r not in found]
            try:
                if missing:
                    raise InvalidInput(f"未找到反映件：{'、'.join(missing)}")
                data = form.cleaned_data
                meeting = actions.do_create_meeting(
                    acting_user=request.user, title=data["title"], criteria=data["criteria"], held_at=data["held_at"],
                    place=data["place"], cases=list(found.values()), attendee_units=list(data["attendee_units"]),
                    attendee_names=data["attendee_names"],
                )
            except ActionError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, "已创建联席会议。")
                return redirect("meeting", meeting_id=meeting.pk)
        else:
            status = 422
    return render(request, "supervision/new_meeting.html", {"nav": "meetings", "form": form}, status=status)


def _outcome_form(meeting: JointMeeting, posted: QueryDict | None) -> dict[str, Any]:
    """The outcome form's values: what was sent when it was refused, else what the meeting holds."""
    if posted is None:
        return {"minutes": meeting.minutes, "decisions": meeting.decisions,
                "tasks": [{"unit": "", "description": "", "due": ""} for _ in range(TASK_ROWS)]}
    rows = list(zip_longest(posted.getlist("task_unit"), posted.getlist("task_description"), posted.getlist("task_due"),
                            fillvalue=""))
    rows += [("", "", "")] * (TASK_ROWS - len(rows))
    return {"minutes": posted.get("minutes", ""), "decisions": posted.get("decisions", ""),
            "tasks": [{"unit": u, "description": d, "due": due} for u, d, due in rows]}


def _meeting_page(
    request: StaffRequest, meeting_id: int, status: int = 200, *, refused: str = "", posted: QueryDict | None = None,
    refused_task: int | None = None,
) -> HttpResponse:
    """The meeting; a refused outcome (or task report, `refused_task`) comes back as sent, message inside."""
    meeting = access_meeting(request.user, meeting_id)
    now = timezone.now()
    may_record, held = has_role_for(request.user, Need.SUPERVISE), meeting.held_at <= now
    tasks = [(t, may_act_for_unit(request.user, t.unit_id) and t.done_at is None)
             for t in meeting.tasks.select_related("unit", "done_by")]
    shown = any(t.pk == refused_task and open_ for t, open_ in tasks) if refused_task else may_record and held
    if refused and not shown:
        messages.error(request, refused)  # the form that would show it is not on the page
    visible = set(cases_visible_to(request.user).filter(joint_meetings=meeting).values_list("pk", flat=True))
    return render(request, "supervision/meeting.html", {
        "nav": "meetings",
        "meeting": meeting,
        "criteria": [MeetingCriterion(c).label for c in meeting.criteria],
        "cases": [(c, c.pk in visible) for c in meeting.cases.all()],
        "tasks": tasks,
        "may_record": may_record,
        "held": held,  # the action refuses an outcome before the meeting; the page does not offer one
        "outcome": _outcome_form(meeting, posted if refused_task is None else None),
        "refused_task": refused_task,
        "task_note": posted.get("note", "") if posted is not None and refused_task is not None else "",
        "refused": refused if refused_task is None else "",
        "task_refusal": refused if refused_task is not None else "",
        "units": Unit.objects.filter(kind__in=ATTENDING_KINDS, is_active=True).order_by("kind", "code"),
        "today": timezone.localdate(now).isoformat(),
    }, status=status)


@login_required
def meeting(request: StaffRequest, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, meeting_id)


@login_required
@require_POST
def record_outcome(request: StaffRequest, meeting_id: int) -> HttpResponse:
    found = access_meeting(request.user, meeting_id)
    try:
        found = access_meeting(request.user, meeting_id, Need.SUPERVISE)
        tasks = []
        units = request.POST.getlist("task_unit")
        texts = request.POST.getlist("task_description")
        dues = request.POST.getlist("task_due")
        for code, text, due in zip(units, texts, dues, strict=False):
            if not (code or text.strip() or due):
                continue
            unit = Unit.objects.filter(code=code).first()
            if unit is None or not due:
                raise InvalidInput("每项交办任务都要选择责任单位并填写完成期限")
            try:
                due_date = date.fromisoformat(due)
            except ValueError as exc:
                raise InvalidInput(f"完成期限格式不正确：{due}") from exc
            tasks.append((unit, text, due_date))
        actions.do_record_meeting_outcome(
            found, acting_user=request.user, minutes=request.POST.get("minutes", ""),
            decisions=request.POST.get("decisions", ""), tasks=tasks,
        )
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _meeting_page(request, meeting_id, status, refused=message, posted=request.POST)
    messages.success(request, "已录入会议结果。")
    return redirect("meeting", meeting_id=found.pk)


@login_required
@require_POST
def complete_task(request: StaffRequest, meeting_id: int, task_id: int) -> HttpResponse:
    try:
        task = access_task(request.user, meeting_id, task_id)
        actions.do_complete_task(task, acting_user=request.user, note=request.POST.get("note", ""))
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _meeting_page(request, meeting_id, status, refused=message, posted=request.POST, refused_task=task_id)
    messages.success(request, "已报告任务完成情况。")
    return redirect("meeting", meeting_id=meeting_id)


@login_required
@require_POST
def acknowledge_notice(request: StaffRequest, notice_id: int) -> HttpResponse:
    try:
        notice = access_notice(request.user, notice_id, acknowledge=True)
        actions.do_acknowledge_notice(notice, acting_user=request.user)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("home")
    messages.success(request, "已签收通报。")
    return redirect("home")


def _days(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("整改时限请填写工作日数")
    return int(value)


def resupervise_on_case_page(case: Case, user: User, data: Any) -> object:
    """The case page's 再督办 form (registered into cases.views.CASE_HANDLERS by SupervisionConfig.ready)."""
    return actions.do_resupervise_case(case, acting_user=user, reason=data.get("reason", ""), days=_days(data.get("days", "")))
