"""What someone with a copy of the database sees of a reporter: ciphertext, on SQLite and PostgreSQL alike.
Read with raw SQL, as a stolen dump or a DBA's console would, not through the model."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from banchengshi.cases import search
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import reported_by_phone
from banchengshi.cases.tests.factories import case_in, register
from banchengshi.conftest import District
from banchengshi.integrations.models import IntegrationSource
from banchengshi.integrations.services import set_secret
from banchengshi.lib import pii
from banchengshi.lib.pii_migration import encrypting
from banchengshi.notify.models import Message, Subscriber
from banchengshi.notify.services import queue_sms
from banchengshi.public.tests.helpers import Citizen

NAME, PHONE = "欧阳娜娜", "13912345678"


def raw_rows(table: str, where: str = "", params: list[Any] | None = None) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} {where}", params or [])
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def everything_in(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=str, ensure_ascii=False)


def test_the_raw_row_holds_no_name_and_no_phone(district: District) -> None:
    case = register(district, reporter_name=NAME, reporter_phone=PHONE)
    row = raw_rows("cases_case", "WHERE id = %s", [case.pk])[0]
    # The lookup hashes are hex digests (checked below): four digits of the phone may occur in one by chance.
    dump = everything_in([{k: v for k, v in row.items() if not k.endswith("_hash")}])
    # Nor the search index (cases/search.py): names are found through their hash, never as words.
    dump += everything_in(raw_rows(search.TABLE))
    for clear in (NAME, "欧阳", PHONE, PHONE[-4:], PHONE[:7]):
        assert clear not in dump
    assert row["reporter_name"].startswith("pii1:") and row["reporter_phone"].startswith("pii1:")
    assert row["reporter_phone_hash"] == pii.lookup_hash(PHONE, "phone")
    assert row["reporter_name_hash"] == pii.lookup_hash(NAME, pii.NAME_PURPOSE) != row["reporter_phone_hash"]
    # Through the model, the same row reads in clear: code reading case.reporter_phone keeps working.
    again = Case.objects.get(pk=case.pk)
    assert (again.reporter_name, again.reporter_phone) == (NAME, PHONE)


def test_the_outbox_holds_no_phone(district: District, django_capture_on_commit_callbacks: Any) -> None:
    """The receipt SMS is queued with the reporter's phone as its recipient: ciphertext in the row too."""
    with django_capture_on_commit_callbacks(execute=True):
        case = register(district, reporter_name=NAME, reporter_phone=PHONE, channel="phone")
        queue_sms(PHONE, "测试", subject=case.reference)
    rows = raw_rows("notify_message")
    assert rows and PHONE not in everything_in(rows)
    assert PHONE in [m.to for m in Message.objects.all()]


def test_integration_and_webhook_secrets_are_ciphertext(district: District) -> None:
    upstream, webhook = "upstream-" + secrets.token_hex(16), "webhook-" + secrets.token_hex(16)
    set_secret("haochaping", upstream)
    Subscriber.objects.create(name="12345 热线", url="https://hotline.example.gov.cn/hook", secret=webhook)
    stored = everything_in(raw_rows("integrations_integrationsource") + raw_rows("notify_subscriber"))
    assert upstream not in stored and webhook not in stored
    assert IntegrationSource.objects.get(code="haochaping").secret == upstream
    assert Subscriber.objects.get().secret == webhook


def test_a_phone_finds_its_cases_through_the_hash_only(district: District) -> None:
    mine = [register(district, reporter_phone=PHONE), case_in(district, CaseStatus.CLOSED, reporter_phone=PHONE)]
    register(district, reporter_phone="13700001111")
    found = reported_by_phone(Case.objects.all(), PHONE)
    assert sorted(c.pk for c in found) == sorted(c.pk for c in mine)
    assert "reporter_phone_hash" in str(found.query) and PHONE not in str(found.query)
    assert not reported_by_phone(Case.objects.all(), "13700002222").exists()
    assert not reported_by_phone(Case.objects.all(), "").exists()


def test_filtering_on_an_encrypted_column_is_refused_not_silently_empty(district: District) -> None:
    register(district, reporter_name=NAME, reporter_phone=PHONE)
    for lookup in ({"reporter_phone": PHONE}, {"reporter_name__icontains": "欧阳"}, {"reporter_phone__endswith": "5678"}):
        with pytest.raises(FieldError, match="encrypted"):
            Case.objects.filter(**lookup).count()


def test_a_tampered_row_is_refused_when_read(district: District) -> None:
    case = register(district, reporter_name=NAME, reporter_phone=PHONE)
    other = register(district, reporter_name="李四", reporter_phone="13700001111")
    stolen = raw_rows("cases_case", "WHERE id = %s", [other.pk])[0]["reporter_phone"]
    with connection.cursor() as cursor:  # another row's ciphertext, copied over: the GCM tag says so
        cursor.execute("UPDATE cases_case SET reporter_name = %s WHERE id = %s", [stolen, case.pk])
    with pytest.raises(pii.TamperedPii):
        Case.objects.get(pk=case.pk)


def test_a_wrong_key_is_a_clear_error(district: District, settings: Any) -> None:
    case = register(district, reporter_name=NAME, reporter_phone=PHONE)
    settings.PII_KEY = secrets.token_bytes(32)
    with pytest.raises(pii.UnknownPiiKey, match="PII_KEY"):
        Case.objects.get(pk=case.pk)


def test_public_progress_still_works_by_reference_and_phone_suffix(
    district: District, monday: Any, django_capture_on_commit_callbacks: Any
) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks, phone=PHONE)
    reference = citizen.report()["reference"]
    assert PHONE not in everything_in(raw_rows("cases_case"))
    found = citizen.get(f"/reports/{reference}", phone_last4=PHONE[-4:])
    assert found.status_code == 200 and found.json()["reference"] == reference
    assert citizen.get(f"/reports/{reference}", phone_last4="0000").status_code == 404


def test_the_data_migration_encrypts_rows_written_in_clear_and_back(district: District) -> None:
    """Rows from before the change (clear text in the columns) are encrypted by the migration's step, the
    hash filled in; migrating back writes the clear text again; running it twice changes nothing."""
    case = register(district, reporter_name=NAME, reporter_phone=PHONE)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET reporter_name = %s, reporter_phone = %s, reporter_phone_hash = '' "
                       "WHERE id = %s", [NAME, PHONE, case.pk])
    step = encrypting("cases_case", ["reporter_name", "reporter_phone"], {"reporter_phone_hash": ("reporter_phone", "phone")})
    editor: Any = type("Editor", (), {"connection": connection})()
    step.code(None, editor)
    row = raw_rows("cases_case", "WHERE id = %s", [case.pk])[0]
    assert NAME not in everything_in([row]) and PHONE not in everything_in([row])
    assert reported_by_phone(Case.objects.all(), PHONE).get().pk == case.pk
    sealed = row["reporter_phone"]
    step.code(None, editor)  # again: already encrypted, left alone
    assert raw_rows("cases_case", "WHERE id = %s", [case.pk])[0]["reporter_phone"] == sealed
    assert step.reverse_code is not None
    step.reverse_code(None, editor)
    row = raw_rows("cases_case", "WHERE id = %s", [case.pk])[0]
    assert (row["reporter_name"], row["reporter_phone"]) == (NAME, PHONE)
