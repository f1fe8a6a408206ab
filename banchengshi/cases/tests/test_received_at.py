"""received_at: a report taken earlier (by phone, on paper) may be entered with its real time, but only
within settings.RECEIVED_AT_MAX_PAST_DAYS, never in the future beyond a small clock skew; a backdated one
leaves received_at_backdated in the audit trail with the given and the actual time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from banchengshi.audit.models import Event
from banchengshi.cases.models import Case
from banchengshi.cases.tests.test_workbench import client_for
from banchengshi.conftest import District, case_body


def _at(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).isoformat()


def test_the_window_into_the_past_and_the_skew_into_the_future(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    refused = {
        timedelta(days=-31): "超过补录期限",
        timedelta(days=-400): "超过补录期限",
        timedelta(minutes=10): "不能晚于当前时间",
    }
    for delta, message in refused.items():
        response = registrar.post("/cases", case_body(received_at=_at(delta)))
        assert response.status_code == 422 and message in response.json()["detail"], (delta, response.json())
    assert Case.objects.count() == 0
    for delta in (timedelta(days=-29), timedelta(minutes=-5), timedelta(minutes=3)):
        assert registrar.post("/cases", case_body(received_at=_at(delta))).status_code == 201, delta


def test_a_backdated_registration_is_audited_with_both_times(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    given = timezone.now() - timedelta(days=3, hours=2)
    reference = registrar.post("/cases", case_body(received_at=given.isoformat())).json()["reference"]
    event = Event.objects.get(case__reference=reference, action="received_at_backdated")
    assert event.actor == district.users["registrar"]
    assert event.data["given"] == timezone.localtime(given).isoformat()
    actual = datetime.fromisoformat(event.data["actual"])
    assert abs((actual - timezone.now()).total_seconds()) < 60
    assert event.data["minutes_earlier"] == 3 * 24 * 60 + 120
    timeline = registrar.get(f"/cases/{reference}").json()["timeline"]
    shown = next(e for e in timeline if e["action"] == "received_at_backdated")
    assert "登记时间填为" in shown["detail"] and "实际录入于" in shown["detail"]
    # Entered a few minutes after the call: no audit event.
    recent = registrar.post("/cases", case_body(received_at=_at(timedelta(minutes=-8)))).json()["reference"]
    assert not Event.objects.filter(case__reference=recent, action="received_at_backdated").exists()
    now = registrar.post("/cases", case_body()).json()["reference"]
    assert not Event.objects.filter(case__reference=now, action="received_at_backdated").exists()


def test_the_window_is_a_setting(district: District, monday: Any, settings: Any) -> None:
    settings.RECEIVED_AT_MAX_PAST_DAYS = 7
    registrar = district.api("registrar")
    response = registrar.post("/cases", case_body(received_at=_at(timedelta(days=-10))))
    assert response.status_code == 422 and "不能早于7天前" in response.json()["detail"]
    assert registrar.post("/cases", case_body(received_at=_at(timedelta(days=-6)))).status_code == 201


def test_the_form_refuses_in_chinese_and_keeps_what_was_typed(district: District, monday: Any) -> None:
    client = client_for(district, "registrar")
    too_old = timezone.localtime(timezone.now() - timedelta(days=45)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/cases/new/", {
        "channel": "phone", "reporter_name": "王小明", "reporter_phone": "13800138000", "reporter_kind": "person",
        "center": district.units["FWZX"].pk, "received_at": too_old, "description": "电话反映：社保转移一直办不了。",
    })
    page = response.content.decode()
    assert response.status_code == 422 and "超过补录期限" in page
    assert "王小明" in page and "电话反映：社保转移一直办不了。" in page and too_old in page
    assert Case.objects.count() == 0
