"""The refusals every app's actions, pages and API share; each page and the API turn them into a status.

They live here, below every domain app, so that an app can refuse (or catch a refusal) without
importing the app that happened to define the error first.
"""

from __future__ import annotations


class ActionError(Exception):
    """A business rule refused the action; `status` is the HTTP status the API answers with."""

    status = 409

    def __init__(self, message: str, *, field: str = "") -> None:
        self.message = message
        self.field = field  # the form field the refusal is about, where there is one
        super().__init__(message)


class TooManyRequests(ActionError):
    """A limit of the public pages was reached; `wait_seconds` says when to try again."""

    status = 429

    def __init__(self, message: str, *, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(message)


class InvalidInput(ActionError):
    status = 422


class ActionForbidden(Exception):
    """The user may see the object but their role may not do this."""
