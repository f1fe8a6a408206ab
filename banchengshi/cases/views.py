"""The staff workbench: thin views over the same actions as the API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import StaffRequest
from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit, User
from banchengshi.audit.labels import ACTION_LABELS
from banchengshi.cases import actions, personal, search
from banchengshi.cases.actions.base import ActionError
from banchengshi.cases.actions.closing import objection_window_ends
from banchengshi.cases.actions.dispatching import dispatch_down_targets
from banchengshi.cases.choices import OPEN_WORK_ORDER, Reason, WorkOrderStatus
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.clocks import clock_light
from banchengshi.cases.duplicate_views import link_rows, queue_links
from banchengshi.cases.forms import AcceptForm, RegisterForm, VisitForm
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.cases.presenters import (
    attachment_download,
    case_light,
    event_detail,
    latest_return,
    time_left,
)
from banchengshi.cases.selectors import (
    CASE_ACTIONS,
    LAPSED_VISITS,
    ORDER_ACTIONS,
    REFUSALS,
    ActionForbidden,
    access_attachment,
    access_case,
    access_work_order,
    authorize_case,
    authorize_work_order,
    cases_visible_to,
    default_lead_unit,
    holding_units,
    in_queue_order,
    may,
    may_order,
    queue_cases,
    queues_for,
    refusal,
    reported_by_phone,
    visit_deadlines,
)
from banchengshi.dispatch.models import Matter
from banchengshi.dispatch.routing import route_case, route_cases
from banchengshi.guides.selectors import published_guide
from banchengshi.lib.masking import mask_phones_in
from banchengshi.lib.pagination import BadCursor, Cursor, keyset_page
from banchengshi.lib.phone import normalize_phone
from banchengshi.sla.calendar import WorkCalendar
from banchengshi.sla.services import effective_policy, hours_of, load_calendar

HANDLING_UNIT_KINDS = (UnitKind.DEPARTMENT, UnitKind.SERVICE_CENTER)
SEARCH_MAX = 100  # characters of a queue search, as the ledger's and the API's `q`


SUGGESTED_ROWS = 50  # the dispatch queue's first rows get the routing model's suggestions (a few ms each)


# The home page lists each queue's first HOME_ROWS cases (soonest limit first); one queue opened alone (?queue=)
# its first QUEUE_ROWS. A badge counts on to QUEUE_ROWS. Rendering is what a page of rows costs: 1,000
# rows (five queues of 200) took seconds at any history; 10 a queue (a dispatcher has seven) keep the page an
# overview one screen tall per queue, and the page light (20 a queue: 120–160 ms for the center's roles).
HOME_ROWS = 10
QUEUE_ROWS = 200


def _queue_rows(queues: Sequence[tuple[list[int], bool, bool]], now: Any, user: User,
                calendar: WorkCalendar) -> list[list[dict[str, Any]]]:
    """The rows of several queues, each given as its cases' ids in order, read together: each case with its light,
    the most urgent running clock (soonest limit first) and its possible repeats (可能重复, ready to merge); with
    `suggest`, a case to dispatch that the catalog's rules cannot place gets the routing model's suggestions (one
    button each), never a unit whose order on it came back; with `visits`, the last day of its return visit. One
    query reads the cases, one their clocks, one their orders and one their repeats, however many queues the
    page shows (seven queues read apart took 74 queries, 45 of them in Django's own compiling and building)."""
    wanted = {pk for ids, _suggest, _visits in queues for pk in ids}
    # The queues show no reporter: their encrypted name and phone are not read (two SM4 decryptions a row).
    cases = (Case.objects.filter(pk__in=wanted).select_related("center__parent", "matter__department", "locality")
             .defer("reporter_name", "reporter_phone"))
    by_id = {case.pk: case for case in cases.prefetch_related("clocks", "work_orders__unit")}
    listed = list(by_id.values())
    links = queue_links(user, listed)
    visit_by = visit_deadlines([case for case in listed if case.closed_at is not None])
    shown: dict[int, dict[str, Any]] = {}
    for case in listed:
        clocks = list(case.clocks.all())
        running = sorted((c for c in clocks if c.stopped_at is None), key=lambda c: c.due_at)
        urgent = running[0] if running else None
        shown[case.pk] = {
            "case": case,
            "light": case_light(clocks, now) or "none",
            "clock": urgent,
            "left": time_left(urgent, now, calendar, hours_of(case.center)) if urgent else "",
            "leads": holding_units(case),
            "returned": latest_return(case),
            "duplicates": links.get(case.pk, []),
        }
    pages = []
    for ids, suggest, visits in queues:
        rows = [{**shown[pk], "suggestions": [], "visit_by": visit_by.get(pk) if visits else None}
                for pk in ids if pk in shown]
        if suggest:
            _add_suggestions(rows[:SUGGESTED_ROWS])
        pages.append(rows)
    return pages


def _add_suggestions(rows: list[dict[str, Any]]) -> None:
    for row, route in zip(rows, route_cases([row["case"] for row in rows]), strict=True):
        returned = {o.unit_id for o in row["case"].work_orders.all() if o.status == WorkOrderStatus.RETURNED}
        row["suggestions"] = [s for s in route.suggestions if s.unit.pk not in returned]


@login_required
def home(request: StaffRequest) -> HttpResponse:
    if not has_role_for(request.user, Need.VIEW):
        if request.user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied("您的角色不使用工作台")
    now = timezone.now()
    # The queues' search box: the same full-text search as the ledger, within each queue.
    q = request.GET.get("q", "").strip()
    error = f"检索词不能超过{SEARCH_MAX}个字" if len(q) > SEARCH_MAX else ""
    found = search.parse(q, request.user) if q and not error else None
    queues = []
    calendar = load_calendar()
    mine = queues_for(request.user)
    alone = request.GET.get("queue", "")
    if alone not in {queue.key for queue, _ in mine}:
        alone = ""
    limit = QUEUE_ROWS if alone else HOME_ROWS
    shown = [(queue, cases if found is None else search.filter_search(cases, found))
             for queue, cases in mine if not alone or queue.key == alone]
    ordered = [list(in_queue_order(queue, listed, limit, request.user.unit_id).values_list("pk", flat=True)[:limit]) for queue, listed in shown]
    pages = _queue_rows([(ids, queue.key == "to-dispatch", queue.action == "visit")
                         for (queue, _listed), ids in zip(shown, ordered, strict=True)], now, request.user, calendar)
    for (queue, listed), ids, rows in zip(shown, ordered, pages, strict=True):
        # The badge: the rows when all are listed, else a count that stops where the queue's own list does
        # ("200 件以上": more than one opened queue shows; counting on to 1000 took 80 ms at a million cases).
        count = (len(rows), False) if len(ids) < limit else search.capped_count(listed, QUEUE_ROWS)
        queues.append((queue.key, queue.title, rows, count))
    # The unit's notices (通报) are supervision's: cases/home.html renders them with its {% unit_notices %}.
    return render(request, "cases/home.html",
                  {"nav": "home", "queues": queues, "q": q, "alone": alone, "search_error": error, "terms": found.terms if found else [],
                   "may_register": has_role_for(request.user, Need.REGISTER)},
                  status=422 if error else 200)


LAPSED_ROWS = 50


@login_required
def lapsed_visits(request: StaffRequest) -> HttpResponse:
    """逾期未回访: the closed cases whose return-visit period ran out without a visit, out of the 待回访 queue
    and listed here, the latest lapse first, page by page (a keyset: the hundredth page as fast as the first).
    A visit can still be made from the case page."""
    cases = queue_cases(request.user, LAPSED_VISITS)
    if cases is None:
        raise PermissionDenied("您的角色不负责回访")
    error = ""
    after = None
    if token := request.GET.get("cursor", ""):
        try:
            after = Cursor.decode(token)
        except BadCursor:
            error = "翻页参数无效，已回到第一页"
    listed = cases.select_related("center", "matter").prefetch_related("work_orders__unit")
    page, next_cursor = keyset_page(listed, "closed_at", after, LAPSED_ROWS)
    visit_by = visit_deadlines(page)
    shown = (lambda text: text) if personal.sees_contact(request.user) else mask_phones_in
    rows = [{"case": c, "leads": holding_units(c), "visit_by": visit_by.get(c.pk), "description": shown(c.description)}
            for c in page]
    count, capped = search.capped_count(cases)
    return render(request, "cases/lapsed_visits.html",
                  {"nav": "home", "rows": rows, "count": count, "capped": capped, "error": error,
                   "next_cursor": next_cursor.encode() if next_cursor else "", "first_page": after is None},
                  status=422 if error else 200)


@login_required
def register(request: StaffRequest) -> HttpResponse:
    user = request.user
    if not has_role_for(user, Need.REGISTER):
        raise PermissionDenied("您的角色无权登记反映件")
    form = RegisterForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = actions.do_register_case(acting_user=user, **data)
            except ActionError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                if guide := published_guide(request.POST.get("guide", "")):
                    # The guide picked while registering: on to its checklist (一次性告知单).
                    messages.success(request, f"已登记，登记编号 {case.reference}。回执和登记表可在反映件页面的“文书”中打印。")
                    return redirect("case_guide", reference=case.reference, code=guide.matter.code)
                messages.success(request, f"已登记，登记编号 {case.reference}。回执和登记表可在本页“文书”中打印。")
                return redirect("case", reference=case.reference)
        else:
            status = 422
    matters = Matter.objects.filter(is_active=True).select_related("department").order_by("code")
    context = {"nav": "register", "form": form, "matters": matters, "may_give_guide": has_role_for(user, Need.GUIDE_GIVE),
               "chosen_guide": request.POST.get("guide", "")[:32] if published_guide(request.POST.get("guide", "")) else ""}
    return render(request, "cases/register.html", context, status=status)


@login_required
@require_POST
def repeat_reports(request: StaffRequest) -> HttpResponse:
    """Earlier reports from the same phone, shown while registering (repeated failure is a signal). The
    phone comes in the POST body (htmx), never in a URL or the access log; a number not yet complete looks
    nothing up, a complete one counts against the registrar's limit and is audited."""
    raw = request.POST.get("reporter_phone", "").strip()
    try:
        normalize_phone(raw)  # as registration stores it: 139 1234 5678 finds 13912345678
    except ValueError:
        return render(request, "cases/_repeat_reports.html", {"count": 0})
    try:
        cases = personal.look_up_by_phone(request, request.user, raw, kind="repeat_check", via="repeat_check")
    except (ActionForbidden, ActionError) as exc:
        message, status = refusal(exc)
        return render(request, "cases/_repeat_reports.html", {"count": 0, "refused": message}, status=status)
    cases = cases.order_by("-received_at")
    return render(request, "cases/_repeat_reports.html", {"cases": cases[:10], "count": cases.count()})


# Reading, printing and exporting a case are recorded on it, as every view of personal data must be; on the case
# page they go under the handling steps, folded, so that a much-read case still reads as what was done.
READING_ACTIONS = frozenset({"personal_data_viewed", "unmask", "unmask_refused", "printed", "exported"})


def _timeline(case: Case, shown: Callable[[str], str]) -> dict[str, list[tuple[Any, str, str]]]:
    rows = [(e, ACTION_LABELS.get(e.action, e.action), shown(event_detail(e.action, e.data))) for e in case.events.all()]
    return {"events": [r for r in rows if r[0].action not in READING_ACTIONS],
            "readings": [r for r in rows if r[0].action in READING_ACTIONS]}


@login_required
def phone_search(request: StaffRequest) -> HttpResponse:
    """按电话查询: the form, and on POST the cases the user may see that were reported from that phone (a
    POST from a role without the need is refused by the look-up, which records the attempt)."""
    user = request.user
    if request.method != "POST" and not has_role_for(user, Need.SEARCH_PHONE):
        raise PermissionDenied("您的角色无权按电话查询反映件")
    context: dict[str, Any] = {"nav": "phone_search", "phone": "", "rows": None, "refused": ""}
    status = 200
    if request.method == "POST":
        context["phone"] = request.POST.get("phone", "")[:20]
        try:
            found = personal.look_up_by_phone(request, user, context["phone"], kind="phone_search", via="page")
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except ActionError as exc:
            context["refused"], status = refusal(exc)
        else:
            cases = found.select_related("center", "matter").order_by("-received_at")
            context["count"] = found.count()
            context["rows"] = [{"case": c, "reporter": personal.listed(user, c)} for c in cases[:50]]
    return render(request, "cases/phone_search.html", context, status=status)


def _detail_context(
    request: StaffRequest, case: Case, refused: dict[str, Any] | None = None, reporter: personal.Reporter | None = None
) -> dict[str, Any]:
    """The case page; `refused` (form key, posted data, message) puts a refused form back as it was sent;
    `reporter` as unmasked for this one answer, else as the user's role sees it (an audited view in full)."""
    user = request.user
    reporter = reporter or personal.viewed(user, case, via="page")
    shown = (lambda text: text) if personal.sees_contact(user) else mask_phones_in
    now = timezone.now()
    calendar = load_calendar()
    hours = hours_of(case.center)
    case_clocks = list(case.clocks.all())
    clocks = [
        {"clock": c, "light": "none" if c.cancelled else clock_light(c, now), "left": time_left(c, now, calendar, hours)}
        for c in case_clocks
    ]
    orders = list(case.work_orders.select_related("unit", "parent__unit"))
    my_orders = [o for o in orders if o.unit_id == user.unit_id and o.status in OPEN_WORK_ORDER and has_role_for(user, Need.HANDLE)]
    permitted = {name: may(user, case, name) for name in CASE_ACTIONS}
    permitted["review"] = permitted["approve"] or permitted["review_return"]
    chasing = [o for o in orders if may_order(user, o, "chase")]
    units = Unit.objects.filter(kind__in=HANDLING_UNIT_KINDS, is_active=True).order_by("kind", "code")
    suggestions = route_case(case) if permitted["dispatch"] else None
    returned = [o for o in orders if o.status == WorkOrderStatus.RETURNED]
    posted = refused["data"] if refused else None
    return {
        "case": case,
        "light": case_light(case_clocks, now) or "none",
        "clocks": clocks,
        "orders": orders,
        "my_orders": [(o, list(dispatch_down_targets(o.unit))) for o in my_orders],
        **_timeline(case, shown),
        "visits": list(case.visits.all()),
        "attachments": list(case.attachments.select_related("uploaded_by")),
        "documents": list(case.documents.select_related("issued_by")),
        "permitted": permitted,
        "units": units,
        "route": suggestions,
        "returned": returned,
        "returned_units": {o.unit_id for o in returned},
        "default_lead": default_lead_unit(case, suggestions) if suggestions is not None else None,
        "accept_form": AcceptForm(posted if refused and refused["form"] == "accept" else None),
        "visit_form": VisitForm(posted if refused and refused["form"] == "visit" else None),
        "refused": refused,
        "reporter": reporter,
        "texts": {name: shown(getattr(case, name)) for name in ("description", "demand", "verification", "result")},
        "may_unmask": has_role_for(user, Need.UNMASK) and not reporter.full,
        "unmasked": reporter.full and not personal.sees_contact(user),
        "policy": effective_policy(case.center),
        "chasing": [(o, may_order(user, o, "withdraw")) for o in chasing],
        "objection_ends": objection_window_ends(case) if case.status in (S.APPROVED, S.RESOLVED_ON_SITE) else None,
        "reason_labels": [str(label) for value, label in Reason.choices if value in case.reasons],
        "same_reporter": list(
            reported_by_phone(cases_visible_to(user), case.reporter_phone).exclude(pk=case.pk).order_by("-received_at")[:10]
        ),
        "duplicates": link_rows(user, case),
    }


@login_required
def case_detail(request: StaffRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    return render(request, "cases/detail.html", _detail_context(request, case))


@never_cache
@login_required
@require_POST
def unmask(request: StaffRequest, reference: str) -> HttpResponse:
    """查看完整信息: the case page once more, with the reporter in full in this answer only (nothing is kept
    in the session; the next visit shows 张* again). A reason is required and audited with the look."""
    case = access_case(request.user, reference)
    try:
        shown = personal.do_unmask(request.user, case, reason=request.POST.get("reason", ""))
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except ActionError as exc:
        refused = {"form": "unmask", "data": request.POST, "message": exc.message}
        return render(request, "cases/detail.html", _detail_context(request, case, refused), status=exc.status)
    return render(request, "cases/detail.html", _detail_context(request, case, reporter=shown))


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise actions.InvalidInput("请选择单位")
    return unit


CaseHandler = Callable[[Case, Any, Any], object]

# What each page action calls; who may, and from which state, is `selectors.CASE_ACTIONS`. Apps above
# cases add the handlers of the case actions they own with `register_case_handler` (supervision adds
# "resupervise" from its AppConfig.ready), so the case page serves them without importing those apps.
CASE_HANDLERS: dict[str, CaseHandler] = {
    "accept": lambda c, u, d: actions.do_accept_case(
        c, acting_user=u, handling_type=d.get("handling_type", ""), complexity=d.get("complexity", ""),
        verification=d.get("verification", "")),
    "reject": lambda c, u, d: actions.do_reject_case(c, acting_user=u, reason=d.get("reason", ""), basis=d.get("basis", ""),
                                                     next_steps=d.get("next_steps", "")),
    "resolve": lambda c, u, d: actions.do_resolve_on_site(c, acting_user=u, result=d.get("result", "")),
    "merge": lambda c, u, d: actions.do_merge_case(c, acting_user=u, into=access_case(u, d.get("into", "").strip())),
    "dispatch": lambda c, u, d: actions.do_dispatch_case(
        c, acting_user=u, lead_unit=_unit(d["lead_unit"]) if d.get("lead_unit") else None,
        assisting_units=[_unit(code) for code in d.getlist("assisting_units") if code]),
    "pause": lambda c, u, d: actions.do_pause_case(c, acting_user=u, reason=d.get("reason", "")),
    "resume": lambda c, u, d: actions.do_resume_case(c, acting_user=u),
    "approve": lambda c, u, d: actions.do_review_case(c, acting_user=u, approve=True, note=d.get("note", "")),
    "review_return": lambda c, u, d: actions.do_review_case(c, acting_user=u, approve=False, note=d.get("note", "")),
    "close": lambda c, u, d: actions.do_close_case(c, acting_user=u, reporter_confirmed=d.get("reporter_confirmed") == "on"),
    "visit": lambda c, u, d: _visit(c, u, d),
}


def register_case_handler(name: str, handler: CaseHandler) -> None:
    if name not in CASE_ACTIONS:
        raise ValueError(f"{name} is not in selectors.CASE_ACTIONS")
    CASE_HANDLERS[name] = handler


def _visit(case: Case, user: User, data: Any) -> object:
    form = VisitForm(data)
    if not form.is_valid():
        raise actions.InvalidInput("请选择满意度并说明问题是否解决")
    return actions.do_visit_case(case, acting_user=user, **form.cleaned_data)


def _refused(request: StaffRequest, case: Case, message: str, status: int, *, form: str | None = None) -> HttpResponse:
    """The case page again, with the message; the refused `form` keeps what was typed and shows the message."""
    messages.error(request, message)
    fresh = Case.objects.select_related("center", "matter").get(pk=case.pk)
    refused = {"form": form, "data": request.POST, "message": message} if form else None
    return render(request, "cases/detail.html", _detail_context(request, fresh, refused), status=status)


@login_required
@require_POST
def case_action(request: StaffRequest, reference: str, name: str) -> HttpResponse:
    form = name
    if name == "review":  # one form, two buttons
        name = "approve" if request.POST.get("approve") == "1" else "review_return"
    if name not in CASE_HANDLERS:
        raise Http404("没有这个操作")
    label = CASE_ACTIONS[name].label
    case = access_case(request.user, reference)
    try:
        authorize_case(request.user, case, name)
        done = CASE_HANDLERS[name](case, request.user, request.POST)
    except REFUSALS as exc:
        return _refused(request, case, *refusal(exc), form=form)
    if name == "dispatch" and isinstance(done, Case) and done.status == S.ACCEPTED and done.awaiting_manual_dispatch:
        # Automatic dispatch found no rule: the case waits for a dispatcher, which is not a success.
        messages.warning(request, "未能自动派单，已转人工派单队列。")
        return redirect("case", reference=reference)
    messages.success(request, f"已{label}。")
    if name == "merge" or not cases_visible_to(request.user).filter(pk=case.pk).exists():
        return redirect("home")
    return redirect("case", reference=reference)


OrderHandler = Callable[[WorkOrder, Any, Any], object]

ORDER_HANDLERS: dict[str, OrderHandler] = {
    "receive": lambda o, u, d: actions.do_receive_work_order(o, acting_user=u, note=d.get("note", "")),
    "contact": lambda o, u, d: actions.do_contact_reporter(o, acting_user=u, note=d.get("note", "")),
    "note": lambda o, u, d: actions.do_add_note(
        o, acting_user=u, note=d.get("note", ""), verification=d.get("verification", ""), opinion=d.get("opinion", "")),
    "assist": lambda o, u, d: actions.do_request_assistance(
        o, acting_user=u, units=[_unit(c) for c in d.getlist("units") if c], note=d.get("note", "")),
    "reply": lambda o, u, d: actions.do_reply_work_order(o, acting_user=u, result=d.get("result", "")),
    "return": lambda o, u, d: actions.do_return_work_order(o, acting_user=u, reason=d.get("reason", "")),
    "dispatch-down": lambda o, u, d: actions.do_dispatch_down(o, acting_user=u, unit=_unit(d.get("unit", ""))),
    "chase": lambda o, u, d: actions.do_chase_work_order(o, acting_user=u, note=d.get("note", "")),
    "withdraw": lambda o, u, d: actions.do_withdraw_work_order(o, acting_user=u, reason=d.get("reason", "")),
}


@login_required
@require_POST
def order_action(request: StaffRequest, order_id: int, name: str) -> HttpResponse:
    if name not in ORDER_HANDLERS:
        raise Http404("没有这个操作")
    label = ORDER_ACTIONS[name].label
    order = access_work_order(request.user, order_id)
    try:
        authorize_work_order(request.user, order, name)
        ORDER_HANDLERS[name](order, request.user, request.POST)
    except REFUSALS as exc:
        return _refused(request, order.case, *refusal(exc), form=f"{name}:{order.pk}")
    messages.success(request, f"已{label}。")
    if not cases_visible_to(request.user).filter(pk=order.case_id).exists():
        return redirect("home")
    return redirect("case", reference=order.case.reference)


@login_required
@require_POST
def upload_attachment(request: StaffRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    upload = request.FILES.get("file")
    try:
        authorize_case(request.user, case, "attach")
        if upload is None:
            raise actions.InvalidInput("请选择要上传的文件")
        actions.do_attach_file(case, acting_user=request.user, upload=upload)
    except REFUSALS as exc:
        return _refused(request, case, *refusal(exc))
    messages.success(request, f"已上传附件“{upload.name}”。")
    return redirect("case", reference=reference)


@login_required
def download_attachment(request: StaffRequest, attachment_id: int) -> FileResponse:
    attachment = access_attachment(request.user, attachment_id)
    return attachment_download(attachment)
