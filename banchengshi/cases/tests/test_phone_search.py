"""Finding cases by a reporter's phone (cases.personal.look_up_by_phone): only in POST bodies, only for the
roles that may, rate limited per staff member, every attempt audited with the phone masked. The attack of
issue 10: the overseer enumerating 133{0000..9999}5555 to recover a masked number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import CaseFilters, cases_visible_to, filter_cases
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import District

SECRET_PHONE = "13312345555"  # the masked number the attacker wants: 133****5555
ATTEMPTS = 4000
CANDIDATES = [f"133{n:04d}5555" for n in range(ATTEMPTS)]  # 1330000…1333999: the secret is the 1,235th


def client_for(district: District, name: str) -> Client:
    return sign_in(Client(), district.users[name])


def _limit() -> int:
    return int(settings.STAFF_LIMITS["phone_search"].split("/")[0])


@pytest.fixture
def secret(district: District, monday: Any) -> Case:
    return case_in(district, S.IN_PROGRESS, reporter_name="赵六", reporter_phone=SECRET_PHONE)


@pytest.fixture
def frozen(secret: Case) -> Iterator[None]:
    """The clock stopped, so that the requests of a test fall in one window of the limit."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def test_the_list_filters_never_match_a_phone(district: District, secret: Case) -> None:
    """q is full text over the case's words, not its reporter: the 4,000 candidates through the filters of
    every list (the API's, the ledger's and its export's: `filter_cases`) find nothing; so do a sample and
    the number itself through the API list, and the number, its parts and name through the ledger page."""
    visible = cases_visible_to(district.users["overseer"])
    assert [q for q in CANDIDATES if filter_cases(visible, CaseFilters(q=q)).exists()] == []
    api = district.api("overseer")
    assert api.get("/cases").json()["count"] == 1
    assert [q for q in [*CANDIDATES[::100], SECRET_PHONE] if api.get("/cases", q=q).json()["count"]] == []
    client = client_for(district, "overseer")
    for q in (SECRET_PHONE, "5555", "133", "13312345555 赵六"):
        page = client.get("/ledger/", {"q": q}).content.decode()
        assert "共 0 件" in page and secret.reference not in page, q
    assert api.get("/cases", q="5555").json()["count"] == 0


def test_the_overseers_enumeration_is_stopped_by_the_limit_and_every_attempt_audited(district: District, secret: Case) -> None:
    api = district.api("overseer")
    with time_machine.travel(timezone.now(), tick=False):  # one window of the limit, however slow the machine
        answers = [api.post("/cases/search-by-phone", {"phone": phone}) for phone in CANDIDATES]
        page = client_for(district, "overseer").post("/phone-search/", {"phone": SECRET_PHONE})
    limit = _limit()
    assert [a.status_code for a in answers[:limit]] == [200] * limit
    assert all(a.json()["count"] == 0 for a in answers[:limit])
    refused = answers[limit:]
    assert {a.status_code for a in refused} == {429}
    assert re.fullmatch(r"按电话查询过于频繁，请\d+分钟后再试。", refused[0].json()["detail"])
    assert int(refused[-1]["Retry-After"]) > 0
    assert not any(secret.reference in a.content.decode() for a in answers)
    # The page shares the count: the attacker cannot switch to the form.
    assert page.status_code == 429 and "按电话查询过于频繁" in page.content.decode()
    assert secret.reference not in page.content.decode()
    searched = Event.objects.filter(action="phone_searched")
    limited = Event.objects.filter(action="phone_search_refused", data__reason="超过查询次数限制")
    assert searched.count() == limit and limited.count() == ATTEMPTS - limit + 1
    assert {e.actor_id for e in [*searched, *limited]} == {district.users["overseer"].pk}
    assert searched.first().data == {"via": "api", "phone": "133****5555", "found": 0, "outcome": "success"}  # type: ignore[union-attr]


def test_the_limit_is_per_user_and_a_window_later_searching_works_again(district: District, secret: Case) -> None:
    overseer, other = district.api("overseer"), district.api("admin_office")
    with time_machine.travel(timezone.now(), tick=False) as frozen:
        for _ in range(_limit()):
            assert overseer.post("/cases/search-by-phone", {"phone": "13800000000"}).status_code == 200
        assert overseer.post("/cases/search-by-phone", {"phone": SECRET_PHONE}).status_code == 429
        assert other.post("/cases/search-by-phone", {"phone": SECRET_PHONE}).json()["count"] == 1
        frozen.shift(11 * 60)
        assert overseer.post("/cases/search-by-phone", {"phone": SECRET_PHONE}).json()["count"] == 1


def test_search_results_are_masked_unless_the_role_calls_reporters(district: District, secret: Case) -> None:
    masked = district.api("overseer").post("/cases/search-by-phone", {"phone": SECRET_PHONE}).json()
    assert masked["count"] == 1 and masked["results"][0]["reporter"]["name"] == "赵*"
    assert masked["results"][0]["reporter"]["phone"] == "133****5555"
    full = district.api("rsj").post("/cases/search-by-phone", {"phone": "133 1234 5555"}).json()
    assert full["count"] == 1 and full["results"][0]["reporter"]["name"] == "赵六"
    # A handler finds only what its unit may see.
    assert district.api("ybj").post("/cases/search-by-phone", {"phone": SECRET_PHONE}).json()["count"] == 0

    client = client_for(district, "overseer")
    form = client.get("/phone-search/")
    assert form.status_code == 200 and 'method="post"' in form.content.decode() and "按电话查询" in form.content.decode()
    page = client.post("/phone-search/", {"phone": SECRET_PHONE}).content.decode()
    results = page[page.index('data-testid="phone-search-count"'):]
    assert "找到 1 件" in results and secret.reference in results and "赵*" in results
    assert SECRET_PHONE not in results and "赵六" not in results
    handler_page = client_for(district, "rsj").post("/phone-search/", {"phone": SECRET_PHONE}).content.decode()
    assert "赵六" in handler_page and "133****5555" in handler_page
    vias = list(Event.objects.filter(action="phone_searched").order_by("seq").values_list("data__via", "data__found"))
    assert vias == [("api", 1), ("api", 1), ("api", 0), ("page", 1), ("page", 1)]


def test_phone_search_is_refused_to_roles_that_may_not_see_phones_and_to_what_is_not_a_phone(
    district: District, secret: Case
) -> None:
    answer = district.api("system_admin").post("/cases/search-by-phone", {"phone": SECRET_PHONE})
    assert answer.status_code == 403 and answer.json()["detail"] == "您的角色无权按电话查询反映件"
    assert client_for(district, "zwb_auditor").get("/phone-search/").status_code == 403
    assert client_for(district, "zwb_auditor").post("/phone-search/", {"phone": SECRET_PHONE}).status_code == 403
    bad = district.api("overseer").post("/cases/search-by-phone", {"phone": "133abc"})
    assert bad.status_code == 422 and "联系电话格式不正确" in bad.json()["detail"]
    page = client_for(district, "overseer").post("/phone-search/", {"phone": "1331234555"})
    assert page.status_code == 422 and "手机号码应为1开头的11位数字" in page.content.decode()
    assert 'value="1331234555"' in page.content.decode()  # the form keeps what was typed
    refusals = list(Event.objects.filter(action="phone_search_refused").order_by("seq").values_list("actor_role", "data__reason"))
    assert refusals == [("system_admin", "角色无权"), ("audit_admin", "角色无权"), ("overseer", "电话号码格式不正确"),
                        ("overseer", "电话号码格式不正确")]
    # The search is never a GET with the phone in the URL: the API has no such route.
    assert district.api("overseer").get("/cases/search-by-phone", phone=SECRET_PHONE).status_code in (404, 405)


@pytest.mark.usefixtures("frozen")
def test_the_repeat_check_is_a_post_limited_and_audited(district: District, secret: Case, settings: Any) -> None:
    settings.STAFF_LIMITS = {**settings.STAFF_LIMITS, "repeat_check": "3/10m"}
    registrar = client_for(district, "registrar")
    form = registrar.get("/cases/new/").content.decode()
    assert 'hx-post="/cases/new/repeats/"' in form and "hx-get" not in form
    assert registrar.get("/cases/new/repeats/", {"reporter_phone": SECRET_PHONE}).status_code == 405
    # A number still being typed looks nothing up and counts nothing.
    assert registrar.post("/cases/new/repeats/", {"reporter_phone": "1331234"}).content.decode().strip() == ""
    for _ in range(3):
        found = registrar.post("/cases/new/repeats/", {"reporter_phone": SECRET_PHONE})
        assert found.status_code == 200 and secret.reference in found.content.decode()
    limited = registrar.post("/cases/new/repeats/", {"reporter_phone": SECRET_PHONE})
    assert limited.status_code == 429 and "重复反映查询过于频繁" in limited.content.decode()
    assert secret.reference not in limited.content.decode()
    events = Event.objects.filter(action__in=["phone_searched", "phone_search_refused"]).order_by("seq")
    assert [(e.action, e.data["via"], e.data["phone"]) for e in events] == [
        ("phone_searched", "repeat_check", "133****5555")] * 3 + [("phone_search_refused", "repeat_check", "133****5555")]
