"""Passing the second factor in tests, for real: a confirmed TOTP device of django-otp and a code
computed from its key, submitted through the real page (test client) or typed into it (Chromium)."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from banchengshi.accounts.access import needs_second_factor
from banchengshi.accounts.models import User

PAGE = "/account/second-factor/"


def code_of(device: TOTPDevice, *, offset: int = 0) -> str:
    """The code the device's app shows now (`offset` steps later or earlier)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def new_device(user: User) -> TOTPDevice:
    """A confirmed device, as if enrolled. A new one for each sign-in: a code is accepted once, and a
    test may sign the same person in twice within one 30-second step."""
    return TOTPDevice.objects.create(user=user, name="测试手机", confirmed=True)


def pass_second_factor(client: Client, user: User) -> None:
    """For a client signed in with the password: the code page, with a current code."""
    response = client.post(PAGE, {"code": code_of(new_device(user))})
    assert response.status_code == 302, response.content.decode()[:500]


def sign_in(client: Client, user: User) -> Client:
    """`force_login`, then, for an account that needs it, the second factor through the real page."""
    client.force_login(user)
    if needs_second_factor(user):
        pass_second_factor(client, user)
    return client


def pass_second_factor_in_browser(page: Any, username: str) -> None:
    """After the password in Chromium: if the code page came, type a current code into it."""
    page.wait_for_load_state()
    if PAGE not in page.url:
        return
    device = new_device(User.objects.get(username=username))
    if "/enrol/" in page.url:  # no device yet when the password passed: now there is one, so the code page
        page.goto(page.url.replace("/enrol/", "/"))
    page.get_by_label("动态口令").fill(code_of(device))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(lambda url: PAGE not in url)
