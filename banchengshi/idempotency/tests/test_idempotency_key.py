"""Idempotency-Key on POST /api/v1/cases and /api/v1/public/reports: a retry is answered from the first
run (same reference, no second case, no second timeline entry), another body under a used key is refused,
a refused request keeps no key, keys are per caller and purged after IDEMPOTENCY_KEY_HOURS."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client

from banchengshi.audit.models import Event
from banchengshi.cases.models import Case
from banchengshi.conftest import District, case_body
from banchengshi.idempotency.models import IdempotencyRecord
from banchengshi.idempotency.services import purge_expired
from banchengshi.idempotency.tasks import purge_idempotency_records_task
from banchengshi.public.tests.helpers import Citizen


def post(client: Any, body: Any, key: str | None, path: str = "/api/v1/cases") -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {client.token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_a_retry_answers_the_first_case_and_records_nothing_more(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    body = case_body(description="窗口说材料不全，但清单上没有这项材料")
    first = post(registrar, body, "3f1c2a9e-0001")
    assert first.status_code == 201, first.content.decode()
    reference = first.json()["reference"]
    events = Event.objects.count()

    again = post(registrar, body, "3f1c2a9e-0001")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Case.objects.filter(description=body["description"]).count() == 1
    assert Event.objects.count() == events  # no second registration on the timeline or in the audit log
    assert list(Event.objects.filter(case__reference=reference, action="registered").values_list("case__reference", flat=True)) == [reference]


def test_without_a_key_every_post_is_a_new_case(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    body = case_body(description="两次登记，没有幂等键")
    assert post(registrar, body, None).status_code == 201
    assert post(registrar, body, None).status_code == 201
    assert Case.objects.filter(description=body["description"]).count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_another_body_under_a_used_key_is_refused(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    assert post(registrar, case_body(description="第一次"), "key-reused").status_code == 201
    other = post(registrar, case_body(description="第二次，内容不同"), "key-reused")
    assert other.status_code == 422
    assert "已用于另一个请求" in other.json()["detail"]
    assert not Case.objects.filter(description="第二次，内容不同").exists()
    # The same body on another endpoint is another request too.
    elsewhere = post(registrar, case_body(description="第一次"), "key-reused", path="/api/v1/dispatch/suggest")
    assert elsewhere.status_code == 422


def test_a_refused_request_keeps_no_key_so_the_corrected_one_goes_through(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    wrong = post(registrar, case_body(center="NOPE"), "key-after-422")
    assert wrong.status_code in (404, 422), wrong.content.decode()
    assert not IdempotencyRecord.objects.filter(key="key-after-422").exists()
    fixed = post(registrar, case_body(description="改正后再发"), "key-after-422")
    assert fixed.status_code == 201, fixed.content.decode()
    assert IdempotencyRecord.objects.get(key="key-after-422").status == 201


def test_keys_belong_to_their_caller(district: District, monday: Any) -> None:
    registrar, head = district.api("registrar"), district.api("center_head")
    body = case_body(description="两个账号碰巧用了同一个键")
    mine = post(registrar, body, "shared-key")
    theirs = post(head, body, "shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["reference"] != theirs.json()["reference"]
    assert not theirs.has_header("Idempotent-Replayed")
    # A second token of the same account shares the account's keys.
    other_token = district.api("registrar")
    assert post(other_token, body, "shared-key").json()["reference"] == mine.json()["reference"]


def test_a_malformed_key_is_refused_in_chinese(district: District, monday: Any) -> None:
    before = Case.objects.count()
    for bad in ("x" * 256, "has space", "中文键"):
        answer = post(district.api("registrar"), case_body(), bad)
        assert answer.status_code == 400 and "Idempotency-Key" in answer.json()["detail"]
    assert Case.objects.count() == before


def test_an_unauthenticated_retry_gets_no_stored_answer(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    body = case_body(description="令牌无效时不能借用别人的键")
    assert post(registrar, body, "k-401").status_code == 201
    stranger = Client().post("/api/v1/cases", json.dumps(body), content_type="application/json",
                             HTTP_AUTHORIZATION="Bearer bcs_not-a-token", HTTP_IDEMPOTENCY_KEY="k-401")
    assert stranger.status_code == 401


def test_a_citizens_report_retried_is_one_case(district: District, monday: Any,
                                                django_capture_on_commit_callbacks: Any) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks, phone="13911112222")
    body = citizen.report_body(citizen.code(), description="网上申报一直提示材料不全，重试时不要重复登记")
    raw = json.dumps(body)

    def send() -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return citizen.client.post("/api/v1/public/reports", raw, content_type="application/json",
                                       HTTP_IDEMPOTENCY_KEY="b9e3d8c4-public")

    first, again = send(), send()  # the second would spend the SMS code twice: it is answered from the first
    assert first.status_code == 201, first.content.decode()
    assert again.status_code == 201 and again.json()["reference"] == first.json()["reference"]
    assert Case.objects.filter(description=body["description"]).count() == 1
    registered = Event.objects.filter(case__reference=first.json()["reference"], action="registered").count()
    assert registered == 1


def test_records_are_purged_after_the_configured_hours(district: District, monday: Any, settings: Any) -> None:
    settings.IDEMPOTENCY_KEY_HOURS = 24
    registrar = district.api("registrar")
    body = case_body(description="一天之后同一个键是新的请求")
    first = post(registrar, body, "old-key")
    assert purge_expired() == 0
    with time_machine.travel(timedelta(hours=23), tick=False):
        assert post(registrar, body, "old-key").json()["reference"] == first.json()["reference"]
    with time_machine.travel(timedelta(hours=25), tick=False):
        assert purge_idempotency_records_task.call_local() == 1
        assert not IdempotencyRecord.objects.exists()
        later = post(registrar, body, "old-key")
        assert later.status_code == 201 and later.json()["reference"] != first.json()["reference"]
