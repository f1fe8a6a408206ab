"""Upstream events become cases: one per event id, each source's fields in their place, every delivery
logged; a delivery that is not the source's is refused (401), a bad body answered with what is wrong (422)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from banchengshi.cases.models import Case
from banchengshi.cases.selectors import QUEUES, queue_cases
from banchengshi.conftest import District
from banchengshi.integrations.models import Delivery, InboundEvent
from banchengshi.integrations.tests.conftest import (
    SECRETS,
    abandoned_body,
    bad_review_body,
    deliver,
    encode,
    signed_headers,
)
from banchengshi.notify.models import Message, Subscriber

pytestmark = pytest.mark.usefixtures("sources", "monday")
TO_ACCEPT = next(q for q in QUEUES if q.key == "to-accept")


def only_delivery() -> Delivery:
    assert Delivery.objects.count() == 1
    return Delivery.objects.get()


def test_an_abandoned_application_becomes_a_case_in_the_district_centers_queue(district: District) -> None:
    Subscriber.objects.create(name="一网通办回传", url="http://127.0.0.1:9/hook", secret="s" * 20, source="yiwangtongban")
    response = deliver(Client(), "yiwangtongban", abandoned_body(), event_id="ywtb-0001")
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert (case.channel, case.origin, case.origin_ref) == ("upstream_exit", "yiwangtongban", "ywtb-0001")
    assert (case.reporter_name, case.reporter_phone) == ("李四", "13900139000")
    assert case.center.code == "FWZX"  # no center named: the source's default, the district's own center
    assert case.matter is not None and case.matter.code == "RSJ-003"
    assert (case.business_name, case.portal) == ("失业保险金申领", "pc_portal")
    assert case.description.startswith("上传失业证明时一直提示文件格式错误")
    for line in ("中途退出的环节：上传材料", "办事平台：一网通办PC端", "发生时间：2026-11-23 09:30", "事件编号 ywtb-0001"):
        assert line in case.description
    assert case in queue_cases(district.users["registrar"], TO_ACCEPT)
    assert case.events.get(action="registered").actor_label == "一网通办总门户（中途退出）（对接推送）"
    announced = Message.objects.get(subject=case.reference, kind="webhook")
    assert announced.payload["event"] == "received" and announced.payload["source_event_id"] == "ywtb-0001"
    delivery = only_delivery()
    assert (delivery.outcome, delivery.status_code, delivery.reference, delivery.event_id) == (
        "accepted", 201, case.reference, "ywtb-0001")
    assert InboundEvent.objects.get(event_id="ywtb-0001").case == case


def test_a_bad_review_goes_to_the_center_it_names(district: District) -> None:
    body = bad_review_body(review={"level": "不满意", "text": "跑了三次还没办成"}, demand="一次性告知所需材料")
    response = deliver(Client(), "haochaping", body, event_id="hcp-77")
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert (case.channel, case.origin, case.center.code) == ("bad_review", "haochaping", "C-CH")
    assert "差评等级：不满意" in case.description and "评价内容：跑了三次还没办成" in case.description
    assert case.demand == "一次性告知所需材料"
    assert case in queue_cases(district.users["town_registrar"], TO_ACCEPT)


def test_a_generic_event_takes_the_sources_channel_and_keeps_an_unknown_matter_in_its_text(district: District) -> None:
    body = {"type": "other", "reporter": {"name": "赵六", "phone": "021-12345678", "kind": "enterprise",
                                          "organization": "示范区某某贸易有限公司"},
            "matter": "SH-999", "matter_name": "外省市事项", "description": "营业执照变更后税务信息未同步。"}
    response = deliver(Client(), "generic", body, event_id="g-1")
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert (case.channel, case.matter, case.reporter_kind) == ("online", None, "enterprise")
    assert case.business_name == "外省市事项" and "上游事项：SH-999 外省市事项" in case.description
    assert "SH-999 不在事项目录中" in only_delivery().reason
    assert case in queue_cases(district.users["dispatcher"], TO_ACCEPT)


def test_the_same_event_again_answers_200_with_the_same_reference(district: District) -> None:
    client = Client()
    first = deliver(client, "yiwangtongban", abandoned_body(), event_id="ywtb-2")
    again = deliver(client, "yiwangtongban", abandoned_body(), event_id="ywtb-2")  # a new timestamp and signature
    changed = deliver(client, "yiwangtongban", abandoned_body(step="提交"), event_id="ywtb-2")
    assert first.status_code == 201 and again.status_code == 200 and changed.status_code == 200
    assert first.json() == again.json() == changed.json()
    assert Case.objects.filter(origin_ref="ywtb-2").count() == 1
    outcomes = list(Delivery.objects.order_by("id").values_list("outcome", "status_code"))
    assert outcomes == [("accepted", 201), ("duplicate", 200), ("duplicate", 200)]
    assert "内容与首次不同" in Delivery.objects.order_by("id").last().reason  # type: ignore[union-attr]
    # The same event id from another source is another event.
    other = deliver(client, "generic", abandoned_body(type="other"), event_id="ywtb-2")
    assert other.status_code == 201 and other.json() != first.json()


def refused(response: Any, status: int, words: str) -> Delivery:
    assert response.status_code == status, response.content
    assert words in response.json()["detail"], response.json()
    delivery = Delivery.objects.order_by("-id").first()
    assert delivery is not None and delivery.outcome == "refused" and delivery.status_code == status
    assert words in delivery.reason
    return delivery


def test_deliveries_not_signed_by_the_source_are_refused_and_logged(district: District) -> None:
    client = Client()
    raw = encode(abandoned_body())
    good = signed_headers(raw, event_id="e-1", secret=SECRETS["yiwangtongban"])
    url = "/api/v1/integrations/yiwangtongban/events"

    def post(body: bytes, headers: dict[str, str]) -> Any:
        return client.post(url, body, content_type="application/json", headers=headers)

    tampered = raw.replace("李四".encode(), "张三".encode())
    refused(post(tampered, good), 401, "签名不正确")
    refused(post(raw, {"X-Event-Id": "e-1"}), 401, "缺少签名")
    refused(post(raw, {**good, "X-Timestamp": ""}), 401, "缺少时间戳")
    refused(post(raw, {**good, "X-Signature": "md5=abc"}), 401, "签名格式不正确")
    refused(post(raw, signed_headers(raw, event_id="e-1", secret="not-the-secret-at-all")), 401, "签名不正确")
    # The old signature under a new timestamp: the signature covers the timestamp.
    refused(post(raw, {**good, "X-Timestamp": str(int(good["X-Timestamp"]) + 60)}), 401, "签名不正确")
    stale = int(good["X-Timestamp"]) - 301
    refused(post(raw, signed_headers(raw, event_id="e-1", secret=SECRETS["yiwangtongban"], timestamp=stale)),
            401, "时间戳超出允许范围")
    future = int(good["X-Timestamp"]) + 301
    refused(post(raw, signed_headers(raw, event_id="e-1", secret=SECRETS["yiwangtongban"], timestamp=future)),
            401, "时间戳超出允许范围")
    assert Case.objects.filter(origin="yiwangtongban").count() == 0
    # The genuine delivery, replayed six minutes later, is stale too.
    assert post(raw, good).status_code == 201
    with time_machine.travel(timedelta(minutes=6)):
        refused(post(raw, good), 401, "时间戳超出允许范围")
    assert Delivery.objects.filter(outcome="refused", status_code=401).count() == 9


def test_a_captured_delivery_replayed_under_another_event_id_is_refused(district: District) -> None:
    client = Client()
    raw = encode(abandoned_body())
    headers = signed_headers(raw, event_id="real-1", secret=SECRETS["yiwangtongban"])
    url = "/api/v1/integrations/yiwangtongban/events"
    assert client.post(url, raw, content_type="application/json", headers=headers).status_code == 201
    replay = client.post(url, raw, content_type="application/json", headers={**headers, "X-Event-Id": "forged-2"})
    refused(replay, 401, "疑似重放")
    assert Case.objects.filter(origin="yiwangtongban").count() == 1


def test_a_source_without_a_secret_refuses_everything_saying_why(district: District) -> None:
    from banchengshi.integrations.models import IntegrationSource

    IntegrationSource.objects.filter(code="haochaping").update(secret="", previous_secret="")
    response = deliver(Client(), "haochaping", bad_review_body(), event_id="x-1")
    refused(response, 401, "尚未设置签名密钥")


def test_an_unknown_source_is_404_and_logged(district: District) -> None:
    response = deliver(Client(), "nosuch", abandoned_body(), event_id="n-1")
    refused(response, 404, "未知的来源平台")
    assert Delivery.objects.get().source_code == "nosuch"


BAD_BODIES = [
    (b"{not json", "不是有效的 JSON"),
    (b"\xff\xfe garbage", "不是有效的 JSON"),
    (b"[1, 2]", "应为 JSON 对象"),
    (abandoned_body(description="退出\u0000了"), "description：含有不允许的控制字符"),
    (abandoned_body(reporter={"name": "李\u0000四", "phone": "13900139000"}), "reporter.name：含有不允许的控制字符"),
    (json.dumps(abandoned_body(step="上传\ud800")).encode(), "step：含有无效的 Unicode 字符"),
    (abandoned_body(reporter={"name": "李四", "phone": "1234"}), "reporter.phone：联系电话格式不正确"),
    (abandoned_body(center="NOPE"), "center：未找到政务服务中心：NOPE"),
    (abandoned_body(step=""), "step：中途退出事件须注明退出的环节"),
    (abandoned_body(portal="fax"), "portal：网上办事平台取值无效"),
    (abandoned_body(type="bad_review"), "type：一网通办总门户（中途退出）只接收 abandoned"),
    (abandoned_body(type="complaint"), "type：取值无效"),
    (abandoned_body(occurred_at="昨天"), "occurred_at：时间格式不正确"),
    (abandoned_body(occurred_at="2026-11-24T09:00:00+08:00"), "occurred_at：发生时间不能晚于当前时间"),
    ({"type": "abandoned"}, "reporter：必填；description：必填"),
    (abandoned_body(reasons=["whatever"]), "reasons：办不成原因取值无效"),
]


@pytest.mark.parametrize(("body", "words"), BAD_BODIES)
def test_a_well_signed_bad_body_is_422_saying_what_is_wrong(district: District, body: Any, words: str) -> None:
    response = deliver(Client(), "yiwangtongban", body, event_id="bad-1")
    delivery = refused(response, 422, words)
    assert response.json()["detail"].startswith("事件内容有误")
    assert "\x00" not in delivery.reason
    assert not Case.objects.filter(origin="yiwangtongban").exists()


@pytest.mark.parametrize(("review", "words"), [
    (None, "review：差评事件须包含 review"),
    ({"level": 4, "text": "还行"}, "review.level：差评等级应为 1（非常不满意）或 2（不满意）"),
    ({"level": "满意"}, "review.level：差评等级应为"),
])
def test_a_bad_review_needs_a_bad_level(district: District, review: Any, words: str) -> None:
    refused(deliver(Client(), "haochaping", bad_review_body(review=review), event_id="r-1"), 422, words)


def test_a_missing_event_id_is_422(district: District) -> None:
    raw = encode(abandoned_body())
    headers = signed_headers(raw, event_id="", secret=SECRETS["yiwangtongban"])
    del headers["X-Event-Id"]
    response = Client().post("/api/v1/integrations/yiwangtongban/events", raw, content_type="application/json",
                             headers=headers)
    refused(response, 422, "事件编号（X-Event-Id）")


def test_the_endpoint_is_in_the_openapi_document(district: District) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/integrations/{source}/events"]["post"]
    assert {p["name"] for p in operation["parameters"]} >= {"source", "X-Event-Id", "X-Timestamp", "X-Signature"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "review" in body["properties"] and "$ref" not in json.dumps(body)
