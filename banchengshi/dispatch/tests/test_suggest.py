from __future__ import annotations

from typing import Any

from banchengshi.conftest import District


def test_suggestions_come_from_the_catalog(district: District, monday: Any) -> None:
    r = district.api("dispatcher").post("/dispatch/suggest", {"text": "我想办理异地就医备案，外地看病要直接结算"})
    assert r.status_code == 200
    best = r.json()[0]
    assert best["unit"]["code"] == "YBJ" and best["matter"]["code"] == "YBJ-002"
    assert 0 < best["confidence"] <= 1 and "异地就医" in best["reasons"][0]
    assert district.api("dispatcher").post("/dispatch/suggest", {"text": ""}).status_code == 422
    assert district.api("system_admin").post("/dispatch/suggest", {"text": "社保卡"}).status_code == 403
