"""The routing model: which (unit, matter) a report belongs to, learnt from the matter catalog and past
dispatches. Pure computation here (no database): `train` builds a `TrainedRouter` from labelled documents,
`TrainedRouter.rank` scores a text. Storage, reloading and the fallback live in routing.py / models.py.

Features: TF-IDF over jieba's words and TF-IDF over character 1–3-grams (a word jieba cuts differently, or
a reporter's typo, still shares n-grams). Classifier: multinomial logistic regression, whose probabilities
are summed per unit (a unit's confidence is the chance that the unit, whatever the matter, is right).
Everything is local: jieba's built-in dictionary, scikit-learn, no download, no outside service.

scikit-learn and SciPy are imported by `train` alone (the job): the fitted model keeps only arrays and the
vocabularies, so a web worker that ranks a text loads NumPy but never scikit-learn (about 100 MB each).
jieba is imported when a text is first cut (its dictionary is another 60 MB)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from banchengshi.lib.words import cut

# Kept apart from words: punctuation, digits, Latin letters and spaces carry nothing about the matter.
NOISE = re.compile(r"[^\u4e00-\u9fff]+")
STOPWORDS = frozenset(
    ["的", "了", "是", "我", "你", "他", "她", "们", "在", "有", "和", "就", "都", "也", "还", "又", "要", "说", "去", "到", "让", "把", "被", "给", "对", "这", "那", "个", "一", "不", "没", "吗", "呢", "啊", "吧", "我们", "你们", "他们", "什么", "怎么", "一个", "没有", "可以", "已经", "现在", "还是", "但是", "因为", "所以", "如果", "自己", "这个", "那个", "就是", "一直", "请问", "你好", "您好", "谢谢", "麻烦", "问题", "反映", "办理", "办", "事情", "让我", "告诉", "知道", "不知道", "窗口"]
)
# Words a reason never shows: they drive no decision a dispatcher could check.
VAGUE = frozenset(["哪个", "部门", "哪里", "这边", "那边", "一下", "怎么办", "不知", "找谁", "单位", "地方", "时候", "东西",
                   "情况", "这样", "那样", "出来", "回来", "过去", "之前", "之后", "今天", "昨天", "现在", "结果"])
# Weights of the training documents: a person's decision in this system counts more than a catalog
# pseudo-document, so that a dispatcher's correction moves the next suggestion.
WEIGHT_CATALOG = 3.0
WEIGHT_HISTORY = 1.0
WEIGHT_MANUAL = 5.0
# The stored model's layout: a model of another format is retrained by the hourly job (training.is_stale).
FORMAT = 2


def words(text: str) -> list[str]:
    """jieba's words of the Chinese runs of `text`, without stop words (the word features' analyzer)."""
    out: list[str] = []
    for run in NOISE.split(text):
        if run:
            out.extend(w for w in cut(run) if w not in STOPWORDS)
    return out


def chars(text: str) -> list[str]:
    """Character 1–3-grams within each Chinese run (no n-gram across a comma)."""
    out: list[str] = []
    for run in NOISE.split(text):
        for n in (1, 2, 3):
            out.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return [g for g in out if g not in STOPWORDS]


@dataclass(frozen=True)
class Doc:
    """One labelled text: `unit` the code of the unit it went to, `matter` the matter's code if known."""

    text: str
    unit: str
    matter: str | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Ranked:
    unit: str  # the unit's code
    matter: str | None  # the likeliest matter of that unit, if any
    probability: float
    words: list[str]


@dataclass
class Linear:
    """A fitted linear classifier, kept as arrays: scoring one text is a product over its few features and a softmax."""

    labels: list[str]
    coef: Any  # ndarray, labels × features
    intercept: Any

    def scores(self, x: tuple[Any, Any]) -> Any:
        indices, values = x
        return self.coef[:, indices] @ values + self.intercept

    def probabilities(self, x: tuple[Any, Any]) -> Any:
        scores = self.scores(x)
        scores -= scores.max()
        p = np.exp(scores)
        return p / p.sum()


@dataclass
class Vocabulary:
    """What ranking needs of a fitted TfidfVectorizer: each term's column and its idf."""

    index: dict[str, int]
    idf: Any  # ndarray

    @classmethod
    def of(cls, vectorizer: Any) -> Vocabulary:
        return cls({str(term): int(j) for term, j in vectorizer.vocabulary_.items()}, np.asarray(vectorizer.idf_))


def _fit(x: Any, labels: list[str], weights: list[float], classifier: Any) -> Linear:
    from threadpoolctl import threadpool_limits  # see the module's note

    with threadpool_limits(1):  # one core: the job shares the machine with the web server
        classifier.fit(x, labels, sample_weight=weights)
    names = [str(label) for label in classifier.classes_]
    coef, intercept = classifier.coef_, classifier.intercept_
    if len(names) == 2:  # a binary fit has one row: the second class's side
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return Linear(names, coef.astype(np.float32), intercept.astype(np.float32))


@dataclass
class TrainedRouter:
    """A fitted model; pickled into dispatch.RoutingModel. Two classifiers over the same features: a
    logistic regression for the unit (its probability is the suggestion's confidence), a linear SVM for the
    matter within the unit."""

    word_vocabulary: Vocabulary
    char_vocabulary: Vocabulary
    unit_model: Linear
    matter_model: Linear | None
    matter_units: dict[str, str]  # matter code → its department's code
    feature_names: list[str]
    samples: int
    meta: dict[str, Any] = field(default_factory=dict)

    def vector(self, text: str) -> tuple[Any, Any]:
        """The text's TF-IDF features as (indices, values): what the fitted vectorizers' transform gives
        (sublinear tf × idf, each part l2-normalised), computed directly — sklearn's transform checks its
        parameters at each call, which made a suggestion take a few milliseconds instead of a fraction."""
        parts = [_tfidf(self.word_vocabulary, words, text, 0),
                 _tfidf(self.char_vocabulary, chars, text, len(self.word_vocabulary.index))]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def rank(self, text: str, limit: int = 3, reasons: int = 4) -> list[Ranked]:
        """The units by probability (best first, at most `limit`), each with its likeliest matter and the
        words that drove it."""
        x = self.vector(text)
        p = self.unit_model.probabilities(x)
        matters: dict[str, tuple[float, str]] = {}
        if self.matter_model is not None:
            for code, value in zip(self.matter_model.labels, self.matter_model.scores(x), strict=True):
                unit = self.matter_units[code]
                if unit not in matters or matters[unit][0] < value:
                    matters[unit] = (float(value), code)
        out = []
        for i in np.argsort(-p)[:limit]:
            unit = self.unit_model.labels[i]
            matter = matters.get(unit)
            out.append(Ranked(unit, matter[1] if matter else None, float(p[i]), self._why(x, i, reasons)))
        return out

    def _why(self, x: Any, label: int, limit: int) -> list[str]:
        """The words of `x` that pushed most towards `label` (x·coef): jieba's words only — a character
        n-gram such as 的医 or 个部门 helps the fit but means nothing to a dispatcher — and never a word that
        says nothing about the matter (哪个, 部门)."""
        indices, values = x
        contributions = values * self.unit_model.coef[label, indices]
        words_count = len(self.word_vocabulary.index)
        chosen: list[str] = []
        for j in np.argsort(-contributions):
            if contributions[j] <= 0 or len(chosen) >= limit:
                break
            if indices[j] >= words_count:
                continue
            word = self.feature_names[indices[j]]
            if len(word) > 1 and word not in VAGUE and not any(word in c for c in chosen):
                chosen = [c for c in chosen if c not in word] + [word]
        return chosen


def _tfidf(vocabulary_of: Vocabulary, analyzer: Any, text: str, offset: int) -> tuple[Any, Any]:
    vocabulary = vocabulary_of.index
    counts = Counter(j for token in analyzer(text) if (j := vocabulary.get(token)) is not None)
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * vocabulary_of.idf[indices]
    values /= np.linalg.norm(values)
    return indices + offset, values.astype(np.float32)


# Chosen by 5-fold cross-validation on the training part of dispatch_history.csv (evaluate_routing --cv).
C = 100.0


def train(docs: Sequence[Doc], matter_units: dict[str, str], *, c: float = C) -> TrainedRouter:
    """Fit the vectorizers and both classifiers on `docs`; `matter_units` maps each matter to its unit."""
    from scipy import sparse  # see the module's note
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if len({d.unit for d in docs}) < 2:
        raise ValueError("训练数据至少需要两个承办单位")
    texts = [d.text for d in docs]
    # The analyzers are module functions: the fitted vectorizers pickle by reference to them.
    word_vectorizer = TfidfVectorizer(analyzer=words, sublinear_tf=True)
    char_vectorizer = TfidfVectorizer(analyzer=chars, sublinear_tf=True)
    x = sparse.hstack([word_vectorizer.fit_transform(texts), char_vectorizer.fit_transform(texts)]).tocsr()
    unit_model = _fit(x, [d.unit for d in docs], [d.weight for d in docs], LogisticRegression(C=c, max_iter=3000, fit_intercept=False))
    with_matter = [i for i, d in enumerate(docs) if d.matter]
    matter_model = None
    if len({docs[i].matter for i in with_matter}) >= 2:
        # The matter needs no probability (the unit's is the confidence): a linear SVM, ten times faster.
        matter_model = _fit(x[with_matter], [str(docs[i].matter) for i in with_matter],
                            [docs[i].weight for i in with_matter], LinearSVC(C=1.0))
    names = [*word_vectorizer.get_feature_names_out(), *char_vectorizer.get_feature_names_out()]
    return TrainedRouter(
        word_vocabulary=Vocabulary.of(word_vectorizer),
        char_vocabulary=Vocabulary.of(char_vectorizer),
        unit_model=unit_model,
        matter_model=matter_model,
        matter_units={code: matter_units[code] for code in (matter_model.labels if matter_model else [])},
        feature_names=[str(n) for n in names],
        samples=len(docs),
    )


def catalog_documents(matters: Sequence[tuple[str, str, str, str]]) -> list[Doc]:
    """Pseudo-documents of the catalog (code, name, keywords, department code): per matter its name with
    its keywords, and the name and each keyword alone (a short report naming one of them is common)."""
    docs = []
    for code, name, keywords, unit in matters:
        words_of = [w for w in keywords.split("|") if w]
        for text in [" ".join([name, *words_of]), name, *words_of]:
            docs.append(Doc(text, unit, code, WEIGHT_CATALOG))
    return docs
