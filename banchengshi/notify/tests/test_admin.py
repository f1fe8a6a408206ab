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
