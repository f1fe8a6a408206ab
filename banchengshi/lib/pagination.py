"""One shape for every paginated API list: {count, page, page_size, results}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema

M = TypeVar("M", bound=Model)


class PageParams(Schema):
    """The page of a list; the upper bounds keep offsets within what the databases accept."""

    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


def paginate(
    counted: QuerySet[M], fetched: QuerySet[M], page: int, page_size: int, render: Callable[[M], Any]
) -> dict[str, Any]:
    """`counted` is what the count runs on (no joins needed); `fetched` the same rows with their relations."""
    start = (page - 1) * page_size
    return {
        "count": counted.count(),
        "page": page,
        "page_size": page_size,
        "results": [render(row) for row in fetched[start : start + page_size]],
    }
