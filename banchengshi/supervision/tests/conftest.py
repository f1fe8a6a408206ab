from banchengshi.cases.tests.test_browser_flow import browser, server  # noqa: F401
