"""Reads of the org tree that pages and API of every app share."""

from __future__ import annotations

from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit
from banchengshi.lib.errors import InvalidInput


def unit_by_code(code: str, label: str = "单位") -> Unit:
    """The unit with this code; an unknown code is the caller's input error, named by `label`."""
    unit = Unit.objects.filter(code=code).select_related("parent").first()
    if unit is None:
        raise InvalidInput(f"未找到{label}：{code}")
    return unit


def service_centers() -> list[Unit]:
    """The district's active service centers, the district's own first: where a citizen may report."""
    return list(Unit.objects.filter(kind=UnitKind.SERVICE_CENTER, is_active=True).select_related("parent").order_by("parent_id", "code"))
