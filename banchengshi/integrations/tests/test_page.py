"""The admin office's page: deliveries filtered by source and outcome, the subscribers the outbox paused
(恢复推送) and its dead letters (重新发送), phone numbers masked; other roles get 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.conftest import District
from banchengshi.integrations.models import IntegrationSource
from banchengshi.integrations.tests.conftest import SECRETS, abandoned_body, bad_review_body, deliver
from banchengshi.notify.models import Message, Subscriber
from banchengshi.notify.services import queue_sms

pytestmark = pytest.mark.usefixtures("sources", "monday")


def signed_in(district: District, name: str) -> Client:
    client = Client()
    sign_in(client, district.users[name])
    return client


def test_the_admin_office_sees_deliveries_and_filters_them(district: District) -> None:
    accepted = deliver(Client(), "yiwangtongban", abandoned_body(), event_id="page-1").json()["reference"]
    deliver(Client(), "haochaping", bad_review_body(), event_id="page-2", secret="wrong-secret-000000000")
    deliver(Client(), "nosuch", {}, event_id="page-3")
    zwb = signed_in(district, "admin_office")
    page = zwb.get("/integrations/").content.decode()
    for text in ("平台对接", "接收记录", "page-1", "page-2", "page-3", "签名不正确", "未知的来源平台", accepted,
                 f'href="/cases/{accepted}/"', "推送订阅方", "发送失败的通知"):
        assert text in page, text
    assert SECRETS["yiwangtongban"] not in page
    refused = zwb.get("/integrations/", {"outcome": "refused"}).content.decode()
    assert "page-2" in refused and "page-3" in refused and "page-1" not in refused
    only = zwb.get("/integrations/", {"source": "haochaping"}).content.decode()
    assert "page-2" in only and "page-1" not in only and "page-3" not in only
    assert 'href="/integrations/"' in zwb.get("/").content.decode()  # in the navigation


def test_other_roles_get_403(district: District) -> None:
    assert signed_in(district, "system_admin").get("/integrations/").status_code == 200
    for name in ("registrar", "dispatcher", "center_head", "rsj", "overseer"):
        client = signed_in(district, name)
        assert client.get("/integrations/").status_code == 403, name
        assert 'href="/integrations/"' not in client.get("/").content.decode()
    assert Client().get("/integrations/").status_code == 302  # to the login page


def test_resume_a_paused_subscriber_and_resend_a_dead_letter(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    paused = Subscriber.objects.create(name="一网通办回传", url="http://127.0.0.1:9/hook", secret="s" * 20,
                                       paused_at=now, consecutive_failures=5, last_error="订阅方返回 503")
    dead = queue_sms("13812345678", "您的反映已受理", subject="BC202611230001")
    Message.objects.filter(pk=dead.pk).update(dead_at=now, attempts=10, last_error="短信网关返回 500")
    zwb = signed_in(district, "admin_office")
    page = zwb.get("/integrations/").content.decode()
    assert "恢复推送" in page and "订阅方返回 503" in page
    assert "138****5678" in page and "13812345678" not in page and "重新发送" in page
    # Others may not press the buttons.
    assert signed_in(district, "dispatcher").post(f"/integrations/subscribers/{paused.pk}/resume/").status_code == 403
    response = zwb.post(f"/integrations/subscribers/{paused.pk}/resume/", follow=True)
    assert "已恢复向“一网通办回传”推送" in response.content.decode()
    paused.refresh_from_db()
    assert paused.paused_at is None and paused.consecutive_failures == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = zwb.post(f"/integrations/messages/{dead.pk}/retry/", follow=True)
    assert "已重新发送" in response.content.decode()
    dead.refresh_from_db()
    assert dead.dead_at is None and dead.sent_at is not None  # jobs run at once in the tests: sent by the file
    assert zwb.post(f"/integrations/messages/{dead.pk}/retry/").status_code == 404  # no longer dead


def test_the_admin_never_shows_a_secret(district: District) -> None:
    zwb = signed_in(district, "admin_office")
    source = IntegrationSource.objects.get(code="yiwangtongban")
    for url in ("/admin/integrations/integrationsource/", f"/admin/integrations/integrationsource/{source.pk}/change/",
                "/admin/integrations/delivery/", "/admin/integrations/inboundevent/"):
        response = zwb.get(url)
        assert response.status_code == 200, url
        assert SECRETS["yiwangtongban"] not in response.content.decode()
    assert "已设置" in zwb.get(f"/admin/integrations/integrationsource/{source.pk}/change/").content.decode()


def test_every_delivery_and_every_outbox_intervention_is_in_the_audit_trail(district: District) -> None:
    from banchengshi.audit.models import Event

    reference = deliver(Client(), "yiwangtongban", abandoned_body(), event_id="audit-1").json()["reference"]
    deliver(Client(), "yiwangtongban", abandoned_body(), event_id="audit-1")  # again: a duplicate, accepted
    deliver(Client(), "haochaping", bad_review_body(), event_id="audit-2", secret="wrong-secret-000000000")
    accepted = Event.objects.filter(action="upstream_event_accepted", data__event_id="audit-1")
    assert [e.data["outcome"] for e in accepted.order_by("seq")] == ["accepted", "duplicate"]
    assert accepted.first().data["reference"] == reference  # type: ignore[union-attr]
    refused = Event.objects.get(action="upstream_event_refused", data__event_id="audit-2")
    assert refused.data["status"] == 401 and "签名不正确" in refused.data["reason"]

    zwb = signed_in(district, "admin_office")
    paused = Subscriber.objects.create(name="审计用订阅方", url="http://127.0.0.1:9/hook", secret="s" * 20,
                                       paused_at=timezone.now())
    zwb.post(f"/integrations/subscribers/{paused.pk}/resume/")
    dead = queue_sms("13800138000", "发不出去的短信")
    Message.objects.filter(pk=dead.pk).update(dead_at=timezone.now())
    zwb.post(f"/integrations/messages/{dead.pk}/retry/")
    office = district.users["admin_office"]
    assert Event.objects.get(action="subscriber_resumed").actor == office
    assert Event.objects.get(action="dead_letter_retried", data__message=dead.pk).actor == office
