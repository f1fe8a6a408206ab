from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from banchengshi.cases.schemas import UnitRef
from banchengshi.lib.schemas import Code, InputSchema, Reference
from banchengshi.lib.validation import PlausibleDatetime


class NoticeIn(InputSchema):
    unit: Code = Field(description="被通报单位编码")
    case: Reference | None = Field(None, description="反映件登记编号（工作通报可不填）")
    kind: str = Field("general", max_length=16, description="resupervision 再督办通报 / overdue 超时通报 / general 工作通报")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=4000, description="通报内容")


class NoticeOut(Schema):
    id: int
    unit: UnitRef
    case: str | None = Field(description="反映件登记编号")
    kind: str
    kind_label: str
    title: str
    body: str
    issued_by: str
    issued_at: datetime
    read_at: datetime | None = Field(description="签收时间")
    acknowledged_by: str | None


class NoticePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[NoticeOut]


class TaskIn(InputSchema):
    unit: Code = Field(description="责任单位编码")
    description: str = Field(min_length=1, max_length=4000)
    due_date: date = Field(description="完成期限（含当日）")


class MeetingIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    criteria: list[Code] = Field(
        max_length=10,
        description="召开情形（安康办法第十四条）：leader_instruction / wide_impact / cross_department_reform / other"
    )
    held_at: PlausibleDatetime = Field(description="召开时间；未带偏移按北京时间")
    place: str = Field("", max_length=200)
    cases: list[Reference] = Field(max_length=200, description="研究的反映件登记编号，至少一件")
    attendee_units: list[Code] = Field(default_factory=list, max_length=200, description="参会单位编码")
    attendee_names: str = Field("", max_length=4000, description="参会人员")
    minutes: str = Field("", max_length=20000)
    decisions: str = Field("", max_length=20000)


class OutcomeIn(InputSchema):
    minutes: str = Field("", max_length=20000, description="会议纪要")
    decisions: str = Field(min_length=1, max_length=20000, description="议定事项")
    tasks: list[TaskIn] = Field(default_factory=list, max_length=200, description="交办任务")


class CompleteTaskIn(InputSchema):
    note: str = Field(min_length=1, max_length=4000, description="完成情况")


class CriterionOut(Schema):
    code: str
    label: str


class MeetingCaseOut(Schema):
    reference: str
    status: str
    status_label: str


class TaskOut(Schema):
    id: int
    unit: UnitRef
    description: str
    due_date: date
    overdue: bool
    created_at: datetime
    done_at: datetime | None
    done_by: str | None
    done_note: str


class MeetingSummary(Schema):
    id: int
    title: str
    criteria: list[CriterionOut]
    held_at: datetime
    place: str
    cases: list[MeetingCaseOut]
    open_tasks: int


class MeetingOut(MeetingSummary):
    convened_by: str
    attendees: list[UnitRef]
    attendee_names: str
    minutes: str
    decisions: str
    outcome_recorded_at: datetime | None
    created_at: datetime
    tasks: list[TaskOut]


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MeetingSummary]
