"""Changing the calendar, a policy or a unit's settings moves every open clock it touches, and says so on
the timeline. These actions write sla's rows, but the clocks they move are the cases', so they live here:
sla stays the pure rules and never imports cases."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from banchengshi.accounts.access import subtree_ids
from banchengshi.accounts.models import Unit, User
from banchengshi.audit.events import record_event
from banchengshi.cases.clocks import center_rules, recompute_open_clocks
from banchengshi.cases.models import Clock, ClockRecompute, RecomputeStatus
from banchengshi.sla.calendar import CalendarError, holiday_names
from banchengshi.sla.deadlines import SHANGHAI
from banchengshi.sla.models import CalendarDay, CalendarYear, DayKind, Policy
from banchengshi.sla.presets import PRESETS
from banchengshi.sla.services import forget_calendar_check

log = logging.getLogger(__name__)


def _scope_of(policy: Policy | None = None, unit: Unit | None = None, days: Iterable[date] = ()) -> dict[str, Any]:
    """Which open clocks a change touches: those of the cases at some centers (a policy or unit change), or
    those whose span can hold one of the calendar's changed `days` — a clock that ended its limit before the
    first of them, or started after the last, counts the same working days as before."""
    if unit is not None:
        return {"centers": sorted(subtree_ids(unit))}
    if policy is not None:
        return {"centers": sorted(pk for pk, (rule, _hours) in center_rules().items() if rule.pk == policy.pk)}
    days = sorted(days)
    if not days:
        return {"none": True}
    # A day's margin each side: a center's hours in another time zone, a receipt after closing time.
    return {"from": (days[0] - timedelta(days=1)).isoformat(), "to": (days[-1] + timedelta(days=2)).isoformat()}


def _clocks_in(scope: dict[str, Any]) -> QuerySet[Clock]:
    clocks = Clock.objects.filter(stopped_at__isnull=True)
    if scope.get("none"):
        return clocks.none()
    if "centers" in scope:
        clocks = clocks.filter(case__center_id__in=scope["centers"])
    if "from" in scope:
        start = datetime.combine(date.fromisoformat(scope["from"]), time.min, tzinfo=SHANGHAI)
        end = datetime.combine(date.fromisoformat(scope["to"]), time.min, tzinfo=SHANGHAI)
        clocks = clocks.filter(due_at__gte=start, started_at__lt=end)
    return clocks


def _year_days(year: int) -> list[date]:
    return [date(year, 1, 1), date(year, 12, 31)]


def _calendar_days(year: int) -> tuple[set[date], set[date], bool]:
    """A year's holidays and 调休 workdays as deadlines use them now (none while it is not published)."""
    found = CalendarYear.objects.filter(year=year).first()
    if found is None or not found.published:
        return set(), set(), False
    rows = list(found.days.values_list("date", "kind"))
    return {d for d, k in rows if k == DayKind.HOLIDAY}, {d for d, k in rows if k == DayKind.WORKDAY}, True


def _recompute(reason: str, actor: User | None, *, policy: Policy | None = None, unit: Unit | None = None,
               days: Iterable[date] = ()) -> ClockRecompute:
    """Record the recomputation the change needs; do it now when it touches few clocks
    (CLOCK_RECOMPUTE_INLINE_MAX), else after the commit in a job whose progress the admin sees."""
    scope = _scope_of(policy, unit, days)
    total = _clocks_in(scope).count()
    run = ClockRecompute.objects.create(reason=reason[:200], scope=scope, actor=actor, total=total, created_at=timezone.now())
    if total <= settings.CLOCK_RECOMPUTE_INLINE_MAX:
        run_clock_recompute(run)
    else:
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from banchengshi.cases.tasks import recompute_clocks_job

    recompute_clocks_job(run_id)


def run_clock_recompute(run: ClockRecompute) -> ClockRecompute:
    """Move the run's open clocks, keeping its progress (a job calls this again after a failure: moving a
    clock twice to the same limit changes nothing)."""
    run.status, run.started_at, run.error = RecomputeStatus.RUNNING, timezone.now(), ""
    run.save(update_fields=["status", "started_at", "error"])

    def progress(done: int, moved: int) -> None:
        ClockRecompute.objects.filter(pk=run.pk).update(done=done, moved=moved)

    try:
        run.moved = recompute_open_clocks(_clocks_in(run.scope), reason=run.reason, actor=run.actor, progress=progress)
    except Exception as exc:
        ClockRecompute.objects.filter(pk=run.pk).update(status=RecomputeStatus.FAILED, error=str(exc)[:2000])
        raise
    run.done = max(run.total, ClockRecompute.objects.filter(pk=run.pk).values_list("done", flat=True).first() or 0)
    run.status, run.finished_at = RecomputeStatus.DONE, timezone.now()
    run.save(update_fields=["status", "done", "moved", "finished_at"])
    if run.moved:
        # A clock the change turned yellow or red is told at once, not at the next minute's run.
        transaction.on_commit(_remind_now)
    return run


def _remind_now() -> None:
    from banchengshi.cases.tasks import remind_light_changes_now

    try:
        remind_light_changes_now()
    except Exception:  # the queue is down: the periodic run tells it within a minute, the change stands
        log.exception("could not enqueue the reminders after a clock change")


@transaction.atomic
def do_set_calendar_year(
    year: int, *, holidays: Iterable[date], workdays: Iterable[date], acting_user: User, source: str = "手工录入"
) -> tuple[CalendarYear, ClockRecompute]:
    """Replace a year's holidays and 调休 make-up workdays and publish them (a PUT is a complete year);
    returns the year and the recomputation of the open clocks."""
    holidays, workdays = sorted(set(holidays)), sorted(set(workdays))
    if not 2000 <= year <= 2100:
        raise CalendarError("年份须在 2000 至 2100 之间")
    for day in [*holidays, *workdays]:
        if day.year != year:
            raise CalendarError(f"{day.isoformat()} 不属于 {year} 年")
    both = set(holidays) & set(workdays)
    if both:
        raise CalendarError(f"{min(both).isoformat()} 不能既是节假日又是调休上班日")
    weekday_workdays = [d for d in workdays if d.weekday() < 5]
    if weekday_workdays:
        raise CalendarError(f"{weekday_workdays[0].isoformat()} 是工作日，调休上班日应为周六或周日")
    names = holiday_names(year)
    old_holidays, old_workdays, _published = _calendar_days(year)
    changed = (old_holidays ^ set(holidays)) | (old_workdays ^ set(workdays))
    calendar_year, _ = CalendarYear.objects.update_or_create(year=year, defaults={"source": source, "published": True})
    calendar_year.days.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(year=calendar_year, date=d, kind=DayKind.HOLIDAY, name=names.get(d, "")) for d in holidays]
        + [CalendarDay(year=calendar_year, date=d, kind=DayKind.WORKDAY, name=names.get(d, "调休上班")) for d in workdays]
    )
    forget_calendar_check()  # a bulk insert sends no signal
    record_event(
        "calendar_updated", actor=acting_user, year=year, holidays=len(holidays), workdays=len(workdays), source=source,
        published=True,
    )
    return calendar_year, _recompute(f"{year}年日历调整", acting_user, days=changed)


@transaction.atomic
def do_publish_calendar_year(year: int, *, acting_user: User) -> ClockRecompute:
    """From now on deadlines use this year's dates and the missing-year warning stops; returns the
    recomputation of the open clocks."""
    calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    if calendar_year is None:
        raise CalendarError(f"{year}年日历尚未录入")
    if calendar_year.published:
        raise CalendarError(f"{year}年日历已经发布")
    kinds = list(calendar_year.days.values_list("kind", flat=True))
    if DayKind.HOLIDAY not in kinds:
        raise CalendarError(f"{year}年日历还没有录入法定节假日，不能发布")
    calendar_year.published = True
    calendar_year.save(update_fields=["published", "updated_at"])
    record_event(
        "calendar_published", actor=acting_user, year=year,
        holidays=kinds.count(DayKind.HOLIDAY), workdays=kinds.count(DayKind.WORKDAY), source=calendar_year.source,
    )
    # Until now the year counted Monday to Friday: its holidays and 调休 workdays are what changes.
    return _recompute(f"{year}年日历发布", acting_user, days=calendar_year.days.values_list("date", flat=True))


@transaction.atomic
def do_recompute_after_calendar_edit(year: int, *, acting_user: User) -> ClockRecompute:
    """After an edit in the admin (which saves rows itself)."""
    record_event("calendar_updated", actor=acting_user, year=year, source="管理后台")
    return _recompute(f"{year}年日历调整", acting_user, days=_year_days(year))  # which days were edited is not known


@transaction.atomic
def do_recompute_after_policy_change(policy: Policy, *, acting_user: User | None) -> ClockRecompute:
    record_event("policy_updated", actor=acting_user, policy=policy.code, name=policy.name)
    return _recompute(f"时限规则“{policy.name}”调整", acting_user, policy=policy)


@transaction.atomic
def do_recompute_after_unit_change(unit: Unit, *, acting_user: User) -> ClockRecompute:
    """A center's hours, parent or policy changed: its cases' clocks follow."""
    record_event("unit_updated", actor=acting_user, unit=unit.code)
    return _recompute(f"单位“{unit.name}”设置调整", acting_user, unit=unit)


@transaction.atomic
def do_update_policy(policy: Policy, *, acting_user: User | None, **changes: Any) -> tuple[Policy, ClockRecompute]:
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    for field, value in changes.items():
        setattr(policy, field, value)
    policy.full_clean()
    policy.save()
    return policy, do_recompute_after_policy_change(policy, acting_user=acting_user)


def do_apply_presets(
    *, codes: Iterable[str] | None = None, acting_user: User | None = None
) -> list[tuple[Policy, ClockRecompute | None]]:
    """Bring the shipped presets' values into the database (an existing one too), preset by preset."""
    wanted = set(codes) if codes else None
    done: list[tuple[Policy, ClockRecompute | None]] = []
    for preset in PRESETS:
        if wanted is not None and preset["code"] not in wanted:
            continue
        # What a preset does not name is the model's default (a field with none is left unset).
        values = {
            f.name: f.get_default() for f in Policy._meta.concrete_fields
            if f.name not in ("id", "code", "is_default", "updated_at", "basis", "name")
        }
        values.update({k: v for k, v in preset.items() if k not in ("code", "is_default")})
        policy = Policy.objects.filter(code=preset["code"]).first()
        if policy is None:
            policy = Policy.objects.create(code=preset["code"], **values)
            done.append((policy, None))
            continue
        done.append(do_update_policy(policy, acting_user=acting_user, **values))
    return done
