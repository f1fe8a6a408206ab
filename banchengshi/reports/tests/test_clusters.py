"""Text clusters: near-duplicate reports land together, unrelated ones do not, the same input always gives
the same clusters, and the work stays bounded."""

from __future__ import annotations

import random
import time

from banchengshi.reports.clusters import MAX_TEXTS, cluster_texts, tokens

LICENCE = ["营业执照变更需要提供原件，跑了三次窗口还是办不成", "营业执照变更要原件，我跑了三次窗口都办不成",
           "办营业执照变更，窗口说要提供原件，三次都没办成"]
FUND = ["公积金提取要社区开证明，社区不给开证明", "提取公积金需要社区证明，社区说不能开证明"]
OTHERS = ["医保异地备案系统报错无法提交", "社保卡补办要求本人到场但老人行动不便", "不动产登记预约不上号"]


def test_near_duplicates_cluster_together_and_others_stay_alone() -> None:
    texts = [LICENCE[0], OTHERS[0], FUND[0], LICENCE[1], OTHERS[1], FUND[1], LICENCE[2], OTHERS[2]]
    clusters = cluster_texts(texts)
    assert [sorted(texts[i] for i in c.members) for c in clusters] == [sorted(LICENCE), sorted(FUND)]
    assert clusters[0].size == 3 and {"营业执照", "原件"} <= set(clusters[0].keywords)
    assert "公积金" in clusters[1].keywords
    assert all(not set(c.members) & {1, 4, 7} for c in clusters)


def test_the_same_texts_give_the_same_clusters() -> None:
    rng = random.Random(7)
    texts = [rng.choice(LICENCE + FUND + OTHERS) + f"（第{i}次）" for i in range(300)]
    first, second = cluster_texts(texts), cluster_texts(list(texts))
    assert [(c.members, c.keywords) for c in first] == [(c.members, c.keywords) for c in second]
    assert sum(c.size for c in first) == 300  # every text has near-duplicates here


def test_no_numbers_or_phones_become_keywords() -> None:
    words = tokens("我的电话13912345678，已经跑了3次窗口")
    assert "电话" in words and "窗口" in words
    assert not any(ch.isdigit() for w in words for ch in w)
    assert all(not w.isdigit() for w in tokens("编号 2026 第 12 号 窗口"))


def test_the_work_is_bounded() -> None:
    rng = random.Random(3)
    words = ["窗口", "材料", "系统", "网上", "流程", "证明", "政策", "部门", "社区", "街道", "企业", "户口", "学校", "医院", "车辆", "税务", "发票", "房屋", "合同", "备案"]
    texts = ["".join(rng.sample(words, 6)) for _ in range(MAX_TEXTS + 500)]
    cluster_texts(texts[:10])  # jieba's dictionary loads once per process
    started = time.monotonic()
    clusters = cluster_texts(texts)
    assert time.monotonic() - started < 10
    assert sum(c.size for c in clusters) <= MAX_TEXTS  # the texts past the cap are not read
