"""Shared fixtures: the fictional district, one named user per role, an API client per user."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from banchengshi.accounts.models import ApiToken, Unit, User
from banchengshi.accounts.services import do_create_staff
from banchengshi.dispatch.loading import DISTRICT_DIR, load_district
from banchengshi.sla.deadlines import SHANGHAI

STAFF_PASSWORD = "Test-password-2026"
MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)

STAFF = {
    # name: (unit, role)
    "registrar": ("FWZX", "registrar"),
    "dispatcher": ("FWZX", "dispatcher"),
    "center_head": ("FWZX", "center_head"),
    "center_handler": ("FWZX", "handler"),
    "rsj": ("RSJ", "handler"),
    "ybj": ("YBJ", "handler"),
    "scj": ("SCJGJ", "handler"),
    "town_handler": ("C-CH", "handler"),
    "town_registrar": ("C-CH", "registrar"),
    "town_head": ("C-CH", "center_head"),
    "admin_office": ("ZWB", "admin_office"),
    "overseer": ("JWJW", "overseer"),
    "system_admin": ("ZWB", "system_admin"),
}


class ApiClient:
    """Speaks to /api/v1/ as one user, with a real bearer token."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.client = Client()
        self.token = ApiToken.issue(user)

    def _send(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        url = f"/api/v1{path}"
        if method == "get":
            return self.client.get(url, query, **kwargs)
        data = json.dumps(body if body is not None else {}, default=str)
        return getattr(self.client, method)(url, data, content_type="application/json", **kwargs)

    def get(self, path: str, **query: Any) -> Any:
        return self._send("get", path, **query)

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._send("put", path, body)

    def upload(self, path: str, name: str, content: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(
            f"/api/v1{path}", {"file": SimpleUploadedFile(name, content)}, HTTP_AUTHORIZATION=f"Bearer {self.token}"
        )


@dataclass
class District:
    units: dict[str, Unit]
    users: dict[str, User]

    def api(self, name: str) -> ApiClient:
        return ApiClient(self.users[name])


@pytest.fixture(autouse=True)
def test_settings(settings: Any, tmp_path: Any) -> None:
    """Staff accounts are made in every test (the production hasher is slow on purpose); uploads go
    to a temporary folder, not var/media."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def district(db: Any) -> District:
    load_district(DISTRICT_DIR)
    units = {u.code: u for u in Unit.objects.all()}
    users = {}
    for name, (unit, role) in STAFF.items():
        users[name], _ = do_create_staff(name, unit=units[unit], role=role, password=STAFF_PASSWORD)
    return District(units, users)


@pytest.fixture
def monday() -> Any:
    """Monday 2026-11-23 10:00 in Shanghai, a plain working day; time moves on as tests run."""
    with time_machine.travel(MONDAY_10AM, tick=True) as traveller:
        yield traveller


def case_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "phone",
        "reporter": {"name": "张三", "phone": "13800138000", "kind": "person"},
        "center": "FWZX",
        "matter": "RSJ-003",
        "business_name": "失业保险金申领",
        "reasons": ["material_mismatch"],
        "category": "window",
        "description": "申领失业保险金时网上一直提示未办理失业登记。",
        "demand": "希望尽快领到失业金",
    }
    body.update(overrides)
    return body
