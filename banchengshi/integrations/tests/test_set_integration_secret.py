"""`manage.py set_integration_secret SOURCE SECRET`: the new secret and the one before it both verify; the
one before those no longer does. Nothing secret is printed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from banchengshi.conftest import District
from banchengshi.integrations.models import IntegrationSource
from banchengshi.integrations.tests.conftest import abandoned_body, deliver

pytestmark = pytest.mark.usefixtures("monday")

FIRST, SECOND, THIRD = "first-secret-aaaaaaaaaa", "second-secret-bbbbbbbbbb", "third-secret-cccccccccc"


def set_secret(source: str, secret: str) -> str:
    out = StringIO()
    call_command("set_integration_secret", source, secret, stdout=out)
    assert secret not in out.getvalue()
    return out.getvalue()


def status(secret: str, event_id: str) -> int:
    # Each event its own text: the same signed bytes under another event id are refused as a replay.
    body = abandoned_body(description=f"上传材料时页面报错（{event_id}）")
    return int(deliver(Client(), "yiwangtongban", body, event_id=event_id, secret=secret).status_code)


def test_rotation_keeps_the_current_and_the_previous_secret(district: District) -> None:
    assert "已更新签名密钥" in set_secret("yiwangtongban", FIRST)
    assert status(FIRST, "r-1") == 201
    assert "上一个密钥在下次轮换前仍然有效" in set_secret("yiwangtongban", SECOND)
    assert (status(FIRST, "r-2"), status(SECOND, "r-3")) == (201, 201)
    set_secret("yiwangtongban", THIRD)
    assert (status(SECOND, "r-4"), status(THIRD, "r-5"), status(FIRST, "r-6")) == (201, 201, 401)
    source = IntegrationSource.objects.get(code="yiwangtongban")
    assert (source.secret, source.previous_secret) == (THIRD, SECOND)


def test_a_new_source_is_created_generic_and_bad_input_refused(district: District) -> None:
    assert "已新建来源平台" in set_secret("hotline-12345", FIRST)
    source = IntegrationSource.objects.get(code="hotline-12345")
    assert (source.kind, source.channel, source.secret) == ("other", "online", FIRST)
    with pytest.raises(CommandError, match="至少 16 个字符"):
        call_command("set_integration_secret", "hotline-12345", "short", stdout=StringIO())
    with pytest.raises(CommandError, match="来源编码"):
        call_command("set_integration_secret", "Bad Code", FIRST, stdout=StringIO())


def test_the_seeded_sources_refuse_until_a_secret_is_set(district: District) -> None:
    assert set(IntegrationSource.objects.values_list("code", flat=True)) >= {"yiwangtongban", "haochaping", "generic"}
    assert IntegrationSource.objects.get(code="haochaping").secret == ""
    response = deliver(Client(), "yiwangtongban", abandoned_body(), event_id="s-1", secret=FIRST)
    assert response.status_code == 401 and "尚未设置签名密钥" in response.json()["detail"]
