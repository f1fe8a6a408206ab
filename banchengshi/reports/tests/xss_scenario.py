"""One payload in every text field a person can send, through every way in: the registration form, the API's
POST /cases, the public report, the actions on work orders and cases (notes, replies, returns, pauses,
reviews, visits, re-supervision, rejections), a supervision notice and an upstream event. Used by the
XSS tests (test_xss_payloads.py renders every page; test_xss_browser.py opens them in Chromium)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from banchengshi.cases.models import Case, WorkOrder
from banchengshi.cases.tests.test_workbench import client_for
from banchengshi.conftest import District, case_body
from banchengshi.integrations.tests.conftest import SECRETS, deliver, ensure_sources
from banchengshi.public.tests.helpers import Citizen

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
    "</textarea><svg onload=alert(1)>",
]
# Written as cell text, never as a formula, in every spreadsheet export.
FORMULAS = ['=HYPERLINK("http://evil.example/","点此查看")', "+1+1", "-2+3", "@SUM(A1:A9)"]


@dataclass
class Filled:
    text: str
    public: str = ""  # the citizen's own report, taken through every state with the text in each step
    form: str = ""  # registered on the workbench's form
    api: str = ""  # registered over POST /cases
    rejected: str = ""
    returned: str = ""
    upstream: str = ""
    phones: dict[str, str] = field(default_factory=dict)

    @property
    def references(self) -> list[str]:
        return [self.public, self.form, self.api, self.rejected, self.returned, self.upstream]

    def order(self) -> WorkOrder:
        return WorkOrder.objects.filter(case__reference=self.public, unit__code="RSJ").order_by("id").first()  # type: ignore[return-value]


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return dict(response.json())


def _lead(case: dict[str, Any], status: str | None = None) -> int:
    return [o["id"] for o in case["work_orders"] if o["unit"]["code"] == "RSJ" and status in (None, o["status"])][-1]


def fill_everything(district: District, text: str, capture: Any) -> Filled:
    filled = Filled(text)
    registrar, dispatcher, head = district.api("registrar"), district.api("dispatcher"), district.api("center_head")
    rsj, zwb = district.api("rsj"), district.api("admin_office")

    # The citizen's own report (the public API), every text field.
    citizen = Citizen(capture, phone="13912345678")
    public = citizen.report(
        reporter={"name": text, "phone": citizen.phone, "kind": "enterprise", "organization": text},
        business_name=text, reasons=["other"], reason_other=text, description=text, demand=text,
    )
    filled.public, filled.phones[public["reference"]] = public["reference"], citizen.phone
    ref = filled.public
    _ok(registrar.post(f"/cases/{ref}/accept", {"handling_type": "assist", "complexity": "general", "verification": text}))
    case = _ok(dispatcher.post(f"/cases/{ref}/dispatch", {}))
    lead = _lead(case)
    _ok(rsj.post(f"/work-orders/{lead}/receive", {"note": text}))
    _ok(rsj.post(f"/work-orders/{lead}/contact", {"note": text}))
    _ok(rsj.post(f"/work-orders/{lead}/note", {"note": text, "verification": text, "opinion": text}))
    _ok(rsj.post(f"/cases/{ref}/pause", {"reason": text}))
    _ok(rsj.post(f"/cases/{ref}/resume"))
    _ok(rsj.post(f"/work-orders/{lead}/reply", {"result": text}))
    _ok(head.post(f"/cases/{ref}/review", {"approve": False, "note": text}))
    _ok(rsj.post(f"/work-orders/{lead}/reply", {"result": text}))
    _ok(head.post(f"/cases/{ref}/review", {"approve": True, "note": text}))
    _ok(head.post(f"/cases/{ref}/close", {"reporter_confirmed": True}))
    _ok(dispatcher.post(f"/cases/{ref}/visit", {"rating": 1, "solved": False, "note": text}))
    _ok(zwb.post(f"/cases/{ref}/resupervise", {"reason": text}))
    _ok(zwb.post("/notices", {"unit": "RSJ", "case": ref, "kind": "general", "title": text, "body": text}), 201)

    # The workbench's registration form.
    page = client_for(district, "registrar").post("/cases/new/", {
        "channel": "phone", "reporter_name": text, "reporter_phone": "13800138001", "reporter_kind": "enterprise",
        "reporter_organization": text, "center": district.units["FWZX"].pk, "window": text, "business_name": text,
        "reasons": ["other"], "reason_other": text, "description": text, "demand": text,
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    })
    assert page.status_code == 302, page.content.decode()[:2000]
    filled.form = Case.objects.latest("id").reference

    # POST /cases, every text field; then a rejection and a returned work order with the text as reason.
    body = case_body(reporter={"name": text, "phone": "13800138002", "kind": "enterprise", "organization": text},
                     window=text, business_name=text, reasons=["other"], reason_other=text, description=text, demand=text)
    filled.api = _ok(registrar.post("/cases", body), 201)["reference"]
    filled.rejected = _ok(registrar.post("/cases", case_body(description=text)), 201)["reference"]
    _ok(registrar.post(f"/cases/{filled.rejected}/reject", {"reason": text}))
    filled.returned = _ok(registrar.post("/cases", case_body(description=text)), 201)["reference"]
    _ok(registrar.post(f"/cases/{filled.returned}/accept", {"handling_type": "assist", "complexity": "simple"}))
    returned = _ok(dispatcher.post(f"/cases/{filled.returned}/dispatch", {}))
    _ok(rsj.post(f"/work-orders/{_lead(returned)}/return", {"reason": text}))

    # An upstream platform's event, every text field it reads.
    ensure_sources()
    event = {"type": "bad_review", "reporter": {"name": text, "phone": "13700137000", "organization": text},
             "center": "FWZX", "matter_name": text, "business_name": text, "description": text, "demand": text,
             "step": text, "review": {"level": 1, "text": text}}
    response = deliver(district.api("registrar").client, "haochaping", event, event_id=f"xss-{abs(hash(text))}",
                       secret=SECRETS["haochaping"])
    filled.upstream = _ok(response, 201)["reference"]
    return filled
