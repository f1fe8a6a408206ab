"""The staff member's own reminders (站内提醒) over the API: list them, mark them read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from banchengshi.accounts.auth import AuthedRequest
from banchengshi.lib.pagination import PageParams, paginate
from banchengshi.lib.schemas import InputSchema
from banchengshi.notify.models import Notice
from banchengshi.notify.services import mark_read, notices_of, unread_notices

router = Router(tags=["站内提醒"])


class ReminderOut(Schema):
    id: int
    title: str
    text: str
    link: str = Field(description="工作台中的链接（反映件页面）")
    case: str = Field(description="反映件登记编号")
    created_at: datetime
    read_at: datetime | None


class ReminderPage(Schema):
    count: int
    unread: int = Field(description="未读条数")
    page: int
    page_size: int
    results: list[ReminderOut]


class ReminderFilters(PageParams):
    unread: bool = Field(False, description="只列未读")


class ReadIn(InputSchema):
    ids: list[int] | None = Field(None, max_length=500, description="要标为已读的提醒；不填则全部标为已读")


class ReadOut(Schema):
    marked: int
    unread: int


def reminder_out(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "title": notice.title,
        "text": notice.text,
        "link": notice.link,
        "case": notice.subject,
        "created_at": timezone.localtime(notice.created_at),
        "read_at": timezone.localtime(notice.read_at) if notice.read_at else None,
    }


@router.get("", response=ReminderPage, summary="我的提醒（时限黄灯、红灯等）")
def list_reminders(request: AuthedRequest, filters: Query[ReminderFilters]) -> dict[str, Any]:
    notices = notices_of(request.auth.pk, unread_only=filters.unread)
    page = paginate(notices, notices, filters.page, filters.page_size, reminder_out)
    return {**page, "unread": unread_notices(request.auth.pk)}


@router.post("/read", response=ReadOut, summary="标为已读（只作用于本人的提醒）")
def read_reminders(request: AuthedRequest, payload: ReadIn) -> dict[str, Any]:
    marked = mark_read(request.auth.pk, payload.ids)
    return {"marked": marked, "unread": unread_notices(request.auth.pk)}
