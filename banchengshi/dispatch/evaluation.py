"""How well the routing model routes: trained on part of dispatch_history.csv (plus the catalog), measured
on the rest and on extra labelled reports. Reads the district's CSV files only (no database), so the figures
are the same wherever it runs. `manage.py evaluate_routing` prints them; a test asserts the targets."""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from banchengshi.dispatch import learning
from banchengshi.dispatch.loading import DISTRICT_DIR

SEED = 12
HOLDOUT = 0.25
THRESHOLDS = [round(0.30 + 0.05 * i, 2) for i in range(14)]  # 0.30 … 0.95
CV_TARGET = 0.03  # the threshold chosen keeps wrong automatic dispatches under 3% in cross-validation


@dataclass(frozen=True)
class Labelled:
    text: str
    unit: str
    matter: str | None


@dataclass(frozen=True)
class Outcome:
    item: Labelled
    ranked: list[str]  # unit codes, best first
    confidence: float
    source: str

    @property
    def right(self) -> bool:
        return bool(self.ranked) and self.ranked[0] == self.item.unit


@dataclass
class Figures:
    outcomes: list[Outcome]
    threshold: float
    samples: int = 0
    seconds: float = 0.0
    cv_threshold: float | None = None
    cv_table: list[tuple[float, float, float]] = field(default_factory=list)  # threshold, auto share, wrong share

    def of(self, source: str | None = None) -> list[Outcome]:
        return [o for o in self.outcomes if source is None or o.source == source]

    def top1(self, source: str | None = None) -> float:
        rows = self.of(source)
        return sum(o.right for o in rows) / max(1, len(rows))

    def top3(self, source: str | None = None) -> float:
        rows = self.of(source)
        return sum(o.item.unit in o.ranked[:3] for o in rows) / max(1, len(rows))

    def automatic(self, threshold: float | None = None) -> tuple[float, float]:
        """(share dispatched automatically, share of those that went to the wrong unit)."""
        return auto_figures([(o.confidence, o.right) for o in self.outcomes], self.threshold if threshold is None else threshold)

    def per_unit(self) -> list[tuple[str, int, float, float]]:
        units = sorted({o.item.unit for o in self.outcomes})
        out = []
        for unit in units:
            rows = [o for o in self.outcomes if o.item.unit == unit]
            out.append((unit, len(rows), sum(o.right for o in rows) / len(rows),
                        sum(unit in o.ranked[:3] for o in rows) / len(rows)))
        return out

    def confusions(self) -> list[tuple[str, str, int]]:
        pairs = Counter((o.item.unit, o.ranked[0]) for o in self.outcomes if not o.right and o.ranked)
        return [(a, b, n) for (a, b), n in pairs.most_common()]


def auto_figures(scored: Sequence[tuple[float, bool]], threshold: float) -> tuple[float, float]:
    auto = [right for confidence, right in scored if confidence >= threshold]
    return len(auto) / max(1, len(scored)), (len(auto) - sum(auto)) / max(1, len(auto))


def read_labelled(path: Path) -> list[Labelled]:
    """A CSV with text, department_code and (optionally) matter_code columns."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [Labelled(r["text"].strip(), r["department_code"].strip(), (r.get("matter_code") or "").strip() or None)
                for r in csv.DictReader(f) if r.get("text", "").strip()]


def catalog(directory: Path = DISTRICT_DIR) -> tuple[list[learning.Doc], dict[str, str]]:
    with (directory / "matters.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    docs = learning.catalog_documents([(r["code"], r["name"], r["keywords"], r["department_code"]) for r in rows])
    return docs, {r["code"]: r["department_code"] for r in rows}


def split(rows: Sequence[Labelled], seed: int, holdout: float) -> tuple[list[Labelled], list[Labelled]]:
    """(training part, held-out part), the same for the same seed."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)  # noqa: S311 - a reproducible split, not a secret
    cut = round(len(rows) * holdout)
    return [rows[i] for i in sorted(order[cut:])], [rows[i] for i in sorted(order[:cut])]


def fit(rows: Sequence[Labelled], directory: Path = DISTRICT_DIR) -> learning.TrainedRouter:
    docs, matter_units = catalog(directory)
    docs += [learning.Doc(r.text, r.unit, r.matter, learning.WEIGHT_HISTORY) for r in rows]
    return learning.train(docs, matter_units)


def score(model: learning.TrainedRouter, rows: Sequence[Labelled], source: str) -> list[Outcome]:
    out = []
    for row in rows:
        ranked = model.rank(row.text, limit=3)
        out.append(Outcome(row, [r.unit for r in ranked], ranked[0].probability if ranked else 0.0, source))
    return out


def cross_validate(rows: Sequence[Labelled], folds: int = 5, seed: int = SEED) -> list[tuple[float, bool]]:
    """(confidence, right) of each training row when its fold was left out: what the threshold is chosen on."""
    order = list(range(len(rows)))
    random.Random(seed + 1).shuffle(order)  # noqa: S311 - reproducible folds
    scored: list[tuple[float, bool]] = []
    for fold in range(folds):
        test = [rows[i] for n, i in enumerate(order) if n % folds == fold]
        train = [rows[i] for n, i in enumerate(order) if n % folds != fold]
        scored += [(o.confidence, o.right) for o in score(fit(train), test, "cv")]
    return scored


def choose_threshold(scored: Sequence[tuple[float, bool]], target: float = CV_TARGET) -> float:
    """The lowest threshold from which on (it and every higher one: a few rows make the curve ragged)
    wrong automatic dispatches stay under `target`: the most cases dispatched automatically for that error."""
    chosen = THRESHOLDS[-1]
    for threshold in reversed(THRESHOLDS):
        if auto_figures(scored, threshold)[1] >= target:
            break
        chosen = threshold
    return chosen


def evaluate(
    threshold: float, *, seed: int = SEED, holdout: float = HOLDOUT, extra: Sequence[Path] = (), cv: bool = False,
    directory: Path = DISTRICT_DIR,
) -> Figures:
    import time

    history = read_labelled(directory / "dispatch_history.csv")
    train, held = split(history, seed, holdout)
    started = time.monotonic()
    model = fit(train, directory)
    figures = Figures([], threshold, model.samples, round(time.monotonic() - started, 2))
    figures.outcomes = score(model, held, "held_out")
    for path in extra:
        figures.outcomes += score(model, read_labelled(path), path.stem)
    if cv:
        scored = cross_validate(train, seed=seed)
        figures.cv_threshold = choose_threshold(scored)
        figures.cv_table = [(t, *auto_figures(scored, t)) for t in THRESHOLDS]
    return figures
