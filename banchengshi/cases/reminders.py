"""Reminders to units when a clock's light turns yellow and when it turns red.

Once per clock and colour, as a fact of the database: a `ClockAlert` row is unique per (clock, colour), and
the job inserts it in the same transaction as the notices it queues (in-app for every recipient, e-mail for
those with an address). A second run, or a second job consumer racing this one, finds the row or fails to
insert it, and queues nothing. The clocks are read with `SKIP LOCKED` (PostgreSQL) so two consumers split
the work rather than wait on each other; the unique constraint decides, on SQLite and PostgreSQL alike.
`Clock.reminded` (the colour last told) only keeps told clocks out of the next scans.

Who is told: the clock's unit — the work order's unit for a clock of one order, the case's registration
center for a clock of the whole case — and, for the case's resolution and first-feedback clocks, also the
units that hold its open lead orders (they do the work those limits measure). In each unit its active
handlers (处置专员) and its heads (center_head). The objection window is the reporter's time, not a unit's
limit: nobody is reminded of it (`close_unanswered` closes the case when it ends).

A clock first seen already red (a paused clock resumed late, a calendar change, the job down for a while)
gets only the red notice; its yellow alert is stored as passed, never told, so no "soon due" follows an
"overdue". A clock moved back to green after a reminder keeps its alerts: each colour is told once.

It runs every minute (cases.tasks) and right after a calendar, policy or unit change that moved clocks
commits (cases.actions.calendar), so a light changed by the move is told at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from banchengshi.accounts.choices import Role
from banchengshi.accounts.models import User
from banchengshi.cases.choices import OPEN_WORK_ORDER, ClockKind, WorkOrderRole
from banchengshi.cases.models import AlertLight, Clock, ClockAlert, WorkOrder
from banchengshi.notify.services import queue_email, queue_inapp

BATCH = 200
MOST_PER_RUN = 5000  # the rest waits for the next minute's run
RECIPIENT_ROLES = (Role.HANDLER, Role.CENTER_HEAD)
SILENT_KINDS = frozenset({ClockKind.OBJECTION})
LEAD_UNIT_KINDS = frozenset({ClockKind.RESOLUTION, ClockKind.FIRST_FEEDBACK})


def clocks_to_remind(now: datetime) -> QuerySet[Clock]:
    """Running clocks (not paused, not cancelled) whose light is yellow or red as of `now` and whose unit
    was not yet told of that colour. `warn_at <= now` holds for both (a clock warns before it is due), so
    the scan is one range on the partial index of running clocks, filtered by the clock's own `reminded`
    (no join with the alerts, which grow with every clock ever run)."""
    return (
        Clock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True, cancelled=False, warn_at__lte=now)
        .exclude(kind__in=SILENT_KINDS)
        .filter(Q(reminded="") | Q(reminded=AlertLight.YELLOW, due_at__lt=now))
    )


def remind_light_changes(now: datetime | None = None, *, batch: int = BATCH, most: int = MOST_PER_RUN) -> int:
    """Tell the units of every clock that turned yellow or red and was not told yet; returns how many
    alerts were told (a clock first seen red counts once). Each batch is one transaction."""
    now = now or timezone.now()
    told = seen = 0
    while seen < most:
        with transaction.atomic():
            clocks = list(
                clocks_to_remind(now)
                .select_for_update(of=("self",), skip_locked=True)
                .select_related("case", "case__center", "case__matter", "work_order__unit")
                .order_by("warn_at", "pk")[:batch]
            )
            told += _alert(clocks, now)
        seen += len(clocks)
        if len(clocks) < batch:
            break
    return told


@dataclass(frozen=True)
class Recipient:
    pk: int
    email: str


def _alert(clocks: list[Clock], now: datetime) -> int:
    if not clocks:
        return 0
    rows = _new_alerts(clocks, now)
    # Whoever inserts them, the alerts of each clock's present colour exist once this commits.
    for light in AlertLight:
        Clock.objects.filter(pk__in=[c.pk for c in clocks if _light(c, now) == light]).update(reminded=light)
    try:
        with transaction.atomic():
            ClockAlert.objects.bulk_create(rows)
    except IntegrityError:
        # Another consumer told some of these between our read and our insert: one by one, each in its
        # own savepoint, keeping only the rows that went in.
        rows = [row for row in rows if _insert(row)]
    to_tell = [row for row in rows if row.told]
    if not to_tell:
        return 0
    by_pk = {clock.pk: clock for clock in clocks}
    recipients = _recipients([by_pk[row.clock_id] for row in to_tell])
    for row in to_tell:
        clock = by_pk[row.clock_id]
        people = recipients.get(clock.pk, [])
        _notify(clock, row.light, people)
        row.recipients = len(people)
    ClockAlert.objects.bulk_update(to_tell, ["recipients"])
    return len(to_tell)


def _light(clock: Clock, now: datetime) -> AlertLight:
    """Yellow or red: the clocks read are at least yellow."""
    return AlertLight.RED if now > clock.due_at else AlertLight.YELLOW


def _new_alerts(clocks: list[Clock], now: datetime) -> list[ClockAlert]:
    existing = set(ClockAlert.objects.filter(clock__in=clocks).values_list("clock_id", "light"))
    rows = []
    for clock in clocks:
        red = _light(clock, now) == AlertLight.RED
        if red and (clock.pk, AlertLight.RED) not in existing:
            rows.append(ClockAlert(clock=clock, light=AlertLight.RED, at=now, due_at=clock.due_at))
            if (clock.pk, AlertLight.YELLOW) not in existing:
                rows.append(ClockAlert(clock=clock, light=AlertLight.YELLOW, at=now, due_at=clock.due_at, told=False))
        elif not red and (clock.pk, AlertLight.YELLOW) not in existing:
            rows.append(ClockAlert(clock=clock, light=AlertLight.YELLOW, at=now, due_at=clock.due_at))
    return rows


def _insert(row: ClockAlert) -> bool:
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _units_of(clocks: list[Clock]) -> dict[int, set[int]]:
    """The units told of each clock (see the module's docstring)."""
    leads: dict[int, set[int]] = defaultdict(set)
    lead_cases = {c.case_id for c in clocks if c.work_order_id is None and c.kind in LEAD_UNIT_KINDS}
    if lead_cases:
        orders = WorkOrder.objects.filter(
            case_id__in=lead_cases, role=WorkOrderRole.LEAD, status__in=OPEN_WORK_ORDER
        ).values_list("case_id", "unit_id")
        for case_id, unit_id in orders:
            leads[case_id].add(unit_id)
    units: dict[int, set[int]] = {}
    for clock in clocks:
        if clock.work_order is not None:
            units[clock.pk] = {clock.work_order.unit_id}
        else:
            units[clock.pk] = {clock.case.center_id} | (leads[clock.case_id] if clock.kind in LEAD_UNIT_KINDS else set())
    return units


def _recipients(clocks: list[Clock]) -> dict[int, list[Recipient]]:
    units = _units_of(clocks)
    staff: dict[int, list[Recipient]] = defaultdict(list)
    wanted = set().union(*units.values())
    people = User.objects.filter(is_active=True, unit_id__in=wanted, role__in=RECIPIENT_ROLES).order_by("pk")
    for pk, unit_id, email in people.values_list("pk", "unit_id", "email"):
        staff[unit_id].append(Recipient(pk, email))
    told: dict[int, list[Recipient]] = {}
    for clock_pk, unit_ids in units.items():
        everyone = {person.pk: person for unit_id in sorted(unit_ids) for person in staff[unit_id]}
        told[clock_pk] = list(everyone.values())
    return told


def _moment(at: datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def reminder_text(clock: Clock, light: str) -> tuple[str, str]:
    """The title and text of the reminder: the reference, the matter and the limit; never the reporter's
    name or phone (e-mail leaves the intranet)."""
    case = clock.case
    kind = clock.get_kind_display()
    unit = clock.work_order.unit.name if clock.work_order is not None else case.center.name
    matter = case.matter.name if case.matter is not None else case.business_name
    about = f"反映件 {case.reference}" + (f"（{matter}）" if matter else "")
    if light == AlertLight.RED:
        title = f"红灯：{case.reference} {kind}时限已超时"
        text = f"{about}的{kind}时限已于 {_moment(clock.due_at)} 到期，现已超时。时限单位：{unit}。请立即办理。"
    else:
        title = f"黄灯：{case.reference} {kind}时限临近"
        text = f"{about}的{kind}时限将于 {_moment(clock.due_at)} 到期。时限单位：{unit}。请抓紧办理。"
    return title, text


def _notify(clock: Clock, light: str, people: list[Recipient]) -> None:
    title, text = reminder_text(clock, light)
    link = reverse("case", args=[clock.case.reference])
    for person in people:
        queue_inapp(person.pk, title, text, link=link, subject=clock.case.reference)
        if person.email:
            queue_email(person.email, f"【办成事】{title}", f"{text}\n\n请登录办成事工作台查看（{link}）。",
                        subject=clock.case.reference)
