"""The clock-rule table at work: which event starts, completes, cancels and reopens each clock, per preset."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case, Clock
from banchengshi.cases.tests.factories import assert_next_due_kept, case_in, register
from banchengshi.conftest import District
from banchengshi.sla.clock_rules import RULES
from banchengshi.sla.models import Policy


@pytest.fixture(autouse=True)
def next_due_kept(db: None) -> Iterator[None]:
    """After each test: the queues' stored order (`Case.next_due_at`) agrees with the clocks."""
    yield
    assert_next_due_kept()



def use_preset(district: District, code: str) -> None:
    center = district.units["FWZX"]
    center.policy = Policy.objects.get(code=code)
    center.save(update_fields=["policy"])


def clock(case: Case, kind: str) -> Clock:
    return Clock.objects.filter(case=case, kind=kind).latest("id")


def test_every_rule_names_a_policy_limit_and_distinct_events() -> None:
    fields = {f.name for f in Policy._meta.get_fields()}
    for rule in RULES:
        assert rule.limit == "resolution" or rule.limit in fields, rule
        assert rule.starts and rule.completes and not rule.starts & rule.completes, rule
        assert not rule.start_choice or rule.start_choice in fields


def test_chongming_counts_resolution_from_the_order_reaching_the_unit(district: District, monday: Any) -> None:
    case = case_in(district, S.ACCEPTED)
    assert not Clock.objects.filter(case=case, kind="resolution").exists()
    assert clock(case, "forward").stopped_at is None  # the dispatcher's clock runs meanwhile
    monday.shift(3600)
    actions.do_dispatch_case(case, acting_user=district.users["dispatcher"], lead_unit=district.units["RSJ"])
    resolution = clock(case, "resolution")
    order = case.work_orders.get()
    assert resolution.started_at == order.created_at  # 接单 is when the order reaches the unit, not when it is received
    assert clock(case, "forward").stopped_at == order.created_at


def test_suzhou_counts_from_acceptance_and_gives_multi_department_cases_a_same_day_feedback(
    district: District, monday: Any
) -> None:
    use_preset(district, "suzhou")
    case = case_in(district, S.ACCEPTED)  # general, one department so far: no first feedback
    assert clock(case, "resolution").started_at == Case.objects.get(pk=case.pk).accepted_at
    assert not Clock.objects.filter(case=case, kind="first_feedback").exists()
    monday.shift(7200)
    actions.do_dispatch_case(case, acting_user=district.users["dispatcher"], lead_unit=district.units["RSJ"],
                             assisting_units=[district.units["YBJ"]])
    feedback = clock(case, "first_feedback")
    assert feedback.started_at == Case.objects.get(pk=case.pk).accepted_at
    assert feedback.due_at.isoformat() == "2026-11-23T09:00:00+00:00"  # close of business on the day of acceptance


def test_a_returned_order_cancels_its_contact_clock_and_redispatch_starts_one(district: District, monday: Any) -> None:
    case = case_in(district, S.DISPATCHED)
    first = case.work_orders.get()
    actions.do_return_work_order(first, acting_user=district.users["rsj"], reason="不属于本单位职责")
    returned = Clock.objects.get(case=case, kind="first_contact", work_order=first)
    assert returned.cancelled and returned.ended_by == "order_returned"
    body = district.api("dispatcher").get(f"/cases/{case.reference}").json()
    shown = next(c for c in body["clocks"] if c["kind"] == "first_contact")
    assert shown["cancelled"] is True  # not 已完成: nobody called the reporter
    assert body["light"] is not None  # the resolution clock runs on while the case waits
    actions.do_dispatch_case(case, acting_user=district.users["dispatcher"], lead_unit=district.units["YBJ"])
    running = Clock.objects.filter(case=case, kind="first_contact", stopped_at__isnull=True)
    assert [c.work_order.unit.code for c in running] == ["YBJ"]
    assert Clock.objects.filter(case=case, kind="resolution").count() == 1  # not restarted by the re-dispatch
    page = district.api("dispatcher").get(f"/cases/{case.reference}").json()
    assert [e["action"] for e in page["timeline"]].count("work_order_returned") == 1  # logged once


def test_a_review_return_reopens_what_the_reply_completed(district: District, monday: Any) -> None:
    case = case_in(district, S.UNDER_REVIEW)
    resolution = clock(case, "resolution")
    assert resolution.stopped_at is not None
    actions.do_review_case(case, acting_user=district.users["center_head"], approve=False, note="请补充到账时间")
    assert clock(case, "resolution").stopped_at is None
    assert Case.objects.get(pk=case.pk).status == S.IN_PROGRESS


def test_every_open_case_has_a_running_clock(district: District, monday: Any) -> None:
    for status in (S.REGISTERED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.REPLIED, S.RESUPERVISED):
        case = case_in(district, status)
        assert Clock.objects.filter(case=case, stopped_at__isnull=True).exists(), status
    visited = case_in(district, S.VISITED)  # 非常不满意: the admin office's re-supervision clock
    assert clock(visited, "resupervision").stopped_at is None


def test_resupervision_limit_is_chosen_within_the_policy(district: District, monday: Any) -> None:
    case = case_in(district, S.VISITED)
    zwb = district.api("admin_office")
    too_long = zwb.post(f"/cases/{case.reference}/resupervise", {"reason": "限期整改", "days": 11})
    assert too_long.status_code == 422 and "1 至 10" in too_long.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == S.VISITED
    body = zwb.post(f"/cases/{case.reference}/resupervise", {"reason": "限期整改", "days": 8}).json()
    rectification = next(c for c in body["clocks"] if c["kind"] == "rectification")
    assert rectification["working_days"] == 8
    assert clock(case, "resupervision").stopped_at is not None
    Policy.objects.filter(is_default=True).update(rectification_days=3)
    from banchengshi.cases.actions.calendar import do_recompute_after_policy_change

    do_recompute_after_policy_change(Policy.objects.get(is_default=True), acting_user=None)
    assert clock(case, "rectification").working_days == 8  # chosen, not the policy's default


def test_apply_presets_brings_shipped_values_into_an_existing_database(district: District, monday: Any) -> None:
    case = register(district)
    Policy.objects.filter(code="chongming").update(acceptance_days=9, objection_days=0)
    call_command("apply_presets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    policy = Policy.objects.get(code="chongming")
    assert (policy.acceptance_days, policy.objection_days) == (1, 3)
    assert clock(case, "acceptance_reply").working_days == 1
