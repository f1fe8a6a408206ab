"""List views keep a fixed number of queries however many cases there are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District


def queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured)


def test_api_list_ledger_and_home_do_not_grow_with_cases(district: District, monday: Any) -> None:
    api = district.api("dispatcher")
    client = Client()
    sign_in(client, district.users["dispatcher"])
    pages = {
        "api": lambda: api.get("/cases"),
        "ledger": lambda: client.get("/ledger/"),
        "home": lambda: client.get("/"),
    }
    for _ in range(2):
        case_in(district, S.IN_PROGRESS)
    for call in pages.values():
        call()  # warm up: the token's last-use stamp is written at most every five minutes
    few = {name: queries(call) for name, call in pages.items()}
    for _ in range(6):
        case_in(district, S.IN_PROGRESS)
    many = {name: queries(call) for name, call in pages.items()}
    assert few == many, (few, many)
    # home: 41 since the dispatcher's banner asks whether the routing model works (the newest model's id).
    assert many["api"] <= 8 and many["ledger"] <= 16 and many["home"] <= 41, many
    assert api.get("/cases").json()["count"] == 8
