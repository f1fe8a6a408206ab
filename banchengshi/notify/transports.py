"""Where messages go. An SMS: an HTTP gateway (SMS_GATEWAY_URL) or, with none configured, a file the
developers and the tests read (one JSON line `{to, text}` per message, in SMS_FILE, by default
var/sms.jsonl). An e-mail: Django's mail backend (SMTP when EMAIL_HOST is set). A webhook: a signed POST.
Every sender passes the message's idempotency key, so a receiver that sees a retry can drop it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage


class TransportError(Exception):
    """The gateway did not take the message; the job tries again later."""


class Transport(Protocol):
    def send(self, to: str, text: str, *, key: str = "") -> None: ...


class FileTransport:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def send(self, to: str, text: str, *, key: str = "") -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"to": to, "text": text}, ensure_ascii=False) + "\n")


class HttpTransport:
    """POSTs `{to, text, sign, id}` as JSON with a bearer token and `Idempotency-Key`; any 2xx is success."""

    def __init__(self, url: str, token: str = "", sign: str = "", timeout: float = 10) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("SMS_GATEWAY_URL must be an http(s) URL")
        self.url, self.token, self.sign, self.timeout = url, token, sign, timeout

    def send(self, to: str, text: str, *, key: str = "") -> None:
        body = json.dumps({"to": to, "text": text, "sign": self.sign, "id": key}, ensure_ascii=False).encode()
        headers = {"Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        post_json(self.url, body, headers, timeout=self.timeout, what="短信网关")


def sms_transport() -> Transport:
    if settings.SMS_GATEWAY_URL:
        return HttpTransport(settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN, settings.SMS_SIGN)
    return FileTransport(settings.SMS_FILE)


def post_json(url: str, body: bytes, headers: dict[str, str], *, timeout: float, what: str) -> None:
    """POST a JSON body; anything but a 2xx answer is a TransportError (the outbox tries again)."""
    if not url.startswith(("http://", "https://")):
        raise TransportError(f"{what}地址不是 http(s) 地址")
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 (scheme checked above)
    request.add_header("Content-Type", "application/json; charset=utf-8")
    for name, value in headers.items():
        if value:
            request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            if not 200 <= answer.status < 300:
                raise TransportError(f"{what}返回 {answer.status}")
    except urllib.error.HTTPError as exc:
        raise TransportError(f"{what}返回 {exc.code}") from exc
    except OSError as exc:
        raise TransportError(f"{what}不可用：{exc}") from exc


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature both directions use: HMAC-SHA256 over `timestamp + "." + raw body`, hex."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def deliver_webhook(url: str, secret: str, payload: dict[str, object], *, key: str, timeout: float = 10) -> None:
    """POST the event, signed: `X-Event-Id` (the message's key, the same on every retry), `X-Timestamp`,
    `X-Signature: sha256=HEX`. A 2xx answer is the acknowledgement."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {"X-Event-Id": key, "Idempotency-Key": key, "X-Timestamp": timestamp,
               "X-Signature": f"sha256={sign(secret, timestamp, body)}"}
    post_json(url, body, headers, timeout=timeout, what="订阅方")


def deliver_email(to: str, title: str, text: str, *, key: str) -> None:
    """By Django's mail backend: SMTP (EMAIL_HOST) in production, a file or memory elsewhere."""
    email = EmailMessage(subject=title, body=text, to=[to], headers={"X-Idempotency-Key": key})
    try:
        email.send(fail_silently=False)
    except OSError as exc:  # smtplib's errors are OSErrors
        raise TransportError(f"邮件服务器不可用：{exc}") from exc
