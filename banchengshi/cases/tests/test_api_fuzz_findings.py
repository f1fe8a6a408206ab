"""What schemathesis (test_api_fuzz.py) found, each pinned by a direct test that runs in a moment."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from banchengshi.conftest import District


def _schema() -> dict[str, Any]:
    return Client().get("/api/v1/openapi.json").json()


def _response_schema(schema: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    """The component an answer is made of (the items', for a page of them)."""
    components = schema["components"]["schemas"]
    body = schema["paths"][f"/api/v1{path}"][method]["responses"][status]["content"]["application/json"]["schema"]
    found = components[body["$ref"].rsplit("/", 1)[-1]]
    if "results" in found["properties"]:
        found = components[found["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[-1]]
    return dict(found)


def test_the_notices_list_and_the_personal_data_notice_have_schemas_of_their_own(district: District) -> None:
    """Two response classes were both called NoticeOut: the document kept one, so GET /notices was described
    as the personal-information notice ({version, sections}) and every 通报 it listed broke its own schema."""
    schema = _schema()
    listed = _response_schema(schema, "/notices", "get", "200")
    assert {"unit", "kind", "title", "body"} <= set(listed["properties"])
    personal = _response_schema(schema, "/public/notice", "get", "200")
    assert set(personal["properties"]) == {"version", "sections"}


def test_every_refusal_is_documented_with_the_error_schema(district: District) -> None:
    """Operations documented only their success: every 401, 403, 404, 409, 422 was an undocumented status."""
    schema = _schema()
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail"]
    accept = schema["paths"]["/api/v1/cases/{reference}/accept"]["post"]["responses"]
    assert set(accept) == {"200", "400", "401", "403", "404", "409", "422"}
    assert accept["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    tracking = schema["paths"]["/api/v1/public/reports/{reference}"]["get"]["responses"]
    assert set(tracking) == {"200", "400", "404", "422", "429"}  # no token, so no 401 or 403
    centers = schema["paths"]["/api/v1/public/centers"]["get"]["responses"]
    assert set(centers) == {"200", "400"}


def test_an_id_beyond_64_bits_is_refused_in_chinese(district: District) -> None:
    """POST /reminders/read with ids past 2^63 answered 500 on SQLite (OverflowError in the query)."""
    api = district.api("rsj")
    r = api.post("/reminders/read", {"ids": [1, -5, 10**30]})
    assert r.status_code == 422, r.content
    assert "不能小于 1" in r.json()["detail"] and "不能大于" in r.json()["detail"]
    assert api.post("/reminders/read", {"ids": [2**63 - 1]}).json() == {"marked": 0, "unread": 0}


def test_a_body_that_is_not_a_json_object_is_refused(district: District) -> None:
    """`5` as the body of POST /reminders/read (whose fields all have defaults) marked every reminder read:
    pydantic read the number's attributes, found none and took the defaults."""
    api = district.api("rsj")
    for body in ("5", "[]", '"ids"', "null"):
        r = api.client.post("/api/v1/reminders/read", body, content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {api.token}")
        assert r.status_code == 400, (body, r.content)
        assert r.json()["detail"] == "请求体不是有效的 JSON 对象"
    assert api.post("/reminders/read", {}).status_code == 200


def test_a_parameter_given_twice_is_refused(district: District) -> None:
    """`?case=A&case=B` filtered by B alone; one value is expected, so two are a mistake to point out."""
    api = district.api("admin_office")
    r = api.client.get("/api/v1/meetings?case=BC1&case=BC2", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "case", r.content
    r = api.client.get("/api/v1/cases?page=1&page=2", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "page", r.content
    assert api.get("/meetings", case="BC1").status_code == 200


def test_the_document_names_no_key_twice(district: District) -> None:
    """Swagger UI (a YAML parser) refused the whole document when a status was both a route's own 422 and
    the rule's "422": JSON readers keep the last and never noticed."""

    def refuse_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), f"named twice: {sorted({k for k in keys if keys.count(k) > 1})}"
        return dict(pairs)

    raw = Client().get("/api/v1/openapi.json").content
    assert json.loads(raw, object_pairs_hook=refuse_twice)["paths"]
