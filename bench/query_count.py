"""The number of SQL statements a request ran, in the response header `X-Queries` (bench/workbench.py).

Opt-in: only bench/bench_settings.py puts it in MIDDLEWARE; the application never loads it. It wraps every
configured database connection with `connection.execute_wrapper` for the whole request (so the session, the
user and the second factor read by the middleware below it are counted too). A streamed response counts
what ran before its first byte."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponseBase


class QueryCount:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        count = 0

        def counted(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counted))
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
