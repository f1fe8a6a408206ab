"""The browser fixtures of test_browser_flow.py, for the other browser tests of this folder."""

from banchengshi.cases.tests.test_browser_flow import browser, server  # noqa: F401
