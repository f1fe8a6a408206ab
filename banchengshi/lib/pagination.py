"""One shape for every paginated API list: {count, page, page_size, results}."""

from __future__ import annotations

import binascii
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
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


# --- keyset pages --------------------------------------------------------------------------------------------
# A list newest first by (a time, the id) goes on from the last row it showed, not from an offset: the
# database reads the rows of the next page through the index and stops, however deep the page.

CURSOR_MAX = 120  # characters of a cursor; more is not one of ours


class CursorParams(Schema):
    """A keyset page's query parameter, beside `page` (which it replaces when given)."""

    cursor: str | None = Field(None, max_length=CURSOR_MAX,
                               description="上一页答复中的 next_cursor：取其后一页（给出时不看 page）")


class BadCursor(ValueError):
    """A cursor this code did not write (or a damaged one)."""


@dataclass(frozen=True)
class Cursor:
    """Where a newest-first list stopped: the last row's time and id, as an opaque token."""

    at: datetime
    pk: int

    def encode(self) -> str:
        return urlsafe_b64encode(f"{self.at.isoformat()}|{self.pk}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        if not token or len(token) > CURSOR_MAX:
            raise BadCursor(token)
        try:
            at, pk = urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split("|")
            moment, number = datetime.fromisoformat(at), int(pk)
        except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
            raise BadCursor(token) from exc
        if moment.tzinfo is None or number < 1:
            raise BadCursor(token)
        return cls(moment, number)


def newest_first(rows: QuerySet[M], field: str) -> QuerySet[M]:
    return rows.order_by(f"-{field}", "-pk")


def keyset_page(rows: QuerySet[M], field: str, cursor: Cursor | None, size: int) -> tuple[list[M], Cursor | None]:
    """The `size` rows of `rows`, newest first by `field` (a non-null time) then id, after `cursor`; and the
    cursor of the page after, or None on the last page."""
    if cursor is not None:
        rows = rows.filter(Q(**{f"{field}__lt": cursor.at}) | Q(**{field: cursor.at, "pk__lt": cursor.pk}))
    page = list(newest_first(rows, field)[: size + 1])
    if len(page) <= size:
        return page, None
    last = page[size - 1]
    return page[:size], Cursor(getattr(last, field), last.pk)
