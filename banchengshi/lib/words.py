"""The one jieba tokenizer of a process: jieba's default dictionary with the service trade's words added
(社保卡, 一网通办, 跑了好几趟 …). Search, duplicates, routing and the guide finder all cut with it.

One, because each jieba tokenizer holds its own prefix dictionary: about 60 MB of Python objects. Two of them
(search had its own with the trade words) put a web worker over 200 MB. The words are added before the first
cut, so every part of the application cuts a text the same way whichever asked first."""

from __future__ import annotations

import functools
import logging
from typing import Any

TRADE_WORDS = (
    "社保", "医保", "社保卡", "医保卡", "公积金", "营业执照", "不动产", "不动产权证", "居住证", "身份证", "户口本",
    "一网通办", "随申办", "随申码", "一件事", "退休金", "养老金", "低保", "残疾证", "出生证明", "结婚证",
    "准生证", "电子证照", "税务登记", "发票", "个税", "契税", "房产证", "驾驶证", "行驶证", "营业执照副本",
    "统一社会信用代码", "法人", "窗口", "人脸识别", "刷脸", "帮办", "代办", "补办", "补领", "换领", "挂失",
    "材料", "办不成", "跑了好几趟", "退回", "审批", "预约", "叫号", "网办", "掌办", "自助机", "异地",
    "转移接续", "医疗保险", "养老保险", "失业金", "就业登记", "灵活就业", "工伤", "生育津贴",
)


@functools.cache
def tokenizer() -> Any:
    """jieba's default tokenizer, initialised and given the trade words (imported here: a worker that never
    cuts a text does not load jieba)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    for word in TRADE_WORDS:
        jieba.add_word(word)
    return jieba.dt


def cut(text: str, *, hmm: bool = True) -> list[str]:
    return list(tokenizer().cut(text, HMM=hmm))


def cut_for_search(text: str, *, hmm: bool = True) -> list[str]:
    return list(tokenizer().cut_for_search(text, HMM=hmm))
