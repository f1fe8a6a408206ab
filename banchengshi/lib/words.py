"""The one jieba tokenizer of a process: jieba's default dictionary with the service trade's words added
(社保卡, 一网通办, 跑了好几趟 …). Search, duplicates, routing and the guide finder all cut with it.

One, because each jieba tokenizer holds its own prefix dictionary, and compact (`Frequencies`), because jieba
keeps it as a dict of 500,000 strings: about 60 MB of Python objects in every web worker, against 8 MB of
arrays here. The trade words are added before the first cut, so every part of the application cuts a text the
same way whichever asked first."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import Any

import numpy as np

TRADE_WORDS = (
    "社保", "医保", "社保卡", "医保卡", "公积金", "营业执照", "不动产", "不动产权证", "居住证", "身份证", "户口本",
    "一网通办", "随申办", "随申码", "一件事", "退休金", "养老金", "低保", "残疾证", "出生证明", "结婚证",
    "准生证", "电子证照", "税务登记", "发票", "个税", "契税", "房产证", "驾驶证", "行驶证", "营业执照副本",
    "统一社会信用代码", "法人", "窗口", "人脸识别", "刷脸", "帮办", "代办", "补办", "补领", "换领", "挂失",
    "材料", "办不成", "跑了好几趟", "退回", "审批", "预约", "叫号", "网办", "掌办", "自助机", "异地",
    "转移接续", "医疗保险", "养老保险", "失业金", "就业登记", "灵活就业", "工伤", "生育津贴",
)


def _key(word: str) -> int:
    """The string's hash, told apart by its length: CPython hashes a string's stored bytes, so 'AP' (two
    one-byte characters) and '偁' (U+5041, one two-byte character) hash alike."""
    return hash(word) ^ len(word)


class Frequencies:
    """jieba's prefix dictionary (word or word prefix → frequency, 0 for a prefix only) as two sorted arrays: the
    64-bit hashes of the entries and their frequencies. Only what jieba's Tokenizer asks of its `FREQ` dict:
    `in`, `[]`, `get`, and `[] =` for an added word (kept in a small dict beside). A lookup is a binary search:
    cutting a text takes about three times as long as with the dict (2.5 ms for 135 characters), which a page
    does not notice. Python's string hash is per process, so the arrays are built in each process, from
    jieba's dictionary file (about 1.7 s, what jieba's own cache takes to load)."""

    __slots__ = ("added", "frequencies", "hashes")

    def __init__(self, hashes: Any, frequencies: Any) -> None:
        self.hashes, self.frequencies = hashes, frequencies
        self.added: dict[str, int] = {}

    @classmethod
    def of(cls, lines: Iterable[bytes]) -> tuple[Frequencies, int]:
        """Read jieba's dictionary file ("word frequency tag" per line) as jieba's `gen_pfdict` does; the
        frequencies and their total."""
        from array import array

        hashes, frequencies = array("q"), array("q")
        total = 0
        for raw in lines:
            line = raw.strip().decode("utf-8")
            if not line:
                continue
            word, frequency = line.split(" ")[:2]
            total += int(frequency)
            hashes.append(_key(word))
            frequencies.append(int(frequency))
            for end in range(1, len(word)):
                hashes.append(_key(word[:end]))
                frequencies.append(0)
        keys, values = np.frombuffer(hashes, dtype=np.int64), np.frombuffer(frequencies, dtype=np.int64)
        order = np.lexsort((-values, keys))  # by hash; a word's own frequency before its 0 as a prefix
        keys, values = keys[order], values[order]
        first = np.concatenate(([True], keys[1:] != keys[:-1]))
        return cls(keys[first].copy(), values[first].copy()), total

    def _find(self, word: str) -> int | None:
        key = _key(word)
        i = int(self.hashes.searchsorted(key))
        if i < len(self.hashes) and self.hashes[i] == key:
            return int(self.frequencies[i])
        return None

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self.added or self._find(word) is not None)

    def __getitem__(self, word: str) -> int:
        found = self.get(word)
        if found is None:
            raise KeyError(word)
        return found

    def get(self, word: str, default: int | None = None) -> int | None:
        found = self.added.get(word)
        if found is None:
            found = self._find(word)
        return default if found is None else found

    def __setitem__(self, word: str, frequency: int) -> None:
        self.added[word] = frequency


@functools.cache
def tokenizer() -> Any:
    """jieba's default tokenizer with the compact dictionary and the trade words (jieba is imported here: a
    worker that never cuts a text does not load it)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    default = jieba.dt
    with default.lock:
        if not default.initialized:
            with default.get_dict_file() as lines:
                default.FREQ, default.total = Frequencies.of(lines)
            default.initialized = True
    for word in TRADE_WORDS:
        default.add_word(word)
    return default


def cut(text: str, *, hmm: bool = True) -> list[str]:
    return list(tokenizer().cut(text, HMM=hmm))


def cut_for_search(text: str, *, hmm: bool = True) -> list[str]:
    return list(tokenizer().cut_for_search(text, HMM=hmm))
