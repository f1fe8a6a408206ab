"""Every JSON body of the API, read from the OpenAPI document: a field it does not know is refused with a
Chinese 422 naming it, and every text has a length limit, no longer than the column it goes to, so an
overlong value is a 422 naming the field on SQLite and PostgreSQL alike (PostgreSQL refuses to store an
overlong varchar: that was a 500). Upstream events alone accept fields we do not read, and store none of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db.models import CharField, Model
from django.test import Client

from banchengshi.accounts.models import Unit
from banchengshi.cases.models import Case
from banchengshi.conftest import District, case_body
from banchengshi.integrations.tests.conftest import abandoned_body, deliver, ensure_sources
from banchengshi.sla.models import CalendarYear
from banchengshi.supervision.models import JointMeeting, Notice

# The one body that may carry fields we do not read (API.md: "…").
TOLERANT = {"/api/v1/integrations/{source}/events"}


def _document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _resolve(node: Any, doc: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve(doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]], doc)
        return {k: _resolve(v, doc) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, doc) for v in node]
    return node


def _bodies(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield path, method, _resolve(content["application/json"]["schema"], doc)


def _variants(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in schema.get("anyOf", schema.get("allOf", [schema])) if s.get("type") != "null"]


def _objects(schema: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema in a body, with the dotted name of where it sits."""
    for variant in _variants(schema):
        if variant.get("type") == "object" or "properties" in variant:
            yield prefix, variant
            for name, field in variant.get("properties", {}).items():
                for option in _variants(field):
                    if option.get("type") == "array":
                        yield from _objects(option.get("items", {}), f"{prefix}{name}.0.")
                    else:
                        yield from _objects(option, f"{prefix}{name}.")
        if variant.get("type") == "array":
            yield from _objects(variant.get("items", {}), f"{prefix}0.")


def _texts(schema: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every text leaf: (dotted name, its schema, whether it sits in a list)."""
    for variant in _variants(schema):
        for name, field in variant.get("properties", {}).items():
            for option in _variants(field):
                if option.get("type") == "string":
                    yield f"{prefix}{name}", option, False
                elif option.get("type") == "array":
                    items = _variants(option.get("items", {}))
                    if any(i.get("type") == "string" for i in items):
                        yield f"{prefix}{name}", next(i for i in items if i.get("type") == "string"), True
                    else:
                        for item in items:
                            yield from _texts(item, f"{prefix}{name}.0.")
                elif option.get("type") == "object" or "properties" in option:
                    yield from _texts(option, f"{prefix}{name}.")


def _set(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """body with value at a dotted place; a number in it is a list's index (tasks.0.unit)."""
    parts = dotted.split(".")
    target: Any = body
    for part, following in zip(parts, parts[1:], strict=False):
        fresh: Any = [] if following.isdigit() else {}
        if isinstance(target, list):
            target.append(fresh)
            target = target[-1]
        else:
            target = target.setdefault(part, fresh)
    if isinstance(target, list):
        target.append(value)
    else:
        target[parts[-1]] = value
    return body


def _url(path: str, reference: str) -> str:
    values = {"reference": reference, "order_id": "1", "year": "2027", "source": "generic", "meeting_id": "1",
              "task_id": "1", "notice_id": "1", "rectification_id": "1"}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def _send(district: District, method: str, url: str, body: Any) -> Any:
    api = district.api("admin_office")
    if url.startswith("/api/v1/integrations/"):
        return deliver(api.client, "generic", body, event_id=f"e-{abs(hash(str(body)))}")
    return api._send(method, url.removeprefix("/api/v1"), body)


def test_every_body_but_upstream_events_forbids_unknown_fields() -> None:
    doc = _document()
    bodies = list(_bodies(doc))
    assert len(bodies) >= 30, [p for p, _, _ in bodies]  # the API's bodies are all found
    for path, method, schema in bodies:
        for where, obj in _objects(schema):
            assert obj.get("additionalProperties", True) is (path in TOLERANT), (method, path, where, obj.get("title"))


def test_every_text_of_every_body_has_a_length_limit() -> None:
    for path, method, schema in _bodies(_document()):
        for name, text, _ in _texts(schema):
            bounded = "maxLength" in text or "enum" in text or text.get("format") in ("date", "date-time")
            assert bounded, f"{method.upper()} {path}: {name} has no maxLength"


def test_unknown_fields_are_refused_naming_the_field(district: District, monday: Any) -> None:
    case = district.api("registrar").post("/cases", case_body()).json()
    tried = 0
    for path, method, schema in _bodies(_document()):
        if path in TOLERANT:
            continue
        for where, _ in _objects(schema):
            body = _set({}, f"{where}status_override", "closed") if where else {"status_override": "closed"}
            response = _send(district, method, _url(path, case["reference"]), body)
            assert response.status_code == 422, (method, path, where, response.content.decode())
            detail = response.json()["detail"]
            assert f"{where}status_override：不认识的字段" in detail, (path, detail)
            tried += 1
    assert tried >= 35
    assert Case.objects.count() == 1


def test_upstream_events_accept_unknown_fields_and_store_none_of_them(district: District, monday: Any) -> None:
    ensure_sources()
    body = abandoned_body(platform_session="SESSION-SECRET-1", reporter={"name": "李四", "phone": "13900139000",
                                                                         "id_card": "310101199001011234"})
    response = deliver(Client(), "yiwangtongban", body, event_id="extra-1", secret="ywtb-secret-0123456789")
    assert response.status_code == 201, response.content.decode()
    case = Case.objects.get(reference=response.json()["reference"])
    stored = " ".join(str(getattr(case, f.attname)) for f in Case._meta.concrete_fields)
    assert "SESSION-SECRET-1" not in stored and "310101199001011234" not in stored
    assert case.reporter_name == "李四"


def test_every_overlong_text_is_a_422_naming_the_field(district: District, monday: Any) -> None:
    """On both databases (run the suite with DATABASE_URL for PostgreSQL): one value a character over the
    limit in each text of each body, the rest of the body valid or not, is refused before anything is stored."""
    ensure_sources()
    case = district.api("registrar").post("/cases", case_body()).json()
    cases_before = Case.objects.count()
    tried = 0
    for path, method, schema in _bodies(_document()):
        for name, text, in_list in _texts(schema):
            if "maxLength" not in text:
                continue
            overlong = "长" * (text["maxLength"] + 1)
            body = _set({}, name, [overlong] if in_list else overlong)
            response = _send(district, method, _url(path, case["reference"]), body)
            assert response.status_code in (401, 422), (method, path, name, response.status_code)
            if response.status_code == 401:  # upstream events: a signature is checked first, then the body
                continue
            assert name.split(".")[-1] in response.json()["detail"], (path, name, response.json())
            assert "过长" in response.json()["detail"] or "最多" in response.json()["detail"], response.json()
            tried += 1
    assert tried >= 60
    assert Case.objects.count() == cases_before


# (schema, field) → the column it is stored in: the schema's limit may not be longer.
COLUMNS: list[tuple[str, str, type[Model], str]] = [
    ("CaseIn", "reporter.name", Case, "reporter_name"),
    ("CaseIn", "reporter.phone", Case, "reporter_phone"),
    ("CaseIn", "reporter.organization", Case, "reporter_organization"),
    ("CaseIn", "channel", Case, "channel"),
    ("CaseIn", "center", Unit, "code"),
    ("CaseIn", "window", Case, "window"),
    ("CaseIn", "business_name", Case, "business_name"),
    ("CaseIn", "reason_other", Case, "reason_other"),
    ("CaseIn", "category", Case, "category"),
    ("PublicReportIn", "reporter.name", Case, "reporter_name"),
    ("PublicReportIn", "reporter.organization", Case, "reporter_organization"),
    ("PublicReportIn", "portal", Case, "portal"),
    ("PublicReportIn", "business_name", Case, "business_name"),
    ("PublicReportIn", "reason_other", Case, "reason_other"),
    ("PublicReportIn", "notice_version", Case, "notice_version"),
    ("NoticeIn", "title", Notice, "title"),
    ("NoticeIn", "kind", Notice, "kind"),
    ("MeetingIn", "title", JointMeeting, "title"),
    ("MeetingIn", "place", JointMeeting, "place"),
    ("CalendarIn", "source", CalendarYear, "source"),
]


def test_limits_match_the_columns() -> None:
    doc = _document()
    schemas = doc["components"]["schemas"]
    for schema_name, dotted, model, column in COLUMNS:
        node = _resolve(schemas[schema_name], doc)
        for part in dotted.split("."):
            node = _variants(node)[0]["properties"][part]
        limit = _variants(node)[0]["maxLength"]
        field = model._meta.get_field(column)
        assert isinstance(field, CharField) and field.max_length is not None
        assert limit <= field.max_length, (schema_name, dotted, limit, field.max_length)


def test_values_at_the_limit_are_stored_or_refused_in_chinese_never_500(district: District, monday: Any) -> None:
    """The longest value each registration field allows: stored whole (the column holds it on PostgreSQL
    too), or, where the value must also mean something (a code, a phone number), a Chinese 422."""
    registrar = district.api("registrar")
    longest = {
        "reporter.name": "名" * 64, "reporter.organization": "企" * 128, "window": "窗" * 64,
        "business_name": "业" * 128, "reason_other": "因" * 200, "description": "述" * 4000, "demand": "求" * 2000,
    }
    for dotted, value in longest.items():
        body = _set(case_body(reasons=["other"], reason_other="其他"), dotted, value)
        if dotted == "reporter.organization":
            body["reporter"]["kind"] = "enterprise"
        response = registrar.post("/cases", body)
        assert response.status_code == 201, (dotted, response.content.decode())
        stored = Case.objects.get(reference=response.json()["reference"])
        column = {"reporter.name": "reporter_name", "reporter.organization": "reporter_organization"}.get(dotted, dotted)
        assert getattr(stored, column) == value
    for dotted in ("center", "matter", "locality", "channel", "category", "reporter.phone"):
        limit = {"center": 32, "matter": 32, "locality": 32, "channel": 20, "category": 10, "reporter.phone": 20}[dotted]
        response = registrar.post("/cases", _set(case_body(), dotted, "9" * limit))
        assert response.status_code == 422, (dotted, response.content.decode())
        assert re.search(r"[\u4e00-\u9fff]", response.json()["detail"])
