"""Issue 9, must-show 2: an SMS gateway and a webhook subscriber fail for a while and then recover; each
message arrives exactly once, and a subscriber's messages about one case arrive in the order of the
changes. A subscriber that keeps failing is paused, shown, and resumed by the admin office."""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine

from banchengshi.conftest import District, case_body
from banchengshi.notify.models import Message, MessageKind, Subscriber
from banchengshi.notify.services import PAUSE_AFTER, deliver_pending, queue_sms, resume_subscriber
from banchengshi.notify.transports import sign

SECRET = "订阅方的密钥-hook-secret"


class Receiver(BaseHTTPRequestHandler):
    """The SMS gateway (/sms) and the subscriber (/hook) in one server; both can be made to fail."""

    failing = False
    sms: list[dict[str, Any]] = []
    hooks: list[dict[str, Any]] = []
    bad_signatures = 0

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.failing:
            self.send_response(503)
            self.end_headers()
            return
        if self.path == "/hook":
            timestamp = self.headers["X-Timestamp"]
            expected = f"sha256={sign(SECRET, timestamp, raw)}"
            if not hmac.compare_digest(expected, self.headers["X-Signature"]):
                Receiver.bad_signatures += 1
                self.send_response(401)
                self.end_headers()
                return
            Receiver.hooks.append({"id": self.headers["X-Event-Id"], **json.loads(raw)})
        else:
            Receiver.sms.append({"key": self.headers["Idempotency-Key"], **json.loads(raw)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(settings: Any) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.SMS_GATEWAY_URL = f"{base}/sms"
    Receiver.failing, Receiver.sms, Receiver.hooks, Receiver.bad_signatures = False, [], [], 0
    yield base
    server.shutdown()


def events_by_case(hooks: list[dict[str, Any]]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for hook in hooks:
        seen.setdefault(hook["reference"], []).append(hook["event"])
    return seen


@pytest.mark.django_db
def test_a_gateway_and_a_subscriber_that_fail_for_a_while_get_each_message_once_in_order(
    district: District, receiver: str, monday: Any
) -> None:
    Subscriber.objects.create(name="12345热线平台", url=f"{receiver}/hook", secret=SECRET)
    registrar = district.api("registrar")
    Receiver.failing = True  # both are down while the cases move

    one = registrar.post("/cases", case_body()).json()["reference"]
    registrar.post(f"/cases/{one}/accept", {"handling_type": "assist", "complexity": "simple"})
    two = registrar.post("/cases", case_body(reporter={"name": "李四", "phone": "13900139000", "kind": "person"})).json()["reference"]
    registrar.post(f"/cases/{two}/reject", {"reason": "不属于本中心受理范围，请向12345热线反映"})
    three = registrar.post("/cases", case_body()).json()["reference"]
    registrar.post(f"/cases/{three}/resolve-on-site", {"result": "窗口当场补录了失业登记"})
    for n in range(3):
        queue_sms("13800138000", f"第{n + 1}条短信", subject=one)
    waiting = Message.objects.filter(sent_at__isnull=True)
    assert waiting.filter(kind=MessageKind.WEBHOOK).count() == 6 and waiting.filter(kind=MessageKind.SMS).count() == 3

    # The outage lasts two sweeps: every try fails, nothing arrives, and the waits grow.
    for minutes in (1, 3):
        with time_machine.travel(timedelta(minutes=minutes)):
            assert deliver_pending() == 0
    assert Receiver.sms == [] and Receiver.hooks == []
    failed = Message.objects.filter(attempts__gt=0)
    # Only the first message of each case's sequence is tried: the later ones wait their turn.
    assert failed.filter(kind=MessageKind.WEBHOOK).count() == 3 and failed.filter(kind=MessageKind.SMS).count() == 3
    assert all(m.next_attempt_at > m.created_at and m.last_error for m in failed)
    subscriber = Subscriber.objects.get()
    assert subscriber.paused_at is None and subscriber.consecutive_failures >= 3

    # Back up: the next sweeps send everything, once.
    Receiver.failing = False
    with time_machine.travel(timedelta(minutes=10)):
        deliver_pending()  # one sweep: each sent message lets the next of its case go at once
        assert not Message.objects.filter(sent_at__isnull=True).exists()
    with time_machine.travel(timedelta(hours=3)):
        assert deliver_pending() == 0  # nothing left, nothing sent twice

    assert sorted(s["text"] for s in Receiver.sms) == ["第1条短信", "第2条短信", "第3条短信"]
    assert len({s["key"] for s in Receiver.sms}) == 3
    assert len(Receiver.hooks) == 6 and len({h["id"] for h in Receiver.hooks}) == 6
    assert events_by_case(Receiver.hooks) == {
        one: ["received", "accepted"], two: ["received", "not_accepted"], three: ["received", "replied"]
    }
    assert Receiver.bad_signatures == 0
    rejected = next(h for h in Receiver.hooks if h["event"] == "not_accepted")
    assert rejected["reason"].startswith("不属于本中心") and "13900139000" not in json.dumps(rejected, ensure_ascii=False)
    assert not Message.objects.filter(sent_at__isnull=True).exists()
    assert Subscriber.objects.get().consecutive_failures == 0


@pytest.mark.django_db
def test_a_subscriber_that_keeps_failing_is_paused_until_resumed(district: District, receiver: str, monday: Any) -> None:
    subscriber = Subscriber.objects.create(name="报表系统", url=f"{receiver}/hook", secret=SECRET)
    registrar = district.api("registrar")
    Receiver.failing = True
    references = [registrar.post("/cases", case_body()).json()["reference"] for _ in range(PAUSE_AFTER + 2)]
    with time_machine.travel(timedelta(minutes=1)):
        deliver_pending()
    subscriber.refresh_from_db()
    assert subscriber.paused_at is not None and subscriber.consecutive_failures == PAUSE_AFTER
    assert "503" in subscriber.last_error
    tried = Message.objects.filter(subscriber=subscriber, attempts__gt=0).count()
    assert tried == PAUSE_AFTER  # once paused, no more tries

    Receiver.failing = False
    with time_machine.travel(timedelta(hours=2)):
        assert deliver_pending() == 0  # still paused: nothing goes until someone looks
        resume_subscriber(subscriber)
        assert deliver_pending() == len(references)
    assert [h["reference"] for h in Receiver.hooks] == references


@pytest.mark.django_db
def test_a_message_that_never_goes_ends_as_a_dead_letter(receiver: str, monday: Any) -> None:
    from banchengshi.notify.services import MAX_ATTEMPTS, retry_dead

    Receiver.failing = True
    message = queue_sms("13800000009", "一直发不出去")
    for hour in range(1, 2 * MAX_ATTEMPTS):
        with time_machine.travel(timedelta(hours=hour)):
            deliver_pending()
    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS and message.dead_at is not None and message.sent_at is None
    with time_machine.travel(timedelta(hours=3 * MAX_ATTEMPTS)):
        assert deliver_pending() == 0  # a dead letter is not tried again by itself
        Receiver.failing = False
        retry_dead(message)
        assert deliver_pending(older_than=timedelta(0)) == 1
    assert [s["text"] for s in Receiver.sms] == ["一直发不出去"]
