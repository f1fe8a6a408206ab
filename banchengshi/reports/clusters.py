"""Text clusters of reports: which descriptions say nearly the same thing (堵点分析's 文本聚类).

Deterministic, local and bounded: each text is cut into words by jieba (no outside service), weighted by
TF-IDF (smoothed idf, l2-normalised), and two texts are alike when the cosine of their vectors reaches
`THRESHOLD`. Only words that two texts share add to their cosine, so the alike pairs are found through
the words' posting lists (numpy outer products), not by comparing every pair. A word found in more than
`MAX_DF` texts is too common to tell one cluster from another: it is left out of the pair search (its part
of a cosine is not counted), which also bounds the work to MAX_DF² pairs per word. At most MAX_TEXTS texts,
each cut to MAX_CHARS, are read (jieba's cutting is most of the time).

Clusters are made by leader clustering in the texts' order: each text joins the cluster of the earlier
leader it is most alike (ties: the earliest), or leads its own; a cluster has at least `MIN_SIZE` texts and
is named by its top keywords (the summed weights in the cluster, then the word). Biggest clusters first.
The same texts in the same order give the same clusters.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from banchengshi.lib.textsim import STOPWORDS, tokens

__all__ = ["STOPWORDS", "Cluster", "cluster_texts", "tokens"]

THRESHOLD = 0.5
MAX_TEXTS = 3000
MAX_CHARS = 200  # of each text: jieba cuts ~180 characters a millisecond
MAX_DF = 300
MIN_SIZE = 2
KEYWORDS = 5


@dataclass(frozen=True)
class Cluster:
    members: list[int]  # indexes into the texts, in their order
    keywords: list[str]

    @property
    def size(self) -> int:
        return len(self.members)


def cluster_texts(texts: Sequence[str], *, threshold: float = THRESHOLD, min_size: int = MIN_SIZE) -> list[Cluster]:
    """The clusters among `texts` (at most MAX_TEXTS are read: the caller bounds them)."""
    docs = [Counter(tokens(t[:MAX_CHARS])) for t in texts[:MAX_TEXTS]]
    n = len(docs)
    if n < 2:
        return []
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}
    weights: list[dict[str, float]] = []
    for doc in docs:
        raw = {w: tf * idf[w] for w, tf in doc.items()}
        norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
        weights.append({w: v / norm for w, v in raw.items()})
    postings: dict[str, tuple[list[int], list[float]]] = {}
    for i, vec in enumerate(weights):
        for w, v in vec.items():
            if 2 <= df[w] <= MAX_DF:
                entry = postings.setdefault(w, ([], []))
                entry[0].append(i)
                entry[1].append(v)
    keys, values = [], []
    for docs_of, vals in postings.values():
        idx, val = np.asarray(docs_of, dtype=np.int64), np.asarray(vals)
        a, b = np.triu_indices(len(idx), k=1)
        keys.append(idx[a] * n + idx[b])
        values.append(val[a] * val[b])
    # Leader clustering, in the texts' order: a text joins the earliest-led cluster whose leader (its first
    # text) it is most alike, else leads a cluster of its own. Unlike connected groups, it never chains a
    # run of each-a-little-alike texts into one heap.
    leader_of = list(range(n))
    if keys:
        pairs, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        cosine = np.bincount(inverse, weights=np.concatenate(values))
        alike = cosine >= threshold - 1e-9
        earlier, later, score = pairs[alike] // n, pairs[alike] % n, np.round(cosine[alike], 9)
        # For each text, the earlier texts it is alike: the most alike first, then the earliest.
        neighbours: dict[int, list[tuple[float, int]]] = {}
        for lead, i, value in zip(earlier.tolist(), later.tolist(), score.tolist(), strict=True):
            neighbours.setdefault(i, []).append((-value, lead))
        for i in range(n):
            leads = sorted(option for option in neighbours.get(i, []) if leader_of[option[1]] == option[1])
            if leads:
                leader_of[i] = leads[0][1]
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(leader_of[i], []).append(i)
    clusters = []
    for members in groups.values():
        if len(members) < min_size:
            continue
        summed: Counter[str] = Counter()
        for i in members:
            summed.update(weights[i])
        top = sorted(summed.items(), key=lambda item: (-round(item[1], 9), item[0]))[:KEYWORDS]
        clusters.append(Cluster(members, [w for w, _ in top]))
    return sorted(clusters, key=lambda c: (-c.size, c.members[0]))
