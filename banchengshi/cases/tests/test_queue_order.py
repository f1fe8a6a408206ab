"""Issue 14: a queue's first rows come from index walks (per status, and by `Case.next_due_at` for the overdue
list), and they are exactly the rows of the plain query's order."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.selectors import (
    QUEUES,
    CaseFilters,
    cases_visible_to,
    clock_red,
    filter_cases,
    in_queue_order,
    queue_cases,
    queue_statuses,
    with_clock,
)
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District


def queue(key: str) -> Any:
    return next(q for q in QUEUES if q.key == key)


def test_a_queue_of_several_statuses_lists_the_same_first_rows_as_one_sorted_query(district: District, monday: Any) -> None:
    to_close = queue("to-close")
    assert len(queue_statuses(to_close)) >= 2
    for i in range(6):
        case_in(district, S.RESOLVED_ON_SITE if i % 2 else S.APPROVED)
        monday.shift(3600 * (i + 1))
    for _ in range(3):
        case_in(district, S.IN_PROGRESS)  # a running clock: listed before the ones whose clocks stopped
    cases = queue_cases(district.users["admin_office"], to_close)
    assert cases is not None and cases.count() == 6
    everything = [c.pk for c in in_queue_order(to_close, cases)]
    for limit in (1, 2, 3, 5, 6, 10):
        assert [c.pk for c in in_queue_order(to_close, cases, limit)[:limit]] == everything[:limit], limit


def test_the_overdue_queue_is_the_red_light_filter(district: District, monday: Any) -> None:
    late = [case_in(district, S.IN_PROGRESS) for _ in range(2)]
    monday.shift(3600 * 24 * 30)
    fresh = case_in(district, S.ACCEPTED)
    user = district.users["admin_office"]
    overdue = queue_cases(user, queue("overdue"))
    assert overdue is not None
    red = filter_cases(cases_visible_to(user), CaseFilters.model_validate({"light": "red"}))
    listed = {c.pk for c in in_queue_order(queue("overdue"), overdue, 20)}
    assert listed == set(red.values_list("pk", flat=True)) >= {c.pk for c in late}
    assert fresh.pk not in listed
    assert listed == set(cases_visible_to(user).filter(with_clock(clock_red(timezone.now()))).values_list("pk", flat=True))


def test_a_units_open_orders_list_the_same_first_rows_as_one_sorted_query(district: District, monday: Any) -> None:
    """本单位承办的工单: walked by the orders' copy of their case's soonest limit, pending and received orders
    merged, the same rows as sorting every held case; a paused case (its limit kept) and another unit's order
    in their place."""
    mine = queue("my-orders")
    for i, status in enumerate([S.DISPATCHED, S.IN_PROGRESS, S.PAUSED, S.IN_PROGRESS, S.DISPATCHED, S.IN_PROGRESS, S.REPLIED]):
        case_in(district, status)
        monday.shift(3600 * (5 - i) if i % 2 else 3600 * 30)  # limits interleave across the order statuses
    other = case_in(district, S.ACCEPTED)
    from banchengshi.cases import actions

    actions.do_dispatch_case(other, acting_user=district.users["dispatcher"], lead_unit=district.units["YBJ"])
    handler = district.users["rsj"]
    cases = queue_cases(handler, mine)
    assert cases is not None and cases.count() == 6  # the replied case's order is closed; YBJ's is not RSJ's
    everything = [c.pk for c in in_queue_order(mine, cases)]
    assert other.pk not in everything
    for limit in (1, 2, 3, 4, 6, 10):
        assert [c.pk for c in in_queue_order(mine, cases, limit, handler.unit_id)[:limit]] == everything[:limit], limit
