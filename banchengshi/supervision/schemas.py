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
    number: str = Field(description="文号，如“政服办通〔2026〕3号”（编号前发出的通报为空）")
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
    url: str = Field(description="通报PDF的地址（可打印）")


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


class RectificationIn(InputSchema):
    unit: Code = Field(description="整改单位编码（部门或政务服务中心）")
    subject: str = Field(min_length=1, max_length=200, description="整改事项（堵点）")
    requirement: str = Field(min_length=1, max_length=4000, description="整改要求")
    dimension: str = Field("", max_length=16, description="统计维度：matter 事项 / reason 办不成原因 / channel 反映渠道；可不填")
    key: str = Field("", max_length=64, description="维度取值：事项编码、原因编码或渠道编码")
    days: int | None = Field(None, ge=1, le=60, description="整改时限（工作日）；不填按时限规则默认（20个工作日）")


class RectificationProgressIn(InputSchema):
    text: str = Field(min_length=1, max_length=4000, description="整改进展")


class RectificationCloseIn(InputSchema):
    note: str = Field("", max_length=4000, description="整改完成情况；未上传佐证材料时必填")


class ProgressOut(Schema):
    text: str
    at: datetime
    by: str


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    uploaded_at: datetime
    uploaded_by: str


class QuarterOut(Schema):
    quarter: str
    count: int
    complete: bool = True


class ShrinkOut(Schema):
    before: QuarterOut = Field(description="发起整改当季度该堵点的反映件数")
    after: QuarterOut = Field(description="下一季度该堵点的反映件数")
    verdict: str


class RectificationOut(Schema):
    id: int
    unit: UnitRef
    subject: str
    dimension: str
    key: str
    requirement: str
    days: int
    status: str = Field(description="open 整改中 / reported 已报告进展 / closed 已完成整改 / cancelled 已撤销")
    status_label: str
    light: str = Field(description="green / yellow / red；已完成或撤销为 none")
    opened_by: str
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    closing_note: str
    progress: list[ProgressOut]
    evidence: list[EvidenceOut]
    shrink: ShrinkOut | None = Field(None, description="单项查询时：堵点是否缩小（发起当季度与下一季度对比）")


class RectificationPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[RectificationOut]
