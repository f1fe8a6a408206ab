"""The body of an upstream event. Every text is checked to be storable (no control characters such as NUL,
no lone surrogates: PostgreSQL refuses both), so a bad body is a 422 that says what is wrong, never a 500.

Unlike every other body of the API (lib.schemas.InputSchema refuses a field it does not know), an upstream
event may carry fields we do not read: API.md promises the platforms that ("…"), and a platform that adds a
field must not have its reports refused. Those fields are dropped when the body is parsed (extra="ignore"):
only the fields below reach the case, and the delivery log keeps the body's SHA-256, not the body."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, field_validator

from banchengshi.cases.choices import Rating
from banchengshi.lib.schemas import TolerantInputSchema
from banchengshi.lib.validation import PlausibleDatetime

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BAD_REVIEW_LEVELS = (Rating.VERY_DISSATISFIED, Rating.DISSATISFIED)


def storable(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError("含有不允许的控制字符（如 \\u0000）")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("含有无效的 Unicode 字符") from exc
    return value


Text = Annotated[str, AfterValidator(storable)]


class ReporterIn(TolerantInputSchema):
    name: Text = Field(min_length=1, max_length=64, description="反映人姓名（企业为联系人）")
    phone: Text = Field(min_length=1, max_length=20, description="联系电话")
    kind: Literal["person", "enterprise"] = "person"
    organization: Text = Field("", max_length=128, description="企业名称（企业反映时必填）")
    credit_code: Text = Field("", max_length=24, description="统一社会信用代码")


class ReviewIn(TolerantInputSchema):
    level: int | Annotated[str, Field(max_length=8)] = Field(description="差评等级：1 非常不满意、2 不满意（也可写中文）")
    text: Text = Field("", max_length=1000, description="评价内容")

    @field_validator("level")
    @classmethod
    def bad_level(cls, value: Any) -> int:
        labels: dict[str, int] = {str(label): int(level) for level, label in Rating.choices}
        level = value
        if isinstance(value, str):
            level = int(value.strip()) if value.strip().isascii() and value.strip().isdigit() else labels.get(value.strip(), 0)
        if isinstance(level, bool) or level not in BAD_REVIEW_LEVELS:
            raise ValueError("差评等级应为 1（非常不满意）或 2（不满意）")
        return int(level)


class EventIn(TolerantInputSchema):
    type: Literal["abandoned", "bad_review", "other"] = Field(
        description="abandoned：一网通办中途退出；bad_review：好差评差评；other：其他反映")
    reporter: ReporterIn
    center: Text | None = Field(None, max_length=32, description="政务服务中心编码；缺省为来源平台的默认受理中心")
    matter: Text | None = Field(None, max_length=64, description="事项编码（上游给出时）")
    matter_name: Text = Field("", max_length=128, description="事项名称（上游给出时）")
    business_name: Text = Field("", max_length=128, description="办理业务名称")
    description: Text = Field(min_length=1, max_length=2000, description="遇到的问题")
    demand: Text = Field("", max_length=1000, description="诉求")
    occurred_at: PlausibleDatetime | None = Field(None, description="在上游平台发生的时间（中途退出、作出评价）")
    step: Text = Field("", max_length=100, description="中途退出的环节（中途退出事件）")
    portal: Text = Field("", max_length=16, description="网上办事平台：pc_portal/mobile_app/enterprise/mini_program/hotline")
    review: ReviewIn | None = Field(None, description="差评：等级和内容（差评事件必填）")
    reasons: list[Annotated[Text, Field(max_length=32)]] = Field(default_factory=list, max_length=10, description="办不成原因编码")


class ReferenceOut(Schema):
    reference: str


class DetailOut(Schema):
    detail: str
