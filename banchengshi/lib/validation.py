"""Chinese messages for request validation errors (pydantic's own are English)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator

MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长（最多 {max_length} 字）",
    "string_type": "应为文本",
    "string_unicode": "含有无效的 Unicode 字符",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "datetime_parsing": "时间格式不正确，应为 ISO 8601（如 2026-11-22T10:00:00+08:00）",
    "datetime_from_date_parsing": "时间格式不正确，应为 ISO 8601（如 2026-11-22T10:00:00+08:00）",
    "datetime_type": "时间格式不正确",
    "date_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_type": "日期格式不正确，应为 YYYY-MM-DD",
    "literal_error": "取值无效，可选：{expected}",
    "enum": "取值无效，可选：{expected}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "请求体应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "value_error": "{msg}",
    "extra_forbidden": "不认识的字段，请删除（字段名见接口文档）",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
}

LOCATIONS = {"body", "query", "path", "payload", "form"}


def describe_errors(errors: Iterable[Any]) -> list[dict[str, str]]:
    described = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ())]
        # Where Ninja read it (body, then the parameter, payload), not a field: a field itself may be named "body".
        for place in (LOCATIONS, {"payload"}):
            if loc and loc[0] in place:
                loc.pop(0)
        template = MESSAGES.get(error.get("type", ""), "取值无效")
        context = {**error.get("ctx", {}), "msg": str(error.get("msg", "")).removeprefix("Value error, ")}
        try:
            message = template.format(**context)
        except (KeyError, IndexError):
            message = template
        described.append({"field": ".".join(loc), "message": message})
    return described


def _plausible(moment: datetime) -> datetime:
    if not 2000 <= moment.year <= 2100:
        raise ValueError("时间须在 2000 年至 2100 年之间")
    return moment


# A time a person could mean: far dates overflow the time-zone arithmetic and are typing mistakes.
PlausibleDatetime = Annotated[datetime, AfterValidator(_plausible)]
