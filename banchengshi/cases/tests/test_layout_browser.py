"""Every staff page each role reaches, at a laptop's and a tablet's width (and the lists on a phone):
nothing runs off the screen, no table column squeezes its text to one character a line, and no English
is left on the page. Full-page screenshots go to var/screenshots/<role>-<page>-<width>.png.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from banchengshi.accounts.models import Unit
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.tests.factories import case_in
from banchengshi.cases.tests.test_browser_flow import Desk, browser, server  # noqa: F401 (fixtures)
from banchengshi.conftest import STAFF, District
from banchengshi.dispatch.models import Matter
from banchengshi.supervision.actions import do_create_meeting, do_record_meeting_outcome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LAPTOP, TABLET, PHONE = (1366, 768), (768, 1024), (390, 844)
ALLOWED_WORDS = {"API", "PDF", "Excel", "ID", "PC"}  # PC: “网上（PC端）”, as the channel is called in Chinese
REFERENCE = re.compile(r"BC\d{12}")

# The case each role sees with its own buttons on it.
CASE_FOR = {
    "registrar": S.REGISTERED,
    "dispatcher": S.ACCEPTED,
    "rsj": S.IN_PROGRESS,
    "center_head": S.UNDER_REVIEW,
    "admin_office": S.VISITED,
    "overseer": S.REPLIED,
}
REGISTERS = {"registrar", "dispatcher", "center_head"}
ADMIN_PAGES = {"admin_office": ["/admin/", "/admin/sla/calendaryear/", "/admin/cases/case/"]}

MEASURE = """() => {
  const width = window.innerWidth;
  const scrolling = el => el.closest('.table-responsive, .overflow-auto, #changelist .results');
  const overflowing = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || scrolling(el)) continue;
    if (box.right > width + 1) overflowing.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(box.right)}px)`);
  }
  const squeezed = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const text = cell.innerText.trim();
    if (text.length < 2 || !cell.getClientRects().length) continue;
    const style = getComputedStyle(cell);
    const em = parseFloat(style.fontSize);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const lines = cell.clientHeight / (parseFloat(style.lineHeight) || em * 1.5);
    if (inner < 2 * em && lines > 1.9) squeezed.push(`${text.slice(0, 12)} (${Math.round(inner)}px)`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, overflowing: overflowing.slice(0, 8),
          squeezed: squeezed.slice(0, 8), text: document.body.innerText};
}"""


def english_words(text: str, allowed: set[str]) -> list[str]:
    """Words in Latin letters that are not allowed; the admin shows account names in capitals."""
    text = REFERENCE.sub(" ", text)
    lowered = {w.lower() for w in allowed}
    return sorted({w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in allowed and w.lower() not in lowered})


def build_cases(district: District) -> dict[str, str]:
    """One case per state the roles act on, with a long result and an assisting unit on the work orders."""
    references = {}
    for role, status in CASE_FOR.items():
        case = case_in(district, status, description="申领失业保险金时网上一直提示未办理失业登记，窗口说需要原单位出具解除劳动合同证明，但原单位已经注销，无法出具。")
        references[role] = case.reference
    resupervised = case_in(district, S.RESUPERVISED)  # a notice for 人社局 on its home page
    meeting = do_create_meeting(
        acting_user=district.users["admin_office"], title="失业金证明材料专题联席会议", criteria=["wide_impact"],
        held_at=timezone.now(), place="区政务服务中心三楼会议室", cases=[resupervised],
        attendee_units=[district.units["RSJ"], district.units["YBJ"]], attendee_names="人社局失业保险科负责人",
    )
    do_record_meeting_outcome(meeting, acting_user=district.users["admin_office"], minutes="会议研究了失业金申领材料问题。",
                              decisions="原单位已注销的，以注销证明替代解除劳动合同证明。",
                              tasks=[(district.units["RSJ"], "修订失业金申领一次性告知单", date(2026, 12, 31))])
    references["meeting"] = str(meeting.pk)
    return references


def pages_for(role: str, refs: dict[str, str]) -> list[tuple[str, str]]:
    pages = [("home", "/")]
    if role in REGISTERS:
        pages.append(("register", "/cases/new/"))
    pages += [("case", f"/cases/{refs[role]}/"), ("ledger", "/ledger/"), ("meetings", "/meetings/"),
              ("meeting", f"/meetings/{refs['meeting']}/"), ("404", "/cases/BC209901010001/")]
    pages += [(f"admin{i}", url) for i, url in enumerate(ADMIN_PAGES.get(role, []))]
    return pages


@pytest.mark.parametrize("role", list(CASE_FOR))
def test_every_page_fits_and_speaks_chinese(role: str, browser: Any, server: Any, district: District, monday: Any) -> None:  # noqa: F811
    refs = build_cases(district)
    allowed = ALLOWED_WORDS | set(STAFF) | set(Unit.objects.values_list("code", flat=True))
    allowed |= {part for code in Matter.objects.values_list("code", flat=True) for part in code.split("-")}
    desk = Desk(browser, server.url)
    desk.login(role)
    problems: list[str] = []
    for name, url in pages_for(role, refs):
        widths = [LAPTOP, TABLET] + ([PHONE] if name in {"home", "ledger"} else [])
        desk.page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
        response = desk.page.goto(f"{server.url}{url}")
        assert response is not None and response.status == (404 if name == "404" else 200), (url, response and response.status)
        for width, height in widths:
            # The pages lay out by CSS alone (Bootstrap's breakpoints), so turning the screen re-lays the
            # page as loading it at that width would: one load per page, measured at each width.
            desk.page.set_viewport_size({"width": width, "height": height})
            desk.shot(f"{role}-{name}-{width}")
            found = desk.page.evaluate(MEASURE)
            where = f"{role} {url} @{width}px"
            if found["scrollWidth"] > found["width"] or found["overflowing"]:
                problems.append(f"{where}: wider than the screen ({found['scrollWidth']}px): {found['overflowing']}")
            if found["squeezed"]:
                problems.append(f"{where}: table cells squeezed to a character a line: {found['squeezed']}")
            english = english_words(found["text"], allowed)
            if english:
                problems.append(f"{where}: English on the page: {english}")
    assert not problems, "\n".join(problems)
