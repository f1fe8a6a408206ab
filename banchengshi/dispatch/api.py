from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.auth import AuthedRequest
from banchengshi.accounts.selectors import unit_by_code
from banchengshi.dispatch import routing
from banchengshi.lib.errors import ActionForbidden
from banchengshi.lib.schemas import Code, InputSchema

router = Router(tags=["派单"])


class SuggestIn(InputSchema):
    text: str = Field(min_length=1, max_length=4000)
    center: Code | None = None


class SuggestionOut(Schema):
    unit: dict[str, str]
    matter: dict[str, str] | None
    confidence: float
    reasons: list[str]


@router.post("/suggest", response=list[SuggestionOut], summary="推荐承办单位")
def suggest(request: AuthedRequest, payload: SuggestIn) -> list[dict[str, Any]]:
    if not has_role_for(request.auth, Need.VIEW):
        raise ActionForbidden("您的角色无权使用此功能")
    center = unit_by_code(payload.center, "中心") if payload.center else None
    return [
        {
            "unit": {"code": s.unit.code, "name": s.unit.name},
            "matter": None if s.matter is None else {"code": s.matter.code, "name": s.matter.name},
            "confidence": round(s.confidence, 3),
            "reasons": s.reasons,
        }
        for s in routing.suggester.suggest(payload.text, center)
    ]
