"""Purging the audit log: only what is past the retention, in chain order; verification goes on from the
purge mark, which only a sealed purge record can vouch for. No date here is today's: the events are
written at times relative to the (possibly faked) clock."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from banchengshi.audit.events import record_event
from banchengshi.audit.guard import guard_lifted
from banchengshi.audit.integrity import verify_chain
from banchengshi.audit.models import AuditChain, Event


def _fresh_chain() -> None:
    """An installation whose log starts with old entries (the session's district was written today)."""
    with guard_lifted():
        Event.objects.all().delete()
    AuditChain.objects.all().delete()


def _write(n: int, note: str) -> list[Event]:
    return [record_event("note_added", actor_label="测试", note=f"{note}{i}") for i in range(n)]


@pytest.fixture
def old_and_young(district):
    _fresh_chain()
    with time_machine.travel(timezone.now() - timedelta(days=800), tick=False):
        old = _write(3, "旧")
    with time_machine.travel(timezone.now() - timedelta(days=30), tick=False):
        young = _write(2, "新")
    return old, young


@pytest.mark.django_db
def test_purge_removes_the_old_prefix_and_the_chain_still_verifies(old_and_young):
    old, young = old_and_young
    out = StringIO()
    call_command("purge_audit", stdout=out)
    assert "已清理 3 条审计记录" in out.getvalue()
    assert not Event.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert Event.objects.filter(pk__in=[e.pk for e in young]).count() == 2
    purge = Event.objects.get(action="audit_purged")
    assert purge.data["through_seq"] == 3 and purge.seq == 6
    head = AuditChain.objects.get()
    assert (head.purged_through_seq, head.purged_through_mac) == (3, old[-1].mac)

    result = verify_chain()
    assert result.intact, result.finding
    assert (result.first_seq, result.last_seq, result.checked) == (4, 6, 3)
    verified = StringIO()
    call_command("verify_audit", stdout=verified)
    assert "第 1–3 条已按保存期限清理" in verified.getvalue()

    again = StringIO()
    call_command("purge_audit", stdout=again)
    assert "没有超过保存期限" in again.getvalue()
    assert verify_chain().intact


@pytest.mark.django_db
def test_purge_refuses_rows_younger_than_the_retention(old_and_young, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    too_late = timezone.localdate() - timedelta(days=10)
    with pytest.raises(CommandError, match="至少保存 180 天") as refused:
        call_command("purge_audit", "--before", too_late.isoformat())
    assert refused.value.returncode == 2
    assert Event.objects.count() == 5
    assert not AuditChain.objects.get().purged_through_seq


@pytest.mark.django_db
def test_a_longer_retention_keeps_more(old_and_young, settings):
    settings.AUDIT_RETENTION_DAYS = 1000
    call_command("purge_audit", stdout=StringIO())
    assert Event.objects.filter(action="note_added").count() == 5


@pytest.mark.django_db
def test_the_database_lets_only_old_rows_go(old_and_young):
    old, young = old_and_young
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=young[0].pk).delete()
    Event.objects.filter(pk=old[0].pk).delete()  # past 180 days: the trigger lets it go (purge_audit's way)


@pytest.mark.django_db
def test_a_purge_mark_moved_by_hand_is_named(old_and_young):
    old, young = old_and_young
    head = AuditChain.objects.get()
    with guard_lifted():  # deleting young rows and moving the mark over them, as an attacker would
        Event.objects.filter(seq__lte=4).delete()
    head.purged_through_seq, head.purged_through_mac = 4, young[0].mac
    head.save()
    result = verify_chain()
    assert result.finding is not None and result.finding.kind == "purge_unattested"
    with pytest.raises(CommandError, match="第 1–4 条记录缺失"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_a_broken_chain_is_not_purged(old_and_young):
    old, _ = old_and_young
    with guard_lifted():
        Event.objects.filter(pk=old[1].pk).update(actor_label="改")
    with pytest.raises(CommandError, match="不予清理"):
        call_command("purge_audit")
    assert Event.objects.filter(pk=old[0].pk).exists()
