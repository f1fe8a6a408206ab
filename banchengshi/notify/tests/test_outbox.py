"""The outbox: written with the change, sent after commit by a job, through a file or an HTTP gateway,
retried by the sweep when the gateway fails, never sent twice."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import transaction

from banchengshi.notify.models import Message
from banchengshi.notify.services import deliver, deliver_pending, queue_sms


def lines(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


# serialized_rollback: the district comes back after the flush, for the tests after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sent_after_commit_and_not_when_the_change_is_undone(settings: Any) -> None:
    with transaction.atomic():
        queue_sms("13800000001", "第一条", subject="BC1")
        assert lines(settings.SMS_FILE) == []  # nothing leaves inside the transaction
    assert lines(settings.SMS_FILE) == [{"to": "13800000001", "text": "第一条"}]
    assert Message.objects.get(subject="BC1").sent_at is not None

    with pytest.raises(RuntimeError), transaction.atomic():
        queue_sms("13800000002", "回滚的一条")
        raise RuntimeError("the change failed")
    assert len(lines(settings.SMS_FILE)) == 1 and "13800000002" not in [m.to for m in Message.objects.all()]


class Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    failing = False

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if Gateway.failing:
            self.send_response(503)
        else:
            Gateway.received.append({**body, "auth": self.headers.get("Authorization"),
                                     "key": self.headers.get("Idempotency-Key")})
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway(settings: Any) -> Iterator[type[Gateway]]:
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_GATEWAY_TOKEN = "gw-token"
    Gateway.received, Gateway.failing = [], False
    yield Gateway
    server.shutdown()


@pytest.mark.django_db
def test_the_http_gateway_and_the_sweep_retry_until_sent(gateway: type[Gateway], settings: Any) -> None:
    gateway.failing = True
    message = queue_sms("13800000003", "网关暂时不可用时")
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1 and "503" in message.last_error
    gateway.failing = False
    with time_machine.travel(timedelta(minutes=1)):
        assert deliver_pending() == 1
        assert deliver_pending() == 0  # sent once
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 2 and message.last_error == ""
    assert gateway.received == [{"to": "13800000003", "text": "网关暂时不可用时", "sign": "", "id": message.key,
                                 "auth": "Bearer gw-token", "key": message.key}]
    assert not settings.SMS_FILE.exists()


@pytest.mark.django_db
def test_a_claimed_message_is_left_alone(settings: Any) -> None:
    message = queue_sms("13800000004", "正在发送")
    Message.objects.filter(pk=message.pk).update(claimed_at=message.created_at)
    assert deliver(message.pk) is False  # another sender holds it
    with time_machine.travel(timedelta(minutes=3)):
        assert deliver(message.pk) is True
        assert deliver(message.pk) is False
    assert len(lines(settings.SMS_FILE)) == 1
