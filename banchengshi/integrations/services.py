"""An upstream delivery, start to end: the source, the signature, the body, one case per event id, and a
line in the delivery log whatever the outcome.

The case and its InboundEvent row are written in one transaction; the unique (source, event id) makes
concurrent deliveries of one event one case: the loser's insert fails (PostgreSQL waits for the winner's
commit; SQLite's IMMEDIATE transactions take turns), its transaction is undone, and it answers 200 with the
winner's reference. A refusal is logged after its transaction is gone, so the log line survives it."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from banchengshi.audit.events import record_event
from banchengshi.cases.actions.registration import do_register_case
from banchengshi.integrations.choices import Outcome
from banchengshi.integrations.mapping import EventRefused, map_event
from banchengshi.integrations.models import Delivery, InboundEvent, IntegrationSource
from banchengshi.integrations.schemas import EventIn
from banchengshi.integrations.signing import Unauthenticated, verify
from banchengshi.lib.errors import ActionError
from banchengshi.lib.validation import describe_errors

log = logging.getLogger(__name__)

EVENT_ID = re.compile(r"[\x21-\x7e]{1,64}")  # printable ASCII, no spaces: it goes into logs and URLs
UNPRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]")


@dataclass(frozen=True)
class Delivered:
    """What the inbound endpoint receives: the path's source code, three headers, the raw body."""

    source_code: str
    event_id: str
    timestamp: str
    signature: str
    body: bytes
    remote_ip: str = ""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, str]


def _clean(value: str, limit: int) -> str:
    """A caller's string made safe for the log (no NUL, no control characters, not too long)."""
    return UNPRINTABLE.sub("?", value)[:limit]


def _log(delivered: Delivered, now: datetime, outcome: str, status: int, reason: str = "", reference: str = "") -> None:
    """The delivery log the admin office reads, and the same fact in the audit trail."""
    delivery = Delivery.objects.create(
        source_code=_clean(delivered.source_code, 64), received_at=now, event_id=_clean(delivered.event_id, 64),
        outcome=outcome, reason=_clean(reason, 500), status_code=status, reference=reference,
        remote_ip=_clean(delivered.remote_ip, 64),
    )
    action = "upstream_event_refused" if outcome == Outcome.REFUSED else "upstream_event_accepted"
    record_event(action, at=now, actor_label=f"对接平台 {delivery.source_code}", source=delivery.source_code,
                 event_id=delivery.event_id, outcome=outcome, status=status, reason=delivery.reason,
                 reference=reference, ip=delivery.remote_ip)


def _refuse(delivered: Delivered, now: datetime, status: int, reason: str) -> Answer:
    _log(delivered, now, Outcome.REFUSED, status, reason)
    return Answer(status, {"detail": reason})


def _duplicate(delivered: Delivered, now: datetime, first: InboundEvent, digest: str) -> Answer:
    reference = first.case.reference if first.case is not None else ""
    reason = "重复投递，已按首次投递登记" + ("（内容与首次不同，以首次为准）" if digest != first.body_digest else "")
    _log(delivered, now, Outcome.DUPLICATE, 200, reason, reference)
    return Answer(200, {"reference": reference})


def _parse(body: bytes) -> EventIn:
    try:
        data = json.loads(body)
    except ValueError as exc:  # also a body that is not UTF-8
        raise EventRefused({"": "请求体不是有效的 JSON（UTF-8 编码）"}) from exc
    if not isinstance(data, dict):
        raise EventRefused({"": "请求体应为 JSON 对象"})
    try:
        return EventIn.model_validate(data)
    except ValidationError as exc:
        raise EventRefused({e["field"]: e["message"] for e in describe_errors(exc.errors())}) from exc


def receive(delivered: Delivered) -> Answer:
    """Handle one delivery; every outcome is an Answer (and a Delivery row), never an exception."""
    now = timezone.now()
    source = IntegrationSource.objects.select_related("default_center").filter(code=delivered.source_code).first()
    if source is None or not source.is_active:
        reason = "未知的来源平台" if source is None else "来源平台已停用"
        return _refuse(delivered, now, 404, f"{reason}：{_clean(delivered.source_code, 32)}")
    try:
        signature = verify(source, timestamp=delivered.timestamp, signature=delivered.signature,
                           body=delivered.body, now=now)
    except Unauthenticated as exc:
        return _refuse(delivered, now, 401, str(exc))
    if not EVENT_ID.fullmatch(delivered.event_id):
        return _refuse(delivered, now, 422, "事件编号（X-Event-Id）应为 1 至 64 位可见 ASCII 字符")
    digest = hashlib.sha256(delivered.body).hexdigest()
    first = InboundEvent.objects.select_related("case").filter(source=source, event_id=delivered.event_id).first()
    if first is not None:  # the usual retry: no need to parse or to take the write lock
        return _duplicate(delivered, now, first, digest)
    try:
        event = _parse(delivered.body)
        mapped = map_event(source, event, delivered.event_id)
        with transaction.atomic():
            inbound = InboundEvent.objects.create(source=source, event_id=delivered.event_id, signature=signature,
                                                  body_digest=digest, received_at=now)
            case = do_register_case(acting_user=None, origin=source.code, origin_ref=delivered.event_id,
                                    actor_label=f"{source.name}（对接推送）", **mapped.fields)
            inbound.case = case
            inbound.save(update_fields=["case"])
            _log(delivered, now, Outcome.ACCEPTED, 201, "；".join(mapped.notes), case.reference)
    except EventRefused as exc:
        return _refuse(delivered, now, 422, exc.message)
    except ActionError as exc:  # a rule of the registration the mapping did not foresee
        return _refuse(delivered, now, 422, f"事件内容有误：{exc.message}")
    except IntegrityError:
        first = InboundEvent.objects.select_related("case").filter(source=source, event_id=delivered.event_id).first()
        if first is not None:
            return _duplicate(delivered, now, first, digest)
        if InboundEvent.objects.filter(source=source, signature=signature).exists():
            return _refuse(delivered, now, 401, "签名已被另一事件使用过（疑似重放），请重新签名")
        log.exception("inbound event %s:%s could not be stored", source.code, delivered.event_id)
        return _refuse(delivered, now, 409, "事件暂时无法登记，请稍后重试")
    return Answer(201, {"reference": case.reference})


def set_secret(code: str, secret: str) -> tuple[IntegrationSource, bool]:
    """SECRET becomes the source's current secret (a new source is created, of the generic kind); the
    current one until now stays valid, as the previous one, until the next rotation."""
    secret = secret.strip()
    if len(secret) < 16:
        raise ValueError("签名密钥至少 16 个字符")
    if len(secret) > 128:
        raise ValueError("签名密钥最多 128 个字符")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", code):
        raise ValueError("来源编码只能包含小写字母、数字、下划线和连字符，最多 32 位")
    with transaction.atomic():
        source, created = IntegrationSource.objects.select_for_update().get_or_create(
            code=code, defaults={"name": code})
        if source.secret != secret:
            source.previous_secret = source.secret
            source.secret = secret
        source.secret_set_at = timezone.now()
        source.save(update_fields=["secret", "previous_secret", "secret_set_at"])
    return source, created
