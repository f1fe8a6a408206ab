from __future__ import annotations

from typing import Any

from banchengshi.conftest import District


def test_suggestions_name_the_unit_and_the_matter(district: District, monday: Any) -> None:
    r = district.api("dispatcher").post("/dispatch/suggest", {"text": "我想办理异地就医备案，外地看病要直接结算"})
    assert r.status_code == 200
    best = r.json()[0]
    assert best["unit"]["code"] == "YBJ" and best["matter"]["code"] == "YBJ-002"
    assert 0 < best["confidence"] <= 1 and any("异地" in w or "就医" in w for w in best["reasons"])
    assert district.api("dispatcher").post("/dispatch/suggest", {"text": ""}).status_code == 422
    assert district.api("system_admin").post("/dispatch/suggest", {"text": "社保卡"}).status_code == 403
