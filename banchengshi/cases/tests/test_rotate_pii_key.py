"""Rotating the personal-information key: old values stay readable and findable during the rotation, and
afterwards every row is under the new key alone."""

from __future__ import annotations

import secrets
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection

from banchengshi.audit.models import Event
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import reported_by_phone
from banchengshi.cases.tests.factories import register
from banchengshi.conftest import District
from banchengshi.integrations.models import IntegrationSource
from banchengshi.integrations.services import set_secret
from banchengshi.lib import pii

PHONE = "13912345678"


def _raw(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def test_rotation_rewrites_every_row_under_the_new_key(district: District, settings: Any) -> None:
    case = register(district, reporter_name="张三", reporter_phone=PHONE)
    set_secret("haochaping", "upstream-secret-" + secrets.token_hex(8))
    secret = IntegrationSource.objects.get(code="haochaping").secret
    old_key, old_id = settings.PII_KEY, pii.current_key().id
    settings.PII_KEY, settings.PII_PREVIOUS_KEYS = secrets.token_bytes(32), [old_key]
    new_id = pii.current_key().id
    # During the rotation: read with the old key, found by the old hash.
    assert reported_by_phone(Case.objects.all(), PHONE).get().pk == case.pk
    out = StringIO()
    call_command("rotate_pii_key", stdout=out)
    assert "PII_PREVIOUS_KEYS" in out.getvalue() and old_id in out.getvalue()
    settings.PII_PREVIOUS_KEYS = []  # the old key is gone for good
    again = Case.objects.get(pk=case.pk)
    assert (again.reporter_name, again.reporter_phone) == ("张三", PHONE)
    assert reported_by_phone(Case.objects.all(), PHONE).get().pk == case.pk
    assert IntegrationSource.objects.get(code="haochaping").secret == secret
    stored = [v for row in _raw("SELECT reporter_name, reporter_phone FROM cases_case") for v in row]
    stored += [v for (v,) in _raw("SELECT secret FROM integrations_integrationsource") if v]
    assert stored and {pii.key_id_of(v) for v in stored} == {new_id}
    event = Event.objects.get(action="pii_key_rotated")
    assert event.data["key"] == new_id and event.data["previous"] == [old_id] and event.data["rows"] >= 2
    # Run again: nothing left to rewrite.
    call_command("rotate_pii_key", stdout=StringIO())
    assert Event.objects.filter(action="pii_key_rotated").order_by("-seq").first().data["rows"] == 0  # type: ignore[union-attr]
