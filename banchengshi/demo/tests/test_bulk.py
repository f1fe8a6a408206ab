"""The COPY loader of the benchmarks (demo.bulk.CopyWriter) writes the rows the ORM would: the same cases,
states, clocks, work orders and visits for a seed; figures equal to the raw counts; personal fields that
decrypt, with lookup hashes that find them. PostgreSQL only (COPY)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection

from banchengshi.cases import search
from banchengshi.cases.models import Case, Clock, Visit, WorkOrder
from banchengshi.cases.selectors import reported_by_phone
from banchengshi.conftest import District
from banchengshi.demo import texts
from banchengshi.demo.bulk import CopyWriter
from banchengshi.demo.generate import generate_cases
from banchengshi.lib import pii
from banchengshi.reports.figures import Period, compute, public_scope
from banchengshi.reports.tests.test_figures import Raw, assert_figures_match, expected
from banchengshi.sla.deadlines import SHANGHAI

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")]
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI)
FIRST = datetime(2025, 11, 1, tzinfo=SHANGHAI)
COUNT = 2000


def shape(prefix: str) -> list[tuple[Any, ...]]:
    """Each case as the figures see it, with its clocks, orders and visits, without ids or references."""
    rows = []
    for case in Case.objects.filter(reference__startswith=prefix).order_by("reference").prefetch_related(
            "clocks", "work_orders", "visits"):
        rows.append((
            case.status, case.channel, case.center_id, case.matter_id, case.reasons, case.received_at, case.accepted_at,
            case.replied_at, case.closed_at, case.resupervision_count, case.merged_into_id is not None,
            sorted((c.kind, c.started_at, c.due_at, c.stopped_at, c.paused_at, c.cancelled) for c in case.clocks.all()),
            sorted((o.unit_id, o.role, o.status, o.created_at) for o in case.work_orders.all()),
            sorted((v.rating, v.solved, v.visited_at) for v in case.visits.all()),
        ))
    return rows


@time_machine.travel(NOW, tick=False)
def test_the_copy_loader_writes_what_the_orm_writes(district: District) -> None:
    end = NOW - timedelta(hours=1)
    assert generate_cases(COUNT, start=FIRST, end=end, seed=7, prefix="ORM", phones=300, batch_size=700) == COUNT
    assert generate_cases(COUNT, start=FIRST, end=end, seed=7, prefix="CPY", phones=300, writer=CopyWriter(),
                          batch_size=700) == COUNT
    orm, copied = shape("ORM"), shape("CPY")
    assert len(copied) == COUNT and copied == orm
    for model in (Clock, WorkOrder, Visit):
        assert model.objects.filter(case__reference__startswith="CPY").count() == model.objects.filter(
            case__reference__startswith="ORM").count() > 0, model


@time_machine.travel(NOW, tick=False)
def test_copied_cases_count_and_decrypt(district: District) -> None:
    generate_cases(COUNT, start=FIRST, end=NOW - timedelta(hours=1), seed=8, prefix="CPY", phones=50,
                   writer=CopyWriter(), batch_size=700)
    raw = Raw(Case.objects.all())
    assert len(raw.cases) == COUNT
    for start, end in [(FIRST.date(), NOW.date()), (date(2026, 7, 1), date(2026, 9, 30))]:
        assert_figures_match(compute(public_scope(), Period(start, end), NOW), expected(raw, start, end))

    # Real ciphertext in the columns, read back through the model; the hash finds the phone.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_name, reporter_phone FROM cases_case WHERE reference = %s", ["CPY000000049"])
        stored = cursor.fetchone()
    assert pii.is_encrypted(stored[0]) and pii.is_encrypted(stored[1])
    case = Case.objects.get(reference="CPY000000049")
    assert case.reporter_name[0] in texts.SURNAMES and case.reporter_phone == "13900000049"
    # The search index is filled by COPY too: what the reporters said is found (cases/search.py).
    assert Case.objects.filter(reporter_name_hash=pii.lookup_hash(case.reporter_name, pii.NAME_PURPOSE)).exists()
    social = search.filter_search(Case.objects.all(), search.parse("社保", None))
    assert 0 < social.count() == sum("社保" in c.description for c in Case.objects.all())
    assert reported_by_phone(Case.objects.all(), "13900000049").count() == COUNT // 50
    assert all(c.reporter_phone.startswith("139") for c in Case.objects.order_by("?")[:50])
