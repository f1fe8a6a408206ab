"""Every admin page an administrator may open names its columns, fields and filters in Chinese and
shows choices by their labels, never by their stored codes (`complex`, `manual`, `work_order_created`)."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from banchengshi.accounts.models import ApiToken, User
from banchengshi.accounts.services import do_create_staff
from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.labels import ACTION_LABELS
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.tests.factories import case_in
from banchengshi.conftest import STAFF_PASSWORD, District
from banchengshi.supervision.actions import do_create_meeting, do_record_meeting_outcome

ADMIN_ROLES = ["admin_office", "system_admin", "security_admin", "audit_admin", "superuser"]
# Letters a Chinese admin page may still show in its headings: acronyms and Django's own date words.
ACRONYMS = {"ID", "IP", "API", "SHA", "JSON", "URL", "PDF", "Excel"}


def raw_codes() -> set[str]:
    """Every stored choice code of the project's models, and every event action code."""
    codes = set(ACTION_LABELS)
    for model in apps.get_models():
        if not model.__module__.startswith("banchengshi."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and value:
                    codes.add(value)
    return codes


class AdminPage(HTMLParser):
    """Collects column headers, field labels, filter titles and the values shown in cells."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.labels: list[str] = []
        self.filter_titles: list[str] = []
        self.values: list[tuple[str, str]] = []  # (column or field name, text)
        self._thead = 0
        self._open: list[tuple[str, str, str, list[str]]] = []  # (tag, kind, name, text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if found.get("data-filter-title") is not None:
            self.filter_titles.append(found["data-filter-title"] or "")
        if tag == "thead":
            self._thead += 1
        elif tag == "th" and self._thead:
            self._open.append((tag, "header", "", []))
        elif tag in ("td", "th"):
            name = next((c[len("field-"):] for c in classes if c.startswith("field-")), "")
            if name:
                self._open.append((tag, "value", name, []))
        elif tag == "label":
            self._open.append((tag, "label", "", []))
        elif tag == "div" and "readonly" in classes:
            self._open.append((tag, "value", "readonly", []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._thead -= 1
        if self._open and self._open[-1][0] == tag:
            _, kind, name, text = self._open.pop()
            words = " ".join("".join(text).split())
            if kind == "header":
                self.headers.append(words)
            elif kind == "label":
                self.labels.append(words)
            else:
                self.values.append((name, words))

    def handle_data(self, data: str) -> None:
        for _tag, _kind, _name, text in self._open:
            text.append(data)


def english_in(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]+", text) if w not in ACRONYMS]


@pytest.fixture
def admins(district: District, monday: Any) -> dict[str, User]:
    """The four admin roles (and a superuser, who sees every registered model), with rows on every page."""
    zwb = district.units["ZWB"]
    users = {name: district.users[name] for name in ("admin_office", "system_admin")}
    for role in ("security_admin", "audit_admin"):
        users[role], _ = do_create_staff(role, unit=zwb, role=role, password=STAFF_PASSWORD)
    users["superuser"] = User.objects.create_superuser("root", password=STAFF_PASSWORD)
    case = case_in(district, CaseStatus.RESUPERVISED, matter=None)  # manual dispatch: a PastDispatch row
    meeting = do_create_meeting(
        acting_user=district.users["admin_office"], title="失业金证明材料专题会", criteria=["wide_impact"],
        held_at=timezone.now(), place="三楼会议室", cases=[case], attendee_units=[district.units["RSJ"]],
        attendee_names="人社局",
    )
    do_record_meeting_outcome(meeting, acting_user=district.users["admin_office"], minutes="纪要", decisions="议定",
                              tasks=[(district.units["RSJ"], "修订告知单", date(2026, 12, 31))])
    ApiToken.issue(district.users["registrar"])
    return users


def pages_for(user: User) -> list[str]:
    """Changelists, add pages and one change page of every model this user may see in the admin."""
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if not user.has_perm(f"{meta.app_label}.view_{meta.model_name}") and not user.has_perm(
            f"{meta.app_label}.change_{meta.model_name}"
        ):
            continue
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        request = _request_for(user)
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    return urls


def _request_for(user: User) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_pages_are_in_chinese(role: str, admins: dict[str, User], district: District) -> None:
    user = admins[role]
    client = Client()
    sign_in(client, user)
    codes = raw_codes()
    usernames = set(User.objects.values_list("username", flat=True))
    problems: list[str] = []
    urls = pages_for(user)
    assert len(urls) > 2, urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = AdminPage()
        page.feed(response.content.decode())
        for kind, texts in (("column", page.headers), ("field", page.labels), ("filter", page.filter_titles)):
            for text in texts:
                if english_in(text):
                    problems.append(f"{url} {kind} {text!r}")
        for name, text in page.values:
            if text in codes and text not in usernames:
                problems.append(f"{url} {name} shows the code {text!r}")
    assert not problems, "\n".join(problems)


def test_audit_events_show_action_and_status_names(admins: dict[str, User]) -> None:
    client = Client()
    sign_in(client, admins["audit_admin"])
    html = client.get("/admin/audit/event/").content.decode()
    assert "生成工单" in html and "work_order_created" not in html.replace('action=work_order_created', "")
    assert "已派单" in html  # a status by its name
    # The filter lists actions by name; searching by a name finds the events too.
    assert 'data-filter-title="动作"' in html
    found = client.get("/admin/audit/event/", {"q": "再督办"}).content.decode()
    assert "再督办" in found and "0 个" not in found
