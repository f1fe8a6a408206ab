"""Repeats and duplicates (cases.duplicates): the calibration figures, links written after registration,
merge and dismiss, and scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.cases import actions, duplicates
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.choices import LinkKind
from banchengshi.cases.models import Case, CaseLink, CaseText
from banchengshi.cases.tests.duplicate_pairs import DIFFERENT, SAME
from banchengshi.cases.tests.factories import register
from banchengshi.conftest import District
from banchengshi.lib import textsim

ID_CARD = "社保卡在银行激活的时候名字显示成问号，银行让我去找社保中心处理"
ID_CARD_AGAIN = "我名字里有个生僻字，新领的社保卡激活时银行系统显示问号，银行说要社保那边改"
ID_CARD_OTHER = "社保卡补卡要交照片回执，照相馆拍的照片系统说不合格"


def _pair_scores(pairs: list[tuple[str, str]], corpus: list[str]) -> list[float]:
    """Each pair's cosine as cases.duplicates computes it: the first text against all the others, stored."""
    stored = {t: textsim.unpack(textsim.pack(textsim.features(t))) for t in corpus}
    scores = []
    for a, b in pairs:
        others = [t for t in corpus if t != a]
        scores.append(float(textsim.cosines(textsim.features(a), [stored[t] for t in others])[others.index(b)]))
    return scores


def test_calibration_pairs_reach_the_stated_precision_and_recall() -> None:
    corpus = list(dict.fromkeys(t for pair in SAME + DIFFERENT for t in pair))
    same, different = _pair_scores(SAME, corpus), _pair_scores(DIFFERENT, corpus)
    found = sum(s >= duplicates.THRESHOLD for s in same)
    wrong = sum(s >= duplicates.THRESHOLD for s in different)
    recall, precision = found / len(SAME), found / (found + wrong)
    assert len(SAME) >= 25 and len(DIFFERENT) >= 25
    assert precision >= 0.95, precision
    assert recall >= 0.8, recall
    # The same reporter's threshold finds every repeat of the set.
    assert all(s >= duplicates.SAME_REPORTER_THRESHOLD for s in same)


def test_features_are_stable_and_packed_small() -> None:
    found = textsim.features(ID_CARD)
    again = textsim.unpack(textsim.pack(found))
    assert list(found[0]) == list(again[0])
    assert len(textsim.pack(found)) == 8 * len(found[0])
    assert textsim.features("  ，。") [0].size == 0


@pytest.fixture
def linked(district: District, monday: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Case]:
    """An earlier case, the same problem told by another reporter, an unrelated one of the same matter and
    the first reporter again: each registered, its links found by the job after commit."""
    made = {}
    for key, text, phone, minutes in (
        ("first", ID_CARD, "13800138000", 50),
        ("other", ID_CARD_OTHER, "13900139000", 40),
        ("again", ID_CARD_AGAIN, "13700137000", 30),
        ("repeat", "社保卡激活名字显示问号，还是没解决，银行让我找社保", "13800138000", 20),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            made[key] = register(district, matter="RSJ-002", description=text, reporter_phone=phone, minutes_ago=minutes)
    return made


def test_another_reporter_telling_the_same_problem_is_linked_and_an_unrelated_one_is_not(linked: dict[str, Case]) -> None:
    links = {(link.case_id, link.other_id): link for link in CaseLink.objects.all()}
    similar = links[(linked["again"].pk, linked["first"].pk)]
    assert similar.kind == LinkKind.SIMILAR and similar.score >= duplicates.THRESHOLD
    assert (linked["other"].pk, linked["first"].pk) not in links
    assert (linked["again"].pk, linked["other"].pk) not in links
    same = links[(linked["repeat"].pk, linked["first"].pk)]
    assert same.kind == LinkKind.SAME_REPORTER
    # Each case's words were cut once and stored.
    assert CaseText.objects.filter(case__in=linked.values()).count() == 4


def test_closed_long_ago_and_merged_cases_are_not_candidates(district: District, monday: Any, linked: dict[str, Case]) -> None:
    actions.do_merge_case(linked["repeat"], acting_user=district.users["registrar"], into=linked["first"])
    ids = {pk for pk, _, _ in duplicates.candidates(center_id=None, matter_id=None, before=None, exclude=None, now=timezone.now())}
    assert linked["repeat"].pk not in ids and linked["first"].pk in ids


def test_merge_from_the_queue_and_dismiss_is_kept(district: District, linked: dict[str, Case]) -> None:
    client = sign_in(Client(), district.users["registrar"])
    home = client.get("/").content.decode()
    assert "可能重复" in home and linked["first"].reference in home
    link = CaseLink.objects.get(case=linked["again"], other=linked["first"])
    assert f"/cases/{linked['again'].reference}/duplicates/{link.pk}/merge/" in home  # the queue's 并单 button
    answer = client.post(f"/cases/{linked['again'].reference}/duplicates/{link.pk}/merge/", {"back": "home"})
    assert answer.status_code == 302 and answer.url == "/"
    assert Case.objects.get(pk=linked["again"].pk).status == S.MERGED
    assert Event.objects.filter(action="duplicate_merged", case=linked["first"]).exists()

    same = CaseLink.objects.get(case=linked["repeat"], other=linked["first"])
    handler = sign_in(Client(), district.users["center_handler"])  # sees the cases, registers none
    assert handler.post(f"/cases/{linked['repeat'].reference}/duplicates/{same.pk}/dismiss/").status_code == 403
    answer = client.post(f"/cases/{linked['repeat'].reference}/duplicates/{same.pk}/dismiss/")
    assert answer.status_code == 302
    same.refresh_from_db()
    assert same.dismissed_by == district.users["registrar"] and same.dismissed_at is not None
    assert Event.objects.filter(action="duplicate_dismissed", case=linked["repeat"]).exists()
    page = client.get(f"/cases/{linked['repeat'].reference}/").content.decode()
    assert "可能重复" not in page  # dismissed: no longer offered
    again = client.post(f"/cases/{linked['repeat'].reference}/duplicates/{same.pk}/dismiss/")
    assert again.status_code == 422


def test_the_case_page_and_api_show_links(district: District, linked: dict[str, Case]) -> None:
    client = sign_in(Client(), district.users["registrar"])
    page = client.get(f"/cases/{linked['again'].reference}/").content.decode()
    assert "可能重复" in page and linked["first"].reference in page and "并单" in page
    body = district.api("registrar").get(f"/cases/{linked['again'].reference}")
    assert body.status_code == 200
    assert {"reference": linked["first"].reference, "kind": "similar"}.items() <= body.json()["similar"][0].items()


def test_a_town_center_never_sees_a_link_to_another_centers_case(
    district: District, monday: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        theirs = register(district, center="C-BQ", matter="RSJ-002", description=ID_CARD, reporter_phone="13800138000", minutes_ago=30)
    with django_capture_on_commit_callbacks(execute=True):
        ours = register(district, center="C-CH", matter="RSJ-002", description=ID_CARD_AGAIN, reporter_phone="13700137000")
    assert CaseLink.objects.filter(case=ours, other=theirs).exists()
    client = sign_in(Client(), district.users["town_head"])
    page = client.get(f"/cases/{ours.reference}/").content.decode()
    assert theirs.reference not in page
    assert district.api("town_head").get(f"/cases/{ours.reference}").json()["similar"] == []
    live = client.post("/cases/new/similar/", {"description": ID_CARD, "reporter_phone": "", "center": "C-CH"})
    assert live.status_code == 200 and theirs.reference not in live.content.decode()
    link = CaseLink.objects.get(case=ours, other=theirs)
    assert client.post(f"/cases/{ours.reference}/duplicates/{link.pk}/merge/").status_code == 404
    assert client.post(f"/cases/{ours.reference}/duplicates/{link.pk}/dismiss/").status_code == 404
    assert CaseLink.objects.get(pk=link.pk).dismissed_at is None and Case.objects.get(pk=ours.pk).status == S.REGISTERED
    # The district center above both sees the link.
    assert district.api("center_head").get(f"/cases/{ours.reference}").json()["similar"][0]["reference"] == theirs.reference


def test_same_reporter_repeat_is_shown_while_registering(district: District, linked: dict[str, Case]) -> None:
    client = sign_in(Client(), district.users["registrar"])
    answer = client.post("/cases/new/similar/", {
        "description": "社保卡激活的时候名字是问号", "reporter_phone": "138 0013 8000", "center": "FWZX", "matter": "",
    })
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "可能重复" in text and linked["first"].reference in text and "同一反映人" in text
    assert "13800138000" not in text
    assert client.get("/cases/new/similar/").status_code == 405


def test_the_live_check_is_limited_per_account(district: District, settings: Any) -> None:
    settings.STAFF_LIMITS = {**settings.STAFF_LIMITS, "similar_check": "2/10m"}
    client = sign_in(Client(), district.users["registrar"])
    body = {"description": ID_CARD, "reporter_phone": "", "center": "", "matter": ""}
    assert [client.post("/cases/new/similar/", body).status_code for _ in range(3)] == [200, 200, 429]
    assert "查重过于频繁" in client.post("/cases/new/similar/", body).content.decode()


def test_index_case_texts_stores_what_is_missing_once(district: District, monday: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    cases = [register(district, description=text, minutes_ago=10) for text in (ID_CARD, ID_CARD_OTHER)]
    CaseText.objects.all().delete()
    out = StringIO()
    call_command("index_case_texts", "--batch", "1", stdout=out)
    assert "已保存 2 件" in out.getvalue()
    assert CaseText.objects.filter(case__in=cases, version=textsim.VERSION).count() == 2
    call_command("index_case_texts", stdout=out)
    assert "已保存 0 件" in out.getvalue()
