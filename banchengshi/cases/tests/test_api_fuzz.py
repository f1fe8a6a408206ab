"""schemathesis against /api/v1/openapi.json: every operation, with each role's token and with none.

The demo district (cases in every state, one account per role) is built in a real (committed) database;
the schema is loaded from the app itself and every request goes through Django's WSGI application
in-process. Each answer must be a documented status, with the documented content type and body, and never
a 5xx; data the schema calls invalid must be refused. Generation is derandomized, so CI sees the same
requests each run. On PostgreSQL the run makes at least 5,000 requests; on SQLite (CI's first pass) fewer.
`FUZZ_EXAMPLES=N` sets the examples per operation and identity for a deeper local run.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
import time_machine
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import connection
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from banchengshi.accounts.models import ApiToken, Unit, User
from banchengshi.audit.guard import guard_lifted
from banchengshi.audit.models import Event
from banchengshi.cases.choices import Category, Channel, Reason
from banchengshi.cases.models import Attachment, Case, WorkOrder
from banchengshi.conftest import MONDAY_10AM
from banchengshi.demo.build import ACCOUNTS, build_demo
from banchengshi.dispatch.models import Matter, PastDispatch
from banchengshi.guides.models import Guide, GuideVersion

# Committed rows (the WSGI app answers in its own transactions); serialized_rollback puts the rows the data
# migrations seeded (calendar, policies) back for the tests that follow in this process.
pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SEED = 20261123
# Examples per operation and identity: 49 operations x 10 identities x 12 is ~5,900 requests.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 0) or None
MINIMUM_REQUESTS = {"postgresql": 5000, "sqlite": 1000}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)  # (operation, kind) -> first example
    making: Counter[str] = field(default_factory=Counter)  # seconds spent generating, by operation
    answering: Counter[str] = field(default_factory=Counter)  # seconds spent in the app, by operation
    sent: Counter[tuple[str, str]] = field(default_factory=Counter)  # requests by (operation, identity)


def _fresh_demo() -> dict[str, User]:
    """The demo district in place of the suite's: its cases in every state and one account per role."""
    with guard_lifted():
        Event.objects.all().delete()
    User.objects.all().delete()
    PastDispatch.objects.all().delete()
    GuideVersion.objects.all().delete()
    Guide.objects.all().delete()
    Matter.objects.all().delete()
    Unit.objects.update(parent=None)
    Unit.objects.all().delete()
    build_demo()
    return {role: User.objects.get(username=name) for name, _, role, _ in ACCOUNTS if name in _FIRST_OF_ROLE}


_FIRST_OF_ROLE = {next(a[0] for a in ACCOUNTS if a[2] == role) for role in {a[2] for a in ACCOUNTS}}


def _known_values() -> dict[str, list[Any]]:
    """Real values for path, query and body fields, so that requests get past the 404 of an unknown id
    or the 422 of an unknown unit and reach the actions with whatever else was generated."""
    cases = list(Case.objects.order_by("pk"))
    references = [c.reference for c in cases]
    units = list(Unit.objects.order_by("code").values_list("code", flat=True))
    return {
        "reference": references,
        "into": references,
        "case": references,
        "cases": references,
        "phone_last4": sorted({c.reporter_phone[-4:] for c in cases}),
        "order_id": list(WorkOrder.objects.order_by("pk").values_list("pk", flat=True)),
        "attachment_id": list(Attachment.objects.order_by("pk").values_list("pk", flat=True)) or [1],
        "meeting_id": [1, 2],
        "task_id": [1, 2],
        "notice_id": [1, 2],
        "rectification_id": [1, 2],
        "ids": [1, 2, 3],
        "year": [2026, 2027, 2025],
        "source": ["yiwangtongban", "haochaping", "generic"],
        "center": ["FWZX", "C-CH", *units[:3]],
        "locality": ["C-CH", *units[:2]],
        "unit": units,
        "lead_unit": units,
        "assisting_units": units,
        "units": units,
        "attendee_units": units,
        "matter": list(Matter.objects.order_by("code").values_list("code", flat=True)[:12]),
        "channel": [c.value for c in Channel],
        "reasons": [r.value for r in Reason],
        "reason": [r.value for r in Reason],
        "category": [c.value for c in Category],
        "kind": ["resupervision", "overdue", "general"],
        "criteria": ["leader_instruction", "wide_impact", "other"],
        "phone": ["13800138000", "13911112222", "02112345678"],
    }


def _substitute(container: Any, known: dict[str, list[Any]], data: Any) -> None:
    """Some of the generated fields (each time a different choice) replaced by real values."""
    if not isinstance(container, dict):
        return
    for name, value in list(container.items()):
        if isinstance(value, dict):
            _substitute(value, known, data)
        elif name in known and data.draw(st.booleans()):
            choices = st.sampled_from(known[name])
            container[name] = data.draw(st.lists(choices, min_size=1, max_size=2) if isinstance(value, list) else choices)


def _fuzz(operations: list[Any], tokens: dict[str, str | None], known: dict[str, list[Any]],
          last4: dict[str, str], examples: int, tally: Tally) -> None:
    """`examples` generated requests for each operation, each sent once with every identity's token (and
    with none), so that every role meets the same inputs; every problem is kept in the tally rather than
    raised, so one run reports them all. One Hypothesis test serves every operation, with a seed of its own
    for each (every @given costs a compile and a parse of its source)."""
    current: list[tuple[Any, Any]] = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def exercise(data: Any) -> None:
        operation, strategy = current[0]
        began = time.perf_counter()
        case = data.draw(strategy)
        for container in (case.path_parameters, case.query, case.body):
            _substitute(container, known, data)
        # The citizen's routes want the reference and its phone's last four digits together.
        suffix = last4.get((case.path_parameters or {}).get("reference", ""))
        for container in (case.query, case.body):
            if suffix and isinstance(container, dict) and "phone_last4" in container and data.draw(st.booleans()):
                container["phone_last4"] = suffix
        assert case.meta is not None  # read once, so the edits above count: a negative case may be valid now
        tally.making[operation.label] += time.perf_counter() - began
        cache.clear()  # the public limits count afresh for each input: a 429 everywhere tests little
        generated = {k: v for k, v in case.headers.items() if k.lower() != "authorization"}
        for identity, token in tokens.items():
            # Each identity sends its own token, or none, in place of whatever was generated; the case
            # learns of it (a new container is revalidated), so a "missing Authorization" is negative only
            # when it is missing.
            case.headers = {**generated, "Authorization": f"Bearer {token}"} if token else dict(generated)
            sent = time.perf_counter()
            response = case.call()
            tally.answering[operation.label] += time.perf_counter() - sent
            tally.requests += 1
            tally.sent[operation.label, identity] += 1
            tally.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                for failure in group.exceptions:
                    key = (operation.label, f"{failure.code} {failure.title}")
                    tally.failures.setdefault(key, f"[{identity}] {group.message}"[:3000])

    for index, operation in enumerate(operations):
        current[:] = [(operation, st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                                            operation.as_strategy(GenerationMode.NEGATIVE)))]
        seed(SEED + index)(exercise)
        exercise()


def test_every_operation_with_every_role() -> None:
    started = time.monotonic()
    vendor = connection.vendor
    examples = EXAMPLES or (12 if vendor == "postgresql" else 3)
    # Django logs each of the thousands of 4xx answers as a warning; a 5xx is still logged (and fails the test).
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with time_machine.travel(MONDAY_10AM, tick=True):
        users = _fresh_demo()
        tokens: dict[str, str | None] = {role: ApiToken.issue(user) for role, user in sorted(users.items())}
        tokens["anonymous"] = None
        known = _known_values()
        last4 = {c.reference: c.reporter_phone[-4:] for c in Case.objects.all()}
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        tally = Tally()
        operations = [result.ok() for result in schema.get_all_operations()]
        try:
            _fuzz(operations, tokens, known, last4, examples, tally)
        finally:
            request_log.setLevel(level)
    elapsed = time.monotonic() - started
    report = "\n\n".join(f"{op} — {kind}\n{example}" for (op, kind), example in sorted(tally.failures.items()))
    print(f"\nschemathesis: {tally.requests} requests, {len(operations)} operations, {len(tokens)} identities, "
          f"seed {SEED}, {examples} examples each, {elapsed:.0f} s on {vendor}; statuses {dict(tally.statuses)}")
    print("slowest to generate:", [(op, round(t)) for op, t in tally.making.most_common(6)])
    print("slowest to answer:", [(op, round(t)) for op, t in tally.answering.most_common(6)])
    print(f"generating {sum(tally.making.values()):.0f} s, answering {sum(tally.answering.values()):.0f} s")
    assert not tally.failures, f"{len(tally.failures)} problems:\n{report}"
    assert not any(status >= 500 for status in tally.statuses)
    assert len(tally.sent) == len(operations) * len(tokens)  # every operation with every token, and none
    assert tally.requests >= (MINIMUM_REQUESTS[vendor] if EXAMPLES is None else 0)
