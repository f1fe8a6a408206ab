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
    "zwb_auditor": ("ZWB", "audit_admin"),
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


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def test_settings(settings: Any, tmp_path: Any) -> None:
    """Staff accounts are made in tests (the production hasher is slow on purpose); uploads and the
    demo accounts file go to a temporary folder, never into the project's var/."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEMO_ACCOUNTS_FILE = tmp_path / "demo-accounts.txt"
    # Each test counts the public pages' limits afresh, and its SMS go to a file of its own.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}}
    settings.SMS_FILE = tmp_path / "sms.jsonl"
    settings.SMS_GATEWAY_URL = ""


def _audit_guard_liftable() -> None:
    """The event table is append-only (audit/guard.py); the tests alone may lift that, to empty their
    database after a transactional test and to play an attacker who rewrites rows. Set when this file is
    imported, before any hook of the first test lifts it."""
    from django.conf import settings

    settings.AUDIT_GUARD_LIFTABLE = True


_audit_guard_liftable()


@pytest.fixture(scope="session", autouse=True)
def jobs_run_at_once() -> None:
    """Huey runs each job in the calling thread (after commit, for the outbox): tests never write the
    project's var/huey.sqlite3."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


def _load_district_and_staff() -> None:
    load_district(DISTRICT_DIR)
    units = {u.code: u for u in Unit.objects.all()}
    for name, (unit, role) in STAFF.items():
        do_create_staff(name, unit=units[unit], role=role, password=STAFF_PASSWORD)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The district and its staff are loaded once into the test database; each test runs in a
    transaction rolled back at its end. Transactional tests flush the database afterwards: those with
    serialized_rollback get it back from the copy taken here, and `district` reloads it if it is gone."""
    from django.db import connections
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        _load_district_and_staff()
        for connection in connections.all():
            if hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = _without_audit_trail(connection.creation.serialize_db_to_string())


def _without_audit_trail(serialized: str) -> str:
    """The copy that serialized_rollback writes back leaves the audit trail out: it is append-only (its
    rows are never rewritten, not even to what they hold), and a flushed database starts a new chain."""
    rows = [row for row in json.loads(serialized) if row["model"] not in ("audit.event", "audit.auditchain")]
    return json.dumps(rows)


def _restores_itself(item: pytest.Item | None) -> bool:
    marker = item.get_closest_marker("django_db") if item is not None else None
    return bool(marker and marker.kwargs.get("transaction") and marker.kwargs.get("serialized_rollback"))


def _flushes(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """A transactional test empties the database at its end, audit log included (the one DELETE the
    append-only guard lets the tests make). With serialized_rollback it leaves the database flushed; put
    the copy back (calendar, policies, district, staff) unless the next test does that itself, so tests
    pass in any order."""
    if _flushes(item):
        from pytest_django.plugin import blocking_manager_key

        from banchengshi.audit.guard import guard_lifted

        with item.config.stash[blocking_manager_key].unblock(), guard_lifted():
            result = yield
    else:
        result = yield
    if _restores_itself(item) and nextitem is not None and not _restores_itself(nextitem):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all():
                if hasattr(connection, "_test_serialized_contents"):
                    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
    return result


@pytest.fixture
def district(db: Any) -> District:
    if User.objects.filter(username__in=STAFF).count() != len(STAFF):  # flushed by a transactional test
        _load_district_and_staff()
    units = {u.code: u for u in Unit.objects.all()}
    users = {u.username: u for u in User.objects.filter(username__in=STAFF).select_related("unit")}
    return District(units, users)


@pytest.fixture
def bare_db(db: Any) -> None:
    """For tests of loading the district itself: the session's district and staff are removed inside
    this test's transaction (and come back when it is rolled back)."""
    from banchengshi.audit.guard import guard_lifted
    from banchengshi.audit.models import Event
    from banchengshi.dispatch.models import Matter, PastDispatch

    with guard_lifted():
        Event.objects.filter(action="staff_created").delete()
    User.objects.filter(username__in=STAFF).delete()
    PastDispatch.objects.all().delete()
    Matter.objects.all().delete()
    Unit.objects.update(parent=None)
    Unit.objects.all().delete()


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
