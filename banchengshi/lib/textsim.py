"""Chinese text similarity: which short texts tell the same thing, however worded.

A text's features are its jieba words (without stop words, single characters and numbers) and the
character bigrams of its runs of Han characters (they catch what jieba cuts differently: 医保卡 / 医保 卡).
Each feature is hashed (CRC-32, stable across processes) into `DIMENSIONS` buckets, so the features of a
text are two small arrays — bucket and term weight — that can be stored as bytes once per text (`pack`) and
compared later without cutting the text again (jieba's cutting is most of the time).

`cosines` weighs the features by TF-IDF over the texts compared (the stored term weights times the smoothed
idf, l2-normalised) and returns the cosine of one text with each of the others: NumPy only, linear in the
total number of features, no matrix of pairs.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from banchengshi.lib import words

DIMENSIONS = 1 << 22
MAX_CHARS = 400  # of each text: what a clerk writes of one problem; longer texts are cut
BIGRAM_WEIGHT = 0.35  # calibrated with cases.duplicates' thresholds
VERSION = 2  # of the features: stored features of another version are computed again

# Words too common in these reports to tell one problem from another.
STOPWORD_TEXT = (
    "的 了 和 是 在 我 我们 你 他 她 它 有 也 就 都 而 及 与 或 一个 没有 不 没 很 还 又 被 把 让 给 对 说 要 想 能 会 可以 这个 那个 这 那 什么 怎么 为什么 因为"
    " 所以 但是 但 如果 已经 现在 时候 一直 还是 需要 问题 反映 办理 情况 进行 一下 一次 多次 之后 以后 然后 今天 昨天 目前 希望 请 帮忙 帮助 能否 是否 无法 不能 不了 其他"
    " 自己 相关"
)
STOPWORDS = frozenset(STOPWORD_TEXT.split())
WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")  # a word has a Han character or a letter (no bare numbers, no phones)
HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")

Features = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]  # sorted buckets, their term weights


def tokens(text: str) -> list[str]:
    """The words of `text` that may name a problem: jieba's cut, without stop words, single characters,
    numbers and punctuation."""
    return [w for w in (t.strip().lower() for t in words.cut(text)) if len(w) >= 2 and w not in STOPWORDS and WORD.search(w)]


def bigrams(text: str) -> list[str]:
    """The character pairs of each run of Han characters, but those that are a stop word."""
    pairs: list[str] = []
    for run in HAN_RUN.findall(text):
        pairs.extend(p for p in (run[i : i + 2] for i in range(len(run) - 1)) if p not in STOPWORDS)
    return pairs


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) % DIMENSIONS


def features(text: str) -> Features:
    """The hashed words and bigrams of `text` (its first MAX_CHARS characters), each with its term weight
    (1 + log tf); a bigram weighs BIGRAM_WEIGHT of a word (it backs a word jieba cut differently, it
    should not outvote the words). A word and a bigram of the same two characters are one feature."""
    text = text[:MAX_CHARS]
    weights: dict[int, float] = {}
    for counts, weight in ((Counter(map(_bucket, tokens(text))), 1.0), (Counter(map(_bucket, bigrams(text))), BIGRAM_WEIGHT)):
        for bucket, tf in counts.items():
            weights[bucket] = weights.get(bucket, 0.0) + weight * (1 + math.log(tf))
    buckets = np.fromiter(sorted(weights), dtype=np.int64, count=len(weights))
    return buckets, np.array([weights[b] for b in buckets.tolist()], dtype=np.float64)


RECORD = np.dtype([("bucket", "<u4"), ("weight", "<f4")])  # a stored feature: 8 bytes


def pack(found: Features) -> bytes:
    """Features as bytes to store: one (bucket uint32, weight float32) record each, so many stored texts
    are read back with one `frombuffer` of their joined bytes (`cosines_packed`)."""
    buckets, weights = found
    records = np.empty(len(buckets), dtype=RECORD)
    records["bucket"], records["weight"] = buckets, weights
    return records.tobytes()


def unpack(data: bytes) -> Features:
    records = np.frombuffer(data, dtype=RECORD)
    return records["bucket"].astype(np.int64), records["weight"].astype(np.float64)


def cosines(query: Features, others: Sequence[Features]) -> npt.NDArray[np.float64]:
    """The TF-IDF cosine of `query` with each of `others`, the idf taken over all of them and the query."""
    if not others:
        return np.zeros(0)
    sizes = np.array([len(b) for b, _ in others], dtype=np.int64)
    return _cosines(query, np.concatenate([b for b, _ in others]), np.concatenate([w for _, w in others]), sizes)


def cosines_packed(query: Features, stored: Sequence[bytes]) -> npt.NDArray[np.float64]:
    """The same against stored features (`pack`), read in one pass."""
    if not stored:
        return np.zeros(0)
    records = np.frombuffer(b"".join(stored), dtype=RECORD)
    sizes = np.array([len(data) // RECORD.itemsize for data in stored], dtype=np.int64)
    return _cosines(query, records["bucket"].astype(np.int64), records["weight"].astype(np.float64), sizes)


def _cosines(query: Features, buckets: npt.NDArray[np.int64], term_weights: npt.NDArray[np.float64],
             sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    count = len(sizes)
    owner = np.repeat(np.arange(count), sizes)
    vocabulary, inverse = np.unique(np.concatenate([buckets, query[0]]), return_inverse=True)
    df = np.bincount(inverse, minlength=len(vocabulary)).astype(np.float64)
    idf = np.log((2 + count) / (1 + df)) + 1  # n = the others and the query; smoothed
    doc_terms, query_terms = inverse[: len(buckets)], inverse[len(buckets) :]
    weights = term_weights * idf[doc_terms]
    norms = np.sqrt(np.bincount(owner, weights=weights * weights, minlength=count))
    q = np.zeros(len(vocabulary))
    q[query_terms] = query[1] * idf[query_terms]
    q_norm = math.sqrt(float(q @ q))
    if q_norm == 0:
        return np.zeros(count)
    dots = np.bincount(owner, weights=weights * q[doc_terms], minlength=count)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(norms > 0, dots / (norms * q_norm), 0.0)
    return np.asarray(result, dtype=np.float64)
