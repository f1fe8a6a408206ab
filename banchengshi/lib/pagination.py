"""One shape for every paginated API list: {count, page, page_size, results}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


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
