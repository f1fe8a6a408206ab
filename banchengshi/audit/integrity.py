"""Walking the chain (`verify_audit`) and purging what is past the retention (`purge_audit`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from banchengshi.audit.chain import GENESIS, mac_matches
from banchengshi.audit.events import locked_head, record_event
from banchengshi.audit.labels import EventType, action_label
from banchengshi.audit.models import AuditChain, Event


@dataclass(frozen=True)
class Finding:
    kind: str  # "tampered" | "missing" | "purge_unattested"
    seq: int
    event_id: int | None
    message: str


@dataclass(frozen=True)
class Verification:
    checked: int
    first_seq: int
    last_seq: int
    last_mac: str
    purged_through: int
    finding: Finding | None

    @property
    def intact(self) -> bool:
        return self.finding is None


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _describe(event: Event) -> str:
    subject = f"，反映件 {event.case.reference}" if event.case is not None else ""
    return f"记录 ID {event.pk}，{_local(event.at)} {action_label(event.action)}，{event.actor_label}{subject}"


def verify_chain(key: bytes | None = None) -> Verification:
    """Recompute every MAC in sequence order from the purge mark on. The first problem is named:
    a row whose MAC does not match its content (tampered), a sequence number that is skipped or a row
    whose link does not match the row before it (missing), a purge mark no purge record vouches for."""
    key = key or settings.AUDIT_KEY
    head = AuditChain.objects.filter(pk=1).first()
    start = head.purged_through_seq if head else 0
    start_mac = head.purged_through_mac if head else GENESIS
    expected_seq, expected_prev = start + 1, start_mac
    checked, last_mac = 0, expected_prev
    attested = start == 0
    finding: Finding | None = None
    events = Event.objects.filter(seq__gt=start).select_related("case").order_by("seq")
    for event in events.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            finding = Finding("missing", expected_seq, None, f"缺少第 {expected_seq} 条记录（第 {expected_seq - 1} 条之后，下一条是第 {event.seq} 条）")
            break
        if not mac_matches(event, event.mac, key):
            hint = "；若所有记录都不符，请确认 AUDIT_KEY 是否为写入时的密钥" if checked == 0 else ""
            finding = Finding("tampered", event.seq, event.pk, f"第 {event.seq} 条记录被篡改：校验码不符（{_describe(event)}）{hint}")
            break
        if event.prev_mac != expected_prev:
            what = "清理标记与其后的记录不符" if event.seq == start + 1 and start else f"第 {event.seq - 1} 条记录被替换"
            finding = Finding("missing", event.seq - 1, None, f"第 {event.seq} 条记录的前序校验码不符：{what}（{_describe(event)}）")
            break
        if event.action == EventType.AUDIT_PURGED:
            # The latest purge record must name the mark: a mark moved by hand is not vouched for.
            attested = event.data.get("through_seq") == start and event.data.get("through_mac") == start_mac
        checked += 1
        expected_seq, expected_prev, last_mac = event.seq + 1, event.mac, event.mac
    last_seq = expected_seq - 1
    if finding is None and head is not None and head.last_seq > last_seq:
        finding = Finding("missing", last_seq + 1, None, f"缺少第 {last_seq + 1} 条记录（链头记到第 {head.last_seq} 条，记录只到第 {last_seq} 条）")
    if finding is None and not attested:
        finding = Finding("purge_unattested", start, None, f"清理标记称第 1–{start} 条已清理，但没有与之相符的清理记录：第 1–{start} 条记录缺失")
    return Verification(checked, start + 1, last_seq, last_mac, start, finding)


class PurgeRefused(Exception):
    pass


@dataclass(frozen=True)
class Purge:
    deleted: int
    through_seq: int
    cutoff: datetime


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)


def purge_expired(before: datetime | None = None, *, actor_label: str = "系统") -> Purge:
    """Delete the oldest entries, in chain order, recorded before `before` (default: the retention
    cutoff; a later `before` is refused). Stops at the first younger entry, so what is removed is always
    a prefix of the chain; the head keeps where it ended and a sealed purge record vouches for it."""
    cutoff = retention_cutoff()
    if before is None:
        before = cutoff
    if before > cutoff:
        raise PurgeRefused(
            f"审计记录至少保存 {settings.AUDIT_RETENTION_DAYS} 天：不能清理 {_local(cutoff)} 之后的记录（要求清理至 {_local(before)}）"
        )
    verification = verify_chain()
    if verification.finding is not None:
        raise PurgeRefused(f"审计链校验未通过，不予清理（以免销毁证据）：{verification.finding.message}")
    with transaction.atomic():
        head = locked_head()
        start = head.purged_through_seq
        young = Event.objects.filter(seq__gt=start, at__gte=before).order_by("seq").values_list("seq", flat=True).first()
        through = (young - 1) if young is not None else head.last_seq
        if through <= start:
            return Purge(0, start, before)
        last = Event.objects.get(seq=through)
        deleted, _ = Event.objects.filter(seq__gt=start, seq__lte=through).delete()
        head.purged_through_seq, head.purged_through_mac, head.purged_at = through, last.mac, timezone.now()
        head.save(update_fields=["purged_through_seq", "purged_through_mac", "purged_at"])
        record_event(
            EventType.AUDIT_PURGED, actor_label=actor_label, through_seq=through, through_mac=last.mac,
            cutoff=before.isoformat(), deleted=deleted,
        )
    return Purge(deleted, through, before)
