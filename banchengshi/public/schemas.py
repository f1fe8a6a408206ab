from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from banchengshi.lib.schemas import Code, InputSchema


class PhoneIn(InputSchema):
    phone: str = Field(min_length=7, max_length=20, description="手机号码")


class PublicReporterIn(InputSchema):
    name: str = Field(min_length=1, max_length=64, description="姓名（企业反映时为联系人）")
    phone: str = Field(min_length=7, max_length=20, description="手机号码（须与验证码对应）")
    kind: Literal["person", "enterprise"] = "person"
    organization: str = Field("", max_length=128, description="企业名称（企业反映时必填）")
    credit_code: str = Field("", max_length=24, description="统一社会信用代码（可不填；填写时校验校验位）")


class PublicReportIn(InputSchema):
    reporter: PublicReporterIn
    phone_code: str = Field(min_length=1, max_length=12, description="短信验证码（POST /public/phone-codes 发送）")
    center: Code = Field(description="在哪个政务服务中心没办成（中心编码）；网上办事的填区中心并写 portal")
    portal: str = Field("", max_length=16, description="网上办事平台：pc_portal/mobile_app/enterprise/mini_program/hotline")
    matter: Code | None = Field(None, description="事项编码")
    business_name: str = Field("", max_length=128, description="想办的事（找不到事项时自己写）")
    reasons: list[Code] = Field(default_factory=list, max_length=10, description="办不成原因编码")
    reason_other: str = Field("", max_length=200)
    category: str = Field("", max_length=10, description="不使用（窗口受理时判断）")
    description: str = Field(min_length=1, max_length=4000, description="遇到的问题")
    demand: str = Field("", max_length=2000, description="诉求")
    notice_version: str = Field("", max_length=32, description="反映人看过的个人信息告知书版本（GET /public/notice）；缺省为当前版本")


class ReceiptOut(Schema):
    reference: str
    channel: str
    promises: list[str]


class StepOut(Schema):
    at: datetime
    text: str


class ProgressOut(Schema):
    reference: str
    status: str
    status_label: str
    reporter: str
    received_at: datetime
    steps: list[StepOut]
    reply: str
    next_step: str
    objection_until: datetime | None
    may: list[str] = Field(description="现在可以做的：confirm（确认办结）/object（提出异议）/rate（评价）")


class SuffixIn(InputSchema):
    phone_last4: str = Field(min_length=4, max_length=4)


class ObjectionIn(SuffixIn):
    reason: str = Field(min_length=1, max_length=1000, description="异议理由")


class RatingIn(SuffixIn):
    rating: int = Field(ge=1, le=5, description="1 非常不满意 … 5 非常满意")
    solved: bool
    note: str = Field("", max_length=1000)


class NoticeSectionOut(Schema):
    title: str
    text: str


class PersonalDataNoticeOut(Schema):
    version: str
    sections: list[NoticeSectionOut]


class OptionOut(Schema):
    code: str
    name: str


class GuideOut(Schema):
    matter: str = Field(description="事项编码")
    title: str = Field(description="办事指南标题（已公开的版本）")
    url: str = Field(description="办事指南页面（无需登录）")
