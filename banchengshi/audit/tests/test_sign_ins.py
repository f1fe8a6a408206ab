"""Sign-in, sign-out and failed sign-in reach the audit chain with the address and the request id; no
password, and no name that is not an account's (it may be a password typed in the wrong box)."""

from __future__ import annotations

import pytest
from django.test import Client

from banchengshi.audit.integrity import verify_chain
from banchengshi.audit.models import Event
from banchengshi.conftest import STAFF_PASSWORD


@pytest.mark.django_db
def test_sign_in_and_out_are_recorded_with_address_and_request_id(district):
    client = Client(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="测试浏览器/1.0")
    response = client.post("/login/", {"username": "registrar", "password": STAFF_PASSWORD}, HTTP_X_REQUEST_ID="req-login-1")
    assert response.status_code == 302
    assert response["X-Request-Id"] == "req-login-1"
    signed_in = Event.objects.get(action="logged_in")
    assert signed_in.actor == district.users["registrar"]
    assert (signed_in.ip, signed_in.request_id, signed_in.actor_role) == ("10.1.2.3", "req-login-1", "registrar")
    assert signed_in.data["user_agent"] == "测试浏览器/1.0"

    response = client.post("/logout/")
    signed_out = Event.objects.get(action="logged_out")
    assert signed_out.actor == district.users["registrar"]
    assert signed_out.request_id == response["X-Request-Id"] and len(signed_out.request_id) == 32
    assert verify_chain().intact


@pytest.mark.django_db
def test_a_failed_sign_in_names_an_existing_account_but_never_the_password(district):
    client = Client(REMOTE_ADDR="10.9.9.9")
    client.post("/login/", {"username": "registrar", "password": "Wrong-password-1"})
    client.post("/login/", {"username": "Wrong-password-2", "password": "x"})
    known, unknown = Event.objects.filter(action="login_failed").order_by("seq")
    assert known.data["username"] == "registrar" and known.data["known_account"] is True
    assert unknown.data["username"] == "" and unknown.data["known_account"] is False
    for event in (known, unknown):
        assert event.ip == "10.9.9.9" and event.request_id and event.actor is None
        assert event.data["outcome"] == "failure"
        assert "Wrong-password" not in str(event.data)


@pytest.mark.django_db
def test_a_request_id_that_is_not_a_plain_token_is_replaced(district):
    response = Client().get("/login/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-Id"] != "<script>" and len(response["X-Request-Id"]) == 32
