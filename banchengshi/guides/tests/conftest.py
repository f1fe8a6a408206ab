"""The browser fixtures of cases' browser tests (a live server per test, Debian's Chromium)."""

from banchengshi.cases.tests.test_browser_flow import browser, server  # noqa: F401
