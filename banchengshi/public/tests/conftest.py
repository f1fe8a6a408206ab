"""The browser fixtures of cases' test_browser_flow.py, for the public pages' browser tests."""

from banchengshi.cases.tests.test_browser_flow import browser, server  # noqa: F401
