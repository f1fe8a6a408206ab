"""Retention: cases closed longer ago than PII_RETENTION_DAYS lose the reporter's name (masked) and phone;
every figure the system computes stays the same, younger cases are untouched, each run is audited."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from io import BytesIO, StringIO
from typing import Any

import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from banchengshi.audit.models import Event
from banchengshi.cases import actions
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case, Clock, Visit
from banchengshi.cases.retention import do_anonymise_closed_cases
from banchengshi.cases.selectors import CaseFilters, filter_cases, queues_for, reported_by_phone
from banchengshi.cases.tasks import anonymise_cases_task
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District
from banchengshi.notify.models import Message
from banchengshi.notify.services import queue_sms
from banchengshi.reports.ledger import COLUMNS, ledger_xlsx
from banchengshi.sla.deadlines import SHANGHAI

LONG_AGO = datetime(2023, 6, 5, 10, 0, tzinfo=SHANGHAI)  # a Monday, more than 1095 days before NOW
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
PERSONAL = {"反映人", "联系电话"}


def _build(district: District) -> dict[str, Case]:
    u = district.users
    built: dict[str, Case] = {}
    with time_machine.travel(LONG_AGO, tick=False) as traveller:
        built["old_closed"] = case_in(district, CaseStatus.CLOSED, reporter_name="欧阳娜娜", reporter_phone="13911110001")
        built["old_satisfied"] = case_in(district, CaseStatus.CLOSED, reporter_name="李四", reporter_phone="13911110002")
        actions.do_visit_case(built["old_satisfied"], acting_user=u["dispatcher"], rating=5, solved=True)
        # Visited, unhappy, awaiting re-supervision: not closed for good, kept.
        built["old_complaint"] = case_in(district, CaseStatus.VISITED, reporter_name="王五", reporter_phone="13911110003")
        built["old_in_progress"] = case_in(district, CaseStatus.IN_PROGRESS, reporter_name="赵六", reporter_phone="13911110004")
        built["old_rejected"] = case_in(district, CaseStatus.NOT_ACCEPTED, reporter_name="钱七", reporter_phone="13911110005")
        queue_sms("13911110001", "您反映的事项已登记", subject=built["old_closed"].reference)
        queue_sms("13911110009", "您的验证码是123456")
        traveller.move_to(LONG_AGO + timedelta(days=30))
        built["old_in_progress_paused"] = case_in(district, CaseStatus.PAUSED, reporter_phone="13911110006")
    with time_machine.travel(NOW - timedelta(days=20), tick=False):
        built["young_closed"] = case_in(district, CaseStatus.CLOSED, reporter_name="孙八", reporter_phone="13911110007")
        actions.do_visit_case(built["young_closed"], acting_user=u["dispatcher"], rating=4, solved=True)
    return {k: Case.objects.get(pk=v.pk) for k, v in built.items()}


def _figures(district: District) -> dict[str, Any]:
    """Every figure the system computes from cases: the ledger (all its columns but the two personal ones),
    the counts by each list filter, the workbench queues, ratings, on-time closure, the API's list."""
    cases = Case.objects.select_related("center", "matter").prefetch_related("work_orders__unit", "clocks", "visits").order_by("pk")
    workbook = load_workbook(BytesIO(ledger_xlsx(cases, title="台账", filters=[], now=timezone.now())))
    sheet = workbook.active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0] == "登记编号")
    keep = [i for i, name in enumerate(rows[header]) if name not in PERSONAL]
    assert len(keep) == len(COLUMNS) - 2
    ledger = [[row[i] for i in keep] for row in rows[header:]]
    filters = {
        f"{name}={value}": filter_cases(Case.objects.all(), CaseFilters(**{name: value})).count()
        for name, values in {"status": list(CaseStatus.values), "light": ["red", "yellow", "green"],
                             "channel": ["window", "phone", "online"], "q": ["失业", "示范区"]}.items()
        for value in values
    }
    queues = {f"{user}:{queue.key}": found.count() for user in ("dispatcher", "admin_office", "center_head", "rsj")
              for queue, found in queues_for(district.users[user])}
    clocks = Clock.objects.filter(stopped_at__isnull=False)
    api = district.api("overseer").get("/cases", page_size=100).json()
    for item in api["results"]:
        item.pop("reporter", None)
    return {
        "ledger": ledger,
        "filters": filters,
        "queues": queues,
        "ratings": dict(Counter(Visit.objects.values_list("rating", flat=True))),
        "solved": dict(Counter(Visit.objects.values_list("solved", flat=True))),
        "on_time": sorted((c.kind, c.stopped_at <= c.due_at) for c in clocks if c.due_at),
        "by_status": dict(Counter(Case.objects.values_list("status", flat=True))),
        "closed_at": sorted(str(t) for t in Case.objects.values_list("closed_at", flat=True)),
        "api": json.dumps(api, sort_keys=True, ensure_ascii=False),
    }


def test_anonymising_keeps_every_figure_and_young_cases(district: District) -> None:
    built = _build(district)
    with time_machine.travel(NOW, tick=False):
        before = _figures(district)
        young_before = {k: (c.reporter_name, c.reporter_phone) for k, c in built.items() if not k.startswith("old_closed")
                        and k != "old_satisfied"}
        assert do_anonymise_closed_cases() == 2
        after = _figures(district)
    assert after == before
    gone = {k: Case.objects.get(pk=built[k].pk) for k in ("old_closed", "old_satisfied")}
    assert (gone["old_closed"].reporter_name, gone["old_closed"].reporter_phone) == ("欧*", "")
    assert (gone["old_satisfied"].reporter_name, gone["old_satisfied"].reporter_phone) == ("李*", "")
    assert all(c.anonymised_at == NOW and c.reporter_phone_hash == "" for c in gone.values())
    assert gone["old_closed"].description == built["old_closed"].description  # free text kept
    for key, (name, phone) in young_before.items():
        kept = Case.objects.get(pk=built[key].pk)
        assert (kept.reporter_name, kept.reporter_phone, kept.anonymised_at) == (name, phone, None), key
    # Nothing finds the anonymised cases by phone any more; the others still are.
    assert not reported_by_phone(Case.objects.all(), "13911110001").exists()
    assert reported_by_phone(Case.objects.all(), "13911110003").get().pk == built["old_complaint"].pk
    # The raw row holds neither the name nor the phone, not even as ciphertext.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone, reporter_phone_hash FROM cases_case WHERE id = %s", [built["old_closed"].pk])
        assert cursor.fetchone() == ("", "")
    # The SMS to old phones lost their recipient; the young case's did not.
    assert {m.text: m.to for m in Message.objects.filter(kind="sms", text__in=["您反映的事项已登记", "您的验证码是123456"])} == {
        "您反映的事项已登记": "", "您的验证码是123456": ""}


def test_each_run_is_one_audit_event_with_its_count(district: District) -> None:
    _build(district)
    with time_machine.travel(NOW, tick=False):
        out = StringIO()
        call_command("anonymise_cases", "--dry-run", stdout=out)
        assert "将匿名化 2 件" in out.getvalue() and not Event.objects.filter(action="personal_data_anonymised").exists()
        call_command("anonymise_cases", stdout=out)
        assert "已匿名化 2 件" in out.getvalue()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert anonymise_cases_task.call_local() == 0  # the nightly job: nothing left, and still on the record
    runs = list(Event.objects.filter(action="personal_data_anonymised").order_by("seq"))
    assert [e.data["count"] for e in runs] == [2, 0]
    assert runs[0].data["retention_days"] == 1095 and runs[0].case is None
    assert "1391111" not in json.dumps([e.data for e in runs])


def test_the_period_is_a_setting(district: District, settings: Any) -> None:
    built = _build(district)
    settings.PII_RETENTION_DAYS = 10
    with time_machine.travel(NOW, tick=False):
        assert do_anonymise_closed_cases() == 3  # the case closed 20 days ago too
    assert Case.objects.get(pk=built["young_closed"].pk).reporter_name == "孙*"
    settings.PII_RETENTION_DAYS = 5000
    assert do_anonymise_closed_cases(now=NOW) == 0


def test_the_job_runs_once_a_night_at_half_past_two_in_shanghai() -> None:
    from datetime import UTC

    night = datetime(2026, 11, 24, 2, 30, tzinfo=SHANGHAI).astimezone(UTC).replace(tzinfo=None)
    assert anonymise_cases_task.task_class().validate_datetime(night)
    day = [night + timedelta(minutes=m) for m in range(1, 24 * 60)]
    assert not any(anonymise_cases_task.task_class().validate_datetime(moment) for moment in day)
