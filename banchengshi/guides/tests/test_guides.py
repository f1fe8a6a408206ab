"""办事指南: the district's guides, versions and their history, who may edit and publish, and the public
page and API showing only what the admin office approved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.conftest import District
from banchengshi.dispatch.models import Matter
from banchengshi.guides.actions import do_edit_guide, do_publish_version, do_return_version
from banchengshi.guides.content import GuideContent, Material, check, parse_materials
from banchengshi.guides.loading import load_guides
from banchengshi.guides.models import Guide, VersionStatus
from banchengshi.guides.selectors import content_of, find_guides
from banchengshi.lib.errors import ActionError, ActionForbidden, InvalidInput


def _guide(code: str = "RSJ-003") -> Guide:
    return Guide.objects.select_related("matter", "published").get(matter__code=code)


def _edited(guide: Guide, **changes: Any) -> GuideContent:
    assert guide.published is not None
    data = {**content_of(guide.published).as_dict(), **changes}
    return GuideContent.from_dict(data)


def _client(user: Any) -> Client:
    return sign_in(Client(), user)


def test_every_matter_of_the_district_has_a_published_guide_that_reads_like_one(district: District) -> None:
    assert Guide.objects.count() == Matter.objects.count() == 84
    assert not Guide.objects.filter(published__isnull=True).exists()
    content = content_of(_guide("RSJ-003").published)  # type: ignore[arg-type]
    names = [m.name for m in content.materials]
    assert "申请人居民身份证原件及复印件" in names
    assert any("离职证明" in n for n in names)
    assert "《中华人民共和国社会保险法》" in content.legal_basis and "《失业保险条例》" in content.legal_basis
    assert content.fee == "不收费" and "工作日" in content.time_limit
    assert "示范区行政服务中心" in content.window and content.online_url.startswith("https://")
    enterprise = content_of(_guide("SCJGJ-001").published)  # type: ignore[arg-type]
    assert "《中华人民共和国市场主体登记管理条例》（国务院令第746号）" in enterprise.legal_basis
    town = content_of(_guide("RSJ-001").published)  # type: ignore[arg-type]
    assert town.level.startswith("镇级") and "社区事务受理服务中心" in town.window
    conditional = [m for m in content.materials if not m.required]
    assert conditional and all(m.condition for m in conditional)


def test_loading_twice_changes_nothing_and_keeps_a_department_s_edit(district: District) -> None:
    before = {g.pk: g.published_id for g in Guide.objects.all()}
    report = load_guides()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 84)
    guide = _guide()
    version = do_edit_guide(district.users["rsj"], guide, _edited(guide, fee="不收费（邮寄送达免费）"), note="写明邮寄")
    load_guides()
    assert guide.versions.count() == 2 and _guide().versions.order_by("-number").first() == version
    assert {g.pk: g.published_id for g in Guide.objects.all()} == before


def test_load_district_command_loads_the_guides(district: District, capsys: Any) -> None:
    from banchengshi.dispatch.loading import DISTRICT_DIR

    call_command("load_district", str(DISTRICT_DIR))
    assert "办事指南：新增 0，更新 0，未变 84" in capsys.readouterr().out


def test_an_edit_is_a_new_version_invisible_to_the_public_until_the_admin_office_publishes_it(
    district: District, monday: Any
) -> None:
    guide = _guide()
    first = guide.published
    assert first is not None
    content = _edited(guide, time_limit="材料齐全的当场受理，3个工作日内办结")
    version = do_edit_guide(district.users["rsj"], guide, content, note="承诺时限压缩为3个工作日")
    assert (version.number, version.status, version.edited_by) == (2, VersionStatus.PENDING, district.users["rsj"])
    assert _guide().published == first  # still the first version for the public

    public = Client()
    page = public.get("/public/guides/RSJ-003/").content.decode()
    assert "5个工作日内办结" in page and "3个工作日内办结" not in page
    api = public.get("/api/v1/public/guides", {"q": "失业金"}).json()
    assert api[0]["matter"] == "RSJ-003"

    do_publish_version(district.users["admin_office"], version)
    guide = _guide()
    version.refresh_from_db()
    assert guide.published == version and version.reviewed_by == district.users["admin_office"]
    first.refresh_from_db()
    assert first.status == VersionStatus.ARCHIVED
    assert "3个工作日内办结" in public.get("/public/guides/RSJ-003/").content.decode()
    actions = list(Event.objects.filter(action__in=["guide_edited", "guide_published"]).values_list("action", flat=True))
    assert actions == ["guide_edited", "guide_published"]


def test_the_history_keeps_every_version_with_its_changes(district: District, monday: Any) -> None:
    guide = _guide()
    rsj = district.users["rsj"]
    second = do_edit_guide(rsj, guide, _edited(guide, fee="按规定收取工本费"), note="写错了")
    do_return_version(district.users["admin_office"], second, note="失业保险金申领不收费，请改回")
    third = do_edit_guide(rsj, _guide(), _edited(_guide(), pitfalls="离职证明须写明离职原因。"), note="补充易错点")
    second.refresh_from_db()
    assert second.status == VersionStatus.RETURNED and second.review_note == "失业保险金申领不收费，请改回"

    page = _client(rsj).get("/guides/RSJ-003/")
    html = page.content.decode()
    assert page.status_code == 200
    for words in ("第1版", "第2版", "第3版", "已退回", "待审核", "失业保险金申领不收费，请改回", "补充易错点",
                  "按规定收取工本费", "离职证明须写明离职原因。"):
        assert words in html, words
    assert 'class="diff-added"' in html and 'class="diff-removed"' in html
    assert third.number == 3 and _guide().versions.count() == 3


@pytest.mark.parametrize("name", ["ybj", "scj", "registrar", "admin_office", "town_handler"])
def test_only_the_owning_department_edits(district: District, name: str) -> None:
    guide = _guide()
    with pytest.raises(ActionForbidden):
        do_edit_guide(district.users[name], guide, _edited(guide, fee="收费"))
    assert _client(district.users[name]).get("/guides/RSJ-003/edit/").status_code == 403
    response = _client(district.users[name]).post("/guides/RSJ-003/edit/", {"title": "x"})
    assert response.status_code == 403 and guide.versions.count() == 1


@pytest.mark.parametrize("name", ["rsj", "registrar", "center_head", "overseer"])
def test_only_the_admin_office_publishes(district: District, name: str) -> None:
    guide = _guide()
    version = do_edit_guide(district.users["rsj"], guide, _edited(guide, fee="不收费（免邮费）"))
    with pytest.raises(ActionForbidden):
        do_publish_version(district.users[name], version)
    client = sign_in(Client(), district.users[name])
    response = client.post(f"/guides/RSJ-003/versions/{version.number}/review/", {"decision": "publish"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.status == VersionStatus.PENDING and _guide().published_id != version.pk


def test_the_editor_saves_a_version_and_refuses_bad_input_in_chinese_keeping_what_was_typed(district: District) -> None:
    client = _client(district.users["rsj"])
    page = client.get("/guides/RSJ-003/edit/")
    assert page.status_code == 200 and "申请人居民身份证原件及复印件｜" in page.content.decode()
    form = {name: page.context["typed"][name] for name in page.context["typed"]}
    bad = {**form, "materials": "离职证明｜1份｜原单位｜｜多余", "note": "我的修改说明"}
    refused = client.post("/guides/RSJ-003/edit/", bad)
    html = refused.content.decode()
    assert refused.status_code == 422 and "分隔符“｜”过多" in html and "我的修改说明" in html
    for field, message in (("conditions", "请填写受理条件"), ("online_url", "网上办理入口应为")):
        value = "" if field == "conditions" else "javascript:alert(1)"
        answer = client.post("/guides/RSJ-003/edit/", {**form, field: value})
        assert answer.status_code == 422 and message in answer.content.decode()
    assert _guide().versions.count() == 1
    saved = client.post("/guides/RSJ-003/edit/", {**form, "time_limit": "3个工作日", "note": "压缩时限"})
    assert saved.status_code == 302 and _guide().versions.count() == 2


def test_returning_needs_a_note_and_a_version_is_reviewed_once(district: District) -> None:
    guide = _guide()
    version = do_edit_guide(district.users["rsj"], guide, _edited(guide, fee="不收费（免邮费）"))
    office = district.users["admin_office"]
    with pytest.raises(InvalidInput, match="请填写退回意见"):
        do_return_version(office, version, note=" ")
    client = _client(office)
    refused = client.post(f"/guides/RSJ-003/versions/{version.number}/review/", {"decision": "return", "review_note": ""})
    assert refused.status_code == 422 and "请填写退回意见" in refused.content.decode()
    do_publish_version(office, version)
    with pytest.raises(ActionError, match="只有待审核的版本可以审核"):
        do_publish_version(office, version)
    assert client.post("/guides/RSJ-003/versions/99/review/", {"decision": "publish"}).status_code == 404


def test_materials_are_parsed_and_checked() -> None:
    materials = parse_materials("身份证｜原件1份｜本人持有\n\n授权委托书 | 1份 | 本人签字 | 委托他人代办的\n")
    assert materials == [Material("身份证", "原件1份", "本人持有"), Material("授权委托书", "1份", "本人签字", "委托他人代办的")]
    texts = dict(title="T", conditions="C", level="区级", window="W", time_limit="1日", fee="不收费", legal_basis="B", phone="1")
    with pytest.raises(InvalidInput, match="重复"):
        check(texts, [Material("身份证"), Material("身份证")])
    with pytest.raises(InvalidInput, match="至少填写一项"):
        check(texts, [])


@pytest.mark.parametrize(("words", "code"), [
    ("公司把我辞退了，想领失业金", "RSJ-003"),
    ("我想开个奶茶店，要注册一个公司", "SCJGJ-001"),
    ("我爸的房子要过户给我", "GHZY-001"),
    ("孩子明年上小学，怎么报名", "JYJ-001"),
    ("身份证快到期了要换证", "GAFJ-003"),
])
def test_the_reporter_s_words_find_the_guide(district: District, words: str, code: str) -> None:
    found = [g.matter.code for g in find_guides(words, limit=5)]
    assert code in found[:3], found
    body = Client().get("/api/v1/public/guides", {"q": words}).json()
    assert code in [row["matter"] for row in body][:3]
    assert all(set(row) == {"matter", "title", "url"} for row in body)
    page = Client().get("/public/guides/", {"q": words}).content.decode()
    assert f"/public/guides/{code}/" in page


def test_the_public_api_and_pages_refuse_bad_input_in_chinese(district: District, settings: Any) -> None:
    client = Client()
    long = client.get("/api/v1/public/guides", {"q": "失业" * 60})
    assert long.status_code == 422 and "不超过100个字" in json.loads(long.content)["detail"]
    page = client.get("/public/guides/", {"q": "失业" * 60})
    assert page.status_code == 422 and "不超过100个字" in page.content.decode()
    missing = client.get("/public/guides/NOPE-1/")
    assert missing.status_code == 404 and "未找到该办事指南" in missing.content.decode()
    everything = client.get("/api/v1/public/guides").json()
    assert len(everything) == 84 and everything[0]["url"].endswith("/public/guides/CL-001/")

    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "guides_per_ip": "2/h"}
    fresh = Client(REMOTE_ADDR="10.1.2.3")
    assert fresh.get("/api/v1/public/guides", {"q": "失业金"}).status_code == 200
    assert fresh.get("/public/guides/RSJ-003/").status_code == 200
    refused = fresh.get("/api/v1/public/guides", {"q": "失业金"})
    assert refused.status_code == 429 and "查阅办事指南过于频繁" in refused.json()["detail"]
    assert fresh.get("/public/guides/").status_code == 429


def test_an_unpublished_guide_is_nowhere_public(district: District) -> None:
    guide = _guide("WLJ-003")
    Guide.objects.filter(pk=guide.pk).update(published=None)
    client = Client()
    assert client.get("/public/guides/WLJ-003/").status_code == 404
    assert "WLJ-003" not in [row["matter"] for row in client.get("/api/v1/public/guides").json()]
    assert "WLJ-003" not in [row["matter"] for row in client.get("/api/v1/public/guides", {"q": "KTV 娱乐场所"}).json()]
