"""议题建议: three different reporters on one problem are flagged as a possible 联席会议 topic (安康办法第十四条),
scoped, and start the existing meeting form prefilled."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases.models import Case, CaseLink
from banchengshi.cases.tests.factories import register
from banchengshi.conftest import District
from banchengshi.supervision.models import JointMeeting

SAME_PROBLEM = (
    "社保卡在银行激活的时候名字显示成问号，银行让我去找社保中心处理",
    "我名字里有个生僻字，新领的社保卡激活时银行系统显示问号，银行说要社保那边改",
    "社保卡激活时姓名生僻字显示问号，银行和社保互相推，激活不了",
)


@pytest.fixture
def three_reporters(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> list[Case]:
    made = []
    for i, text in enumerate(SAME_PROBLEM):
        with django_capture_on_commit_callbacks(execute=True):
            made.append(register(district, matter="RSJ-002", description=text, reporter_phone=f"1390013900{i}",
                                 minutes_ago=60 - i * 10))
    return made


def test_three_reporters_make_a_topic_that_starts_a_meeting(district: District, three_reporters: list[Case]) -> None:
    assert CaseLink.objects.filter(case__in=three_reporters).count() >= 2
    zwb = sign_in(Client(), district.users["admin_office"])
    page = zwb.get("/meetings/topics/")
    text = page.content.decode()
    assert page.status_code == 200 and "3 位反映人" in text
    assert all(c.reference in text for c in three_reporters)
    convene = unescape(re.search(r'href="(/meetings/new/\?[^"]+)" data-testid="convene"', text).group(1))
    form = zwb.get(convene).content.decode()
    assert all(c.reference in form for c in three_reporters)
    assert re.search(r'value="wide_impact"[^>]*checked', form) is not None
    assert "社会保障卡申领与补换多人反映问题的专题研究" in form
    answer = zwb.post("/meetings/new/", {
        "title": "社保卡激活问号专题", "criteria": ["wide_impact"], "held_at": "2026-11-24T09:30",
        "cases": " ".join(c.reference for c in three_reporters),
    })
    assert answer.status_code == 302
    meeting = JointMeeting.objects.get(title="社保卡激活问号专题")
    assert set(meeting.cases.all()) == set(three_reporters)


def test_two_reporters_or_a_dismissed_link_are_no_topic(district: District, three_reporters: list[Case], settings: Any) -> None:
    zwb = sign_in(Client(), district.users["admin_office"])
    settings.DUPLICATE_CLUSTER_REPORTERS = 4
    assert "暂无多人反映同一问题" in zwb.get("/meetings/topics/").content.decode()
    settings.DUPLICATE_CLUSTER_REPORTERS = 3
    CaseLink.objects.filter(case=three_reporters[2]).update(dismissed_at=three_reporters[2].received_at)
    assert "暂无多人反映同一问题" in zwb.get("/meetings/topics/").content.decode()


def test_topics_are_scoped_and_only_for_the_office_and_center_heads(
    district: District, three_reporters: list[Case]
) -> None:
    head = sign_in(Client(), district.users["center_head"])
    text = head.get("/meetings/topics/").content.decode()
    assert "3 位反映人" in text and 'data-testid="convene"' not in text  # the admin office convenes
    town = sign_in(Client(), district.users["town_head"])
    text = town.get("/meetings/topics/").content.decode()
    assert "暂无多人反映同一问题" in text and three_reporters[0].reference not in text
    assert sign_in(Client(), district.users["registrar"]).get("/meetings/topics/").status_code == 403
