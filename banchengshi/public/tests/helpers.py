"""A citizen speaking to /api/v1/public/ with no token, reading the SMS the development transport writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client


def sms_to(phone: str) -> list[str]:
    path = Path(settings.SMS_FILE)
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [m["text"] for m in lines if m["to"] == phone]


def code_in(text: str) -> str:
    found = re.findall(r"(?<!\d)\d{6}(?!\d)", text)
    assert len(found) == 1, text
    return found[0]


class Citizen:
    def __init__(self, capture: Any, phone: str = "13912345678", **client_kwargs: Any) -> None:
        self.client = Client(**client_kwargs)
        self.capture = capture  # django_capture_on_commit_callbacks: the outbox sends after commit
        self.phone = phone

    def post(self, path: str, body: dict[str, Any]) -> Any:
        with self.capture(execute=True):
            return self.client.post(f"/api/v1/public{path}", json.dumps(body), content_type="application/json")

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"/api/v1/public{path}", query)

    def code(self) -> str:
        response = self.post("/phone-codes", {"phone": self.phone})
        assert response.status_code == 202, response.content.decode()
        return code_in(sms_to(self.phone)[-1])

    def report_body(self, code: str, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "reporter": {"name": "李四", "phone": self.phone, "kind": "person"},
            "phone_code": code,
            "center": "FWZX",
            "matter": "RSJ-003",
            "reasons": ["material_mismatch"],
            "description": "申领失业保险金时网上一直提示未办理失业登记。",
            "demand": "希望尽快领到失业金",
        }
        body.update(overrides)
        return body

    def report(self, **overrides: Any) -> dict[str, Any]:
        response = self.post("/reports", self.report_body(self.code(), **overrides))
        assert response.status_code == 201, response.content.decode()
        return response.json()

    def track(self, reference: str, last4: str | None = None) -> Any:
        return self.get(f"/reports/{reference}", phone_last4=last4 or self.phone[-4:])
