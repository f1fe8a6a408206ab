"""One Chromium (and one Playwright driver) for a run of browser tests in a test process.

Starting Playwright's driver and Chromium cost about a second of CPU for each of the ~30 browser
tests. The browser tests now share one: the `browser` fixture (cases/tests/test_browser_flow.py) hands
it out with no browser context open, and closes the contexts (pages, cookies, storage) the test opened
when it ends, so each test still starts from a fresh profile. The root conftest stops it as soon as the
next test of the process is not a browser test, and at the end of the run.

Playwright's sync API marks its event loop as running in this thread while it is started. Django then
takes the thread for an async one and hands out other database connections (asgiref's Local is
context-aware in an event loop): between browser tests the loop is marked as not running, so
pytest-django's set-up and tear-down of each test (the flush, the serialized rollback) use the thread's
own connection, as they did when each test started and stopped its own Playwright.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"

def screenshot(page: Any, name: str) -> None:
    """A full-page screenshot for people to look at, var/screenshots/NAME.png, written when SCREENSHOTS=1
    (`make screenshots`). Encoding a full-page PNG costs Chromium about as much CPU as loading the page,
    and no test reads the files, so `make test` leaves them out."""
    if os.environ.get("SCREENSHOTS", "") not in ("", "0"):
        from django.conf import settings

        shots = settings.VAR_DIR / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--lang=zh-CN"]


class SharedChromium:
    playwright: Any = None
    chromium: Any = None
    loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def acquire(cls) -> Any:
        """The process's Chromium, started if need be, with Playwright's loop marked as running."""
        if not Path(CHROMIUM).exists():
            if os.environ.get("CI"):
                pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
            pytest.skip("Debian's chromium is not installed here")
        # Playwright's sync API runs an event loop in this thread; the ORM calls of the test stay synchronous.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        if cls.chromium is not None:
            asyncio._set_running_loop(cls.loop)
            if cls.chromium.is_connected():
                return cls.chromium
            cls.stop()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.loop = asyncio.events._get_running_loop()
        cls.chromium = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        return cls.chromium

    @classmethod
    def release(cls) -> None:
        """Close what the test opened (its contexts and their pages), then let the thread be synchronous."""
        from django.db import connections

        if cls.chromium is not None and cls.chromium.is_connected():
            for context in list(cls.chromium.contexts):
                context.close()
        # ORM calls made while Playwright's event loop runs get their own connection (asgiref's Local
        # is context-aware); close it here, in that context, or it outlives the test database.
        connections.close_all()
        asyncio._set_running_loop(None)

    @classmethod
    def stop(cls) -> None:
        if cls.playwright is None:
            return
        asyncio._set_running_loop(cls.loop)
        try:
            if cls.chromium is not None and cls.chromium.is_connected():
                cls.chromium.close()
        finally:
            cls.playwright.stop()
            cls.playwright = cls.chromium = cls.loop = None
            asyncio._set_running_loop(None)
