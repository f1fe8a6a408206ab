"""Where an SMS goes: an HTTP gateway (SMS_GATEWAY_URL) or, with none configured, a file the developers and
the tests read (one JSON line `{to, text}` per message, in SMS_FILE, by default var/sms.jsonl)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings


class TransportError(Exception):
    """The gateway did not take the message; the job tries again later."""


class Transport(Protocol):
    def send(self, to: str, text: str) -> None: ...


class FileTransport:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def send(self, to: str, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"to": to, "text": text}, ensure_ascii=False) + "\n")


class HttpTransport:
    """POSTs `{to, text, sign}` as JSON with a bearer token; any 2xx is success."""

    def __init__(self, url: str, token: str = "", sign: str = "", timeout: float = 10) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("SMS_GATEWAY_URL must be an http(s) URL")
        self.url, self.token, self.sign, self.timeout = url, token, sign, timeout

    def send(self, to: str, text: str) -> None:
        body = json.dumps({"to": to, "text": text, "sign": self.sign}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")  # noqa: S310 (scheme checked above)
        request.add_header("Content-Type", "application/json; charset=utf-8")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                if not 200 <= answer.status < 300:
                    raise TransportError(f"短信网关返回 {answer.status}")
        except OSError as exc:
            raise TransportError(f"短信网关不可用：{exc}") from exc


def sms_transport() -> Transport:
    if settings.SMS_GATEWAY_URL:
        return HttpTransport(settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN, settings.SMS_SIGN)
    return FileTransport(settings.SMS_FILE)
