from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from banchengshi.lib.schemas import Code, InputSchema, Reference
from banchengshi.lib.validation import PlausibleDatetime


class ReporterIn(InputSchema):
    name: str = Field(min_length=1, max_length=64, description="反映人姓名")
    phone: str = Field(min_length=7, max_length=20, description="联系电话")
    kind: Literal["person", "enterprise"] = "person"
    organization: str = Field("", max_length=128, description="企业名称（企业反映时必填）")


class CaseIn(InputSchema):
    channel: str = Field(max_length=20, description="反映渠道：window/phone/online/mobile/kiosk/upstream_exit/bad_review")
    reporter: ReporterIn
    center: Code = Field(description="登记中心编码")
    window: str = Field("", max_length=64, description="接待窗口")
    locality: Code | None = Field(None, description="属地镇（街道）中心编码")
    matter: Code | None = Field(None, description="事项编码")
    business_name: str = Field("", max_length=128, description="办理业务名称")
    reasons: list[Code] = Field(default_factory=list, max_length=10, description="办不成原因编码")
    reason_other: str = Field("", max_length=200)
    category: str = Field("", max_length=10, description="who/how/window（不知找谁办/不知怎么办/窗口办不成）")
    description: str = Field(min_length=1, max_length=4000, description="遇到的问题")
    demand: str = Field("", max_length=2000, description="诉求")
    received_at: PlausibleDatetime | None = Field(None, description="登记时间，缺省为当前时间")


class AcceptIn(InputSchema):
    handling_type: Literal["consult", "assist", "coordinate"]
    complexity: Literal["simple", "general", "complex"]
    verification: str = Field("", max_length=4000, description="核实情况及处理意见")


class ReasonIn(InputSchema):
    reason: str = Field(min_length=1, max_length=4000)


class RejectIn(ReasonIn):
    basis: str = Field("", max_length=4000, description="不予受理的法律法规或政策依据（印入不予受理通知书；不填按事项和窗口规则给出）")
    next_steps: str = Field("", max_length=4000, description="告知反映人的后续办理途径（不填按事项给出）")


class ResuperviseIn(ReasonIn):
    days: int | None = Field(None, ge=1, le=60, description="整改时限（工作日），默认取时限规则的再督办整改时限，不超过其最长整改时限")


class ResultIn(InputSchema):
    result: str = Field(min_length=1, max_length=4000)


class NoteIn(InputSchema):
    note: str = Field("", max_length=4000)


class WorkNoteIn(InputSchema):
    note: str = Field("", max_length=4000)
    verification: str = Field("", max_length=4000)
    opinion: str = Field("", max_length=4000)


class ContactIn(InputSchema):
    note: str = Field(min_length=1, max_length=4000)


class DispatchIn(InputSchema):
    lead_unit: Code | None = None
    assisting_units: list[Code] = Field(default_factory=list, max_length=50)


class DispatchDownIn(InputSchema):
    unit: Code


class AssistIn(InputSchema):
    units: list[Code] = Field(min_length=1, max_length=50)
    note: str = Field("", max_length=4000)


class ReviewIn(InputSchema):
    approve: bool
    note: str = Field("", max_length=4000)


class CloseIn(InputSchema):
    reporter_confirmed: bool = False


class VisitIn(InputSchema):
    rating: int = Field(ge=1, le=5, description="1 非常不满意 … 5 非常满意")
    solved: bool
    note: str = Field("", max_length=4000)


class MergeIn(InputSchema):
    into: Reference = Field(description="并入的（更早的）反映件登记编号")


class UnitRef(Schema):
    code: str
    name: str


class ClockOut(Schema):
    kind: str
    label: str
    working_days: int
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    light: Literal["green", "yellow", "red"]
    paused: bool
    stopped_at: datetime | None
    cancelled: bool = Field(description="结束但未完成（如工单退回、并单）：不计按时或超时")
    ended_by: str = Field(description="结束它的事件（见时限规则）")
    calendar_fallback: bool


class WorkOrderOut(Schema):
    id: int
    unit: UnitRef
    role: str
    status: str
    status_label: str
    parent_id: int | None
    created_at: datetime
    received_at: datetime | None
    contacted_at: datetime | None
    replied_at: datetime | None
    verification: str
    opinion: str
    result: str
    return_reason: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    uploaded_by: str
    uploaded_at: datetime


class EventOut(Schema):
    at: datetime
    actor: str
    action: str
    status_before: str
    status_after: str
    detail: str = Field(description="事件说明（中文），如“人社局退回，待重新派单：不属于本单位职责”")
    data: dict[str, Any]


class ReporterOut(Schema):
    name: str
    phone: str
    kind: str
    organization: str


class CaseSummary(Schema):
    reference: str
    status: str
    status_label: str
    channel: str
    center: UnitRef
    matter: UnitRef | None
    business_name: str
    reporter: ReporterOut
    received_at: datetime
    light: Literal["green", "yellow", "red"] | None
    awaiting_manual_dispatch: bool


class SimilarOut(Schema):
    """A possible repeat (重复诉求) in the reader's scope: the other case, why, and how alike (0–1)."""

    reference: str
    kind: str = Field(description="same_reporter（同一反映人）或 similar（不同反映人反映同一问题）")
    score: float


class DocumentOut(Schema):
    kind: str = Field(description="文书类型：receipt（回执）、registration_form（登记表）、rejection_notice（不予受理通知书）…")
    title: str
    url: str = Field(description="文书PDF的地址（工作人员登录后可打开）")
    number: str = Field(description="文号（无则为空）")
    issued_at: datetime


class CaseOut(CaseSummary):
    handling_type: str
    complexity: str
    locality: UnitRef | None
    window: str
    reasons: list[str]
    reason_other: str
    category: str
    description: str
    demand: str
    verification: str
    result: str
    rejection_reason: str
    merged_into: str | None
    similar: list[SimilarOut]
    resupervision_count: int
    review_approved: bool
    clocks: list[ClockOut]
    work_orders: list[WorkOrderOut]
    attachments: list[AttachmentOut]
    documents: list[DocumentOut]
    timeline: list[EventOut]
    warnings: list[str]


class CasePage(Schema):
    count: int
    # A list is counted no further than 1000 (cases/search.py `capped_count`): counting every case of a
    # center's history would cost more than the page.
    count_capped: bool = Field(False, description="true：符合条件的反映件超过 1000 件，count 只计到 1000（实际更多）；可加条件缩小范围")
    page: int
    page_size: int
    next_cursor: str | None = Field(
        None, description="下一页的游标（按登记时间从新到旧排列时）：作为 cursor 参数传入即取下一页；null 表示已是最后一页或按相关度排序")
    results: list[CaseSummary]


class PhoneSearchIn(InputSchema):
    phone: str = Field(min_length=1, max_length=20, description="反映人联系电话（只在请求体中，不进网址）")


class PhoneSearchOut(Schema):
    count: int = Field(description="找到的反映件数（结果最多列出50件）")
    results: list[CaseSummary]


class UnmaskIn(InputSchema):
    reason: str = Field(max_length=500, description="查看完整信息的理由（至少4个字，记入审计日志）")


class UnmaskOut(Schema):
    name: str
    phone: str
