"""Shared fixtures: the fictional district, one named user per role, an API client per user."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import pytest
import time_machine
from django.db.models import Model
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
    # A manual dispatch schedules no retraining (tests that learn call the job's function themselves).
    settings.ROUTING_RETRAIN_AFTER_DISPATCH = False
    settings.ROUTING_CACHE_SECONDS = 0  # each suggestion reads the newest model and the catalog afresh


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


# What WhiteNoise's list of static files depends on.
_STATIC_SETTINGS = [
    "DEBUG", "FORCE_SCRIPT_NAME", "INSTALLED_APPS", "STATIC_ROOT", "STATIC_URL", "STATICFILES_DIRS",
    "STATICFILES_FINDERS", "STORAGES", "WHITENOISE_ADD_HEADERS_FUNCTION", "WHITENOISE_ALLOW_ALL_ORIGINS",
    "WHITENOISE_AUTOREFRESH", "WHITENOISE_CHARSET", "WHITENOISE_IMMUTABLE_FILE_TEST", "WHITENOISE_INDEX_FILE",
    "WHITENOISE_MAX_AGE", "WHITENOISE_MIMETYPES", "WHITENOISE_ROOT", "WHITENOISE_STATIC_PREFIX",
    "WHITENOISE_USE_FINDERS",
]


@pytest.fixture(scope="session", autouse=True)
def static_files_listed_once() -> Iterator[None]:
    """Each test's Client, and each live server, builds the middleware anew, and WhiteNoise's lists
    every static file for it (the finders, a stat and the headers of each of ~150 files): ~15 ms a
    client, some 7 s of a run. The files do not change while the tests run, so the list is made once for
    each configuration and shared (WhiteNoise shares it between requests and threads already)."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    made: dict[Any, dict[str, Any]] = {}
    originals = {name: getattr(WhiteNoiseMiddleware, name) for name in ("add_files_from_finders", "update_files_dictionary")}

    def once(name: str) -> Any:
        def listing(self: Any, *args: Any) -> None:
            key = (name, args, *(repr(getattr(settings, setting, None)) for setting in _STATIC_SETTINGS))
            if key not in made:
                before = dict(self.files)
                originals[name](self, *args)
                made[key] = {url: found for url, found in self.files.items() if before.get(url) is not found}
            self.files.update(made[key])

        return listing

    for name in originals:
        setattr(WhiteNoiseMiddleware, name, once(name))
    yield
    for name, original in originals.items():
        setattr(WhiteNoiseMiddleware, name, original)


def _load_district_and_staff() -> None:
    from banchengshi.dispatch.training import retrain
    from banchengshi.guides.loading import load_guides

    load_district(DISTRICT_DIR)
    load_guides()  # each matter's 办事指南, published (as `manage.py load_district` loads them)
    retrain("测试数据")  # the routing model of the district's catalog and history (~2 s)
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
        connection: Any  # its creation and ops are given the tests' faster ways below
        for connection in connections.all():
            if hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = _without_audit_trail(connection.creation.serialize_db_to_string())
                connection.creation.deserialize_db_from_string = partial(
                    _restore, connection, connection.creation.deserialize_db_from_string
                )
            if connection.vendor == "postgresql":
                connection.ops.sql_flush = partial(_delete_rows, connection.ops.sql_flush, connection.ops.quote_name)


def _without_audit_trail(serialized: str) -> str:
    """The copy that serialized_rollback writes back leaves the audit trail out: it is append-only (its
    rows are never rewritten, not even to what they hold), and a flushed database starts a new chain."""
    rows = [row for row in json.loads(serialized) if row["model"] not in ("audit.event", "audit.auditchain")]
    return json.dumps(rows)


def _delete_rows(truncating: Any, quote: Any, style: Any, tables: list[str], *, reset_sequences: bool = False,
                 allow_cascade: bool = False) -> list[str]:
    """The flush after each transactional test on PostgreSQL: DELETE rather than TRUNCATE (which makes
    new files for ~30 tables, 0.15 s where DELETE of the district's ~1,000 rows takes 0.02 s). Django's
    foreign keys are deferred, so the order of the tables does not matter. Sequences are left as they are,
    as TRUNCATE without RESTART IDENTITY leaves them; a flush that resets them is Django's own."""
    if not tables or reset_sequences or allow_cascade:
        return list(truncating(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade))
    # The names are the database's own tables, from Django's introspection.
    return ["SET CONSTRAINTS ALL DEFERRED"] + [f"DELETE FROM {quote(table)}" for table in tables]  # noqa: S608


_PARSED: dict[str, list[tuple[type[Model], list[Any]]]] = {}


def _restore(connection: Any, saving_each_row: Any, data: str) -> None:
    """Django's deserialize_db_from_string into a flushed database, a table at a time: the same rows,
    with the same raw values (no save(), no signals, as loaddata's raw save), in one INSERT per batch of
    rows instead of an UPDATE and an INSERT per row. The ~1,000 rows of the district came back in 0.5 s
    on SQLite and 1-3 s on PostgreSQL before each browser test; the copy is parsed once. Into a database
    that still holds rows (the first transactional test of a run is not after a flush), Django's own
    update-or-insert of each row."""
    from django.core import serializers
    from django.db import transaction

    if data not in _PARSED:
        tables: dict[type[Model], list[Any]] = {}
        links: dict[type[Model], list[Any]] = {}  # many-to-many rows (a group's permissions), after both ends
        for deserialized in serializers.deserialize("json", data, using=connection.alias):
            instance = deserialized.object
            assert not instance._meta.parents, type(instance)  # no model with a parent table is serialized
            tables.setdefault(type(instance), []).append(instance)
            for name, targets in (deserialized.m2m_data or {}).items():
                if not targets:
                    continue
                field: Any = instance._meta.get_field(name)
                through = field.remote_field.through
                source, target = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
                links.setdefault(through, []).extend(through(**{source: instance.pk, target: pk}) for pk in targets)
        _PARSED[data] = list(tables.items()) + list(links.items())
    if any(model._base_manager.using(connection.alias).exists() for model, _ in _PARSED[data]):
        saving_each_row(data)
        return
    with transaction.atomic(using=connection.alias):
        with connection.constraint_checks_disabled():
            for model, objects in _PARSED[data]:
                # A many-to-many row's id is not in the copy: the database numbers it, as .set() did.
                fields = [f for f in model._meta.local_concrete_fields
                          if not f.generated and not (f.primary_key and getattr(objects[0], f.attname) is None)]
                size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
                for start in range(0, len(objects), size):
                    rows: Any = model._base_manager.using(connection.alias)
                    rows._insert(
                        objects[start:start + size], fields=fields, raw=True, using=connection.alias
                    )
        connection.check_constraints(table_names=[model._meta.db_table for model, _ in _PARSED[data]])


def _restores_itself(item: pytest.Item | None) -> bool:
    marker = item.get_closest_marker("django_db") if item is not None else None
    return bool(marker and marker.kwargs.get("transaction") and marker.kwargs.get("serialized_rollback"))


def _flushes(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The API fuzzing, then the browser tests first (after pytest-django's order, which puts the
    transactional ones after the others): they are the long ones, so with several workers (`make test` runs
    pytest-xdist) none is left for the end while the other workers wait. Tests pass in any order (see below)."""
    items.sort(key=lambda item: (item.get_closest_marker("fuzz") is None, item.get_closest_marker("browser") is None))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """A transactional test empties the database at its end, audit log included (the one DELETE the
    append-only guard lets the tests make). With serialized_rollback it leaves the database flushed; put
    the copy back (calendar, policies, district, staff) unless the next test does that itself, so tests
    pass in any order. The shared Chromium of the browser tests stops when the next test is not one of them."""
    if _flushes(item):
        from pytest_django.plugin import blocking_manager_key

        from banchengshi.audit.guard import guard_lifted

        with item.config.stash[blocking_manager_key].unblock(), guard_lifted():
            result = yield
    else:
        result = yield
    if nextitem is None or "browser" not in getattr(nextitem, "fixturenames", ()):
        from banchengshi.lib.tests.chromium import SharedChromium

        SharedChromium.stop()  # the browser tests of this process are done, for now
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


ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
DIGEST = re.compile(r"[0-9a-f]{32,}")  # a MAC or hash in hex may hold 11 digits in a row; it is not a phone


def _audit_text(event: Any) -> str:
    text = json.dumps(event.data, ensure_ascii=False, default=str) + event.actor_label
    return DIGEST.sub("#", text)


@pytest.fixture(autouse=True)
def audit_holds_no_full_phone(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test with the district, no audit row (its data, its actor) holds an 11-digit number: a
    full phone is never written to the audit trail, whatever the test did (issue 10)."""
    if "district" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("district")  # set up first, so this looks before the test's rows are rolled back
    yield
    from banchengshi.audit.models import Event

    leaks = [
        (e.seq, e.action, found.group(0)[:3] + "…")
        for e in Event.objects.only("seq", "action", "data", "actor_label")
        if (found := ELEVEN_DIGITS.search(_audit_text(e)))
    ]
    assert not leaks, f"audit rows with a full phone number: {leaks}"


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
    from banchengshi.guides.models import Guide, GuideVersion

    Guide.objects.update(published=None)
    GuideVersion.objects.all().delete()
    Guide.objects.all().delete()
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
