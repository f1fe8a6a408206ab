"""The audit chain: an intact chain verifies; a rewritten row, a removed row and a removed tail are named;
the database itself refuses UPDATE and DELETE; concurrent writers keep one line."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from banchengshi.audit.events import record_event
from banchengshi.audit.guard import guard_lifted, installed
from banchengshi.audit.integrity import verify_chain
from banchengshi.audit.models import AuditChain, Event


def _verify() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def _some_events(n: int = 5) -> list[Event]:
    return [record_event("note_added", actor_label="测试", note=f"第{i}条", phone="13800138000") for i in range(n)]


@pytest.mark.django_db
def test_an_intact_chain_verifies(district):
    events = _some_events()
    assert [e.seq for e in events] == list(range(events[0].seq, events[0].seq + 5))
    assert events[1].prev_mac == events[0].mac
    code, text = _verify()
    assert code == 0, text
    assert "审计链完整" in text
    assert f"第 1–{events[-1].seq} 条" in text


@pytest.mark.django_db
def test_a_rewritten_row_is_named(district):
    events = _some_events()
    victim = events[2]
    with guard_lifted(), connection.cursor() as cursor:  # an attacker with the database in hand
        cursor.execute("UPDATE audit_event SET data = %s WHERE id = %s", [json.dumps({"note": "改过的"}), victim.pk])
    code, text = _verify()
    assert code == 1
    assert f"第 {victim.seq} 条记录被篡改" in text
    assert f"记录 ID {victim.pk}" in text


@pytest.mark.django_db
def test_a_renumbered_row_is_named(district):
    events = _some_events()
    last = events[-1]
    with guard_lifted(), connection.cursor() as cursor:  # closing the gap after a deletion
        cursor.execute("DELETE FROM audit_event WHERE id = %s", [events[3].pk])
        cursor.execute("UPDATE audit_event SET seq = seq - 1 WHERE id = %s", [last.pk])
    code, text = _verify()
    assert code == 1
    assert f"第 {last.seq - 1} 条记录被篡改" in text


@pytest.mark.django_db
def test_a_deleted_row_is_named_as_missing(district):
    events = _some_events()
    with guard_lifted():
        Event.objects.filter(pk=events[1].pk).delete()
    code, text = _verify()
    assert code == 1
    assert f"缺少第 {events[1].seq} 条记录" in text


@pytest.mark.django_db
def test_a_deleted_tail_is_named_as_missing(district):
    events = _some_events()
    with guard_lifted():
        Event.objects.filter(pk=events[-1].pk).delete()
    code, text = _verify()
    assert code == 1
    assert f"缺少第 {events[-1].seq} 条记录" in text


@pytest.mark.django_db
def test_another_key_fails_at_the_first_entry(district):
    _some_events(2)
    result = verify_chain(key=b"\x01" * 32)
    assert result.finding is not None and result.finding.kind == "tampered"
    assert "AUDIT_KEY" in result.finding.message


@pytest.mark.django_db
def test_the_database_refuses_update_and_delete(district):
    assert installed()
    event = _some_events(1)[0]
    for statement in ("UPDATE audit_event SET actor_label = 'x' WHERE id = %s", "DELETE FROM audit_event WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(data={})
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_event CASCADE")
    assert Event.objects.get(pk=event.pk).actor_label == "测试"


@pytest.mark.django_db
def test_a_case_with_a_history_cannot_be_deleted(district):
    from django.db.models import ProtectedError

    from banchengshi.cases.models import Case
    from banchengshi.conftest import case_body

    reference = district.api("registrar").post("/cases", case_body()).json()["reference"]
    case = Case.objects.get(reference=reference)
    with pytest.raises(ProtectedError), transaction.atomic():
        case.delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_one_line(district):
    def write(n: int) -> None:
        try:
            for i in range(n):
                with transaction.atomic():
                    record_event("note_added", actor_label=f"线程{threading.get_ident()}", i=i)
        finally:
            connections.close_all()

    if connection.vendor == "sqlite":
        # The in-memory test database's shared cache has no busy timeout (a second writer fails at once
        # rather than waiting); SQLite's IMMEDIATE transactions admit one writer anyway.
        for _ in range(4):
            with transaction.atomic():
                for i in range(8):
                    record_event("note_added", actor_label="顺序", i=i)
    else:
        threads = [threading.Thread(target=write, args=(8,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    seqs = list(Event.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert Event.objects.filter(action="note_added").count() == 32
    assert verify_chain().intact
    assert AuditChain.objects.get().last_seq == seqs[-1]


@pytest.mark.django_db
def test_events_written_in_the_past_still_link(district):
    event = record_event("note_added", actor_label="测试", at=timezone.now() - timedelta(days=3))
    assert event.prev_mac != event.mac
    assert verify_chain().intact


@pytest.mark.django_db
def test_events_sealed_together_take_the_head_only_at_the_end_and_link_as_one_line(district):
    from django.test.utils import CaptureQueriesContext

    from banchengshi.audit.events import sealed_together

    record_event("note_added", note="之前")
    with CaptureQueriesContext(connection) as captured, sealed_together():
        first = record_event("note_added", note="一")
        record_event("note_added", note="二 13912345678")
        assert not any("audit_auditchain" in q["sql"] or "audit_event" in q["sql"] for q in captured.captured_queries)
        assert first.pk is None  # not written yet
    assert sum("audit_auditchain" in q["sql"] for q in captured.captured_queries) == 2  # locked once, moved once
    notes = list(Event.objects.order_by("seq").values_list("data", "seq"))[-3:]
    assert [d["note"] for d, _ in notes] == ["之前", "一", "二 139****5678"]
    assert [s for _, s in notes] == list(range(notes[0][1], notes[0][1] + 3))
    assert verify_chain().intact
    head = AuditChain.objects.get(pk=1).last_seq
    with pytest.raises(ValueError), sealed_together():
        record_event("note_added", note="回滚")
        raise ValueError("失败的登记")
    assert AuditChain.objects.get(pk=1).last_seq == head
    assert not Event.objects.filter(data__note="回滚").exists()
    assert verify_chain().intact
