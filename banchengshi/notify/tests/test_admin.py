from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from banchengshi.accounts.models import User
from banchengshi.accounts.tests.otp import sign_in
from banchengshi.notify.models import Subscriber
from banchengshi.notify.services import queue_email, queue_sms


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["message", "subscriber", "notice", "periodicrun"])
def test_the_outbox_pages_of_the_admin_open_in_chinese_with_addresses_masked(page: str, admin_client: Client) -> None:
    queue_sms("13812345678", "内容")
    queue_email("zhangsan@example.gov.cn", "标题", "内容")
    Subscriber.objects.create(name="12345热线平台", url="http://127.0.0.1:9/hook", secret="s")
    answer = admin_client.get(f"/admin/notify/{page}/")
    text = answer.content.decode()
    assert answer.status_code == 200 and "选择" in text
    assert "13812345678" not in text and "zhangsan@" not in text


@pytest.fixture
def admin_client(db: Any) -> Client:
    user = User.objects.create_superuser("outbox_admin", password="Outbox-admin-2026")
    client = Client()
    sign_in(client, user)
    return client


@pytest.mark.django_db
def test_a_webhook_secret_is_written_never_shown_again(admin_client: Client) -> None:
    secret = "webhook-secret-7f3a9c2e5b1d"
    subscriber = Subscriber.objects.create(name="12345热线平台", url="https://hotline.example.gov.cn/hook", secret=secret)
    page = admin_client.get(f"/admin/notify/subscriber/{subscriber.pk}/change/").content.decode()
    assert "签名密钥" in page and secret not in page
    form = {"name": "12345热线平台", "url": "https://hotline.example.gov.cn/hook", "secret": "", "events": "[]",
            "source": "", "is_active": "on"}
    assert admin_client.post(f"/admin/notify/subscriber/{subscriber.pk}/change/", form).status_code == 302
    assert Subscriber.objects.get().secret == secret  # left blank: kept
    admin_client.post(f"/admin/notify/subscriber/{subscriber.pk}/change/", {**form, "secret": "a-new-secret-2026"})
    assert Subscriber.objects.get().secret == "a-new-secret-2026"
    refused = admin_client.post("/admin/notify/subscriber/add/", {**form, "name": "另一个"})
    assert refused.status_code == 200 and "请设置签名密钥" in refused.content.decode()
