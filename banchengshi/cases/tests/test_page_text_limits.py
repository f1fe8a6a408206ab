"""The workbench's pages send the actions what was typed, unchecked by a schema: the actions themselves hold
every text to the limit the API's schemas set (4,000 characters), refused in Chinese, nothing changed."""

from __future__ import annotations

from typing import Any

from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.tests.factories import case_in
from banchengshi.cases.tests.test_workbench import client_for
from banchengshi.conftest import District

TOO_LONG = "长" * 4001


def test_overlong_optional_texts_are_refused_on_the_pages(district: District, monday: Any) -> None:
    case = case_in(district, S.UNDER_REVIEW)
    head = client_for(district, "center_head")
    response = head.post(f"/cases/{case.reference}/act/approve/", {"approve": "1", "note": TOO_LONG})
    assert response.status_code == 422 and "审核意见不能超过4000字" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == S.UNDER_REVIEW

    working = case_in(district, S.IN_PROGRESS)
    order = working.work_orders.get()
    events = Event.objects.filter(case=working).count()
    response = client_for(district, "rsj").post(f"/work-orders/{order.pk}/act/note/", {"note": TOO_LONG})
    assert response.status_code == 422 and "办理记录不能超过4000字" in response.content.decode()
    # Nothing changed: no event but the record that the refused page showed the reporter in full (a view).
    assert Event.objects.filter(case=working).exclude(action="personal_data_viewed").count() == events
    fits = client_for(district, "rsj").post(f"/work-orders/{order.pk}/act/note/", {"note": "长" * 4000})
    assert fits.status_code == 302
