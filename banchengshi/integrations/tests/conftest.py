"""Signed deliveries to the inbound endpoint, as an upstream platform sends them."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from banchengshi.integrations.models import IntegrationSource
from banchengshi.integrations.services import set_secret
from banchengshi.notify.transports import sign

SECRETS = {"yiwangtongban": "ywtb-secret-0123456789", "haochaping": "hcp-secret-0123456789",
           "generic": "generic-secret-0123456789"}
KINDS = {"yiwangtongban": ("一网通办总门户（中途退出）", "abandoned", "upstream_exit"),
         "haochaping": ("好差评管理平台（差评）", "bad_review", "bad_review"),
         "generic": ("其他对接平台", "other", "online")}


def ensure_sources() -> None:
    """The three sources of the data migration (gone after a transactional test's flush), with secrets."""
    for code, (name, kind, channel) in KINDS.items():
        IntegrationSource.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "channel": channel})
        set_secret(code, SECRETS[code])


def abandoned_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "abandoned",
        "reporter": {"name": "李四", "phone": "13900139000"},
        "matter": "RSJ-003",
        "business_name": "失业保险金申领",
        "step": "上传材料",
        "portal": "pc_portal",
        "description": "上传失业证明时一直提示文件格式错误，只好退出。",
        "occurred_at": "2026-11-23T09:30:00+08:00",
    }
    body.update(overrides)
    return body


def bad_review_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "bad_review",
        "reporter": {"name": "王五", "phone": "13700137000"},
        "center": "C-CH",
        "matter": "RSJ-003",
        "review": {"level": 1, "text": "跑了三次还没办成"},
        "description": "窗口说材料不全，但没有一次性告知缺什么。",
    }
    body.update(overrides)
    return body


def encode(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()


def signed_headers(raw: bytes, *, event_id: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Event-Id": event_id, "X-Timestamp": stamp, "X-Signature": f"sha256={sign(secret, stamp, raw)}"}


def deliver(client: Client, source: str, body: Any, *, event_id: str, secret: str | None = None,
            headers: dict[str, str] | None = None, timestamp: int | None = None) -> Any:
    raw = encode(body)
    if headers is None:
        headers = signed_headers(raw, event_id=event_id, secret=secret or SECRETS.get(source, "x" * 20),
                                 timestamp=timestamp)
    return client.post(f"/api/v1/integrations/{source}/events", raw, content_type="application/json",
                       headers=headers)


@pytest.fixture
def sources(district: Any) -> None:
    ensure_sources()
