"""Chinese full-text search (issue 12, cases/search.py): jieba tokens in an index (FTS5 on SQLite, a
tsvector on PostgreSQL), ranked, highlighted; reporters' names through their lookup hash, for the roles
that see names only; the ledger, the API's q and the dispatcher's queue; never a 500 for what is typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.cases import actions, search
from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import CaseFilters, cases_visible_to, filter_cases
from banchengshi.cases.tests.factories import case_in, register
from banchengshi.conftest import District
from banchengshi.dispatch.models import Matter

SOCIAL = "社保卡在银行激活时名字显示问号，银行让我找社保中心。"
MEDICAL = "我的医保卡丢了，想去窗口补办，网上一直提示身份信息不一致。"
OTHER = "营业执照变更经营范围，网上提交后被退回三次。"
MEDICAL_ONLY = "孩子的医保报销材料交了两个月没有结果。"


def found(user: Any, q: str) -> list[str]:
    cases = filter_cases(cases_visible_to(user), CaseFilters(q=q), viewer=user)
    return list(search.order(cases).values_list("description", flat=True))


@pytest.fixture
def stories(district: District, monday: Any) -> dict[str, Case]:
    return {
        "social": register(district, description=SOCIAL, reporter_name="李建国", matter=None),
        "medical": register(district, description=MEDICAL, reporter_name="王秀英", matter=None),
        "other": register(district, description=OTHER, reporter_name="赵六", matter=None,
                          reporter_kind="enterprise", reporter_organization="示范区明达贸易有限公司"),
        "medical_only": register(district, description=MEDICAL_ONLY, reporter_name="孙七", matter=None),
    }


def test_tokens_cut_for_search_give_the_short_words_and_the_long_ones() -> None:
    assert {"医保", "医保卡", "补办"} <= set(search.tokens("医保卡补办"))
    assert {"社保", "社保卡"} <= set(search.tokens("社保卡在银行激活"))
    assert search.tokens('"社保"* -医保 OR NEAR(a b) 😀 :&!') == ["社保", "医保", "or", "near", "a", "b"]


def test_a_two_character_word_finds_its_cases_and_not_others(district: District, stories: dict[str, Case]) -> None:
    dispatcher = district.users["dispatcher"]
    assert found(dispatcher, "社保") == [SOCIAL]
    assert set(found(dispatcher, "医保")) == {MEDICAL, MEDICAL_ONLY}


def test_a_split_phrase_finds_the_words_apart(district: District, stories: dict[str, Case]) -> None:
    """医保卡补办 is 医保卡 AND 补办: the case that says "医保卡丢了，想去窗口补办" is found, the one with
    医保 only is not; the old substring match found nothing."""
    dispatcher = district.users["dispatcher"]
    assert found(dispatcher, "医保卡补办") == [MEDICAL]
    assert found(dispatcher, "医保卡 补办") == [MEDICAL]
    assert found(dispatcher, "医保卡补办 营业执照") == []


def test_the_better_match_comes_first(district: District, monday: Any) -> None:
    dispatcher = district.users["dispatcher"]
    once = register(district, description="公积金提取材料不全。", matter=None, minutes_ago=0)
    often = register(district, description="公积金提取难，公积金中心让找单位，单位让找公积金中心。", matter=None,
                     business_name="公积金提取", minutes_ago=30)
    cases = search.order(filter_cases(cases_visible_to(dispatcher), CaseFilters(q="公积金"), viewer=dispatcher))
    assert "search_rank" in cases.query.annotations
    assert list(cases.values_list("pk", flat=True)) == [often.pk, once.pk]  # the newer one is second


def test_many_matches_are_shown_newest_first(district: District, monday: Any, monkeypatch: Any) -> None:
    """Over RANK_LIMIT matches (社保 at a million cases) no ranking: the newest first, which an index answers."""
    dispatcher = district.users["dispatcher"]
    older = register(district, description="社保社保社保转移。", matter=None, minutes_ago=60)
    newer = register(district, description="社保卡激活。", matter=None)
    monkeypatch.setattr(search, "RANK_LIMIT", 1)
    cases = search.order(filter_cases(cases_visible_to(dispatcher), CaseFilters(q="社保"), viewer=dispatcher))
    assert "search_rank" not in cases.query.annotations
    assert list(cases.values_list("pk", flat=True)) == [newer.pk, older.pk]
    assert search.capped_count(cases) == (2, False)
    monkeypatch.setattr(search, "COUNT_LIMIT", 1)
    assert search.capped_count(cases) == (1, True)
    page = sign_in(Client(), dispatcher).get("/ledger/", {"q": "社保"}).content.decode()
    assert "1 件以上" in page and newer.reference in page
    answer = district.api("dispatcher").get("/cases", q="社保").json()
    assert (answer["count"], answer["count_capped"]) == (1, True)
    assert [c["reference"] for c in answer["results"]] == [newer.reference, older.reference]
    assert district.api("dispatcher").get("/cases", q="医保").json()["count_capped"] is False


def test_a_name_is_found_by_those_who_see_names_only(district: District, stories: dict[str, Case]) -> None:
    """The reporter's name is ciphertext; its lookup hash finds the case for the center's staff (who see
    names), and nothing — not even in the counts — for the admin office and oversight (who see 李*)."""
    assert found(district.users["dispatcher"], "李建国") == [SOCIAL]
    assert found(district.users["dispatcher"], "李 建国") == []  # two words: neither is a whole name
    assert found(district.users["dispatcher"], "李建国 社保") == [SOCIAL]
    for role in ("admin_office", "overseer"):
        assert found(district.users[role], "李建国") == []
    assert district.api("dispatcher").get("/cases", q="李建国").json()["count"] == 1
    answer = district.api("admin_office").get("/cases", q="李建国").json()
    assert answer["count"] == 0 and answer["results"] == []
    assert district.api("admin_office").get("/cases", q="社保").json()["count"] == 1


def test_an_anonymised_name_is_found_no_more(district: District, stories: dict[str, Case]) -> None:
    case = stories["social"]
    stored = Case.objects.get(pk=case.pk)
    assert stored.reporter_name_hash and stored.reporter_name_hash != stored.reporter_phone_hash
    case.reporter_name = "李*"
    case.save(update_fields=["reporter_name", "reporter_name_hash"])
    assert found(district.users["dispatcher"], "李建国") == []
    assert found(district.users["dispatcher"], "李*") == []


def test_enterprise_names_are_found(district: District, stories: dict[str, Case]) -> None:
    assert found(district.users["dispatcher"], "明达贸易") == [OTHER]
    assert found(district.users["admin_office"], "明达贸易") == [OTHER]


def test_the_index_follows_edits(district: District, monday: Any) -> None:
    """A result written later is found; a case's words are found through its matter's name too."""
    case = case_in(district, S.IN_PROGRESS, description="退休金资格认证人脸识别一直不通过。")
    dispatcher = district.users["dispatcher"]
    assert found(dispatcher, "上门认证") == []
    order = case.work_orders.get(unit__code="RSJ")
    actions.do_reply_work_order(order, acting_user=district.users["rsj"], result="已安排工作人员上门认证，老人已通过认证。")
    assert found(dispatcher, "上门认证") == [case.description]
    assert found(dispatcher, case.matter.name if case.matter else "") == [case.description]
    assert found(dispatcher, case.reference) == [case.description]


def test_reindex_rebuilds_the_index(district: District, stories: dict[str, Case]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {search.TABLE}")  # noqa: S608
    assert found(district.users["dispatcher"], "社保") == []
    call_command("reindex_search", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert found(district.users["dispatcher"], "社保") == [SOCIAL]


def test_highlight_escapes_html() -> None:
    marked = search.highlight('<script>alert("社保")</script> & 医保卡补办', ["医保卡", "医保", "补办", "社保"])
    assert marked == ('&lt;script&gt;alert(&quot;<mark>社保</mark>&quot;)&lt;/script&gt; &amp; '
                      "<mark>医保卡</mark><mark>补办</mark>")
    snippet = search.highlight("甲" * 100 + "社保" + "乙" * 100, ["社保"], width=40)
    assert "<mark>社保</mark>" in snippet and snippet.startswith("…") and snippet.endswith("…")


HOSTILE = [
    '"', '""', "'", "*", "社保*", "-社保", "NOT 社保", "社保 OR 医保", "NEAR(社保 医保)", "社保:医保", "head:社保",
    "&", "!", "|", "社保 & 医保", "!社保", "<->", "社保 <-> 医保", "\\", "(", ")", "^社保", "{社保}", "😀", "😀社保",
    "%", "_", "\x00", "\u200b", "＊社保＊", "  ", "a" * 100, "医" * 100, "AND", "OR", "NOT", "NEAR",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_answer_never_500(district: District, stories: dict[str, Case], q: str) -> None:
    answer = district.api("dispatcher").get("/cases", q=q)
    assert answer.status_code in (200, 400, 422), answer.content  # 400: the input guard (a NUL)
    if answer.status_code == 200:
        assert answer.json()["count"] in (0, 1, 2, 4)
    client = sign_in(Client(), district.users["dispatcher"])
    for url in ("/ledger/", "/"):
        page = client.get(url, {"q": q})
        assert page.status_code in (200, 400, 422), (url, page.status_code)


def test_too_long_a_query_is_a_chinese_422(district: District, stories: dict[str, Case]) -> None:
    answer = district.api("dispatcher").get("/cases", q="社保" * 60)
    assert answer.status_code == 422
    client = sign_in(Client(), district.users["dispatcher"])
    page = client.get("/", {"q": "社保" * 60})
    assert page.status_code == 422 and "检索词不能超过100个字" in page.content.decode()
    page = client.get("/ledger/", {"q": "社保" * 60})
    assert page.status_code == 422 and 'value="' + "社保" * 60 in page.content.decode()


def test_the_ledger_and_the_queue_mark_the_words(district: District, stories: dict[str, Case]) -> None:
    client = sign_in(Client(), district.users["dispatcher"])
    ledger = client.get("/ledger/", {"q": "医保卡补办"}).content.decode()
    assert "<mark>医保卡</mark>丢了，想去窗口<mark>补办</mark>" in ledger
    assert stories["medical"].reference in ledger and stories["medical_only"].reference not in ledger
    home = client.get("/", {"q": "社保"}).content.decode()
    assert stories["social"].reference in home and stories["medical"].reference not in home
    assert "<mark>社保</mark>" in home
    assert client.get("/ledger/", {"q": "李建国"}).content.decode().count("<mark>李建国</mark>") == 1


def test_hostile_text_in_a_case_is_escaped_when_marked(district: District, monday: Any) -> None:
    case = register(district, description='<img src=x onerror="alert(1)">社保卡激活不了', matter=None)
    client = sign_in(Client(), district.users["dispatcher"])
    ledger = client.get("/ledger/", {"q": "社保"}).content.decode()
    assert case.reference in ledger
    assert "<img src=x" not in ledger and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<mark>社保</mark>" in ledger


def test_a_renamed_matter_is_found_by_its_new_name(district: District, monday: Any) -> None:
    case = register(district, matter="RSJ-003", description="网上一直提示未办理登记。")
    dispatcher = district.users["dispatcher"]
    matter = Matter.objects.get(code="RSJ-003")
    matter.name = "渔业救助金申领"
    matter.save()
    assert found(dispatcher, "渔业救助金") == [case.description]
    matter.save()  # unchanged: nothing to do, still found
    assert found(dispatcher, "渔业救助金") == [case.description]
