from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from banchengshi.sla.services import calendar_warnings


def calendar(request: HttpRequest) -> dict[str, Any]:
    """Missing statutory calendars, computed only where a template shows them."""
    return {"calendar_warnings": SimpleLazyObject(calendar_warnings)}
