"""`POST /api/v1/integrations/{source}/events`: no token; the signature says who sent it. The body is read
raw (the signature covers its bytes), so the route parses it itself, after the signature is checked. Fields the schema does not know are
allowed (API.md's "…") and ignored: only EventIn's fields are stored (see integrations/schemas.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from banchengshi.integrations.schemas import DetailOut, EventIn, ReferenceOut
from banchengshi.integrations.services import Delivered, receive

router = Router(tags=["上游平台对接"], auth=None)


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The body's JSON schema with its nested models written in place (the OpenAPI document has no $defs)."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return dict(resolve(schema))


BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": _inline(EventIn.model_json_schema())}}}}
HEADERS = [
    {"name": "X-Event-Id", "in": "header", "required": True, "schema": {"type": "string", "maxLength": 64},
     "description": "上游事件编号：同一事件重复投递时不变，据此去重"},
    {"name": "X-Timestamp", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "Unix 秒数；与本系统时间相差不得超过 300 秒"},
    {"name": "X-Signature", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "sha256=HEX，HEX = HMAC-SHA256(密钥, 时间戳 + \".\" + 原始请求体)"},
]


@router.post(
    "/{source}/events",
    response={201: ReferenceOut, 200: ReferenceOut, 401: DetailOut, 404: DetailOut, 409: DetailOut, 422: DetailOut},
    summary="接收上游平台事件（中途退出、差评等）",
    description="201：已登记为反映件；200：同一事件编号已登记过，返回同一编号；401：签名缺失、不正确或已过期；"
                "404：未知的来源平台；422：签名正确但内容有误（detail 列出每一处）。",
    openapi_extra={**BODY, "parameters": HEADERS},
)
def events(request: HttpRequest, source: str) -> Status[dict[str, str]]:
    answer = receive(Delivered(
        source_code=source,
        event_id=request.headers.get("X-Event-Id", "").strip(),
        timestamp=request.headers.get("X-Timestamp", "").strip(),
        signature=request.headers.get("X-Signature", "").strip(),
        body=request.body,
        remote_ip=str(request.META.get("REMOTE_ADDR", "")),
    ))
    return Status(answer.status, answer.body)
